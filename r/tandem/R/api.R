# api.R: the smaller functions of reticulate's API (versions, availability, seeds,
# pickles, Python values, class filters), with reticulate's names and meanings.

#' Python version and executable
#'
#' `py_version()` is the version of the Python running in this process (`NULL` if
#' Python has not started yet; it does not start it). `py_exe()` is the path of its
#' executable; before Python starts, the one tandem would start (see [py_config()]).
#'
#' @param patch If `TRUE`, include the patch level (`3.11.2` instead of `3.11`).
#' @return `py_version()`: a [numeric_version()], or `NULL`. `py_exe()`: a string, or
#'   `NULL` when no Python is found.
#' @export
#' @examples
#' \dontrun{
#' py_version() >= "3.9"
#' system2(py_exe(), c("-m", "pip", "--version"))
#' }
py_version <- function(patch = FALSE) {
  check_flag(patch, "patch")
  if (!py_available()) return(NULL)
  v <- py_eval(if (patch) "'%d.%d.%d' % __import__('sys').version_info[:3]" else "'%d.%d' % __import__('sys').version_info[:2]")
  numeric_version(v)
}

#' @rdname py_version
#' @export
py_exe <- function() {
  if (py_available()) {
    exe <- py_to_r(py_get_attr(import("sys", convert = FALSE), "executable"))
    if (is.character(exe) && nzchar(exe)) return(exe)
    return(.state$python)
  }
  found <- find_python()
  if (nzchar(found$path)) found$path else NULL
}

#' Is a Python module available?
#'
#' `py_module_available()` tries to import `module` (starting Python if needed) and
#' tells whether that worked. `py_numpy_available()` tells whether NumPy can be
#' imported; it starts Python only with `initialize = TRUE`.
#'
#' @param module The module's name.
#' @param initialize If `TRUE`, start Python if it is not running yet.
#' @return `TRUE` or `FALSE`.
#' @export
py_module_available <- function(module) {
  check_string(module, "module")
  py_probe({
    import(module)
    TRUE
  }, FALSE)
}

#' @rdname py_module_available
#' @export
py_numpy_available <- function(initialize = FALSE) {
  if (!py_available(initialize = initialize)) return(FALSE)
  py_module_available("numpy")
}

#' Python values: Ellipsis, str, dict
#'
#' `py_ellipsis()` is Python's `Ellipsis` (`...`), as used in NumPy indexing
#' (`x[py_ellipsis(), 0]`, or `x[.., 0]`: see [python-subset]). `py_unicode()` is a
#' Python `str` (R strings already become `str`; kept for reticulate's code written for
#' Python 2). `py_dict()` builds a dictionary from a list of keys and a list of values,
#' for keys that are not strings (numbers, tuples, Python objects).
#'
#' @param str A single string.
#' @param keys,values Keys and values, lists (or vectors) of the same length.
#' @param convert The `convert` flag of the result.
#' @return A Python object.
#' @export
#' @examples
#' \dontrun{
#' d <- py_dict(list(1L, tuple("a", "b")), list("one", "pair"))
#' }
py_ellipsis <- function() {
  ensure_python()
  py_get_attr(import_builtins(convert = FALSE), "Ellipsis")
}

#' @rdname py_ellipsis
#' @export
py_unicode <- function(str) {
  ensure_python()
  r_to_py(str)
}

#' @rdname py_ellipsis
#' @export
py_dict <- function(keys, values, convert = FALSE) {
  check_flag(convert, "convert")
  keys <- if (is_py_object(keys)) py_to_r(py_call_value(import_builtins(convert = FALSE)$list, keys)) else as.list(keys)
  values <- if (is_py_object(values)) py_to_r(py_call_value(import_builtins(convert = FALSE)$list, values)) else as.list(values)
  if (length(keys) != length(values)) {
    stop(sprintf("`keys` and `values` must have the same length, not %d and %d.", length(keys), length(values)),
         call. = FALSE)
  }
  ensure_python()
  .Call(.ffi$dict, keys, values, convert)
}

