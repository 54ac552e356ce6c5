# workers.R: run_workers(), a launcher for multi-worker training on one machine: n R
# processes on loopback with free ports, output streamed with each worker's index.

#' Run a function or script on several R worker processes
#'
#' `run_workers()` starts `n` R processes (`Rscript`) on this machine, each one a worker of
#' the same cluster: the environment variables `TANDEM_WORKERS` (the `"127.0.0.1:port"`
#' list, ports chosen free at start) and `TANDEM_WORKER_INDEX` (0, 1, ...) are set, so
#' [distribute_strategy_multi_worker()] called with no arguments joins the cluster. Each
#' worker's output (stdout and stderr) is printed as it comes, each line prefixed with
#' `[i]`, the worker's index. When every worker has finished, their results are returned.
#' If a worker fails (an R error, or the process dies), the others are stopped at once
#' (within a fraction of a second, with `stop_on_failure = TRUE`; a worker whose peer
#' hangs fails within its `heartbeat_timeout`, see [distribute_strategy_multi_worker()]) and
#' `run_workers()` signals an error of class
#' `tandem_workers_error` that says which worker failed and why; the condition's
#' `results` field holds what the other workers returned, `failed` the failed indices.
#'
#' On several machines, run the same script on each host instead, with the same worker
#' list and each host's own index (see the README, "Training on several machines").
#'
#' @param fn_or_script A function (called with no arguments, or with `args`, in a fresh
#'   R session: it must load its own packages and data, as it sees no variable of the
#'   calling session) or the path of an R script (its last value is the result; `args`
#'   are its command line arguments, see [commandArgs()]).
#' @param n Number of workers.
#' @param args For a function, a list of arguments; for a script, a character vector.
#' @param timeout Seconds after which all workers are stopped and it is an error
#'   (`Inf`: no limit).
#' @param stop_on_failure Whether a failing worker stops the others at once. With `FALSE`
#'   the others run on (for example to see how they react to the lost peer).
#' @param env Named character vector of further environment variables for the workers.
#' @param echo Whether to print the workers' output.
#' @return A list with one element per worker (worker 0 first): the function's value, or
#'   the script's last value.
#' @export
#' @examples
#' \dontrun{
#' res <- run_workers(function() {
#'   library(tandem.keras)
#'   strategy <- distribute_strategy_multi_worker()
#'   with(strategy$scope(), {
#'     model <- keras_model_sequential(input_shape = 4) |> layer_dense(1)
#'     compile(model, optimizer = "sgd", loss = "mse")
#'   })
#'   x <- matrix(runif(400), ncol = 4)
#'   fit(model, x, rowSums(x), batch_size = 20, epochs = 2)
#'   get_weights(model)
#' }, n = 2)
#' }
run_workers <- function(fn_or_script, n = 2L, args = NULL, timeout = Inf, stop_on_failure = TRUE,
                        env = NULL, echo = TRUE) {
  if (!requireNamespace("processx", quietly = TRUE)) {
    abort("`run_workers()` needs the processx package (Debian: r-cran-processx).")
  }
  n <- as_int(n, "n")
  if (length(n) != 1L || n < 1L) abort("`n` must be a whole number >= 1, not ", describe_value(n), ".")
  if (!is.numeric(timeout) || length(timeout) != 1L || is.na(timeout) || timeout <= 0) {
    abort("`timeout` must be a positive number of seconds (or `Inf`), not ", describe_value(timeout), ".")
  }
  stop_on_failure <- as_flag(stop_on_failure, "stop_on_failure")
  echo <- as_flag(echo, "echo")
  if (!is.null(env) && (!is.character(env) || is.null(names(env)) || any(!nzchar(names(env))))) {
    abort("`env` must be a named character vector, not ", describe_value(env), ".")
  }
  dir <- tempfile("tandem-workers-")
  dir.create(dir)
  on.exit(unlink(dir, recursive = TRUE), add = TRUE)
  job <- file.path(dir, "job.rds")
  if (is.function(fn_or_script)) {
    if (!is.null(args) && !is.list(args)) abort("`args` must be a list for a function, not ", describe_value(args), ".")
    saveRDS(list(type = "function", fn = fn_or_script, args = as.list(args)), job)
  } else if (is.character(fn_or_script) && length(fn_or_script) == 1L && !is.na(fn_or_script)) {
    if (!file.exists(fn_or_script)) abort("`fn_or_script`: the script '", fn_or_script, "' does not exist.")
    if (!is.null(args) && !is.character(args)) abort("`args` must be a character vector for a script, not ", describe_value(args), ".")
    saveRDS(list(type = "script", script = normalizePath(fn_or_script), args = args), job)
  } else {
    abort("`fn_or_script` must be a function or the path of an R script, not ", describe_value(fn_or_script), ".")
  }
  runner <- file.path(dir, "runner.R")
  writeLines(worker_runner_code, runner)
  ports <- free_ports(n)
  workers <- paste0("127.0.0.1:", ports)
  rscript <- file.path(R.home("bin"), "Rscript")
  procs <- vector("list", n)
  outs <- file.path(dir, sprintf("result-%d.rds", seq_len(n) - 1L))
  kill_all <- function() for (p in procs) if (!is.null(p) && p$is_alive()) p$kill_tree()
  on.exit(kill_all(), add = TRUE)
  base_env <- c("current", TANDEM_WORKERS = paste(workers, collapse = ","),
                TF_CPP_MIN_LOG_LEVEL = Sys.getenv("TF_CPP_MIN_LOG_LEVEL", "2"))
  if (!is.null(env)) base_env <- c(base_env, env)
  for (i in seq_len(n)) {
    procs[[i]] <- processx::process$new(
      rscript, c("--no-save", "--no-restore", runner, job, outs[[i]]),
      env = c(base_env, TANDEM_WORKER_INDEX = as.character(i - 1L)),
      stdout = "|", stderr = "2>&1", cleanup_tree = TRUE)
  }
  tails <- rep(list(character()), n)
  emit <- function(i, lines) {
    if (!length(lines)) return()
    tails[[i]] <<- utils::tail(c(tails[[i]], lines), 20L)
    if (echo) {
      cat(paste0("[", i - 1L, "] ", lines, "\n"), sep = "")
      utils::flush.console()
    }
  }
  start <- Sys.time()
  failed <- integer()
  timed_out <- FALSE
  repeat {
    alive <- vapply(procs, function(p) p$is_alive(), logical(1))
    if (any(alive)) processx::poll(procs[alive], 200L)
    for (i in seq_len(n)) emit(i, procs[[i]]$read_output_lines())
    for (i in which(!alive)) {
      if (!(i %in% failed) && !identical(procs[[i]]$get_exit_status(), 0L)) failed <- c(failed, i)
    }
    # A worker whose job failed counts as failed at once, while its process still exits
    # (TensorFlow's shutdown can take seconds): the others are stopped without waiting.
    for (i in which(alive)) {
      if (!(i %in% failed) && file.exists(outs[[i]]) &&
          !isTRUE(tryCatch(readRDS(outs[[i]])$ok, error = function(e) TRUE))) {
        failed <- c(failed, i)
      }
    }
    if (length(failed) && stop_on_failure) break
    if (!any(alive)) break
    if (as.numeric(difftime(Sys.time(), start, units = "secs")) > timeout) {
      timed_out <- TRUE
      break
    }
  }
  kill_all()
  for (i in seq_len(n)) {
    procs[[i]]$wait(2000L)
    rest <- tryCatch(procs[[i]]$read_all_output_lines(), error = function(e) character())
    emit(i, rest)
  }
  results <- lapply(outs, function(f) if (file.exists(f)) readRDS(f) else NULL)
  values <- lapply(results, function(r) if (isTRUE(r$ok)) r$value)
  if (timed_out) {
    late <- which(vapply(results, is.null, logical(1)))
    workers_error(paste0("Workers still running after `timeout` (", timeout, " s) were stopped: ",
                         paste(late - 1L, collapse = ", "), ".",
                         paste0("\nlast output of worker ", late - 1L, ":\n",
                                vapply(tails[late], function(t) paste(utils::tail(t, 5L), collapse = "\n"), ""),
                                collapse = "")),
                  which(vapply(results, function(r) !isTRUE(r$ok), logical(1))) - 1L, values)
  }
  if (length(failed)) {
    i <- failed[[1]]
    why <- worker_failure(procs[[i]], results[[i]], tails[[i]])
    others <- setdiff(failed, i) - 1L
    workers_error(paste0("Worker ", i - 1L, " failed: ", why,
                         if (length(others)) paste0("\n(worker ", paste(others, collapse = ", "), " failed too)"),
                         if (stop_on_failure && n > 1L) "\nThe other workers were stopped." else ""),
                  failed - 1L, values)
  }
  values
}

