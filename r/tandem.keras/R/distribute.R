# distribute.R: tf.distribute strategies from R, and the multi-worker fit()/evaluate()/
# predict() loop (Keras 3's own fit() fails under MultiWorkerMirroredStrategy,
# keras-team/keras#20585). The per-step tf.functions live in
# inst/python/tandem_keras_distribute.py; R drives the epochs and the steps.

#' Distribution strategies
#'
#' `distribute_strategy_mirrored()` makes a `tf.distribute.MirroredStrategy`: one process,
#' several devices (for example the logical CPUs made by `config_cpu_devices()`); Keras'
#' own `fit()` trains under it.
#'
#' `distribute_strategy_multi_worker()` makes a `tf.distribute.MultiWorkerMirroredStrategy`:
#' several processes (on one or several machines) train one model with collective
#' all-reduce over gRPC. Each process runs the same script with the same `workers` and its
#' own `index`; worker 0 is the chief. It sets up the cluster (`TF_CONFIG` and TensorFlow's
#' coordination service), so it must run before anything else starts TensorFlow in the
#' process (creating a tensor, a layer or a model); otherwise it is an error that says so.
#' The call returns once every worker has joined, or fails after `startup_timeout`
#' seconds. Models built and compiled inside `with(strategy$scope(), { ... })` are trained
#' by `fit()`, `evaluate()` and `predict()` with tandem.keras' own distributed loop (see
#' [fit()] and the "Training on several machines" section of the README).
#'
#' `config_cpu_devices()` splits the machine's CPU into `n` logical devices (like GPUs for
#' `MirroredStrategy`); it too must run before TensorFlow starts.
#'
#' @param devices Device names (e.g. `c("/cpu:0", "/cpu:1")`), or `NULL` for all local
#'   devices (all GPUs, else the CPU's logical devices).
#' @param workers The cluster: `"host:port"` of every worker, the same vector and order on
#'   every worker. Defaults to the `TANDEM_WORKERS` environment variable (comma-separated;
#'   [run_workers()] sets it).
#' @param index This worker's position in `workers`, from 0 (0 is the chief). Defaults to
#'   the `TANDEM_WORKER_INDEX` environment variable.
#' @param heartbeat_timeout Seconds after which a silent peer is declared dead. A worker
#'   that dies or hangs is found by the others within about 1.5 times this (a killed
#'   chief often at once, when its connections close): their current or next collective
#'   fails with an error of class `tandem_keras_peer_error` that names the worker, never a
#'   hang. Measured on loopback with `heartbeat_timeout = 10`: 0.1 s for a killed chief,
#'   7-8 s for a killed or hung (`SIGSTOP`) worker 1, 10-12 s for a hung chief.
#'   TensorFlow's own default (10 s) declared live workers dead on a busy machine (a missed
#'   heartbeat is fatal), so the default here is 60 s.
#' @param startup_timeout Seconds to wait for all workers to join.
#' @param collective_timeout Seconds any one collective operation may take, or `NULL` for
#'   no limit (a dead peer is found by the heartbeat anyway; a limit must exceed the
#'   slowest step, including a chief's checkpoint).
#' @param communication `"auto"` or `"ring"` (gRPC ring all-reduce).
#' @param n Number of logical CPU devices.
#' @param ... Further arguments for `tf.distribute.MirroredStrategy`.
#' @return A strategy (Python object); use `strategy$scope()` with [with()],
#'   `strategy$num_replicas_in_sync`. `config_cpu_devices()`: the logical devices'
#'   names, invisibly.
#' @export
#' @examples
#' \dontrun{
#' # one process, two logical CPUs, Keras' own fit()
#' config_cpu_devices(2)
#' strategy <- distribute_strategy_mirrored()
#'
#' # several processes: the same script on every worker (see run_workers())
#' strategy <- distribute_strategy_multi_worker(c("10.0.0.1:12345", "10.0.0.2:12345"),
#'                                              index = 0)
#' with(strategy$scope(), {
#'   model <- keras_model_sequential(input_shape = 4) |> layer_dense(1)
#'   compile(model, optimizer = "sgd", loss = "mse")
#' })
#' fit(model, x, y, batch_size = 64, epochs = 2)
#' }
distribute_strategy_multi_worker <- function(workers = worker_list(), index = worker_index(),
                                             heartbeat_timeout = 60, startup_timeout = 120,
                                             collective_timeout = NULL,
                                             communication = c("auto", "ring")) {
  communication <- match.arg(communication)
  if (!is.character(workers) || !length(workers) || anyNA(workers) ||
      !all(grepl("^[^:[:space:]]+:[0-9]+$|^\\[[^]]+\\]:[0-9]+$", workers))) {
    abort("`workers` must be a character vector of \"host:port\", not ", describe_value(workers),
          if (!length(workers)) " (set it, or the TANDEM_WORKERS environment variable)" else "",
          ".")
  }
  if (anyDuplicated(workers)) abort("`workers` must not repeat an address: \"",
                                    workers[anyDuplicated(workers)], "\" appears twice.")
  index <- as_int(index, "index")
  if (length(index) != 1L || index < 0L || index >= length(workers)) {
    abort("`index` must be a whole number from 0 to ", length(workers) - 1L,
          " (a position in `workers`), not ", describe_value(index), ".")
  }
  for (arg in c("heartbeat_timeout", "startup_timeout")) {
    v <- get(arg)
    if (!is.numeric(v) || length(v) != 1L || is.na(v) || v <= 0) {
      abort("`", arg, "` must be a positive number of seconds, not ", describe_value(v), ".")
    }
  }
  if (!is.null(collective_timeout) && (!is.numeric(collective_timeout) ||
      length(collective_timeout) != 1L || is.na(collective_timeout) || collective_timeout <= 0)) {
    abort("`collective_timeout` must be `NULL` or a positive number of seconds, not ",
          describe_value(collective_timeout), ".")
  }
  mod <- distribute_module()
  if (py_to_r(mod$tf_initialized())) abort_too_late("distribute_strategy_multi_worker()")
  Sys.setenv(TF_CONFIG = sprintf('{"cluster": {"worker": [%s]}, "task": {"type": "worker", "index": %d}}',
                                 paste0('"', workers, '"', collapse = ", "), index))
  strategy <- tryCatch(
    mod$make_strategy(as.list(workers), index, as.numeric(heartbeat_timeout),
                      as.numeric(startup_timeout),
                      if (is.null(collective_timeout)) NULL else as.numeric(collective_timeout),
                      communication),
    error = function(e) {
      msg <- conditionMessage(e)
      if (grepl("already initialized|must be configured at program startup|cannot be modified after",
                msg)) {
        abort_too_late("distribute_strategy_multi_worker()")
      }
      if (grepl("DeadlineExceeded|register|timed out|Timeout", msg, ignore.case = TRUE)) {
        abort("Worker ", index, " could not form the cluster of ", length(workers), " workers (",
              paste(workers, collapse = ", "), ") within ", startup_timeout,
              " seconds: a worker did not start, or an address is wrong.\nTensorFlow: ",
              first_line(msg))
      }
      stop(e)
    })
  .dist_state$strategy <- strategy
  strategy
}

