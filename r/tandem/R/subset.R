# subset.R: `[` and `[<-` on Python objects: Python's x[key] with reticulate's (>= 1.31)
# key syntax: indices as Python's (0-based), `a:b` as slices, missing as `:`, `..` as `...`.

#' Index Python objects with `[`
#'
#' `x[...]` is Python's `x[key]` (`__getitem__`), `x[...] <- value` is
#' `x[key] = value` (`__setitem__`), and `x[...] <- NULL` is `del x[key]`. Keys are
#' Python's, as they are written: indices start at 0 and negative ones count from the
#' end (there is no shift from R's 1-based indices). Several keys make a tuple, as in
#' NumPy's `x[i, j]`.
#'
#' | R | Python |
#' |---|---|
#' | `x[0]` | `x[0]` |
#' | `x[, 0]` | `x[:, 0]` (a missing key is a full slice) |
#' | `x[1:3]`, `` x[`1:3`] `` | `x[1:3]` (a slice, not R's sequence) |
#' | `x[NA:2]`, `` x[`:2`] `` | `x[:2]` |
#' | `x[2:NA]`, `` x[`2:`] `` | `x[2:]` |
#' | `x[NA:NA:2]`, `` x[`::2`] `` | `x[::2]` |
#' | `x[.., 1]`, `x[py_ellipsis(), 1]` | `x[..., 1]` |
#' | `x[NULL, 0]` | `x[None, 0]` (NumPy's `newaxis`) |
#' | `x[c(TRUE, FALSE, TRUE)]`, `x[mask]` | a boolean mask (NumPy) |
#' | `x["key"]` | `x["key"]` (an attribute of that name if there is no such item) |
#'
#' Slice bounds are evaluated in the calling environment (`x[i:(i + 2)]`); `NA` stands
#' for an omitted bound. Whole numbers become Python `int`s. Other values are converted
#' as arguments are (an R vector becomes a list: NumPy's fancy indexing).
#'
#' The result is converted to R when `x` converts (see [import()]); `py_get_item()`
#' always returns a Python object.
#'
#' For dictionaries, `d[key]` and `d[[key]]` are the item (`NULL`, or `None` without
#' conversion, when the key is missing) and `d[key] <- NULL` deletes it.
#'
#' @param x A Python object.
#' @param ... The key(s).
#' @param value The value to assign, or `NULL` to delete the item.
#' @return `[`: the item. `[<-`: `x`, changed in place (Python objects are references).
#' @name python-subset
#' @examples
#' \dontrun{
#' np <- import("numpy", convert = FALSE)
#' x <- np$arange(12L)$reshape(3L, 4L)
#' x[0]          # first row
#' x[, 1]        # second column
#' x[1:3, NA:NA:2]
#' x[0, 0] <- 100L
#' }
NULL

#' @rdname python-subset
#' @export
`[.python.builtin.object` <- function(x, ...) {
  check_live(x)
  key <- subset_key(eval(substitute(alist(...))), parent.frame())
  out <- if (inherits(key, "python.builtin.tuple") || !is.character(key)) {
    py_get_item(x, key)
  } else {
    item_or_attr(x, key)
  }
  if (.Call(.ffi$get_convert, x)) py_to_r(out) else out
}

#' @rdname python-subset
#' @export
`[<-.python.builtin.object` <- function(x, ..., value) {
  check_live(x)
  key <- subset_key(eval(substitute(alist(...))), parent.frame())
  if (is.null(value)) py_del_item(x, key) else py_set_item(x, key, value)
  x
}

#' @rdname python-subset
#' @export
`[.python.builtin.dict` <- function(x, ...) {
  check_live(x)
  keys <- list(...)
  key <- if (length(keys) == 1L) keys[[1]] else tuple(keys)
  dict_item(x, key)
}

