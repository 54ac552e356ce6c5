# python.R: modules, code, calls and the object functions (reticulate's names and meanings).

check_string <- function(x, arg) {
  if (!is.character(x) || length(x) != 1L || is.na(x)) {
    stop(sprintf("`%s` must be a single string, not %s.", arg, describe(x)), call. = FALSE)
  }
}
check_flag <- function(x, arg) {
  if (!is.logical(x) || length(x) != 1L || is.na(x)) {
    stop(sprintf("`%s` must be `TRUE` or `FALSE`, not %s.", arg, describe(x)), call. = FALSE)
  }
}
check_py <- function(x, arg = "x") {
  if (!is_py_object(x)) {
    stop(sprintf("`%s` must be a Python object, not %s.", arg, describe(x)), call. = FALSE)
  }
}
describe <- function(x) {
  if (is.null(x)) return("`NULL`")
  if (is_py_object(x)) return(paste0("a Python `", class(x)[[1]], "`"))
  if (is.atomic(x) && length(x) == 1L) return(paste0("`", format(x), "`"))
  paste0("a ", if (is.object(x)) class(x)[[1]] else typeof(x), " of length ", length(x))
}

delayed_module <- function(name, convert) {
  env <- new.env(parent = emptyenv())
  env$name <- name
  env$convert <- convert
  env$resolve <- function() {
    m <- import(name, convert = convert)
    assign("module", m, envir = env)
    m
  }
  class(env) <- c("tandem_delayed_module", "python.builtin.module", "python.builtin.object")
  env
}

#' Import a Python module
#'
#' @param module The module name, e.g. `"numpy"` or `"os.path"`.
#' @param as Unused; kept for compatibility with reticulate.
#' @param convert If `TRUE` (the default), values returned by the module's functions
#'   and attributes are converted to R; if `FALSE` they stay Python objects.
#' @param delay_load If `TRUE`, the module is imported on first use.
#' @return The module, a Python object.
#' @export
#' @examples
#' \dontrun{
#' math <- import("math")
#' math$sqrt(2)
#' }
import <- function(module, as = NULL, convert = TRUE, delay_load = FALSE) {
  check_string(module, "module")
  check_flag(convert, "convert")
  if (!isFALSE(delay_load)) return(delayed_module(module, convert))
  ensure_python()
  .Call(.ffi$import, module, convert)
}

#' @rdname import
#' @export
import_builtins <- function(convert = TRUE) {
  check_flag(convert, "convert")
  ensure_python()
  .Call(.ffi$builtins, convert)
}

#' @rdname import
#' @export
import_main <- function(convert = TRUE) {
  check_flag(convert, "convert")
  ensure_python()
  .Call(.ffi$main, convert)
}

#' The Python main module
#'
#' `py` is Python's `__main__` module, imported on first use: `py$x` reads the Python
#' global `x`, `py$x <- 1` sets it.
#' @format A Python module (delay-loaded).
#' @export
py <- NULL

#' Run Python code
#'
#' `py_run_string()` executes statements, `py_run_file()` a script, both in the
#' `__main__` module's namespace (or a fresh one with `local = TRUE`); `py_eval()`
#' evaluates one expression and returns its value.
#'
#' @param code Python code, a single string.
#' @param file Path of a Python script.
#' @param local If `TRUE`, run in a fresh dictionary instead of `__main__`'s.
#' @param convert If `TRUE`, convert the result to R.
#' @return `py_eval()`: the value. `py_run_string()`/`py_run_file()`: invisibly, the
#'   dictionary the code ran in (with `local = TRUE`), else `NULL`.
#' @export
#' @examples
#' \dontrun{
#' py_run_string("x = [1, 2, 3]")
#' py$x
#' py_eval("1 + 1")
#' }
py_run_string <- function(code, local = FALSE, convert = TRUE) {
  check_string(code, "code")
  check_flag(local, "local")
  check_flag(convert, "convert")
  ensure_python()
  invisible(.Call(.ffi$run, code, 1L, local, convert, "<string>"))
}

#' @rdname py_run_string
#' @export
py_run_file <- function(file, local = FALSE, convert = TRUE) {
  check_string(file, "file")
  if (!file.exists(file)) stop(sprintf("`file` does not exist: '%s'.", file), call. = FALSE)
  code <- paste(readLines(file, encoding = "UTF-8", warn = FALSE), collapse = "\n")
  ensure_python()
  invisible(.Call(.ffi$run, code, 1L, local, convert, normalizePath(file)))
}

#' @rdname py_run_string
#' @export
py_eval <- function(code, convert = TRUE) {
  check_string(code, "code")
  check_flag(convert, "convert")
  ensure_python()
  .Call(.ffi$run, code, 0L, FALSE, convert, "<string>")
}

#' Call a Python callable
#'
#' @param x A Python callable.
#' @param ... Arguments; named ones are passed as keywords.
#' @return The result, converted to R if `x` converts.
#' @export
py_call <- function(x, ...) .External(.ffi$call, x, ...)  # the core checks `x`