#' @rdname distribute_strategy_multi_worker
#' @export
distribute_strategy_mirrored <- function(devices = NULL, ...) {
  if (!is.null(devices) && (!is.character(devices) || anyNA(devices))) {
    abort("`devices` must be `NULL` or a character vector of device names, not ",
          describe_value(devices), ".")
  }
  tf$distribute$MirroredStrategy(devices = if (is.null(devices)) NULL else as.list(devices), ...)
}

#' @rdname distribute_strategy_multi_worker
#' @export
config_cpu_devices <- function(n) {
  n <- as_int(n, "n")
  if (length(n) != 1L || n < 1L) abort("`n` must be a whole number >= 1, not ", describe_value(n), ".")
  config <- import("tensorflow", convert = FALSE)$config   # devices stay Python objects
  cpu <- tandem::py_get_item(config$list_physical_devices("CPU"), 0L)
  logical <- lapply(seq_len(n), function(i) config$LogicalDeviceConfiguration())
  current <- tryCatch(tandem::py_len(config$get_logical_device_configuration(cpu)),
                      error = function(e) 0L)
  tryCatch(config$set_logical_device_configuration(cpu, logical), error = function(e) {
    if (grepl("cannot be modified after being initialized|already initialized",
              conditionMessage(e))) {
      if (identical(as.integer(current), n)) return(invisible())   # the same split: no-op
      abort_too_late("config_cpu_devices()")
    }
    stop(e)
  })
  devices <- config$list_logical_devices("CPU")
  invisible(vapply(seq_len(tandem::py_len(devices)) - 1L,
                   function(i) py_to_r(tandem::py_get_item(devices, i)$name), ""))
}

