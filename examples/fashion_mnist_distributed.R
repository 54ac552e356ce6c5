# examples/fashion_mnist_distributed.R: the main job's CNN (examples/fashion_mnist.R) trained
# on 2 workers with tf.distribute's MultiWorkerMirroredStrategy, from R.
# Run: make demo-distributed   (or Rscript examples/fashion_mnist_distributed.R)
#
# The same file is the launcher and the worker. Started plainly, it calls run_workers(),
# which starts 2 R processes on loopback running this file again, with TANDEM_WORKERS and
# TANDEM_WORKER_INDEX set; each worker trains its share of every global batch, and the
# launcher checks that both end with identical weights and >= 0.90 test accuracy.
# On several machines, run this file on each host with TANDEM_WORKERS="host1:port,host2:port"
# and TANDEM_WORKER_INDEX=0, 1, ... set by hand (README: "Training on several machines").
library(tandem.keras)

full_epochs <- 10L
epochs <- as.integer(Sys.getenv("FASHION_MNIST_EPOCHS", full_epochs))   # fewer for a quick check
n_workers <- as.integer(Sys.getenv("FASHION_MNIST_WORKERS", 2L))

worker <- function(epochs) {
  # Before anything else touches TensorFlow: one thread per worker (2 workers share the
  # machine's cores), then the cluster.
  tf$config$threading$set_intra_op_parallelism_threads(
    as.integer(Sys.getenv("FASHION_MNIST_THREADS", 1L)))
  strategy <- distribute_strategy_multi_worker()
  set.seed(1)                       # the chief's shuffle seed
  invisible(keras$utils$set_random_seed(1L))

  fm <- dataset_fashion_mnist()
  prep <- function(x) {
    x <- x / 255
    dim(x) <- c(dim(x), 1L)
    x
  }
  x_train <- prep(fm$train$x); y_train <- fm$train$y
  x_test <- prep(fm$test$x); y_test <- fm$test$y

  with(strategy$scope(), {
    model <- keras_model_sequential(input_shape = c(28, 28, 1), name = "fashion_cnn") |>
      layer_conv_2d(filters = 32, kernel_size = 3, activation = "relu") |>
      layer_max_pooling_2d(pool_size = 2) |>
      layer_conv_2d(filters = 64, kernel_size = 3, activation = "relu") |>
      layer_max_pooling_2d(pool_size = 2) |>
      layer_flatten() |>
      layer_dropout(rate = 0.3) |>
      layer_dense(units = 128, activation = "relu") |>
      layer_dense(units = 10, activation = "softmax")
    compile(model, optimizer = optimizer_adam(learning_rate = 1e-3),
            loss = "sparse_categorical_crossentropy", metrics = "accuracy")
  })
  if (is_chief()) summary(model)

  # An R6 callback runs on every worker; this one records the epochs each worker saw.
  EpochRecorder <- R6::R6Class("EpochRecorder", inherit = KerasCallback, public = list(
    epochs = integer(),
    on_epoch_end = function(epoch, logs) self$epochs <- c(self$epochs, epoch)
  ))
  recorder <- EpochRecorder$new()
  t_fit <- Sys.time()
  # batch_size is the global batch: 64, as in the one-process job (32 on each worker).
  history <- fit(model, x_train, y_train, epochs = epochs, batch_size = 64,
                 validation_split = 0.1, callbacks = list(recorder))
  fit_secs <- as.numeric(difftime(Sys.time(), t_fit, units = "secs"))
  score <- evaluate(model, x_test, y_test, verbose = 0)   # sharded over the workers
  out_dir <- Sys.getenv("FASHION_MNIST_OUT", ".")
  save_model(model, file.path(out_dir, "fashion_mnist_distributed.keras"))   # chief's file kept
  list(index = as.integer(Sys.getenv("TANDEM_WORKER_INDEX")), accuracy = score[["accuracy"]],
       loss = score[["loss"]], epochs = recorder$epochs, fit_secs = fit_secs,
       history = history$metrics,
       weights = lapply(model$get_weights(), tandem::py_to_r))
}

if (nzchar(Sys.getenv("TANDEM_WORKER_INDEX"))) {
  # a worker: run_workers() collects this value
  worker(epochs)
} else {
  t0 <- Sys.time()
  cat(sprintf("Training the Fashion-MNIST CNN on %d workers (127.0.0.1), %d epochs\n",
              n_workers, epochs))
  script <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
  if (!length(script)) script <- "examples/fashion_mnist_distributed.R"
  res <- run_workers(script, n = n_workers, timeout = 3 * 3600)
  wall <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
  same <- vapply(res[-1], function(r) identical(r$weights, res[[1]]$weights), logical(1))
  n_params <- sum(lengths(res[[1]]$weights))
  cat("\nPer-epoch metrics (chief):\n")
  print(data.frame(epoch = seq_along(res[[1]]$history[[1]]), res[[1]]$history), row.names = FALSE,
        digits = 4)
  cat("\nTest set (10,000 images)\n")
  for (r in res) {
    cat(sprintf("  worker %d: accuracy %.4f, loss %.4f, epochs seen by its R6 callback: %s\n",
                r$index, r$accuracy, r$loss, paste(r$epochs, collapse = " ")))
  }
  cat(sprintf("  final weights identical on all %d workers (%d values each): %s\n",
              n_workers, n_params, all(same)))
  cat(sprintf("  training: %d epochs in %.1f s (%.1f s/epoch); total wall time %.1f s\n",
              epochs, res[[1]]$fit_secs, res[[1]]$fit_secs / epochs, wall))
  if (!all(same)) stop("the workers' final weights differ")
  if (epochs >= full_epochs && res[[1]]$accuracy < 0.90) {
    stop(sprintf("test accuracy %.3f is below 0.90", res[[1]]$accuracy))
  }
  if (epochs < full_epochs) {
    cat(sprintf("(%d of %d epochs: the 0.90 accuracy target applies to the full run)\n",
                epochs, full_epochs))
  }
}
