# methods.R: S3 methods that make Python handles behave like R objects.

#' @importFrom utils .DollarNames str
NULL

#' Python objects in R
#'
#' Handles to Python objects carry the Python class hierarchy as their class vector
#' (e.g. `c("numpy.ndarray", "python.builtin.object")`), so S3 dispatch and
#' `tryCatch()` work on Python types. `x$name` and `x[["name"]]` get attributes (for
#' dictionaries, items), `x$name <- value` sets them; Python callables are R functions
#' (named arguments become keywords); arithmetic and comparison operators use Python's.
#' Lists and tuples are indexed 1-based by `[[`.
#'
#' @param x,e1,e2 Python objects (or R values for the other operand).
#' @param name,i An attribute name or key.
#' @param value The value to assign.
#' @param pattern For `.DollarNames()`: a regular expression for completion.
#' @param object For `str()`.
#' @param ... Unused.
#' @name python-objects
NULL

#' @rdname python-objects
#' @export
`$.python.builtin.object` <- function(x, name) .Call(.ffi$getattr, x, name, FALSE, FALSE)

#' @rdname python-objects
#' @export
`$.python.builtin.module` <- function(x, name) .Call(.ffi$getattr, x, name, FALSE, FALSE)

#' @rdname python-objects
#' @export
`$.tandem_delayed_module` <- function(x, name) {
  ensure_python()
  .Call(.ffi$getattr, x, name, FALSE, FALSE)
}

#' @rdname python-objects
#' @export
`$.python.builtin.dict` <- function(x, name) {
  if (.Call(.ffi$contains, x, name)) .Call(.ffi$getitem, x, name, FALSE, FALSE)
  else .Call(.ffi$getattr, x, name, FALSE, FALSE)
}

index_key <- function(x, i) {
  if (is.numeric(i) && length(i) == 1L && !is_py_object(i) &&
      (inherits(x, "python.builtin.list") || inherits(x, "python.builtin.tuple"))) {
    if (is.na(i) || i != trunc(i)) stop(sprintf("`i` must be a whole number, not `%s`.", format(i)), call. = FALSE)
    if (i >= 1) return(as.integer(i - 1))
    if (i < 0) return(as.integer(i))
    stop("`i` must not be 0: Python lists are indexed from 1 with `[[`.", call. = FALSE)
  }
  i
}

#' @rdname python-objects
#' @export
`[[.python.builtin.object` <- function(x, i) {
  if (is.character(i) && length(i) == 1L && !inherits(x, "python.builtin.dict")) {
    if (inherits(x, "tandem_delayed_module")) ensure_python()
    return(.Call(.ffi$getattr, x, i, FALSE, FALSE))
  }
  .Call(.ffi$getitem, x, index_key(x, i), FALSE, FALSE)
}

#' @rdname python-objects
#' @export
`$<-.python.builtin.object` <- function(x, name, value) {
  ensure_python()
  if (inherits(x, "python.builtin.dict")) .Call(.ffi$setitem, x, name, value)
  else .Call(.ffi$setattr, x, name, value)
  x
}

#' @rdname python-objects
#' @export
`[[<-.python.builtin.object` <- function(x, i, value) {
  ensure_python()
  if (is.character(i) && length(i) == 1L && !inherits(x, "python.builtin.dict")) .Call(.ffi$setattr, x, i, value)
  else .Call(.ffi$setitem, x, index_key(x, i), value)
  x
}

#' @rdname python-objects
#' @export
print.python.builtin.object <- function(x, ...) {
  ensure_python()
  if (py_is_null_xptr(x)) cat("<pointer: 0x0>\n") else cat(py_repr(x), "\n", sep = "")
  invisible(x)
}

#' @rdname python-objects
#' @export
format.python.builtin.object <- function(x, ...) {
  ensure_python()
  if (py_is_null_xptr(x)) "<pointer: 0x0>" else py_str(x)
}

#' @rdname python-objects
#' @export
as.character.python.builtin.object <- function(x, ...) format.python.builtin.object(x)

#' @rdname python-objects
#' @export
str.python.builtin.object <- function(object, ...) {
  ensure_python()
  cat(if (py_is_null_xptr(object)) "<pointer: 0x0>" else py_repr(object), "\n", sep = "")
  invisible(NULL)
}

#' @rdname python-objects
#' @export
length.python.builtin.object <- function(x) {
  if (!py_available()) return(0L)
  if (py_is_null_xptr(x)) return(0L)
  py_length_or_bool(x)  # array.R: reticulate's rule (None is 0)
}

#' @rdname python-objects
#' @export
names.python.builtin.object <- function(x) {
  if (!py_available() && !inherits(x, "tandem_delayed_module")) return(NULL)
  ensure_python()
  nms <- py_list_attributes(x)
  nms[!startsWith(nms, "_")]
}

#' @rdname python-objects
#' @export
names.python.builtin.dict <- function(x) {
  keys <- py_to_r(py_call(import_builtins(convert = FALSE)$list, x))
  vapply(keys, function(k) if (is.character(k)) k else py_str(r_to_py(k)), character(1), USE.NAMES = FALSE)
}

#' @rdname python-objects
#' @export
.DollarNames.python.builtin.object <- function(x, pattern = "") {
  nms <- tryCatch(names(x), error = function(e) character())
  nms[grepl(pattern, nms)]
}

#' @rdname python-objects
#' @export
Ops.python.builtin.object <- function(e1, e2) {
  if (missing(e2)) return(.Call(.ffi$op, .Generic, e1, NULL, TRUE))
  .Call(.ffi$op, .Generic, e1, e2, FALSE)
}