abort_too_late <- function(what) {
  abort(what, " must run before TensorFlow starts in this process, and TensorFlow is ",
        "already initialized (a tensor, layer, model or strategy was made). Call it first, ",
        "at the top of the script, or restart R.")
}

first_line <- function(msg) {
  lines <- strsplit(msg, "\n", fixed = TRUE)[[1]]
  lines <- trimws(lines[nzchar(trimws(lines))])
  paste(utils::head(lines, 2L), collapse = " ")
}

worker_list <- function() {
  w <- Sys.getenv("TANDEM_WORKERS")
  if (!nzchar(w)) return(character())
  trimws(strsplit(w, ",", fixed = TRUE)[[1]])
}

worker_index <- function() {
  i <- Sys.getenv("TANDEM_WORKER_INDEX")
  if (!nzchar(i)) return(0L)
  suppressWarnings(as.integer(i))
}

# The Python half, shipped in inst/python and imported once.
distribute_module <- function() {
  mod <- .dist_state$module
  if (is.null(mod)) {
    dir <- system.file("python", package = "tandem.keras")
    sys <- import("sys", convert = FALSE)
    if (!dir %in% py_to_r(sys$path)) sys$path$insert(0L, dir)
    mod <- import("tandem_keras_distribute", convert = FALSE)
    .dist_state$module <- mod
  }
  mod
}

.dist_state <- new.env(parent = emptyenv())

# TRUE when a model was built under a MultiWorkerMirroredStrategy scope. Cheap, and it
# does not import the distributed module unless the model has a strategy.
is_multi_worker <- function(model) {
  if (!is_py_object(model) || !py_has_attr(model, "_distribute_strategy")) return(FALSE)
  s <- py_get_attr(model, "_distribute_strategy")
  inherits(s, "tensorflow.python.distribute.collective_all_reduce_strategy.CollectiveAllReduceStrategy")
}

trainer_for <- function(model) distribute_module()$trainer(model)

worker_info <- function(trainer) py_to_r(trainer$info)

# A TensorFlow error from a collective whose peer died, as an R error that says so.
peer_error <- function(e, info) {
  msg <- conditionMessage(e)
  tasks <- unique(regmatches(msg, gregexpr("/job:worker/replica:0/task:[0-9]+", msg))[[1]])
  ids <- as.integer(sub(".*task:", "", tasks))
  leader_silent <- grepl("CoordinationService/Heartbeat", msg, fixed = TRUE) &&
    grepl("Deadline", msg, ignore.case = TRUE)
  why <- if (leader_silent && info$index != 0L) {
    paste0("worker 0 (the chief, which runs the cluster's coordination service) failed or ",
           "stopped answering its heartbeats")
  } else if (any(ids != info$index)) {
    paste0("worker ", ids[ids != info$index][[1]], " failed or became unreachable ",
           "(no heartbeat, or a collective aborted)")
  } else if (length(ids)) {
    paste0("the cluster declared this worker dead: it missed its heartbeats ",
           "(a busy machine? raise `heartbeat_timeout`)")
  } else {
    "a peer worker failed or became unreachable (no heartbeat, or a collective aborted)"
  }
  cnd <- structure(class = c("tandem_keras_peer_error", "tandem_keras_error", "error", "condition"),
                   list(message = paste0(
                     "Worker ", info$index, ": distributed training stopped because ", why, ". ",
                     "Restart all workers; with callback_backup_and_restore() training ",
                     "resumes from the last backup.\nTensorFlow: ", tf_reason(msg)),
                     call = NULL, parent = e))
  stop(cnd)
}

