# convert.R: the r_to_py()/py_to_r() generics and containers built on purpose.

#' Convert between R and Python
#'
#' `r_to_py()` converts an R value to a Python object (by tandem's conversion table);
#' `py_to_r()` converts a Python object to R. Both are S3 generics: a package adds
#' methods `r_to_py.<R class>` and `py_to_r.<Python class>` (for example
#' `py_to_r.collections.OrderedDict`), and these win over tandem's own conversions,
#' also inside calls.
#'
#' @section 64-bit integers:
#' `bit64::integer64` vectors become NumPy int64 arrays: a read-only view of R's memory
#' when no value is `NA`, else a `numpy.ma.MaskedArray` with `NA` masked (length 1 without
#' `dim`: a Python `int`, `NA` as `None`). NumPy int64 and uint64 arrays, and Python ints
#' beyond 2^53, come back as doubles when every value is exact, else as an error naming
#' the first inexact value. With `options(tandem.int64 = "integer64")` (bit64 must be
#' installed) int64 and uint64 arrays always come back as `bit64::integer64`, and so do
#' Python ints beyond 2^53.
#'
#' @param x The value.
#' @param convert For `r_to_py()`: the `convert` flag of the returned handle.
#' @return `r_to_py()`: a Python object. `py_to_r()`: an R value (handles without a
#'   converter are returned as they are).
#' @export
r_to_py <- function(x, convert = FALSE) UseMethod("r_to_py")

#' @rdname r_to_py
#' @export
r_to_py.default <- function(x, convert = FALSE) {
  ensure_python()
  h <- .Call(.ffi$r_to_py, x, FALSE)
  if (isTRUE(convert)) .Call(.ffi$set_convert, h, TRUE) else h
}

#' @rdname r_to_py
#' @export
py_to_r <- function(x) UseMethod("py_to_r")

#' @rdname r_to_py
#' @export
py_to_r.default <- function(x) {
  if (!is_py_object(x)) return(x)
  ensure_python()  # a method's NextMethod() before tandem's R side started (Python hosts R)
  .Call(.ffi$py_to_r, x)
}

#' Python tuples and dictionaries
#'
#' @param ... Values (for `dict()`, named: the names are the keys). A single unnamed
#'   list is taken as the values. As in reticulate, a name made of digits is an int key
#'   (`dict("0" = 1)` is `{0: 1.0}`), and a name of a hashable Python object in the
#'   calling frame itself (not for a single list) makes that object the key.
#' @param convert The `convert` flag of the result.
#' @return A Python `tuple` or `dict`.
#' @export
#' @examples
#' \dontrun{
#' tuple(1L, "a")
#' dict(a = 1, b = 2)
#' }
tuple <- function(..., convert = FALSE) {
  values <- list(...)
  if (length(values) == 1L && is.null(names(values)) && is.list(values[[1]]) && !is.object(values[[1]])) {
    values <- values[[1]]
  }
  ensure_python()
  h <- .Call(.ffi$tuple, unname(values))
  if (isTRUE(convert)) py_set_convert(h, TRUE) else h
}

#' @rdname tuple
#' @param keys,values Alternatively, lists of keys (any values convertible to Python,
#'   e.g. tuples) and values.
#' @export
dict <- function(..., keys = NULL, values = NULL, convert = FALSE) {
  ensure_python()
  if (!is.null(keys) || !is.null(values)) {
    return(.Call(.ffi$dict, as.list(keys), as.list(values), convert))
  }
  args <- list(...)
  scan_frame <- TRUE
  if (length(args) == 1L && is.null(names(args)) && is.list(args[[1]])) {
    args <- args[[1]]
    scan_frame <- FALSE
  }
  nms <- names(args)
  if (length(args) && (is.null(nms) || any(is.na(nms) | !nzchar(nms)))) {
    stop("every argument of `dict()` must be named (names are the keys).", call. = FALSE)
  }
  dup <- unique(nms[duplicated(nms)])
  if (length(dup)) {
    stop(sprintf("the names of `dict()`'s arguments are its keys and must be unique: %s %s given more than once.",
                 paste0("`", dup, "`", collapse = ", "), if (length(dup) > 1) "are" else "is"), call. = FALSE)
  }
  keys <- dict_keys(nms, if (scan_frame) parent.frame())
  d <- .Call(.ffi$dict, keys, unname(args), convert)
  if (py_len(d) != length(args)) {
    stop("the names of `dict()`'s arguments give the same key more than once (names of digits ",
         "are int keys, so \"1\" and \"01\" are both 1): ", paste0("`", nms, "`", collapse = ", "), ".",
         call. = FALSE)
  }
  d
}

# The keys that dict()'s names stand for, as reticulate makes them: a name of a (hashable)
# Python object in the calling frame itself (for `dict(...)`, not for a single list; not
# in enclosing frames, as reticulate looks, so a global `x` never turns the key "x" of
# some function's dict into an object) is that object;
# a name of digits is an int key (class_weight = dict("0" = 1, "1" = 2)); others are str.
dict_keys <- function(nms, frame) {
  lapply(nms, function(name) {
    # Only a hashable one: an array or tensor of that name cannot be a key, and the name
    # is meant (dict(a = c(1, 2)) with a NumPy array `a` around).
    key <- if (!is.null(frame)) get0(name, envir = frame, inherits = FALSE)
    if (is_py_object(key) && py_hashable(key)) return(key)
    if (grepl("^[0-9]+$", name)) {
      if (nchar(name) <= 9L) return(as.integer(name))
      return(py_call_value(import_builtins(convert = FALSE)$int, name))  # beyond R's integers
    }
    name
  })
}

# Matrix's other sparse classes, as reticulate converts them: dgRMatrix -> scipy CSR,
# dgTMatrix -> COO, dsCMatrix (symmetric) -> CSC of the full matrix (dgCMatrix is in the core).
sparse_parts <- function(x, slots) {
  np <- import("numpy", convert = FALSE)
  lapply(slots, function(s) np_array(methods::slot(x, s)))
}

#' @export
r_to_py.dgRMatrix <- function(x, convert = FALSE) {
  sp <- import("scipy.sparse", convert = FALSE)
  parts <- sparse_parts(x, c("x", "j", "p"))
  m <- sp$csr_matrix(tuple(parts[[1]], parts[[2]], parts[[3]]), shape = tuple(x@Dim[[1]], x@Dim[[2]]))
  if (isTRUE(convert)) py_set_convert(m, TRUE) else m
}

#' @export
r_to_py.dgTMatrix <- function(x, convert = FALSE) {
  sp <- import("scipy.sparse", convert = FALSE)
  parts <- sparse_parts(x, c("x", "i", "j"))
  m <- sp$coo_matrix(tuple(parts[[1]], tuple(parts[[2]], parts[[3]])), shape = tuple(x@Dim[[1]], x@Dim[[2]]))
  if (isTRUE(convert)) py_set_convert(m, TRUE) else m
}

#' @export
r_to_py.dsCMatrix <- function(x, convert = FALSE) {
  r_to_py(methods::as(x, "generalMatrix"), convert = convert)
}

py_hashable <- function(x) {
  isTRUE(py_probe({
    py_call_value(import_builtins(convert = FALSE)$hash, x)
    TRUE
  }, FALSE))
}
