# Distributed training: strategies, run_workers(), the multi-worker fit()/evaluate()/predict()
# loop, and faults. Workers are R processes on loopback (free ports, bounded timeouts); each
# launch starts TensorFlow in every worker, so one launch serves several assertions.

skip_if_no_processx <- function() {
  if (!requireNamespace("processx", quietly = TRUE)) skip("processx is not installed")
}

# The test data and start weights, made the same way in every process.
tiny_data <- function() {
  set.seed(42)
  x <- matrix(runif(160 * 3), ncol = 3)
  y <- as.numeric(x %*% c(1, -2, 0.5) + 0.3)
  list(x = x, y = y)
}
tiny_weights <- function() {
  set.seed(7)
  list(matrix(rnorm(3 * 4, sd = 0.5), 3, 4), rnorm(4, sd = 0.1),
       matrix(rnorm(4, sd = 0.5), 4, 1), 0)
}
tiny_model <- function() {
  m <- keras_model_sequential(input_shape = 3) |>
    layer_dense(4, activation = "tanh") |>
    layer_dense(1)
  m$set_weights(lapply(tiny_weights(), function(w) np_array(w, dtype = "float32")))
  m
}

test_that("strategy arguments are checked before TensorFlow is touched", {
  expect_error(distribute_strategy_multi_worker(character()), "host:port")
  expect_error(distribute_strategy_multi_worker("localhost"), "host:port")
  expect_error(distribute_strategy_multi_worker(c("a:1", "a:1")), "twice")
  expect_error(distribute_strategy_multi_worker(c("a:1", "b:2"), index = 2), "from 0 to 1")
  expect_error(distribute_strategy_multi_worker(c("a:1", "b:2"), index = 0, heartbeat_timeout = -1),
               "heartbeat_timeout")
  expect_error(config_cpu_devices(0), "`n` must be")
  expect_error(run_workers(42), "function or the path")
  expect_error(run_workers(function() 1, n = 0), "`n` must be")
})

test_that("a multi-worker strategy after TensorFlow started is an error that says so", {
  invisible(tf$constant(1))   # TensorFlow is running in this process now
  expect_error(distribute_strategy_multi_worker(c("127.0.0.1:1", "127.0.0.1:2"), index = 0),
               "must run before TensorFlow starts.*already initialized", class = "tandem_keras_error")
  expect_error(config_cpu_devices(3), "before TensorFlow starts")
})

test_that("run_workers() returns each worker's result and names a failing worker", {
  skip_if_no_processx()
  out <- capture.output(res <- run_workers(function(k) {
    cat("hello from", Sys.getenv("TANDEM_WORKER_INDEX"), "\n")
    list(index = as.integer(Sys.getenv("TANDEM_WORKER_INDEX")), k = k,
         workers = Sys.getenv("TANDEM_WORKERS"))
  }, n = 2, args = list(k = 5), timeout = 60))
  expect_equal(vapply(res, `[[`, 0L, "index"), c(0L, 1L))
  expect_equal(res[[2]]$k, 5)
  expect_match(res[[1]]$workers, "^127\\.0\\.0\\.1:[0-9]+,127\\.0\\.0\\.1:[0-9]+$")
  expect_true(any(grepl("^\\[1\\] hello from 1", out)))
  expect_true(any(grepl("^\\[0\\] hello from 0", out)))

  # worker 0 would sleep past the timeout (a different error) unless it is stopped
  err <- expect_error(run_workers(function() {
    if (Sys.getenv("TANDEM_WORKER_INDEX") == "1") stop("bad shard 17")
    Sys.sleep(60)
  }, n = 2, timeout = 50, echo = FALSE), class = "tandem_workers_error")
  expect_match(conditionMessage(err), "Worker 1 failed: bad shard 17.*other workers were stopped")
  expect_equal(err$failed, 1L)

  script <- withr::local_tempfile(fileext = ".R")
  writeLines(c("a <- commandArgs(trailingOnly = TRUE)",
               "paste(Sys.getenv('TANDEM_WORKER_INDEX'), a[[1]])"), script)
  expect_equal(run_workers(script, n = 2, args = "x", echo = FALSE, timeout = 60),
               list("0 x", "1 x"))
})