#' @rdname python-subset
#' @export
`[<-.python.builtin.dict` <- function(x, ..., value) {
  check_live(x)
  keys <- list(...)
  key <- if (length(keys) == 1L) keys[[1]] else tuple(keys)
  if (is.null(value)) py_del_item(x, key) else py_set_item(x, key, value)
  x
}

check_live <- function(x) {
  ensure_python()
  if (py_is_null_xptr(x)) stale_object_error()
}

# A dict's item, or None (NULL when converting) for a missing key, as reticulate does;
# dict subclasses answer through their own __getitem__ (defaultdict adds the key).
dict_item <- function(x, key) {
  conv <- .Call(.ffi$get_convert, x)
  exact <- identical(class(x)[[1]], "python.builtin.dict")
  if (exact && !.Call(.ffi$contains, x, key)) return(if (conv) NULL else py_none())
  .Call(.ffi$getitem, x, key, FALSE, FALSE)
}

# x["name"]: the item when there is one, else the attribute of that name (reticulate's
# fallback, which packages rely on); without such an attribute, the item's error.
item_or_attr <- function(x, name) {
  if (py_has_attr(x, name)) {
    item <- if (py_has_attr(x, "__getitem__")) py_get_item(x, name, silent = TRUE)
    if (is.null(item)) py_get_attr(x, name) else item
  } else {
    py_get_item(x, name)
  }
}

# The Python key for the unevaluated arguments `args` of `[`.
subset_key <- function(args, envir) {
  keys <- lapply(args, subset_one_key, envir = envir)
  if (length(keys) == 1L) keys[[1L]] else tuple(keys)
}

subset_one_key <- function(arg, envir) {
  if (identical(arg, quote(expr = ))) return(py_slice())
  if (identical(arg, quote(..))) return(py_ellipsis())
  if (is_colon_call(arg)) {
    parts <- as.list(arg)[-1L]
    if (is_colon_call(parts[[1L]])) parts <- c(as.list(parts[[1L]])[-1L], parts[-1L])  # a:b:c
    return(slice_from(lapply(parts, eval, envir = envir)))
  }
  if (is.symbol(arg) && grepl(":", as.character(arg), fixed = TRUE)) {
    # `1:3`, `::2`, `:n`: the bounds are R expressions, empty ones omitted
    parts <- strsplit(as.character(arg), ":", fixed = TRUE)[[1L]]
    if (endsWith(as.character(arg), ":")) parts <- c(parts, "")
    vals <- lapply(parts, function(p) if (nzchar(trimws(p))) eval(str2lang(p), envir) else NULL)
    return(slice_from(vals))
  }
  value <- eval(arg, envir)
  if (is.numeric(value) && length(value) == 1L && !is.object(value) && is.null(dim(value)) &&
      is.finite(value) && value == trunc(value)) {
    value <- if (abs(value) >= .Machine$integer.max) py_int(value) else as.integer(value)
  }
  value
}

is_colon_call <- function(x) is.call(x) && identical(x[[1L]], quote(`:`))

slice_from <- function(parts) {
  if (!length(parts) %in% 1:3) {
    stop("A Python slice takes 1, 2 or 3 values (`start:stop:step`).", call. = FALSE)
  }
  parts <- lapply(parts, function(p) {
    if (is.null(p) || (is.atomic(p) && length(p) == 1L && is.na(p))) return(NULL)
    if (is.numeric(p) && length(p) == 1L && is.finite(p) && p == trunc(p)) {
      return(if (abs(p) >= .Machine$integer.max) py_int(p) else as.integer(p))
    }
    p
  })
  do.call(py_slice, unname(parts))
}

py_slice <- function(...) {
  args <- list(...)
  if (!length(args)) args <- list(NULL)
  bt <- import_builtins(convert = FALSE)
  do.call(py_call, c(list(bt$slice), unname(args)))
}

py_int <- function(x) {
  bt <- import_builtins(convert = FALSE)
  py_call_value(bt$int, format(x, scientific = FALSE, digits = 22))
}
