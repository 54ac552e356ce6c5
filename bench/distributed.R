# bench/distributed.R: the multi-worker training loop of tandem.keras, timed on workers
# started by run_workers() on this machine. Prints tab-separated "key\tvalue" lines for
# bench/run.py. Usage: Rscript bench/distributed.R <workers> <images> <passes> <chunk>
#
# In every worker, the main job's CNN trains on chunks of `chunk` consecutive steps of the
# same epoch, alternately driven from R (tandem.keras' own train_steps(), the loop fit()
# runs) and from Python (the module's Trainer.train_steps(), the same loop in Python). Both
# call the same tf.function step on the same epoch's iterator, so the difference is what driving
# the steps from R costs. The chunks come in pairs (R then Python, then Python then R, ...),
# so that the machine's load, which other jobs change from second to second, weighs on
# both alike; the figures are medians over all chunks and over the pairs' ratios.
library(tandem.keras)
args <- commandArgs(trailingOnly = TRUE)
n_workers <- as.integer(if (length(args) >= 1) args[1] else 2L)
n_images <- as.integer(if (length(args) >= 2) args[2] else 6400L)
passes <- as.integer(if (length(args) >= 3) args[3] else 8L)
chunk <- as.integer(if (length(args) >= 4) args[4] else 10L)

worker <- function(n_images, passes, chunk) {
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
  pairs_per_pass <- steps %/% (2L * chunk)
  if (pairs_per_pass < 1L) stop("fewer than 2 chunks of steps per pass")
  cbl <- tr$callback_list(list(), 0L, 1L, steps)
  elapsed <- function() proc.time()[["elapsed"]]
  r_chunk <- py_chunk <- numeric()
  for (p in seq_len(passes)) {
    tr$reset_metrics()
    tr$begin(data, batch, TRUE, p, TRUE)   # one shuffled epoch
    first <- 0L
    for (j in seq_len(pairs_per_pass)) {
      k <- length(r_chunk) + 1L
      run_r <- function() {
        t0 <- elapsed(); ns$train_steps(tr, cbl, first, chunk)
        r_chunk[k] <<- elapsed() - t0; first <<- first + chunk
      }
      run_py <- function() {
        t0 <- elapsed(); tr$train_steps(cbl, first, chunk)
        py_chunk[k] <<- elapsed() - t0; first <<- first + chunk
      }
      if (k %% 2L == 1L) { run_r(); run_py() } else { run_py(); run_r() }
    }
    tr$end()
  }
  # What driving costs per step, apart from the step: the loop's call with the same
  # arguments into a Python function that returns at once, from R and from Python.
  tandem::py_run_string(paste(
    "def _noop(callbacks, step):", "    return False",
    "def _loop(f, callbacks, k):", "    for s in range(k):", "        f(callbacks, s)",
    sep = "\n"))
  main <- tandem::import_main(convert = FALSE)
  time_it <- function(f) { t0 <- elapsed(); f(); elapsed() - t0 }
  k <- 20000L
  r_noop <- py_noop <- numeric()
  for (i in 1:5) {
    r_noop[i] <- time_it(function() for (s in seq_len(k) - 1L) py_to_r(main$`_noop`(cbl, s)))
    py_noop[i] <- time_it(function() main$`_loop`(main$`_noop`, cbl, k))
  }
  ratios <- r_chunk / py_chunk
  q <- stats::quantile(ratios, c(0.25, 0.75), names = FALSE)
  list(r_step_ms = 1000 * stats::median(r_chunk) / chunk,
       py_step_ms = 1000 * stats::median(py_chunk) / chunk,
       pair_ratio = stats::median(ratios), pair_ratio_q1 = q[1], pair_ratio_q3 = q[2],
       pairs = length(ratios), chunk = chunk,
       images_per_s = batch * chunk / stats::median(c(r_chunk, py_chunk)),
       r_call_us = 1e6 * stats::median(r_noop) / k, py_call_us = 1e6 * stats::median(py_noop) / k)
}

res <- run_workers(worker, n = n_workers, args = list(n_images = n_images, passes = passes, chunk = chunk),
                   timeout = 1800, echo = FALSE)
r0 <- res[[1]]   # the workers step together (every step all-reduces): the chief's clock
for (key in names(r0)) cat(sprintf("%s\t%.6g\n", key, r0[[key]]))
