# bench/calls_r_host.R: per-call times of Python calls from R, for one bridge per process.
# Usage: Rscript calls_r_host.R <tandem|reticulate|base> <iterations>
# Prints one line per case: "case<TAB>microseconds per call" (best of 7 runs).
args <- commandArgs(trailingOnly = TRUE)
which <- args[[1]]
n <- as.integer(args[[2]])

time_it <- function(expr_fn) {
  best <- Inf
  for (rep in 1:7) {
    t0 <- proc.time()[["elapsed"]]
    expr_fn()
    best <- min(best, proc.time()[["elapsed"]] - t0)
  }
  best / n * 1e6
}

cases <- list()
if (which == "base") {
  f <- sqrt
  cases$module_fn <- function() for (i in seq_len(n)) base::sqrt(2)
  cases$prebound <- function() for (i in seq_len(n)) f(2)
  cases$attr <- function() for (i in seq_len(n)) base::pi
  cases$raw_call <- function() for (i in seq_len(n)) f(2)
  obj <- new.env()
  obj$m <- function(x) x
  cases$method <- function() for (i in seq_len(n)) obj$m(2)
} else {
  if (which == "tandem") {
    library(tandem)
  } else {
    library(reticulate)
  }
  math <- import("math")
  np <- import("numpy")
  f <- math$sqrt
  m_raw <- import("math", convert = FALSE)
  f_raw <- m_raw$sqrt
  x_raw <- r_to_py(2)
  stopifnot(isTRUE(all.equal(math$sqrt(2), sqrt(2))), isTRUE(all.equal(f(2), sqrt(2))))
  cases$module_fn <- function() for (i in seq_len(n)) math$sqrt(2)
  cases$prebound <- function() for (i in seq_len(n)) f(2)
  cases$attr <- function() for (i in seq_len(n)) np$pi
  cases$raw_call <- function() for (i in seq_len(n)) py_call(f_raw, x_raw)
  # a method of an instance: `obj$m` makes a new bound method (and R function) each time
  py_run_string("class BenchPoint:\n    def m(self, x):\n        return x\nbench_point = BenchPoint()")
  obj <- py_eval("bench_point")
  stopifnot(identical(obj$m(2), 2))
  cases$method <- function() for (i in seq_len(n)) obj$m(2)
}
for (nm in names(cases)) {
  us <- tryCatch(time_it(cases[[nm]]), error = function(e) NA_real_)
  cat(nm, "\t", format(us, digits = 6), "\n", sep = "")
}