test_that("MirroredStrategy trains with Keras' fit() over 2 logical CPUs", {
  skip_if_no_processx()
  res <- run_workers(function(data, weights) {
    library(tandem.keras)
    devices <- config_cpu_devices(2)
    strategy <- distribute_strategy_mirrored()
    with(strategy$scope(), {
      model <- keras_model_sequential(input_shape = 3) |> layer_dense(4, activation = "tanh") |>
        layer_dense(1)
      model$set_weights(lapply(weights, function(w) np_array(w, dtype = "float32")))
      compile(model, optimizer = optimizer_sgd(0.1), loss = "mse")
    })
    h <- fit(model, data$x, data$y, batch_size = 16, epochs = 3, shuffle = FALSE, verbose = 0)
    list(devices = devices, replicas = tandem::py_to_r(strategy$num_replicas_in_sync),
         loss = h$metrics$loss)
  }, n = 1, args = list(data = tiny_data(), weights = tiny_weights()), timeout = 120, echo = FALSE)
  expect_length(res[[1]]$devices, 2L)
  expect_equal(res[[1]]$replicas, 2L)
  # the same model on one device, Keras' fit(), same batches: the same losses
  model <- tiny_model()
  compile(model, optimizer = optimizer_sgd(0.1), loss = "mse")
  d <- tiny_data()
  h <- fit(model, d$x, d$y, batch_size = 16, epochs = 3, shuffle = FALSE, verbose = 0)
  expect_equal(res[[1]]$loss, h$metrics$loss, tolerance = 1e-4)
  expect_lt(res[[1]]$loss[3], res[[1]]$loss[1])
})