#' Attributes of Python objects
#'
#' @param x A Python object.
#' @param name The attribute's name.
#' @param silent If `TRUE`, a missing attribute gives `NULL` instead of an error.
#' @param value The new value (converted to Python).
#' @return `py_get_attr()`: the attribute as a Python object. `py_has_attr()`: a
#'   logical. `py_set_attr()`/`py_del_attr()`: `x`, invisibly.
#' @export
py_get_attr <- function(x, name, silent = FALSE) {
  check_py(x)
  .Call(.ffi$getattr, x, name, silent, TRUE)
}

#' @rdname py_get_attr
#' @export
py_set_attr <- function(x, name, value) {
  check_py(x)
  invisible(.Call(.ffi$setattr, x, name, value))
}

#' @rdname py_get_attr
#' @export
py_has_attr <- function(x, name) {
  check_py(x)
  .Call(.ffi$hasattr, x, name)
}

#' @rdname py_get_attr
#' @export
py_del_attr <- function(x, name) {
  check_py(x)
  invisible(.Call(.ffi$delattr, x, name))
}

#' Items of Python objects
#'
#' `py_get_item(x, key)` is `x[key]` in Python; keys are converted to Python as they
#' are (no 1-based shift).
#'
#' @param x A Python object.
#' @param key The key (converted to Python).
#' @param silent If `TRUE`, a missing key gives `NULL` instead of an error.
#' @param value The new value.
#' @return `py_get_item()`: the item as a Python object; the others `x`, invisibly.
#' @export
py_get_item <- function(x, key, silent = FALSE) {
  check_py(x)
  .Call(.ffi$getitem, x, key, silent, TRUE)
}

#' @rdname py_get_item
#' @export
py_set_item <- function(x, key, value) {
  check_py(x)
  invisible(.Call(.ffi$setitem, x, key, value))
}

#' @rdname py_get_item
#' @export
py_del_item <- function(x, key) {
  check_py(x)
  invisible(.Call(.ffi$delitem, x, key))
}

#' Python builtins on Python objects
#'
#' `py_len()` is `len()`, `py_str()` is `str()`, `py_repr()` is `repr()`, `py_bool()` is
#' `bool()`, `py_id()` is `id()` (as a string: it may exceed R's integers).
#'
#' @param x,object A Python object.
#' @param default For `py_len()`: returned when `x` has no length (otherwise an error).
#' @param ... Unused.
#' @export
py_len <- function(x, default = NULL) {
  check_py(x)
  if (is.null(default)) return(.Call(.ffi$len, x))
  tryCatch(.Call(.ffi$len, x), python.builtin.TypeError = function(e) default)
}

#' @rdname py_len
#' @export
py_str <- function(object, ...) {
  check_py(object, "object")
  .Call(.ffi$str, object)
}

#' @rdname py_len
#' @export
py_repr <- function(object) {
  check_py(object, "object")
  .Call(.ffi$repr, object)
}

#' @rdname py_len
#' @export
py_bool <- function(x) {
  check_py(x)
  .Call(.ffi$bool, x)
}

#' @rdname py_len
#' @export
py_id <- function(object) {
  check_py(object, "object")
  .Call(.ffi$id, object)
}

#' Python's None
#' @return `None`, as a Python object.
#' @export
py_none <- function() {
  ensure_python()
  .Call(.ffi$none)
}

#' List the attributes of a Python object
#' @param x A Python object.
#' @return A character vector: `dir(x)`.
#' @export
py_list_attributes <- function(x) {
  check_py(x)
  .Call(.ffi$dir, x)
}

#' Is this a Python object?
#'
#' `is_py_object()` tells whether `x` is a handle to a Python object.
#' `py_is_null_xptr()` tells whether such a handle lost its object (for example after
#' the R session was saved and restored, or when it is a method's `self`, a weak
#' reference, kept after its instance was deleted: see [PyClass()]).
#' @param x Any R value.
#' @export
is_py_object <- function(x) inherits(x, "python.builtin.object")

#' @rdname is_py_object
#' @export
py_is_null_xptr <- function(x) {
  check_py(x)
  if (inherits(x, "tandem_delayed_module")) return(FALSE)
  # Before Python starts, no handle can point anywhere (one restored by readRDS()
  # comes from an earlier process).
  if (is.null(.ffi$is_null_xptr)) return(TRUE)
  .Call(.ffi$is_null_xptr, x)
}

#' Whether results are converted to R
#'
#' @param x A Python object.
#' @param value `TRUE` or `FALSE`.
#' @return `py_get_convert()`: the flag. `py_set_convert()`: a handle to the same
#'   Python object with the new flag.
#' @export
py_set_convert <- function(x, value) {
  check_py(x)
  check_flag(value, "value")
  .Call(.ffi$set_convert, x, value)
}

#' @rdname py_set_convert
#' @export
py_get_convert <- function(x) {
  check_py(x)
  .Call(.ffi$get_convert, x)
}
