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
#' `x[[i]]` with a number is Python's `x[i]` (0-based, as in reticulate); with a string
#' it is the item of that name, else the attribute. For dictionaries, `d$key`, `d[[key]]`
#' and `d[key]` are the item (`NULL` when missing) and assigning `NULL` deletes it.
#' `names()` lists the public attributes, or a dictionary's keys, sorted and without those
#' starting with `_`, as reticulate (`py_to_r()` keeps a dictionary's own order). See
#' [python-subset] for `[`. Python exception instances are R conditions (lists) that are
#' also the Python object: see [python-exceptions].
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
#' @details `as.environment()` of a Python object (module, dict, callable, any object)
#'   is, as in reticulate, an environment standing for the object: it has the object's
#'   classes, so `$`, calls into tandem and S3 methods treat it as the object, and it
#'   holds the bindings `py_object` (the object) and `convert` (its conversion flag;
#'   assigning it changes the flag of the environment's object).
#' @export
as.environment.python.builtin.object <- function(x) {
  if (is.environment(x)) return(x)  # a delay-loaded module proxy, or one made here
  env <- new.env(parent = emptyenv())
  assign("py_object", x, envir = env)
  makeActiveBinding("convert", function(value) {
    if (missing(value)) return(py_get_convert(get("py_object", envir = env)))
    assign("py_object", py_set_convert(get("py_object", envir = env), value), envir = env)
  }, env)
  class(env) <- class(x)
  env
}

#' @rdname python-objects
#' @export
`$.python.builtin.module` <- function(x, name) {
  value <- .Call(.ffi$getattr, x, name, TRUE, FALSE)
  if (is.null(value) && !.Call(.ffi$hasattr, x, name)) {
    # a submodule not imported yet (`import("xml")$dom`), as reticulate finds it
    sub <- py_probe(import(paste(py_to_r(py_get_attr(x, "__name__")), name, sep = "."), convert = .Call(.ffi$get_convert, x)),
                    NULL)
    if (!is.null(sub)) return(sub)
    return(.Call(.ffi$getattr, x, name, FALSE, FALSE))  # the AttributeError
  }
  value
}

#' @rdname python-objects
#' @export
`$.tandem_delayed_module` <- function(x, name) {
  ensure_python()
  `$.python.builtin.module`(x, name)
}

#' @rdname python-objects
#' @export
`$.python.builtin.dict` <- function(x, name) {
  # reticulate's order: an attribute (a method such as `keys`), else the item, else NULL
  attr <- .Call(.ffi$getattr, x, name, TRUE, TRUE)
  if (is.null(attr)) return(dict_item(x, name))
  if (.Call(.ffi$get_convert, x)) py_to_r(attr) else attr
}

#' @rdname python-objects
#' @export
`[[.python.builtin.dict` <- function(x, i) {
  check_live(x)
  dict_item(x, i)
}

# A whole number given to `[[` is a Python index (0-based, as in reticulate).
index_key <- function(i) {
  if (is.numeric(i) && length(i) == 1L && !is.object(i) && is.finite(i) && i == trunc(i)) {
    return(if (abs(i) >= .Machine$integer.max) py_int(i) else as.integer(i))
  }
  i
}

#' @rdname python-objects
#' @export
`[[.python.builtin.object` <- function(x, i) {
  if (inherits(x, "tandem_delayed_module")) ensure_python()
  if (is.character(i) && length(i) == 1L) {
    out <- item_or_attr(x, i)
    return(if (.Call(.ffi$get_convert, x)) py_to_r(out) else out)
  }
  .Call(.ffi$getitem, x, index_key(i), FALSE, FALSE)
}

#' @rdname python-objects
#' @export
`$<-.python.builtin.object` <- function(x, name, value) {
  ensure_python()
  .Call(.ffi$setattr, x, name, value)
  x
}

#' @rdname python-objects
#' @export
`$<-.python.builtin.dict` <- function(x, name, value) {
  check_live(x)
  if (is.null(value)) py_del_item(x, name) else py_set_item(x, name, value)
  x
}

#' @rdname python-objects
#' @export
`[[<-.python.builtin.dict` <- `$<-.python.builtin.dict`

#' @rdname python-objects
#' @export
`[[<-.python.builtin.object` <- function(x, i, value) {
  ensure_python()
  if (is.character(i) && length(i) == 1L) .Call(.ffi$setattr, x, i, value)
  else .Call(.ffi$setitem, x, index_key(i), value)
  x
}

#' @rdname python-objects
#' @export
print.python.builtin.object <- function(x, ...) {
  if (is_unloaded_proxy(x) || !py_available() || py_is_null_xptr(x)) {
    writeLines(format(x))
    return(invisible(x))
  }
  writeLines(c(py_repr(x), format_signature(x)))
  invisible(x)
}

# " signature: (a, b=1)" for callables (reticulate prints it under the repr; long ones
# one parameter per line).
format_signature <- function(x) {
  if (!is.function(x)) return(NULL)
  # an R object held by Python is callable in Python, but only an R function has a signature
  if (inherits(x, "tandem._core.RObject") && !is.function(py_to_r(x))) return(NULL)
  sig <- tryCatch(py_to_r(py_call_value(import("tandem._help", convert = FALSE)$print_signature, x)),
                  error = function(e) "")
  paste0(" signature: ", if (nzchar(sig)) sig else "(?)")
}

