# output.R: Python's output and warnings seen from R: py_capture_output(),
# py_suppress_warnings() and the handlers packages register for it.

#' Capture what Python prints
#'
#' Evaluates `expr` while Python's `sys.stdout` and/or `sys.stderr` (and logging
#' handlers that write to them) go to a buffer, and returns what was written. Output of
#' R code (`cat()`) is not captured: use [utils::capture.output()] for it.
#'
#' @param expr An R expression that runs Python code.
#' @param type Which streams to capture: `"stdout"`, `"stderr"` or both (the default).
#' @return A single string, the captured output (`""` if there was none).
#' @export
#' @examples
#' \dontrun{
#' py_capture_output(py_run_string("print('hello')"))
#' }
py_capture_output <- function(expr, type = c("stdout", "stderr")) {
  type <- match.arg(type, several.ok = TRUE)
  ensure_python()
  output <- import("tandem._output", convert = FALSE)
  ctx <- py_call_value(py_get_attr(output, "OutputCapture"), "stdout" %in% type, "stderr" %in% type)
  py_call_value(py_get_attr(ctx, "__enter__"))
  tryCatch(force(expr), finally = py_call_value(py_get_attr(ctx, "__exit__"), NULL, NULL, NULL))
  py_to_r(py_call_value(py_get_attr(ctx, "getvalue")))
}

#' Suppress Python warnings
#'
#' Evaluates `expr` with Python's warnings ignored (inside
#' `warnings.catch_warnings()` with the filter `"ignore"`), after calling the
#' `suppress()` function of every handler registered with
#' `register_suppress_warnings_handler()`; their `restore()` functions run afterwards,
#' whatever happens.
#'
#' @param expr An R expression.
#' @param handler A list with two functions: `suppress()`, called before `expr` and
#'   returning a context, and `restore(context)`, called after it. Packages use it to
#'   silence their own Python library's logging.
#' @return `py_suppress_warnings()`: the value of `expr`.
#'   `register_suppress_warnings_handler()`: `NULL`, invisibly.
#' @export
#' @examples
#' \dontrun{
#' py_suppress_warnings(py_run_string("import warnings; warnings.warn('hidden')"))
#' }
py_suppress_warnings <- function(expr) {
  ensure_python()
  handlers <- .state$suppress_warnings_handlers
  contexts <- vector("list", length(handlers))
  done <- 0L
  on.exit({
    for (i in rev(seq_len(done))) handlers[[i]]$restore(contexts[[i]])
  }, add = TRUE)
  for (i in seq_along(handlers)) {
    ctx <- handlers[[i]]$suppress()
    if (!is.null(ctx)) contexts[[i]] <- ctx
    done <- i
  }
  warnings <- import("warnings", convert = FALSE)
  cm <- py_call_value(py_get_attr(warnings, "catch_warnings"))
  py_call_value(py_get_attr(cm, "__enter__"))
  on.exit(py_call_value(py_get_attr(cm, "__exit__"), NULL, NULL, NULL), add = TRUE, after = FALSE)
  py_call_value(py_get_attr(warnings, "simplefilter"), "ignore")
  expr
}

#' @rdname py_suppress_warnings
#' @export
register_suppress_warnings_handler <- function(handler) {
  if (!is.list(handler) || !is.function(handler$suppress) || !is.function(handler$restore)) {
    stop("`handler` must be a list with functions `suppress` and `restore`.", call. = FALSE)
  }
  .state$suppress_warnings_handlers <- c(.state$suppress_warnings_handlers, list(handler))
  invisible(NULL)
}