workers_error <- function(message, failed, results) {
  stop(structure(class = c("tandem_workers_error", "tandem_keras_error", "error", "condition"),
                 list(message = message, call = NULL, failed = failed, results = results)))
}

worker_failure <- function(p, result, tail) {
  if (!is.null(result) && !isTRUE(result$ok)) return(result$message)
  status <- p$get_exit_status()
  why <- if (!is.null(status) && status < 0L) paste0("killed by signal ", -status)
         else paste0("exit status ", format(status))
  if (length(tail)) why <- paste0(why, "; last output:\n", paste(utils::tail(tail, 5L), collapse = "\n"))
  why
}

# `n` distinct TCP ports free on loopback now: the system assigns them (bind to port 0,
# all n sockets open at once), and the user's R random-number stream is left alone.
free_ports <- function(n) {
  socket <- import("socket", convert = FALSE)
  socks <- lapply(seq_len(n), function(i) {
    s <- socket$socket(socket$AF_INET, socket$SOCK_STREAM)
    s$bind(tuple("127.0.0.1", 0L))
    s
  })
  on.exit(for (s in socks) s$close())
  vapply(socks, function(s) as.integer(py_to_r(s$getsockname())[[2]]), 0L)
}

# The worker's side: run the job, save the result (or the error) for the launcher.
worker_runner_code <- c(
  "args <- commandArgs(trailingOnly = TRUE)",
  "job <- readRDS(args[[1]]); out <- args[[2]]",
  "res <- tryCatch({",
  "  value <- if (job$type == 'function') do.call(job$fn, job$args) else {",
  "    commandArgs <- function(trailingOnly = FALSE) if (trailingOnly) as.character(job$args) else c('Rscript', job$script, as.character(job$args))",
  "    source(job$script, local = new.env(), echo = FALSE)$value",
  "  }",
  "  list(ok = TRUE, value = value)",
  "}, error = function(e) list(ok = FALSE, message = conditionMessage(e), class = class(e)))",
  "saveRDS(res, paste0(out, '.part')); file.rename(paste0(out, '.part'), out)",
  "if (!res$ok) { message('Error: ', res$message); quit(save = 'no', status = 1) }",
  "invisible(NULL)"
)
