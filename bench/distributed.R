# bench/distributed.R: the multi-worker training loop of tandem.keras, timed on workers
# started by run_workers() on this machine. Prints tab-separated "key\tvalue" lines for
# bench/run.py. Usage: Rscript bench/distributed.R <workers> <images> <reps>
#
# In every worker, the same epochs of the main job's CNN run alternately with the step loop
# driven from R (tandem.keras' own train_epoch(), what fit() runs) and with the same loop
# written in Python (the module's Trainer.train_epoch()); both call the same tf.function
# step, so the difference is what driving the steps from R costs. Best of `reps` each,
# alternating which goes first.
library(tandem.keras)
args <- commandArgs(trailingOnly = TRUE)
n_workers <- as.integer(if (length(args) >= 1) args[1] else 2L)
n_images <- as.integer(if (length(args) >= 2) args[2] else 6400L)
reps <- as.integer(if (length(args) >= 3) args[3] else 5L)

worker <- function(n_images, reps) {
  library(tandem.keras)
  tf$config$threading$set_intra_op_parallelism_threads(1L)
  strategy <- distribute_strategy_multi_worker(startup_timeout = 300)
  fm <- dataset_fashion_mnist()
  x <- fm$train$x[seq_len(n_images), , , drop = FALSE] / 255
  dim(x) <- c(dim(x), 1L)
  y <- fm$train$y[seq_len(n_images)]
  with(strategy$scope(), {
    model <- keras_model_sequential(input_shape = c(28, 28, 1)) |>
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
  batch <- 64L
  fit(model, x, y, batch_size = batch, epochs = 1, verbose = 0)   # traces the step (warm-up)
  ns <- asNamespace("tandem.keras")
  tr <- ns$trainer_for(model)
  data <- tr$arrays(x, ns$as_model_data(y, "y"))
  steps <- n_images %/% batch
  cbl <- tr$callback_list(list(), 0L, 1L, steps)
  time_it <- function(f) { t0 <- proc.time()[["elapsed"]]; f(); proc.time()[["elapsed"]] - t0 }
  r_times <- py_times <- numeric()
  for (i in seq_len(reps)) {   # alternating which loop goes first
    run_r <- function() r_times[i] <<- time_it(function() ns$train_epoch(tr, cbl, data, batch, TRUE, i, steps))
    run_py <- function() py_times[i] <<- time_it(function() tr$train_epoch(cbl, data, batch, TRUE, i, steps))
    if (i %% 2L == 1L) { run_r(); run_py() } else { run_py(); run_r() }
  }
  # What driving costs per step, apart from the step: the loop's call with the same
  # arguments into a Python function that returns at once, from R and from Python.
  tandem::py_run_string(paste(
    "def _noop(callbacks, iterator, step):", "    return False",
    "def _loop(f, callbacks, iterator, k):", "    for s in range(k):", "        f(callbacks, iterator, s)",
    sep = "\n"))
  main <- tandem::import_main(convert = FALSE)
  it <- tr$iterator(tr$dataset(data, batch, FALSE, 0L, TRUE))
  k <- 20000L
  r_noop <- py_noop <- numeric()
  for (i in 1:3) {
    r_noop[i] <- time_it(function() for (s in seq_len(k) - 1L) py_to_r(main$`_noop`(cbl, it, s)))
    py_noop[i] <- time_it(function() main$`_loop`(main$`_noop`, cbl, it, k))
  }
  list(r_step_ms = 1000 * min(r_times) / steps, py_step_ms = 1000 * min(py_times) / steps,
       images_per_s = n_images / min(c(r_times, py_times)),
       r_call_us = 1e6 * min(r_noop) / k, py_call_us = 1e6 * min(py_noop) / k)
}

res <- run_workers(worker, n = n_workers, args = list(n_images = n_images, reps = reps),
                   timeout = 1800, echo = FALSE)
r0 <- res[[1]]
cat(sprintf("r_step_ms\t%.4f\npy_step_ms\t%.4f\nimages_per_s\t%.2f\nr_call_us\t%.3f\npy_call_us\t%.3f\n",
            r0$r_step_ms, r0$py_step_ms, r0$images_per_s, r0$r_call_us, r0$py_call_us))
