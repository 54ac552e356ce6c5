# errors.R: the last Python error seen by R (py_last_error()), as reticulate reports it.

#' The last Python error
#'
#' `py_last_error()` describes the last Python exception that reached R: the exception
#' type, value and traceback as strings, the full formatted message, and where it
#' happened in R (`r_call`, `r_trace`). `py_clear_last_error()` forgets it.
#'
#' `py_last_error(exception)` makes `exception` the last error again, as reticulate does
#' (to restore it after code that may raise and catch errors of its own): a `py_error`
#' that `py_last_error()` returned, a Python exception (condition), or `NULL` to clear.
#'
#' @param exception If given: the error to make the last one (see above).
#' @return `py_last_error()`: `NULL` if no Python error reached R since Python started
#'   (or since `py_clear_last_error()`), else an object of class `py_error`: a list with
#'   `type` (the exception class name), `value` (`str()` of the exception),
#'   `traceback` (the Python frames, one string each), `message` (the whole formatted
#'   exception, as Python prints it), `r_call` (the R call during which it arrived, or
#'   the call of the R error it carries), `r_class` (the class of the R condition it
#'   became) and `r_trace` (the R frames on the stack then; when the exception comes from
#'   an R error in R code that Python called, however many Python and R levels down, the
#'   frames where that R error was signalled). As in reticulate, `r_trace` is a data frame
#'   in rlang's trace layout (class `rlang_trace`, printed as a call tree when rlang is
#'   loaded) with the columns `call` (the calls, for display), `full_call` (the calls as
#'   `sys.calls()` gave them), `parent` (as `sys.parents()`), `visible`, `namespace` and
#'   `scope`. The
#'   exception itself is the attribute `"exception"`. Printing shows the Python message
#'   and the R frames, then where the full R call stack is (`r_trace$full_call`).
#'   `py_last_error(exception)`: the previous last exception (a
#'   condition, see [python-exceptions]) or `NULL`, invisibly.
#'   `py_clear_last_error()`: `NULL`, invisibly.
#' @export
#' @examples
#' \dontrun{
#' try(py_eval("1 / 0"), silent = TRUE)
#' py_last_error()$type  # "ZeroDivisionError"
#' }
py_last_error <- function(exception) {
  if (!missing(exception)) return(invisible(set_last_error(exception)))
  if (!isTRUE(.state$running)) return(NULL)
  raw <- .Call(.ffi$last_error, FALSE)
  if (is.null(raw)) return(NULL)
  e <- raw$exception
  traceback <- import("traceback", convert = TRUE)
  etype <- py_get_attr(e, "__class__")
  etb <- py_get_attr(e, "__traceback__")
  frames <- raw$r_frames
  calls <- as.list(frames$calls)
  tandem <- import("tandem", convert = FALSE)
  is_rerror <- py_bool(py_call_value(import_builtins(convert = FALSE)$isinstance, e, tandem$RError))
  if (is_rerror) {
    cond <- py_get_attr(e, "condition")
    rcond <- if (inherits(cond, "python.builtin.object")) NULL else cond
    if (is.null(rcond)) rcond <- tryCatch(py_to_r(cond), error = function(err) NULL)
    r_call <- if (is.list(rcond)) rcond$call else NULL
    r_class <- if (!is.null(rcond)) class(rcond) else c("error", "condition")
  } else {
    r_call <- if (length(calls)) calls[[length(calls)]] else NULL
    r_class <- class(e)  # the exception is a condition (python-exceptions)
  }
  out <- list(
    type = py_to_r(py_get_attr(etype, "__name__")),
    value = py_str(e),
    traceback = if (py_is_none_handle(etb)) character() else as.character(unlist(traceback$format_tb(etb))),
    message = paste0(unlist(traceback$format_exception(etype, e, etb)), collapse = ""),
    r_call = r_call,
    r_class = r_class,
    r_trace = r_trace_from_frames(frames)
  )
  attr(out, "exception") <- e
  class(out) <- "py_error"
  out
}

set_last_error <- function(exception) {
  ensure_python()
  previous <- .Call(.ffi$last_error, FALSE)$exception
  if (is.null(exception)) {
    .Call(.ffi$last_error, TRUE)
    return(previous)
  }
  frames <- NULL
  if (inherits(exception, "py_error")) {
    trace <- exception$r_trace
    calls <- as.list(trace$full_call)
    frames <- list(calls = calls, parents = as.integer(trace$parent), functions = vector("list", length(calls)))
    exception <- attr(exception, "exception", exact = TRUE)
  } else if (is.list(exception)) {
    frames <- attr(exception, "r_frames", exact = TRUE)
  }
  if (!inherits(exception, "python.builtin.BaseException")) {
    stop(sprintf("`exception` must be `NULL`, a `py_error` or a Python exception, not %s.", describe(exception)),
         call. = FALSE)
  }
  .Call(.ffi$set_last_error, exception, frames)
  previous
}

#' @rdname py_last_error
#' @export
py_clear_last_error <- function() {
  if (isTRUE(.state$running)) .Call(.ffi$last_error, TRUE)
  invisible(NULL)
}