test_that("2 workers: identical weights, the same losses as 1 worker at the global batch", {
  skip_if_no_processx()
  dir <- withr::local_tempdir()
  out <- capture.output(res <- run_workers(function(data, weights, dir) {
    library(tandem.keras)
    strategy <- distribute_strategy_multi_worker(startup_timeout = 120)
    with(strategy$scope(), {
      model <- keras_model_sequential(input_shape = 3) |> layer_dense(4, activation = "tanh") |>
        layer_dense(1)
      model$set_weights(lapply(weights, function(w) np_array(w, dtype = "float32")))
      compile(model, optimizer = optimizer_sgd(0.1), loss = "mse", metrics = "mae")
    })
    Counter <- R6::R6Class("Counter", inherit = KerasCallback, public = list(
      epochs = integer(), batches = 0L,
      on_epoch_end = function(epoch, logs) self$epochs <- c(self$epochs, epoch),
      on_train_batch_end = function(batch, logs) self$batches <- self$batches + 1L))
    counter <- Counter$new()
    h <- fit(model, data$x, data$y, batch_size = 16, epochs = 3, shuffle = FALSE, verbose = 2,
             validation_data = list(data$x[1:30, ], data$y[1:30]), callbacks = list(counter))
    h2 <- fit(model, data$x, data$y, batch_size = 16, epochs = 2, verbose = 0,   # shuffled
              callbacks = list(callback_model_checkpoint(file.path(dir, "ckpt.keras"))))
    ds <- tf$data$Dataset$from_tensor_slices(tuple(np_array(data$x, dtype = "float32"),
                                                   np_array(data$y, dtype = "float32")))$batch(16L)
    h3 <- fit(model, ds, epochs = 1, verbose = 0)   # a tf dataset, batched at the global batch
    f <- file.path(dir, sprintf("model-%s.keras", Sys.getenv("TANDEM_WORKER_INDEX")))
    save_model(model, f)
    list(weights = lapply(model$get_weights(), tandem::py_to_r), history = h,
         shuffled = h2$metrics$loss, ds_loss = h3$metrics$loss, ds_pred = dim(predict(model, ds)),
         eval = evaluate(model, data$x, data$y, verbose = 0),
         pred = predict(model, data$x[1:7, ]), chief = is_chief(),
         epochs = counter$epochs, batches = counter$batches,
         replicas = tandem::py_to_r(strategy$num_replicas_in_sync))
  }, n = 2, args = list(data = tiny_data(), weights = tiny_weights(), dir = dir),
  timeout = 150))
  w0 <- res[[1]]; w1 <- res[[2]]
  expect_equal(w0$replicas, 2L)
  expect_identical(w0$weights, w1$weights)                    # bit for bit
  expect_identical(w0$history$metrics, w1$history$metrics)
  expect_identical(w0$shuffled, w1$shuffled)                  # the same seed on both
  expect_length(w0$ds_loss, 1L)
  expect_identical(w0$ds_loss, w1$ds_loss)
  expect_equal(w0$ds_pred, c(160L, 1L))
  expect_equal(c(w0$chief, w1$chief), c(TRUE, FALSE))
  expect_equal(w0$epochs, 1:3)                                # R6 callbacks on every worker
  expect_equal(w1$epochs, 1:3)
  expect_equal(w1$batches, 3L * 10L)
  expect_s3_class(w0$history, "keras_training_history")
  expect_named(w0$history$metrics, c("loss", "mae", "val_loss", "val_mae"), ignore.order = TRUE)
  # progress is printed by the chief only
  expect_true(any(grepl("^\\[0\\] Epoch 1/3", out)))
  expect_false(any(grepl("^\\[1\\] Epoch", out)))

  # 1 worker (Keras' own fit, no strategy) at the global batch of 16: the same trajectory
  model <- tiny_model()
  compile(model, optimizer = optimizer_sgd(0.1), loss = "mse", metrics = "mae")
  d <- tiny_data()
  h <- fit(model, d$x, d$y, batch_size = 16, epochs = 3, shuffle = FALSE, verbose = 0,
           validation_data = list(d$x[1:30, ], d$y[1:30]))
  for (m in names(h$metrics)) expect_equal(w0$history$metrics[[m]], h$metrics[[m]], tolerance = 1e-5)
  expect_lt(h$metrics$loss[3], h$metrics$loss[1])
  # evaluate() and predict() agree with the single-process model at the same weights
  model$set_weights(lapply(w0$weights, function(w) np_array(w, dtype = "float32")))
  expect_equal(w0$eval, evaluate(model, d$x, d$y, verbose = 0), tolerance = 1e-5)
  expect_equal(w0$pred, predict(model, d$x[1:7, ]), tolerance = 1e-5)
  expect_identical(w0$pred, w1$pred)
  # every worker called save_model() and checkpointed; only the chief's files are kept
  expect_equal(sort(list.files(dir)), c("ckpt.keras", "model-0.keras"))
  reloaded <- load_model(file.path(dir, "model-0.keras"))
  expect_equal(predict(reloaded, d$x[1:7, ]), w0$pred, tolerance = 1e-6)
})