# The line of a TensorFlow collective error that says why it failed ("Collective ops is
# aborted by: ..." and the RPC or tasks named after it), else its first lines.
tf_reason <- function(msg) {
  lines <- strsplit(msg, "\n", fixed = TRUE)[[1]]
  lines <- trimws(lines[nzchar(trimws(lines))])
  at <- grep("aborted by:|unhealthy|Socket closed|Deadline Exceeded|failed to connect",
             lines, ignore.case = TRUE)
  if (!length(at)) return(first_line(msg))
  i <- at[[1]]
  out <- sub(".*aborted by: *", "", lines[[i]])
  more <- lines[seq.int(i + 1L, length.out = min(2L, length(lines) - i))]
  more <- more[grepl("^(RPC:|/job:)", more)]
  paste(c(out, more), collapse = " ")
}

is_peer_failure <- function(e) {
  inherits(e, c("tensorflow.python.framework.errors_impl.UnavailableError",
                "tensorflow.python.framework.errors_impl.AbortedError",
                "tensorflow.python.framework.errors_impl.DeadlineExceededError",
                "tensorflow.python.framework.errors_impl.CancelledError",
                "tensorflow.python.framework.errors_impl.InternalError")) &&
    grepl("heartbeat|unhealthy|aborted|Collective|unavailable|Deadline|Socket|connect",
          conditionMessage(e), ignore.case = TRUE)
}

with_peer_errors <- function(expr, info) {
  withCallingHandlers(expr, error = function(e) if (is_peer_failure(e)) peer_error(e, info))
}

# Data for the Python side: R arrays (via as_model_data) or a tf dataset as it is.
dist_data <- function(trainer, x, y, sample_weight) {
  if (is_py_object(x) && inherits(x, "tensorflow.python.data.ops.dataset_ops.DatasetV2")) {
    if (!is.null(y)) abort("`y` must be `NULL` when `x` is a dataset (it yields the targets).")
    return(x)
  }
  trainer$arrays(as_model_data(x, "x"), as_model_data(y, "y"),
                 as_model_data(sample_weight, "sample_weight"))
}

# validation_split as Keras does it: the last fraction of the samples, before shuffling.
split_validation <- function(x, y, sample_weight, validation_split) {
  take <- function(a, idx) {
    if (is.null(a)) return(NULL)
    if (is.list(a) && !is.data.frame(a)) return(lapply(a, take, idx = idx))
    if (is.data.frame(a)) return(a[idx, , drop = FALSE])
    d <- dim(a)
    if (is.null(d)) return(a[idx])
    args <- c(list(a, idx), rep(list(quote(expr = )), length(d) - 1L), list(drop = FALSE))
    do.call(`[`, args)
  }
  first <- function(a) if (is.list(a) && !is.data.frame(a)) first(a[[1]]) else a
  n <- NROW(first(x))
  n_train <- floor(n * (1 - validation_split))
  if (n_train < 1L || n_train >= n) {
    abort("`validation_split` = ", validation_split, " leaves no training or no validation samples.")
  }
  tr <- seq_len(n_train); va <- seq.int(n_train + 1L, n)
  list(train = list(take(x, tr), take(y, tr), take(sample_weight, tr)),
       val = list(take(x, va), take(y, va), take(sample_weight, va)))
}