print_via_format <- function(x, ...) {
  writeLines(format(x, ...))
  invisible(x)
}

#' @rdname python-objects
#' @export
print.python.builtin.module <- print_via_format

#' @rdname python-objects
#' @export
print.python.builtin.list <- print_via_format

#' @rdname python-objects
#' @export
print.python.builtin.tuple <- print_via_format

#' @rdname python-objects
#' @export
print.python.builtin.dict <- print_via_format

#' @rdname python-objects
#' @export
print.python.builtin.bytearray <- print_via_format

#' @rdname python-objects
#' @export
format.python.builtin.object <- function(x, ...) {
  if (is_unloaded_proxy(x)) return(paste0("Module(", proxy_field(x, "name"), ")"))
  if (!py_available() || py_is_null_xptr(x)) return("<pointer: 0x0>")
  gsub(" object at 0x\\w{4,}", "", py_str(x))
}

#' @rdname python-objects
#' @export
as.character.python.builtin.object <- function(x, ...) py_str(x)

#' @rdname python-objects
#' @export
str.python.builtin.object <- function(object, ...) {
  # as reticulate: py_str(), the address kept (format() and print() drop it)
  text <- if (is_unloaded_proxy(object) || !py_available() || py_is_null_xptr(object)) format(object) else py_str(object)
  cat(text, "\n", sep = "")
  invisible(NULL)
}

#' @rdname python-objects
#' @export
summary.python.builtin.object <- function(object, ...) str(object)

#' @rdname python-objects
#' @export
length.python.builtin.object <- function(x) {
  if (!py_available() || is_unloaded_proxy(x)) return(0L)
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
  keys <- py_to_r(py_call_value(import_builtins(convert = FALSE)$list, x))
  keys <- vapply(keys, function(k) if (is.character(k)) k else py_str(r_to_py(k)), character(1), USE.NAMES = FALSE)
  keys <- keys[!startsWith(keys, "_")]  # as reticulate: private keys (`__name__`, ...) are left out
  keys[order(keys)]  # and sorted, as reticulate's names() (its completion list)
}

#' @rdname python-objects
#' @export
.DollarNames.python.builtin.object <- function(x, pattern = "") {
  nms <- py_probe(names(x), character())
  nms[grepl(pattern, nms)]
}

#' @rdname python-objects
#' @export
Ops.python.builtin.object <- function(e1, e2) {
  if (missing(e2)) return(.Call(.ffi$op, .Generic, e1, NULL, TRUE))
  .Call(.ffi$op, .Generic, e1, e2, FALSE)
}

#' Python strings and bytes as R strings
#'
#' `as.character()` of a Python `str` is the R string. Python strings may hold embedded
#' NUL characters, which R strings cannot: by default that is an error; `nul = "<NUL>"`
#' replaces each NUL, `nul = ""` removes them, and `nul = NULL` splits the string at
#' them (giving several strings). For `bytes`, the bytes are decoded first
#' (`encoding`, `errors` as in Python's `bytes.decode()`); `as.raw()` gives the bytes
#' as an R raw vector.
#'
#' @param x A Python `str` or `bytes` object.
#' @param nul What to do with embedded NULs (see above).
#' @param encoding,errors For `bytes`: the encoding and the error policy (`"strict"`,
#'   `"ignore"`, `"replace"`).
#' @param ... Unused.
#' @return A character vector (length 1 unless `nul = NULL`), or a raw vector.
#' @name python-strings
#' @examples
#' \dontrun{
#' s <- py_eval("'a b' + chr(0) + 'c d'", convert = FALSE)
#' as.character(s, nul = "<NUL>")
#' as.character(s, nul = NULL)
#' }
NULL

#' @rdname python-strings
#' @export
as.character.python.builtin.str <- function(x, nul = stop("Embedded NUL in string."), ...) {
  if (missing(nul)) return(py_str(x))
  split_or_replace_nul(x, nul)
}

#' @rdname python-strings
#' @export
as.character.python.builtin.bytes <- function(x, encoding = "utf-8", errors = "strict",
                                              nul = stop("Embedded NUL in string."), ...) {
  s <- py_call_value(py_get_attr(x, "decode"), encoding = encoding, errors = errors)
  if (missing(nul)) return(py_to_r(s))
  split_or_replace_nul(s, nul)
}

#' @rdname python-strings
#' @export
as.raw.python.builtin.bytes <- function(x) {
  py_to_r(py_call_value(import_builtins(convert = FALSE)$bytearray, x))
}

split_or_replace_nul <- function(s, nul) {
  zero <- py_call_value(import_builtins(convert = FALSE)$chr, 0L)
  if (is.null(nul)) return(as.character(py_to_r(py_call_value(py_get_attr(s, "split"), zero))))
  py_to_r(py_call_value(py_get_attr(s, "replace"), zero, as.character(nul)))
}

#' @rdname python-objects
#' @param limit For a traceback: how many frames (all when `NULL`).
#' @export
format.python.builtin.traceback <- function(x, ..., limit = NULL) {
  py_to_r(py_call_value(import("traceback", convert = FALSE)$format_tb, x, limit))
}
