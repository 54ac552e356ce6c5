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
# A Python object whose pointer is NULL (saved and restored, or Python restarted): the
# core's error (handle.cpp).
stale_object_error <- function() {
  stop(structure(class = c("tandem_value_error", "error", "condition"), list(
    message = paste("This Python object is no longer available (its pointer is NULL: it was saved and",
                    "restored, or Python was restarted); create it again."),
    call = NULL)))
}

check_py <- function(x, arg = "x") {
  if (!is_py_object(x)) {
    stop(sprintf("`%s` must be a Python object, not %s.", arg, describe(x)), call. = FALSE)
  }
  if (inherits(x, "tandem_delayed_module")) ensure_python()  # a module proxy loads on use
}
describe <- function(x) {
  if (is.null(x)) return("`NULL`")
  if (is_py_object(x)) return(paste0("a Python `", class(x)[[1]], "`"))
  if (is.atomic(x) && length(x) == 1L) return(paste0("`", format(x), "`"))
  paste0("a ", if (is.object(x)) class(x)[[1]] else typeof(x), " of length ", length(x))
}

#' Import a Python module
#'
#' @param module The module name, e.g. `"numpy"` or `"os.path"`.
#' @param as An alias for the module's name in the S3 classes of its objects (for
#'   example `import("numpy", as = "np")` gives arrays the class `"np.ndarray"`). It
#'   registers a class filter (see [register_class_filter()]); use it in packages only.
#' @param convert If `TRUE` (the default), values returned by the module's functions
#'   and attributes are converted to R; if `FALSE` they stay Python objects.
#' @param delay_load `FALSE` (the default) imports now. Otherwise, when Python is not
#'   running yet, `import()` returns a module proxy and Python starts, and the module is
#'   imported, on first use (`$`, `names()`, a call); `print()` of a proxy that is not
#'   loaded yet shows `Module(name)` without loading it. `delay_load` may be `TRUE`, a
#'   function (run once the module is loaded), or a list of functions: `before_load()`
#'   (run just before the import), `on_load()` (just after it), `on_error(error)` (when
#'   the import fails; tandem then signals an error naming the module) and
#'   `get_module()` (returns the name of the module to import, chosen at load time). As
#'   in reticulate, once Python is running `delay_load` imports immediately and its hooks
#'   are not called. The list may also hold `environment`, the name of a virtualenv that
#'   Python is then started from when it exists and nothing chose Python before (see
#'   [py_config()]); an `import("bar")` that starts Python likewise uses a virtualenv
#'   `r-bar` when there is one.
#' @param path For `import_from_path()`: the directory the module is imported from; it
#'   is on `sys.path` only while the module is imported.
#' @return The module, a Python object (or its proxy).
#' @export
#' @examples
#' \dontrun{
#' math <- import("math")
#' math$sqrt(2)
#' np <- import("numpy", delay_load = TRUE)   # Python starts when np is first used
#' }
import <- function(module, as = NULL, convert = TRUE, delay_load = FALSE) {
  check_string(module, "module")
  check_flag(convert, "convert")
  if (!is.null(as)) {
    check_string(as, "as")
    force(module)
    register_class_filter(function(classes) {
      hit <- startsWith(classes, module)
      classes[hit] <- paste0(as, substring(classes[hit], nchar(module) + 1L))
      classes
    })
  }
  if (!isFALSE(delay_load)) {
    hooks <- delay_load_hooks(delay_load)
    if (!py_available()) {
      # reticulate's discovery looks for environments named after delayed imports
      .state$delay_load_imports <- rbind(.state$delay_load_imports, data.frame(
        module = module, environment = as.character(hooks$environment %||% NA_character_)[1]))
      return(delayed_module(module, convert, hooks))
    }
  }
  if (!isTRUE(.state$running)) {
    .state$starting_module <- module  # find_python()'s "r-<module>" environment
    on.exit(.state$starting_module <- NULL, add = TRUE)
  }
  ensure_python()
  .Call(.ffi$import, module, convert)
}

#' @rdname import
#' @export
import_builtins <- function(convert = TRUE, delay_load = FALSE) {
  check_flag(convert, "convert")
  if (!isFALSE(delay_load)) return(import("builtins", convert = convert, delay_load = delay_load))
  ensure_python()
  .Call(.ffi$builtins, convert)
}