# `expr`, or `otherwise` when it signals an error: for Python calls that probe (is this
# hashable? is there such a module?), whose errors tandem expects and handles itself. Such
# an error leaves py_last_error() as it was before the probe.
py_probe <- function(expr, otherwise) {
  previous <- if (isTRUE(.state$running)) .Call(.ffi$last_error, FALSE)
  tryCatch(expr, error = function(e) {
    if (isTRUE(.state$running)) {
      if (is.null(previous)) .Call(.ffi$last_error, TRUE)
      else .Call(.ffi$set_last_error, previous$exception,
                 if (length(previous$r_frames) == 3L) previous$r_frames)
    }
    otherwise
  })
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
  calls <- x$r_trace$call  # functions inlined in a call shown as `<fn>`
  if (!length(calls)) cat("    (no R frames: Python called from the top level)\n")
  for (i in seq_along(calls)) {
    text <- deparse(calls[[i]], nlines = 1L, width.cutoff = 70L)
    cat(sprintf("%4d. %s\n", i, text))
  }
  # as reticulate (NEWS 1.36): where the whole R call stack is
  cat("See `tandem::py_last_error()$r_trace$full_call` for more details.\n")
  invisible(x)
}

# An R trace in rlang's layout (what reticulate gives as py_last_error()$r_trace and an
# exception's `trace`), plus `full_call`, from the frames tandem records where an error
# crosses: list(calls, parents, functions) as sys.calls(), sys.parents() and
# sys.function() gave them. Built only when asked for: recording the frames is cheap,
# rlang::trace_back() at every crossing is not (2 ms at depth 20).
r_trace_from_frames <- function(frames) {
  calls <- as.list(frames$calls)
  n <- length(calls)
  parents <- as.integer(frames$parents)
  if (length(parents) != n) parents <- seq_len(n) - 1L
  parents[parents == seq_len(n)] <- 0L
  fns <- frames$functions
  if (length(fns) != n) fns <- vector("list", n)
  namespace <- scope <- rep(NA_character_, n)
  exports <- new.env(parent = emptyenv())
  for (i in seq_len(n)) {
    where <- frame_scope(calls[[i]], fns[[i]], exports)
    namespace[i] <- where[[1L]]
    scope[i] <- where[[2L]]
  }
  structure(
    list(call = lapply(calls, zap_inline_functions), parent = parents, visible = rep(TRUE, n),
         namespace = namespace, scope = scope, full_call = calls),
    row.names = .set_row_names(n), version = 2L,
    class = c("rlang_trace", "rlib_trace", "tbl", "data.frame")
  )
}

# Where the function of a frame lives, as rlang's traces say it: the namespace and "::"
# (exported), ":::" (internal) or "local" (defined inside a function of the namespace);
# "global" for a function of the global environment; NA otherwise.
frame_scope <- function(call, fn, exports) {
  if (!is.call(call)) return(c(NA_character_, NA_character_))
  head <- call[[1L]]
  if (is.call(head) && length(head) == 3L && as.character(head[[1L]])[1L] %in% c("::", ":::"))
    return(c(as.character(head[[2L]]), as.character(head[[1L]])))
  if (!is.symbol(head) || !is.function(fn) || is.primitive(fn)) return(c(NA_character_, NA_character_))
  env <- environment(fn)
  if (identical(env, globalenv())) return(c(NA_character_, "global"))
  top <- topenv(env)
  if (!isNamespace(top)) return(c(NA_character_, NA_character_))
  ns <- unname(getNamespaceName(top))
  if (is.null(exports[[ns]])) exports[[ns]] <- getNamespaceExports(top)
  name <- as.character(head)
  scope <- if (name %in% exports[[ns]]) "::" else if (exists(name, envir = top, inherits = FALSE)) ":::" else "local"
  c(ns, scope)
}

# A call with the function objects inlined in it (do.call(f, ...) puts them there)
# shown as `<fn>`, as rlang shows them.
zap_inline_functions <- function(call) {
  if (!is.call(call)) return(call)
  for (i in seq_along(call)) if (is.function(call[[i]])) call[[i]] <- as.name("<fn>")
  call
}

