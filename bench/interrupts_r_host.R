# bench/interrupts_r_host.R: R hosts Python. How long after a SIGINT the handler around a
# long conversion runs (tryCatch(interrupt =)), in both directions. A helper process sends
# the signal at about 3/4 of the conversion's own duration, so the conversion has built most
# of its result when the interrupt comes; the latency is the time from the kill() to the
# handler (both read the wall clock). Prints "case<TAB>seconds" lines (<case>_conv: the
# uninterrupted conversion, <case>: the latency; NaN when the conversion ended first).
# Usage: Rscript bench/interrupts_r_host.R [case ...]   (driven by bench/run.py interrupts)
suppressMessages(library(tandem))
args <- commandArgs(TRUE)
python <- Sys.getenv("TANDEM_PYTHON", py_exe())

now <- function() as.numeric(Sys.time())

# A helper Python process sleeps until `at` (wall clock), sends SIGINT to this process and
# writes the time of the kill() to `out`.
kill_at <- function(at, out) {
  code <- sprintf(paste0("import os, signal, time; time.sleep(max(0.0, %.6f - time.time())); ",
                         "t = time.time(); os.kill(%d, signal.SIGINT); open(%s, 'w').write(repr(t))"),
                  at, Sys.getpid(), deparse(out))
  system2(python, c("-c", shQuote(code)), wait = FALSE)
}

sent_time <- function(out) {
  for (i in 1:3000) {
    if (file.exists(out) && length(t <- readLines(out, warn = FALSE)) == 1 && nzchar(t)) return(as.numeric(t))
    Sys.sleep(0.01)
  }
  NA_real_
}

core <- import("tandem._core")
# What an interrupted conversion built is released in slices on R's thread: wait until it is
# gone, so that the next case runs alone.
settle <- function() {
  invisible(gc())
  for (i in 1:600) {
    if (core$`_deferred_releases`() == 0) break
    Sys.sleep(0.1)
  }
  invisible(gc())
  Sys.sleep(0.2)
}

measure <- function(name, convert) {
  settle()
  t0 <- now()
  convert()
  conv <- now() - t0
  settle()
  latency <- NaN
  for (frac in c(0.75, 0.5, 0.25, 0.1)) {
    out <- tempfile()
    start <- now() + 0.15  # the helper is up by then
    kill_at(start + frac * conv, out)
    Sys.sleep(max(0, start - now()))
    state <- new.env()
    state$finished <- FALSE
    caught <- tryCatch({
      convert()
      state$finished <- TRUE
      sent_time(out)  # the conversion ended before the signal: let it come here, go earlier
      Sys.sleep(0.5)
      NA_real_
    }, interrupt = function(e) if (state$finished) NA_real_ else now())
    if (is.na(caught)) {
      settle()
      next
    }
    latency <- caught - sent_time(out)
    break
  }
  cat(sprintf("%s_conv\t%.4f\n%s\t%.4f\n", name, conv, name, latency))
  settle()
}

set.seed(1)
cases <- list(
  # R -> Python
  r2py_doubles_1e8 = function() rep(1.5, 1e8),
  r2py_doubles = function() rep(1.5, 3e7),
  r2py_integers = function() rep(7L, 3e7),
  r2py_logicals = function() rep(c(TRUE, FALSE, NA), 1e7),
  r2py_strings = function() as.character(seq_len(4e6)),
  r2py_list = function() as.list(seq_len(4e6)),
  r2py_list_of_vectors = function() lapply(seq_len(1e5), function(i) rep(i + 0.5, 100)),
  r2py_data_frame = function() data.frame(x = rep(1.5, 1e7), i = rep(1:10, 1e6), f = factor(rep(c("a", "b"), 5e6)),
                                          s = rep(c("u", "v", "w", NA), 2.5e6), stringsAsFactors = FALSE),
  r2py_logical_matrix = function() matrix(c(TRUE, NA), 1e4, 1e4),
  r2py_character_matrix = function() matrix(as.character(seq_len(4e6)), 2000)
)
py_cases <- c(
  py2r_floats = "[i + 0.5 for i in range(30_000_000)]",
  py2r_ints = "list(range(30_000_000))",
  py2r_bools = "[True, False, None] * 10_000_000",
  py2r_strs = "[str(i) for i in range(4_000_000)]",
  py2r_mixed_list = "[i if i % 2 else str(i) for i in range(4_000_000)]",
  py2r_dict = "{str(i): i for i in range(2_000_000)}",
  py2r_numpy_c_order = "np.ones((10_000, 3_000))",
  py2r_numpy_int64 = "np.arange(30_000_000)",
  py2r_numpy_str = "np.array([str(i) for i in range(4_000_000)])",
  py2r_pandas = "pd.DataFrame({'x': np.ones(10_000_000), 'i': np.arange(10_000_000) % 10, 's': ['u', 'v', None, 'w'] * 2_500_000})"
)
# Plain R, no Python: R code that builds the values of the py2r_ cases above. R's own
# interrupt latency while it allocates as much, a floor for the py2r_ cases (R cannot be
# interrupted inside a garbage collection, and a full collection of a heap this size takes
# a few tenths of a second).
r_only_cases <- list(
  rbase_strs = function() vapply(seq_len(4e6) - 1L, as.character, ""),
  rbase_mixed_list = function() lapply(seq_len(4e6) - 1L, function(i) if (i %% 2L) i else as.character(i)),
  rbase_dict = function() { i <- seq_len(2e6) - 1L; setNames(lapply(i, function(v) v), vapply(i, as.character, "")) }
)
# R's longest garbage collection while plain R fills a list with the values of a py2r_ case,
# element by element, as the conversion does: a pause no interrupt can shorten, so the
# floor of that case's latency (printed as rbase_<what>_maxgc; gc.time() read every 1000
# elements).
max_gc_pause <- function(n, value) {
  y <- vector("list", n)
  last <- gc.time()[[1]]
  worst <- 0
  for (i in seq_len(n)) {
    y[[i]] <- value(i - 1L)
    if (i %% 1000L == 0L) {
      g <- gc.time()[[1]]
      worst <- max(worst, g - last)
      last <- g
    }
  }
  worst
}
gc_pause_cases <- list(
  rbase_strs_maxgc = function() max_gc_pause(4e6, as.character),
  rbase_mixed_list_maxgc = function() max_gc_pause(4e6, function(i) if (i %% 2L) i else as.character(i))
)
which <- if (length(args)) args else c(names(cases), names(py_cases), names(r_only_cases), names(gc_pause_cases))

py_run_string("import numpy as np, pandas as pd")
for (name in intersect(which, names(cases))) {
  x <- cases[[name]]()
  measure(name, function() { y <- r_to_py(x); rm(y) })
  rm(x)
}
for (name in intersect(which, names(py_cases))) {
  py_run_string(sprintf("bench_value = %s", py_cases[[name]]))
  measure(name, function() { y <- py_eval("bench_value"); rm(y) })
  py_run_string("del bench_value")
}
for (name in intersect(which, names(r_only_cases))) {
  measure(name, function() { y <- r_only_cases[[name]](); rm(y) })
}
for (name in intersect(which, names(gc_pause_cases))) {
  settle()
  cat(sprintf("%s\t%.4f\n", name, gc_pause_cases[[name]]()))
  settle()
}