#' @rdname import
#' @export
import_main <- function(convert = TRUE, delay_load = FALSE) {
  check_flag(convert, "convert")
  if (!isFALSE(delay_load)) return(import("__main__", convert = convert, delay_load = delay_load))
  ensure_python()
  .Call(.ffi$main, convert)
}

#' @rdname import
#' @export
import_from_path <- function(module, path = ".", convert = TRUE, delay_load = FALSE) {
  check_string(module, "module")
  check_string(path, "path")
  if (!isFALSE(delay_load) && !py_available()) {
    hooks <- delay_load_hooks(delay_load)
    user <- hooks
    dir <- normalizePath(path, mustWork = FALSE)
    hooks$before_load <- function() {
      py_call_value(import("sys", convert = FALSE)$path$insert, 0L, dir)
      if (is.function(user$before_load)) user$before_load()
    }
    hooks$on_load <- function() {
      remove_sys_path(dir)
      if (is.function(user$on_load)) user$on_load()
    }
    hooks$on_error <- function(error) {
      remove_sys_path(dir)
      if (is.function(user$on_error)) user$on_error(error)
    }
    return(import(module, convert = convert, delay_load = hooks))
  }
  if (!dir.exists(path)) stop(sprintf("`path` is not a directory: '%s'.", path), call. = FALSE)
  dir <- normalizePath(path)
  ensure_python()
  sys_path <- import("sys", convert = FALSE)$path
  py_call_value(sys_path$insert, 0L, dir)
  on.exit(remove_sys_path(dir), add = TRUE)
  import(module, convert = convert)
}

