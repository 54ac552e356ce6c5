# with.R: context managers and iteration.

#' Use a Python context manager
#'
#' `with(ctx %as% name, expr)` enters the context manager, binds the value of
#' `__enter__()` to `name` in the calling environment, evaluates `expr`, then calls
#' `__exit__()`, passing on an error as reticulate does (a Python exception as itself,
#' an R error as the `tandem.RError` it becomes in Python, carrying the R condition, its
#' classes and call; an interrupt as `KeyboardInterrupt`); the error is re-raised unless
#' `__exit__()` suppresses it (an interrupt always is).
#'
#' @param data A Python context manager (optionally `%as%` a name).
#' @param expr The R code to run inside the context.
#' @param as The name to bind (alternative to `%as%`), a string or a bare name.
#' @param object,name For `%as%`: the context manager and the (unquoted) name.
#' @param ... Unused.
#' @return The value of `expr`, visible when `expr`'s value is (`with(f, x <- 1)` prints
#'   nothing).
#' @export
#' @examples
#' \dontrun{
#' tape <- import("tensorflow")$GradientTape()
#' with(tape %as% t, x <- 1)
#' }
with.python.builtin.object <- function(data, expr, as = NULL, ...) {
  ensure_python()
  name <- if (!missing(as)) gsub("\"", "", deparse(substitute(as))) else attr(data, "as", exact = TRUE)
  value <- py_call_value(py_get_attr(data, "__enter__"))
  if (!is.null(name)) assign(name, value, envir = parent.frame())
  exit <- py_get_attr(data, "__exit__")
  # The condition is boxed: a value of `expr` may be a condition itself (a Python
  # exception instance is one).
  failed <- function(e) structure(list(e), class = "tandem_with_failure")
  result <- tryCatch(withVisible(expr), error = failed, interrupt = failed)
  if (inherits(result, "tandem_with_failure")) {
    result <- result[[1]]
    # As reticulate: the Python exception itself, or the R error as the exception it
    # becomes in Python (tandem.RError carrying the condition), or KeyboardInterrupt.
    exc <- .Call(.ffi$condition_to_py, result)
    suppressed <- py_call_value(exit, py_get_attr(exc, "__class__"), exc, py_get_attr(exc, "__traceback__"))
    if (!isTRUE(suppressed) || inherits(result, "interrupt")) stop(result)
    return(invisible(NULL))
  }
  py_call_value(exit, NULL, NULL, NULL)
  # as reticulate: the value of `expr`, printed when `expr`'s value would be
  if (result$visible) result$value else invisible(result$value)
}

#' @rdname with.python.builtin.object
#' @export
`%as%` <- function(object, name) {
  attr(object, "as") <- deparse(substitute(name))
  object
}

#' Iterate over Python iterables
#'
#' `as_iterator()` returns a Python iterator for an iterable; `iter_next()` returns its
#' next item, or `completed` when it is exhausted; `iterate()` applies `f` to every item
#' and returns the results.
#'
#' @param x,it A Python iterable / iterator.
#' @param f A function applied to each item.
#' @param simplify If `TRUE`, results that are all length-one atomic values are
#'   returned as a vector.
#' @param completed The value returned by `iter_next()` at the end.
#' @return `iterate()`: the results of `f`, invisibly (as reticulate), a list or, simplified,
#'   a vector.
#' @export
iterate <- function(it, f = base::identity, simplify = TRUE) {
  check_py(it, "it")
  iterator <- as_iterator(it)
  done <- new.env()
  out <- list()
  repeat {
    item <- iter_next(iterator, completed = done)
    if (identical(item, done)) break
    out[length(out) + 1L] <- list(f(item))  # keeps NULL (None) items
  }
  # As reticulate: simplified only when every item is a length-1 vector of one atomic type.
  if (simplify && length(out)) {
    type <- typeof(out[[1]])
    same <- type %in% c("logical", "integer", "double", "complex", "character") &&
      all(vapply(out, function(v) typeof(v) == type && length(v) == 1L, logical(1)))
    if (same) return(invisible(unlist(out)))
  }
  invisible(out)  # as reticulate: iterate(it, print) prints the items only
}

#' @rdname iterate
#' @export
as_iterator <- function(x) {
  check_py(x)
  .Call(.ffi$iter, x)
}

#' @rdname iterate
#' @export
iter_next <- function(it, completed = NULL) {
  check_py(it, "it")
  .Call(.ffi$iter_next, it, completed)
}