# One training job for the fault tests: worker 1 can be killed in the middle of an epoch
# (SIGKILL: the process is gone), and after training the chief can hang in the middle of a
# second fit() (SIGSTOP: alive, but silent; only the heartbeats tell).
fault_job <- function(data, backup, kill_at, hang_chief = FALSE, out = NULL) {
  library(tandem.keras)
  me <- Sys.getenv("TANDEM_WORKER_INDEX")
  strategy <- distribute_strategy_multi_worker(heartbeat_timeout = 10, startup_timeout = 120)
  set.seed(3)   # the chief's shuffle seed: the same in the first run and the restart
  with(strategy$scope(), {
    model <- keras_model_sequential(input_shape = 3) |> layer_dense(4, activation = "tanh") |>
      layer_dense(1)
    compile(model, optimizer = optimizer_sgd(0.05), loss = "mse")
  })
  Killer <- R6::R6Class("Killer", inherit = KerasCallback, public = list(
    seen = integer(),
    on_epoch_begin = function(epoch, logs) self$seen <- c(self$seen, epoch),
    on_train_batch_begin = function(batch, logs) {   # mid-epoch: at the 4th step
      epoch <- self$seen[length(self$seen)]
      if (identical(epoch, kill_at) && batch == 4L && me == "1") {
        tools::pskill(Sys.getpid(), tools::SIGKILL)
        Sys.sleep(30)
      }
    }))
  killer <- Killer$new()
  t0 <- Sys.time()
  res <- tryCatch({
    h <- fit(model, data$x, data$y, batch_size = 16, epochs = 5, verbose = 0,
             callbacks = list(callback_backup_and_restore(backup), killer))
    list(loss = h$metrics$loss, weights = lapply(model$get_weights(), tandem::py_to_r))
  }, tandem_keras_peer_error = function(e) list(error = conditionMessage(e)))
  res$seen <- killer$seen
  res$secs <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
  if (!hang_chief) return(res)
  saveRDS(res, file.path(out, paste0("result-", me, ".rds")))
  Hang <- R6::R6Class("Hang", inherit = KerasCallback, public = list(
    on_train_batch_begin = function(batch, logs) {
      if (batch == 2L && me == "0") tools::pskill(Sys.getpid(), tools::SIGSTOP)
    }))
  # worker 1's error ends its job: run_workers() then stops the others (the hung chief)
  fit(model, data$x, data$y, batch_size = 16, epochs = 3, verbose = 0, callbacks = list(Hang$new()))
}

test_that("a killed worker is a clear error on the other; backup and restore resumes", {
  skip_if_no_processx()
  backup <- file.path(withr::local_tempdir(), "backup")
  d <- tiny_data()
  err <- expect_error(run_workers(fault_job, n = 2, args = list(data = d, backup = backup, kill_at = 3L),
                                  stop_on_failure = FALSE, timeout = 120, echo = FALSE),
                      class = "tandem_workers_error")
  expect_equal(err$failed, 1L)
  expect_match(conditionMessage(err), "Worker 1 failed: killed by signal 9")
  survivor <- err$results[[1]]
  expect_match(survivor$error, "Worker 0: distributed training stopped because worker 1 failed")
  expect_match(survivor$error, "TensorFlow: .*(heartbeat|unhealthy|Socket closed|unavailable|connect)")
  expect_equal(survivor$seen, 1:3)
  expect_true(file.exists(file.path(backup, "training_metadata.json")))
  expect_match(readLines(file.path(backup, "training_metadata.json"), warn = FALSE), "\"epoch\": 2")

  # both restart: training resumes at epoch 3 (the backup of epoch 2), no epoch lost. Then
  # the chief hangs in a second fit(): worker 1 finds it silent (its heartbeats to the
  # chief's coordination service time out) and fails with an error naming it, and
  # run_workers() stops the hung chief (a hang here would be run_workers()' timeout error).
  out <- withr::local_tempdir()
  err <- expect_error(run_workers(fault_job, n = 2, timeout = 120, echo = FALSE,
                                  args = list(data = d, backup = backup, kill_at = -1L,
                                              hang_chief = TRUE, out = out)),
                      class = "tandem_workers_error")
  expect_equal(err$failed, 1L)
  expect_match(conditionMessage(err), paste0(
    "Worker 1 failed: Worker 1: distributed training stopped because worker 0 \\(the chief.*",
    "stopped answering its heartbeats.*The other workers were stopped"))
  res <- lapply(0:1, function(i) readRDS(file.path(out, sprintf("result-%d.rds", i))))
  expect_equal(res[[1]]$seen, 3:5)
  expect_equal(res[[2]]$seen, 3:5)
  expect_identical(res[[1]]$weights, res[[2]]$weights)
  expect_length(res[[1]]$loss, 3L)     # the history of the resumed epochs
  expect_false(dir.exists(backup))     # deleted at the end of training, as Keras does
})