distributed_fit <- function(object, x = NULL, y = NULL, batch_size = NULL, epochs = 10,
                            verbose = "auto", callbacks = NULL, validation_split = 0,
                            validation_data = NULL, shuffle = TRUE, class_weight = NULL,
                            sample_weight = NULL, initial_epoch = 0, steps_per_epoch = NULL,
                            validation_steps = NULL, ...) {
  extra <- dots_list(...)
  if (length(extra)) {
    abort("Under a multi-worker strategy, `fit()` does not take ",
          paste0("`", names(extra) %||% "...", "`", collapse = ", "), ".")
  }
  if (!is.null(class_weight)) abort("`class_weight` is not supported under a multi-worker strategy; use `sample_weight`.")
  batch_size <- as_int(batch_size %||% 32L, "batch_size")
  epochs <- as_int(epochs, "epochs")
  initial_epoch <- as_int(initial_epoch, "initial_epoch")
  shuffle <- as_flag(shuffle, "shuffle")
  tr <- trainer_for(object)
  info <- worker_info(tr)
  if (batch_size %% info$replicas != 0L) {
    abort("`batch_size` (the global batch, ", batch_size, ") must be a multiple of the number ",
          "of replicas (", info$replicas, ") so that every replica gets the same share.")
  }
  if (!is.numeric(validation_split) || length(validation_split) != 1L ||
      is.na(validation_split) || validation_split < 0 || validation_split >= 1) {
    abort("`validation_split` must be a number in [0, 1), not ", describe_value(validation_split), ".")
  }
  if (validation_split > 0 && is.null(validation_data)) {
    if (is_py_object(x)) abort("`validation_split` needs R arrays; give `validation_data` for datasets.")
    parts <- split_validation(x, y, sample_weight, validation_split)
    x <- parts$train[[1]]; y <- parts$train[[2]]; sample_weight <- parts$train[[3]]
    validation_data <- parts$val
  }
  train <- dist_data(tr, x, y, sample_weight)
  val <- NULL
  if (!is.null(validation_data)) {
    val <- if (is_py_object(validation_data)) dist_data(tr, validation_data, NULL, NULL)
           else dist_data(tr, validation_data[[1]], validation_data[[2]],
                          if (length(validation_data) >= 3L) validation_data[[3]])
  }
  is_dataset <- !is.null(train) && is_py_object(train) &&
    inherits(train, "tensorflow.python.data.ops.dataset_ops.DatasetV2")
  steps <- as_int(steps_per_epoch, "steps_per_epoch") %||%
    py_to_r(tr$steps(train, batch_size, TRUE))
  if (is.null(steps)) abort("The dataset's length is unknown: give `steps_per_epoch`.")
  if (steps < 1L) {
    abort("`x` has fewer samples (", py_to_r(tr$n_samples(train)), ") than one global batch (",
          batch_size, ").")
  }
  # Every worker shuffles with the chief's seed (drawn from R's RNG there).
  seed <- with_peer_errors(py_to_r(tr$agree_seed(if (info$chief) sample.int(.Machine$integer.max - 1L, 1L) else 0L)), info)

  verbose <- if (info$chief) verbose else 0
  v <- verbose_arg(verbose)
  cbs <- as_callbacks(callbacks)
  if (identical(verbose, "auto") && !interactive()) {
    v <- 0L
    cbs <- c(cbs, list(as_keras_callback(EpochLogger$new())))
  }
  cbl <- tr$callback_list(cbs, v, epochs, steps)
  py_set_attr_value(object, "stop_training", FALSE)

  epoch_logs <- NULL
  with_peer_errors({
    cbl$on_train_begin()
    start <- py_to_r(py_get_attr(object, "_initial_epoch")) %||% initial_epoch
    epoch <- as.integer(start)
    while (epoch < epochs) {
      cbl$on_epoch_begin(epoch)
      stop_now <- train_epoch(tr, cbl, train, batch_size, shuffle && !is_dataset, seed + epoch, steps)
      epoch_logs <- tr$metrics_result()
      if (!is.null(val)) {
        val_logs <- run_evaluation(tr, val, batch_size, validation_steps, cbl)
        tr$add_validation_logs(epoch_logs, val_logs)
      }
      cbl$on_epoch_end(epoch, epoch_logs)
      if (stop_now || isTRUE(py_to_r(py_get_attr(object, "stop_training")))) break
      epoch <- epoch + 1L
    }
    cbl$on_train_end(epoch_logs)
  }, info)
  out <- new_training_history(py_get_attr(object, "history"))
  if (isTRUE(verbose == 0)) invisible(out) else out
}

# One epoch of training steps, driven from R. TRUE when a callback stopped training.
train_epoch <- function(tr, cbl, train, batch_size, shuffle, seed, steps) {
  tr$reset_metrics()
  tr$begin(train, batch_size, shuffle, seed, TRUE)   # the iterator stays in Python ...
  on.exit(tr$end())                                  # ... and is freed right after the epoch
  train_steps(tr, cbl, 0L, steps)
}