#' Python exceptions as R conditions
#'
#' As in reticulate (>= 1.38), a Python exception instance that reaches R, raised (the
#' condition a `tryCatch()` handler receives) or as a value (`py_eval("ValueError('x')")`,
#' the `exc_value` an `__exit__()` method stored, an item of a converted tuple), is one
#' object that is both an R condition and the Python object: a list with `message` and
#' `call` (the R call, or `NULL`), classed by the Python classes (`python.builtin.ValueError`,
#' ..., `python.builtin.BaseException`, `python.builtin.object`), then `"error"` (or
#' `"interrupt"` for `KeyboardInterrupt`) and `"condition"`. Its attribute `py_object` is
#' the Python object, so `conditionMessage()`, `conditionCall()`, `tryCatch()` and
#' `stop(e)` work as for any R condition, and `e$args`, `py_get_attr(e, "args")`,
#' `py_str(e)` and `r_to_py(e)` as for any Python object; `stop(e)` in R code that Python
#' called raises that same exception in Python. A raised exception also has the fields
#' `traceback` (the formatted Python traceback) and `py_exception` (the exception alone).
#' An R error that went through Python as `tandem.RError` comes back as the original R
#' condition (its fields and R classes) with the Python classes added.
#'
#' `e$name` and `e[["name"]]` give a field of the condition (`message`, `call`, and any
#' other field it has), else the Python attribute (converted as the object's `convert`
#' flag says; `NULL` when there is none). Assigning a field of the condition sets that
#' field; any other name sets the Python attribute, as in reticulate (so a method of an
#' exception class defined with [PyClass()] keeps `self$code <- code` on the instance).
#' An R object with a class (such as the `trace` rlang adds) is also kept as a field of
#' the condition, so that `e$name` gives it back unchanged, and a value Python refuses
#' becomes a field only.
#'
#' `e$trace` of an exception raised into R (one without a `trace` field or attribute of
#' its own) is, as in reticulate, the R trace where it arrived (or where the R error
#' behind it was signalled): a data frame of class `rlang_trace`, as `r_trace` in
#' [py_last_error()].
#'
#' @param x A Python exception (as an R condition).
#' @param name,i A field or attribute name.
#' @param value The value to assign.
#' @name python-exceptions
#' @examples
#' \dontrun{
#' e <- tryCatch(py_eval("1 / 0"), error = function(e) e)
#' conditionMessage(e)  # "ZeroDivisionError: division by zero"
#' e$args               # the Python attribute
#' v <- py_eval("ValueError('bad')")
#' inherits(v, "error")  # TRUE
#' }
NULL

# The fields of a condition list (not its Python attributes), or NULL.
condition_fields <- function(x) if (typeof(x) == "list") attr(x, "names", exact = TRUE)

#' @rdname python-exceptions
#' @export
`$.python.builtin.BaseException` <- function(x, name) {
  if (name %in% condition_fields(x)) return(.subset2(x, name))
  if (identical(name, "message")) return(exception_message(x))
  if (identical(name, "call") && typeof(x) != "list") {
    call <- .Call(.ffi$getattr, x, "call", TRUE, TRUE)
    return(if (is.null(call)) NULL else py_to_r(call))
  }
  ensure_python()
  value <- .Call(.ffi$getattr, x, name, TRUE, FALSE)
  if (is.null(value) && identical(name, "trace")) {
    frames <- attr(x, "r_frames", exact = TRUE)
    if (!is.null(frames)) value <- r_trace_from_frames(frames)
  }
  value
}

#' @rdname python-exceptions
#' @export
`[[.python.builtin.BaseException` <- function(x, i) {
  if (is.character(i) && length(i) == 1L) return(`$.python.builtin.BaseException`(x, i))
  if (typeof(x) == "list") return(.subset2(x, i))
  NextMethod()
}

#' @rdname python-exceptions
#' @export
`$<-.python.builtin.BaseException` <- function(x, name, value) {
  if (name %in% condition_fields(x)) return(set_condition_field(x, name, value))
  ensure_python()
  if (typeof(x) != "list") {
    .Call(.ffi$setattr, x, name, value)
    return(x)
  }
  # As reticulate, the Python attribute (a method's `self$code <- code`). An R object with
  # a class (rlang's `trace`), which conversion may not give back as it was, is also kept
  # as a field, and a value Python refuses is a field only.
  set <- py_probe({
    .Call(.ffi$setattr, x, name, value)
    TRUE
  }, FALSE)
  if (!set || (is.object(value) && !is_py_object(value))) x <- set_condition_field(x, name, value)
  x
}

set_condition_field <- function(x, name, value) {
  cls <- oldClass(x)
  x <- unclass(x)
  x[[name]] <- value
  class(x) <- cls
  x
}

#' @rdname python-exceptions
#' @export
`[[<-.python.builtin.BaseException` <- function(x, i, value) {
  if (is.character(i) && length(i) == 1L) return(`$<-.python.builtin.BaseException`(x, i, value))
  if (typeof(x) == "list") return(set_condition_field(x, i, value))
  NextMethod()
}

# The condition message of an exception handle that is not a condition list (the
# `py_object` of one), as the conditions have it: the exception as Python prints its last
# lines (traceback.format_exception_only()), without the final newline.
exception_message <- function(x) {
  tb <- import("traceback", convert = TRUE)
  lines <- unlist(tb$format_exception_only(py_get_attr(x, "__class__"), x))
  sub("\n+$", "", paste0(lines, collapse = ""))
}

#' @rdname python-exceptions
#' @param convert For `r_to_py()`: the `convert` flag of the result.
#' @details `r_to_py()` of an R error condition is, as in reticulate, the Python exception
#'   it becomes when it is raised into Python: a `tandem.RError` (a `RuntimeError`)
#'   carrying the condition (`.condition`), its classes (`.rclass`) and call (`.call`); an
#'   error that came from Python gives its original exception.
#' @export
r_to_py.error <- function(x, convert = FALSE) {
  ensure_python()
  exc <- .Call(.ffi$condition_to_py, x)
  py_set_convert(attr(exc, "py_object", exact = TRUE) %||% exc, convert)
}
