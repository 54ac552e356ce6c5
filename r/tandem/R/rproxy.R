# rproxy.R: the `r` object in Python's __main__ (reticulate's): Python code run from R
# reads R variables (`r.x`), calls R functions (`r.f(1)`) and assigns (`r.x = 1`).

.rproxy <- new.env(parent = emptyenv())
.rproxy$frames <- list()

#' R inside Python: the `r` object
#'
#' Python code run from R (`py_run_string()`, `py_run_file()`, `source_python()`,
#' `py_eval()`, or any Python function called from R) finds an object `r` in `__main__`,
#' as with reticulate:
#'
#' - `r.x` is the R object `x`, converted to Python (R functions become Python callables
#'   that convert their arguments and result);
#' - `r.f(1)` calls the R function `f`;
#' - `r.x = value` (or `r["x"] = value`) assigns `x` in R;
#' - `r["code"]` evaluates R code and returns its value.
#'
#' `r.x` looks `x` up from the R environment that called `py_run_string()` (or
#' `py_run_file()`, `source_python()`, `py_eval()`), then in the global environment.
#' Assignments go to the environment reticulate uses: the option
#' `reticulate.engine.environment` (or `tandem.engine.environment`) if set, else knitr's
#' environment while knitting, else the environment of the running testthat test, else
#' the global environment. An `r` already defined in `__main__` is left alone.
#'
#' @name r-in-python
#' @examples
#' \dontrun{
#' x <- 42
#' py_run_string("y = r.x + 1")
#' py$y                          # 43
#' py_run_string("r.z = [1, 2, 3]")
#' z                             # 1 2 3
#' }
NULL

# The environment reticulate reads and writes through `r`, outside any py_run_*() call.
rproxy_default_env <- function() {
  for (opt in c("tandem.engine.environment", "reticulate.engine.environment")) {
    envir <- getOption(opt)
    if (is.environment(envir)) return(envir)
  }
  if ("knitr" %in% loadedNamespaces()) {
    knit_env <- tryCatch(get(".knitEnv", envir = asNamespace("knitr"))$knit_global, error = function(e) NULL)
    if (is.environment(knit_env)) return(knit_env)
  }
  envir <- getOption("rlang_trace_top_env")
  if (is.environment(envir)) return(envir)
  globalenv()
}

# Where `r.name` is looked up, in order: the innermost R caller of py_run_*() that is not
# tandem's own code, the default environment, the global environment.
rproxy_read_envs <- function() {
  envs <- list()
  ns <- asNamespace("tandem")
  for (caller in rev(.rproxy$frames)) {
    if (!identical(topenv(caller), ns)) {
      envs <- list(caller)
      break
    }
  }
  unique(c(envs, list(rproxy_default_env(), globalenv())))
}

# Runs `code` with `envir` as the R caller that `r` reads from.
with_r_caller <- function(envir, code) {
  local_r_caller(envir)
  code
}

# Makes `envir` the R caller that `r` reads from until `frame` returns. Entry points use
# this rather than with_r_caller() so that their own call stays the innermost R call
# (the conditionCall() of a Python error raised there).
local_r_caller <- function(envir, frame = parent.frame()) {
  n <- length(.rproxy$frames)
  .rproxy$frames[[n + 1L]] <- envir
  do.call(on.exit, list(call("restore_r_callers", n), add = TRUE), envir = frame)
  invisible(NULL)
}

restore_r_callers <- function(n) {
  .rproxy$frames <- .rproxy$frames[seq_len(n)]
  invisible(NULL)
}

rproxy_get <- function(name, code = FALSE) {
  envs <- rproxy_read_envs()
  if (isTRUE(code)) return(eval(parse(text = name, keep.source = FALSE), envs[[1L]]))
  for (e in envs) {
    if (exists(name, envir = e)) return(get(name, envir = e))
  }
  import("tandem._rproxy", convert = FALSE)$MISSING
}

rproxy_set <- function(name, value) {
  assign(name, value, envir = rproxy_default_env())
  invisible(NULL)
}

# Installs the getter and setter and binds `r` in __main__ (unless the name is taken).
py_inject_r <- function() {
  rp <- import("tandem._rproxy", convert = FALSE)
  py_call_value(rp$install, rproxy_get, rproxy_set)
  main <- import_main(convert = FALSE)
  if (py_has_attr(main, "r")) return(FALSE)
  py_set_attr(main, "r", py_get_attr(rp, "r"))
  TRUE
}