# Steps `first` to `first + n - 1` of an epoch, driven from R: the loop fit() runs. The
# Python module's Trainer.train_steps() is the same loop in Python, which bench/distributed.R
# times against this one. TRUE when a callback stopped training.
train_steps <- function(tr, cbl, first, n) {
  for (step in first + seq_len(n) - 1L) {
    if (py_to_r(tr$train_batch(cbl, step))) return(TRUE)
  }
  FALSE
}

py_set_attr_value <- function(obj, name, value) {
  tandem::py_set_attr(obj, name, value)
  invisible(obj)
}

run_evaluation <- function(tr, data, batch_size, steps, cbl) {
  n_steps <- as_int(steps, "validation_steps") %||% py_to_r(tr$steps(data, batch_size, FALSE))
  if (is.null(n_steps)) abort("The validation dataset's length is unknown: give `validation_steps`.")
  tr$reset_metrics()
  if (!is.null(cbl)) cbl$on_test_begin()
  tr$begin(data, batch_size, FALSE, 0L, FALSE)
  on.exit(tr$end())
  for (step in seq_len(n_steps) - 1L) {
    if (is.null(cbl)) tr$test_step() else tr$test_batch(cbl, step)
  }
  logs <- tr$metrics_result()
  if (!is.null(cbl)) cbl$on_test_end(logs)
  logs
}

distributed_evaluate <- function(object, x = NULL, y = NULL, batch_size = NULL, verbose = "auto",
                                 sample_weight = NULL, steps = NULL, callbacks = NULL, ...) {
  extra <- dots_list(...)
  extra$return_dict <- NULL
  if (length(extra)) {
    abort("Under a multi-worker strategy, `evaluate()` does not take ",
          paste0("`", names(extra) %||% "...", "`", collapse = ", "), ".")
  }
  tr <- trainer_for(object)
  info <- worker_info(tr)
  batch_size <- as_int(batch_size %||% 32L, "batch_size")
  data <- dist_data(tr, x, y, sample_weight)
  cbl <- if (!is.null(callbacks)) tr$callback_list(as_callbacks(callbacks), 0L, 1L, NULL)
  logs <- with_peer_errors(run_evaluation(tr, data, batch_size, steps, cbl), info)
  res <- unlist(py_to_r(logs))
  if (info$chief && !isTRUE(verbose == 0)) {
    cat(paste0(names(res), ": ", sprintf("%.4f", res), collapse = " - "), "\n", sep = "")
  }
  as.list(res)  # evaluate()'s type: keras3's named list
}

distributed_predict <- function(object, x, batch_size = NULL, verbose = 0, steps = NULL, ...) {
  tr <- trainer_for(object)
  batch_size <- as_int(batch_size %||% 32L, "batch_size")
  if (!is_py_object(x)) x <- as_model_data(x, "x")
  py_to_r(tr$predict(x, batch_size))
}

# save_model() under a multi-worker strategy: every worker saves (reading mirrored and
# metric variables is collective), only the chief's file is kept.
distributed_save <- function(model, filepath, overwrite = TRUE, ...) {
  tr <- trainer_for(model)
  with_peer_errors(tr$save(path.expand(filepath), overwrite = overwrite, ...), worker_info(tr))
  invisible(model)
}

#' Is this worker the chief?
#'
#' Under [distribute_strategy_multi_worker()], `is_chief()` is `TRUE` on worker 0 (which
#' writes checkpoints and saved models, and prints progress) and `FALSE` on the others;
#' Without a multi-worker strategy `is_chief()`
#' is `TRUE`.
#'
#' @param strategy A strategy, or `NULL` for the one [distribute_strategy_multi_worker()]
#'   made in this process (if none, TensorFlow's current strategy).
#' @return `TRUE` or `FALSE`.
#' @export
is_chief <- function(strategy = NULL) {
  strategy <- strategy %||% .dist_state$strategy %||% tf$distribute$get_strategy()
  if (!inherits(strategy, "tensorflow.python.distribute.collective_all_reduce_strategy.CollectiveAllReduceStrategy")) {
    return(TRUE)
  }
  isTRUE(py_to_r(strategy$extended$should_checkpoint))
}
