# errors.R: the last Python error seen by R (py_last_error()), as reticulate reports it.

#' The last Python error
#'
#' `py_last_error()` describes the last Python exception that reached R: the exception
#' type, value and traceback as strings, the full formatted message, and where it
#' happened in R (`r_call`, `r_trace`). `py_clear_last_error()` forgets it.
#'
#' @return `py_last_error()`: `NULL` if no Python error reached R since Python started
#'   (or since `py_clear_last_error()`), else an object of class `py_error`: a list with
#'   `type` (the exception class name), `value` (`str()` of the exception),
#'   `traceback` (the Python frames, one string each), `message` (the whole formatted
#'   exception, as Python prints it), `r_call` (the R call during which it arrived, or
#'   the call of the R error it carries), `r_class` (the class of the R condition it
#'   became) and `r_trace` (the R calls on the stack then, in `r_trace$full_call`). The
#'   exception itself is the attribute `"exception"`. Printing shows the Python message
#'   and the R frames. `py_clear_last_error()`: `NULL`, invisibly.
#' @export
#' @examples
#' \dontrun{
#' try(py_eval("1 / 0"), silent = TRUE)
#' py_last_error()$type  # "ZeroDivisionError"
#' }
py_last_error <- function() {
  if (is.null(.ffi$last_error)) return(NULL)
  raw <- .Call(.ffi$last_error, FALSE)
  if (is.null(raw)) return(NULL)
  e <- raw$exception
  traceback <- import("traceback", convert = TRUE)
  etype <- py_get_attr(e, "__class__")
  etb <- py_get_attr(e, "__traceback__")
  calls <- raw$r_calls %||% list()
  tandem <- import("tandem", convert = FALSE)
  is_rerror <- py_bool(py_call(import_builtins(convert = FALSE)$isinstance, e, tandem$RError))
  if (is_rerror) {
    cond <- py_get_attr(e, "condition")
    rcond <- if (inherits(cond, "python.builtin.object")) NULL else cond
    if (is.null(rcond)) rcond <- tryCatch(py_to_r(cond), error = function(err) NULL)
    r_call <- if (is.list(rcond)) rcond$call else NULL
    r_class <- if (!is.null(rcond)) class(rcond) else c("error", "condition")
  } else {
    r_call <- if (length(calls)) calls[[length(calls)]] else NULL
    r_class <- c(setdiff(class(e), "python.builtin.object"), "error", "condition")
  }
  out <- list(
    type = py_to_r(py_get_attr(etype, "__name__")),
    value = py_str(e),
    traceback = if (py_is_none_handle(etb)) character() else as.character(unlist(traceback$format_tb(etb))),
    message = paste0(unlist(traceback$format_exception(etype, e, etb)), collapse = ""),
    r_call = r_call,
    r_class = r_class,
    r_trace = structure(list(full_call = calls), class = "tandem_r_trace")
  )
  attr(out, "exception") <- e
  class(out) <- "py_error"
  out
}

#' @rdname py_last_error
#' @export
py_clear_last_error <- function() {
  if (!is.null(.ffi$last_error)) .Call(.ffi$last_error, TRUE)
  invisible(NULL)
}

py_is_none_handle <- function(x) {
  is.null(x) || (inherits(x, "python.builtin.object") && identical(py_repr(x), "None"))
}

#' @export
print.py_error <- function(x, ...) {
  cat("-- Python Exception Message --\n")
  cat(x$message)
  if (!endsWith(x$message, "\n")) cat("\n")
  cat("-- R Traceback --\n")
  print(x$r_trace)
  invisible(x)
}

#' @export
print.tandem_r_trace <- function(x, ...) {
  calls <- x$full_call
  if (!length(calls)) {
    cat("    (no R frames: Python called from the top level)\n")
    return(invisible(x))
  }
  for (i in seq_along(calls)) {
    text <- deparse(calls[[i]], nlines = 1L, width.cutoff = 70L)
    cat(sprintf("%4d. %s\n", i, text))
  }
  invisible(x)
}