#' Set Python's and NumPy's random seeds
#'
#' Seeds Python's `random` module and, when NumPy is available, NumPy's global random
#' generator, for reproducible results. It does not set R's seed ([set.seed()]).
#'
#' @param seed A single whole number.
#' @param disable_hash_randomization If `TRUE`, also sets `PYTHONHASHSEED` to `"0"` in
#'   R's and Python's environment (it applies to Python processes started from now on,
#'   such as workers).
#' @return `NULL`, invisibly.
#' @export
py_set_seed <- function(seed, disable_hash_randomization = TRUE) {
  if (!is.numeric(seed) || length(seed) != 1L || is.na(seed) || seed != trunc(seed)) {
    stop(sprintf("`seed` must be a whole number, not %s.", describe(seed)), call. = FALSE)
  }
  seed <- as.integer(seed)
  ensure_python()
  if (isTRUE(disable_hash_randomization)) {
    Sys.setenv(PYTHONHASHSEED = "0")
    environ <- py_get_attr(import("os", convert = FALSE), "environ")
    py_set_item(environ, "PYTHONHASHSEED", "0")
  }
  py_call_value(py_get_attr(import("random", convert = FALSE), "seed"), seed)
  if (py_numpy_available()) py_call_value(import("numpy", convert = FALSE)$random$seed, seed)
  invisible(NULL)
}

#' Save and load Python objects with pickle
#'
#' `py_save_object()` writes `object` to `filename` with Python's `pickle` (highest
#' protocol); `py_load_object()` reads it back.
#'
#' **Loading a pickle runs code**: a pickle file can make Python call any function while
#' it is loaded. Only load files you trust.
#'
#' @param object A Python object (or an R value, converted first).
#' @param filename The file (`.pickle` is the usual extension).
#' @param pickle The module that pickles (`"pickle"`, or a compatible one such as
#'   `"cloudpickle"` or `"dill"`).
#' @param ... Further arguments to the module's `dump()` or `load()`.
#' @param convert If `TRUE`, convert the loaded object to R.
#' @return `py_save_object()`: `NULL`, invisibly. `py_load_object()`: the object.
#' @export
#' @examples
#' \dontrun{
#' f <- tempfile(fileext = ".pickle")
#' py_save_object(dict(a = 1), f)
#' py_load_object(f)
#' }
py_save_object <- function(object, filename, pickle = "pickle", ...) {
  check_string(filename, "filename")
  check_string(pickle, "pickle")
  ensure_python()
  filename <- normalizePath(filename, mustWork = FALSE)
  mod <- import(pickle, convert = FALSE)
  handle <- py_call_value(import_builtins(convert = FALSE)$open, filename, "wb")
  on.exit(py_call_value(py_get_attr(handle, "close")), add = TRUE)
  py_call_value(py_get_attr(mod, "dump"), object, handle, protocol = py_get_attr(mod, "HIGHEST_PROTOCOL"), ...)
  invisible(NULL)
}

#' @rdname py_save_object
#' @export
py_load_object <- function(filename, pickle = "pickle", ..., convert = TRUE) {
  check_string(filename, "filename")
  check_string(pickle, "pickle")
  check_flag(convert, "convert")
  if (!file.exists(filename)) stop(sprintf("`filename` does not exist: '%s'.", filename), call. = FALSE)
  ensure_python()
  filename <- normalizePath(filename)
  mod <- import(pickle, convert = FALSE)
  handle <- py_call_value(import_builtins(convert = FALSE)$open, filename, "rb")
  on.exit(py_call_value(py_get_attr(handle, "close")), add = TRUE)
  obj <- py_call_value(py_get_attr(mod, "load"), handle, ...)
  if (convert) py_to_r(obj) else obj
}

#' An R function as a Python function called on R's main thread
#'
#' Kept for reticulate's code: in tandem every R function called from Python runs on
#' R's main thread (calls from other threads are queued there), so this is
#' `r_to_py(f, convert = TRUE)`.
#'
#' @param f An R function.
#' @return A Python callable.
#' @export
py_main_thread_func <- function(f) {
  if (!is.function(f)) stop(sprintf("`f` must be a function, not %s.", describe(f)), call. = FALSE)
  r_to_py(f, convert = TRUE)
}

#' Check that a Python object is usable
#'
#' Signals an error if `x` lost its Python object (a handle restored from a saved
#' session, or a dead `self`); loads a delay-loaded module.
#'
#' @param x A Python object.
#' @return `NULL`, invisibly (as reticulate).
#' @export
py_validate_xptr <- function(x) {
  check_py(x)
  if (inherits(x, "tandem_delayed_module")) {
    ensure_python()
    resolve_delayed_module(x)
    return(invisible(NULL))
  }
  if (!py_available() || py_is_null_xptr(x)) {
    stop("Object is a null externalptr (it may have been disconnected from the session where it was created).",
         call. = FALSE)
  }
  invisible(NULL)
}