remove_sys_path <- function(dir) {
  sys_path <- import("sys", convert = FALSE)$path
  if (.Call(.ffi$contains, sys_path, dir)) py_call_value(sys_path$remove, dir)
  invisible(NULL)
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
#' `__main__` module's namespace (or, with `local = TRUE`, in a new dictionary whose
#' globals are `__main__`'s); `py_eval()` evaluates one expression and returns its value.
#' The code sees R through the object `r` (see [r-in-python]): `r.x` reads `x` from the
#' R environment that called these functions.
#'
#' @param code Python code, a single string.
#' @param file Path of a Python script. While it runs, `__file__` is its path.
#' @param local If `TRUE`, run in a fresh dictionary instead of `__main__`'s.
#' @param convert If `TRUE`, results are converted to R: for `py_run_string()` and
#'   `py_run_file()`, the returned dictionary converts its items when they are read
#'   (`py_run_string("x = 1")$x` is `1L`).
#' @param prepend_path If `TRUE` (the default), the script's directory is first on
#'   `sys.path` while it runs, as with `python script.py`.
#' @return `py_eval()`: the value. `py_run_string()`/`py_run_file()`: invisibly, the
#'   dictionary the code ran in: `__main__`'s, or the local one with `local = TRUE`.
#' @export
#' @examples
#' \dontrun{
#' py_run_string("x = [1, 2, 3]")
#' py$x
#' py_run_string("y = 2")$y
#' py_eval("1 + 1")
#' }
py_run_string <- function(code, local = FALSE, convert = TRUE) {
  check_string(code, "code")
  check_flag(local, "local")
  check_flag(convert, "convert")
  caller <- parent.frame()
  ensure_python()
  local_r_caller(caller)
  res <- .Call(.ffi$run, code, 1L, local, convert, "<string>")
  if (!local) res <- main_dict(convert)
  invisible(res)
}

main_dict <- function(convert) {
  d <- py_get_attr(import_main(convert = FALSE), "__dict__")
  if (convert) .Call(.ffi$set_convert, d, TRUE) else d
}

#' @rdname py_run_string
#' @export
py_run_file <- function(file, local = FALSE, convert = TRUE, prepend_path = TRUE) {
  check_string(file, "file")
  check_flag(local, "local")
  check_flag(convert, "convert")
  check_flag(prepend_path, "prepend_path")
  file <- path.expand(file)
  if (!file.exists(file)) stop(sprintf("Unable to open file '%s': it does not exist.", file), call. = FALSE)  # reticulate's words, then why
  caller <- parent.frame()
  ensure_python()
  run <- import("tandem._run", convert = FALSE)
  local_r_caller(caller)
  res <- py_call_value(py_get_attr(run, "run_file"), file, local, prepend_path)
  invisible(if (convert) .Call(.ffi$set_convert, res, TRUE) else res)
}

#' @rdname py_run_string
#' @export
py_eval <- function(code, convert = TRUE) {
  check_string(code, "code")
  check_flag(convert, "convert")
  caller <- parent.frame()
  ensure_python()
  local_r_caller(caller)
  .Call(.ffi$run, code, 0L, FALSE, convert, "<string>")
}

#' Call a Python callable
#'
#' Calls `x` with the arguments converted to Python, as reticulate's `py_call()`. Calling
#' the R function of a callable (`f(...)`) converts the result when `x` converts;
#' `py_call()` never does.
#'
#' @param x A Python callable.
#' @param ... Arguments; named ones are passed as keywords, unnamed ones positionally.
#' @return The result as a Python object (with `x`'s `convert` flag, so that `$` and
#'   `[[` on it convert); `py_to_r()` converts it.
#' @export
#' @examples
#' \dontrun{
#' builtins <- import_builtins()
#' d <- py_call(builtins$dict, a = 1)  # a Python dict
#' py_to_r(d)                          # list(a = 1)
#' }
py_call <- function(x, ...) .External(.ffi$call_ref, x, ...)  # the core checks `x`

# A call as the R function of a callable makes it: the result converted when `x` converts.
py_call_value <- function(x, ...) .External(.ffi$call, x, ...)

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
#' @param default For `py_len()`: returned when `len(x)` raises an `Exception` (no
#'   `__len__`, or one that fails), which then neither signals nor sets
#'   [py_last_error()]; `NULL` (the default) signals the error.
#' @param ... Unused.
#' @export
py_len <- function(x, default = NULL) {
  check_py(x)
  .Call(.ffi$len, x, default)
}

#' @rdname py_len
#' @details `py_str()` is an S3 generic, as in reticulate: a method
#'   `py_str.<Python class>` changes how objects of that class are formatted and printed
#'   in R. Modules are `Module(name)`; lists, dicts and tuples of more than 10 items are
#'   summarized (`List (12 items)`).
#' @export
py_str <- function(object, ...) {
  if (!is_py_object(object)) return("<not a python object>")
  if (!py_available() && !inherits(object, "tandem_delayed_module")) return("<pointer: 0x0>")
  if (is_unloaded_proxy(object)) return(paste0("Module(", proxy_field(object, "name"), ")"))
  if (py_is_null_xptr(object)) return("<pointer: 0x0>")
  UseMethod("py_str")
}

#' @rdname py_len
#' @export
py_str.default <- function(object, ...) "<not a python object>"

#' @rdname py_len
#' @export
py_str.python.builtin.object <- function(object, ...) .Call(.ffi$str, object)

#' @rdname py_len
#' @export
py_str.python.builtin.module <- function(object, ...) {
  paste0("Module(", py_to_r(py_get_attr(object, "__name__")), ")")
}

#' @rdname py_len
#' @export
py_str.python.builtin.list <- function(object, ...) collection_str("List", object)

#' @rdname py_len
#' @export
py_str.python.builtin.dict <- function(object, ...) collection_str("Dict", object)

#' @rdname py_len
#' @export
py_str.python.builtin.tuple <- function(object, ...) collection_str("Tuple", object)

#' @rdname py_len
#' @export
py_str.python.builtin.bytearray <- function(object, ...) {
  paste0("python.builtin.bytearray (", .Call(.ffi$len, object, NULL), " bytes)")
}

collection_str <- function(what, object) {
  n <- .Call(.ffi$len, object, NULL)
  if (n > 10) paste0(what, " (", n, " items)") else .Call(.ffi$str, object)
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
  .Call(.ffi$bool, x, NULL)
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
  if (inherits(x, "tandem_delayed_module")) {  # loads it, as reticulate >= 1.40 does
    ensure_python()
    resolve_delayed_module(x)
    return(FALSE)
  }
  # Before Python starts, no handle can point anywhere (one restored by readRDS()
  # comes from an earlier process).
  if (!isTRUE(.state$running)) return(TRUE)
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