#' Custom R wrappers for Python objects
#'
#' An S3 generic kept from reticulate: each time a callable Python object becomes an R
#' function (a call's result, `$`, `py_eval()`, a method's `self`, ...), the method
#' `py_to_r_wrapper.<Python class>` for its class, if there is one, is called with that
#' function and its result is used instead (for example an R function with proper
#' formals). The result gets the attributes of `x` (its class and Python object), so it
#' still is the Python object: passed to Python, it is the object itself. Methods are
#' found in the global environment and among registered S3 methods
#' (`S3method(tandem::py_to_r_wrapper, <class>)` in a package's NAMESPACE). The default
#' returns `x`.
#'
#' @param x A Python object.
#' @return The wrapper (by default `x` itself).
#' @export
py_to_r_wrapper <- function(x) UseMethod("py_to_r_wrapper")

#' @rdname py_to_r_wrapper
#' @export
py_to_r_wrapper.default <- function(x) x

#' Rename the S3 classes of Python objects
#'
#' `filter` is called with the class vector of each Python type tandem wraps from now
#' on (e.g. `c("numpy.ndarray", "python.builtin.object")`) and returns the classes to use
#' instead. Filters run in the order they were registered; a filter that fails is
#' skipped. `import(module, as = )` registers one.
#'
#' @param filter A function of one argument, a character vector, that returns a
#'   character vector.
#' @return `NULL`, invisibly.
#' @export
#' @examples
#' \dontrun{
#' register_class_filter(function(classes) sub("^numpy\\.", "np.", classes))
#' }
register_class_filter <- function(filter) {
  if (!is.function(filter)) stop(sprintf("`filter` must be a function, not %s.", describe(filter)), call. = FALSE)
  .state$class_filters <- c(.state$class_filters, list(filter))
  if (py_available()) install_class_filter()
  invisible(NULL)
}

apply_class_filters <- function(classes) {
  for (f in .state$class_filters) {
    out <- tryCatch(f(classes), error = function(e) NULL)
    if (is.character(out) && length(out) && !anyNA(out)) classes <- out
  }
  classes
}

install_class_filter <- function() {
  if (length(.state$class_filters)) .Call(.ffi$set_class_filter, apply_class_filters)
  invisible(NULL)
}

#' Python classes in `inherits()`
#'
#' On R >= 4.3, a Python class may be given to [inherits()] as `what`:
#' `inherits(x, np$ndarray)`.
#' @param x A Python class.
#' @return The S3 class name of its instances.
#' @rawNamespace if (getRversion() >= "4.3.0") S3method(nameOfClass, python.builtin.type)
#' @keywords internal
nameOfClass.python.builtin.type <- function(x) {
  module <- class_module_name(x, again = TRUE)
  name <- py_to_r(py_get_attr(x, "__name__"))
  cls <- if (!nzchar(module)) name else if (module == "builtins") paste0("python.builtin.", name) else paste(module, name, sep = ".")
  apply_class_filters(cls)
}

# The `__module__` of class `cls` when it is a string, else (once, for a class whose
# metaclass is not `type`) its metaclass's, else "" (reticulate >= 1.40, handle.cpp).
class_module_name <- function(cls, again) {
  bt <- import_builtins(convert = FALSE)
  module <- py_get_attr(cls, "__module__", silent = TRUE)
  if (!is.null(module) && py_to_r(bt$isinstance(module, bt$str))) return(py_to_r(module))
  if (!is.null(module) && again && !py_to_r(bt$type(cls) == bt$type)) {
    return(class_module_name(bt$type(cls), again = FALSE))
  }
  ""
}

#' A Python configuration error message
#'
#' `prefix` followed by a description of the Python tandem uses (see [py_config()]), for
#' error messages of packages that need a Python module.
#' @param prefix The start of the message.
#' @return A string.
#' @keywords internal
#' @export
py_config_error_message <- function(prefix) {
  config <- tryCatch(py_config(), error = function(e) NULL)
  if (is.null(config)) return(prefix)
  paste0(prefix, "\n\nDetected Python configuration:\n\n", paste(utils::capture.output(print(config)), collapse = "\n"), "\n")
}
