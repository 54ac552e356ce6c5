# package.R: the lazy `tf` and `keras` handles, and the bridge functions re-exported.

#' @importFrom tandem import py_call py_get_attr py_to_r r_to_py tuple dict %as% iterate
#' @importFrom tandem as_iterator iter_next py_set_convert is_py_object py_has_attr py_none
#' @importFrom tandem np_array %py_class% use_python use_virtualenv py_require py_help
#' @importFrom R6 R6Class
#' @importFrom utils .DollarNames str
#' @keywords internal
"_PACKAGE"

#' Bridge functions re-exported from tandem
#'
#' These functions come from the [tandem][tandem::import] package and are
#' re-exported so that `library(tandem.keras)` is enough: `import()`, `%as%`,
#' `with()` (base's generic; tandem's method handles Python context managers such as `tf$GradientTape()`),
#' `%py_class%`, `py_to_r()`, `r_to_py()`, `tuple()`, `dict()`, `np_array()`, `iterate()`,
#' `as_iterator()`, `iter_next()`, and (as keras3 re-exports reticulate's) `use_python()`,
#' `use_virtualenv()`, `py_require()`, `py_help()`.
#'
#' @name reexports
#' @aliases import %as% py_to_r r_to_py tuple dict iterate as_iterator iter_next with
#'   np_array %py_class% use_python use_virtualenv py_require py_help
#' @keywords internal
#' @export import
#' @export %as%
#' @export py_to_r
#' @export r_to_py
#' @export tuple
#' @export dict
#' @export iterate
#' @export as_iterator
#' @export iter_next
#' @export with
#' @export np_array
#' @export %py_class%
#' @export use_python
#' @export use_virtualenv
#' @export py_require
#' @export py_help
NULL

# base's generic, so that `with(tf$GradientTape() %as% tape, ...)` reads as documented;
# tandem registers the method for Python context managers.
with <- base::with

#' TensorFlow and Keras modules
#'
#' `tf` is the `tensorflow` Python module and `keras` the `keras` module (Keras 3, the
#' one `tf$keras` forwards to, as in the keras3 package: `keras$saving`,
#' `keras$losses$mean_squared_error`), both imported on first use, so loading the package
#' does not start Python. Use them as in Python, with `$`: `tf$constant(1:3)`,
#' `keras$layers$Dense`.
#'
#' @format Python module handles (delay-loaded).
#' @examples
#' \dontrun{
#' tf$constant(matrix(1:4, 2))
#' keras$layers$Dense(2L)
#' }
#' @export
tf <- NULL

#' @rdname tf
#' @export
keras <- NULL

# keras is Keras 3's own module (as keras3 has it; tf$keras is TensorFlow's compatibility
# view of it, without `saving` and with older names), imported at first use: a small
# environment that forwards `$`.
.onLoad <- function(libname, pkgname) {
  ns <- asNamespace(pkgname)
  assign("tf", tandem::import("tensorflow", delay_load = TRUE), envir = ns)
  assign("keras", lazy_attr(function() {
    install_keras_compat()  # compat.R: keras3's integer coercions, in both namespaces
    tandem::import("keras")
  }), envir = ns)
  register_variable_methods(ns)
}

lazy_attr <- function(resolve) {
  env <- new.env(parent = emptyenv())
  env$resolve <- resolve
  class(env) <- "tandem_keras_lazy"
  env
}

resolve_lazy <- function(x) {
  if (!inherits(x, "tandem_keras_lazy")) return(x)
  value <- get0("value", envir = x, inherits = FALSE)
  if (is.null(value)) {
    value <- get("resolve", envir = x, inherits = FALSE)()
    assign("value", value, envir = x)
  }
  value
}

#' @export
`$.tandem_keras_lazy` <- function(x, name) resolve_lazy(x)[[name]]

#' @export
`[[.tandem_keras_lazy` <- function(x, i) `$.tandem_keras_lazy`(x, i)

#' @export
print.tandem_keras_lazy <- function(x, ...) {
  print(resolve_lazy(x))
  invisible(x)
}

#' @export
names.tandem_keras_lazy <- function(x) names(resolve_lazy(x))

#' @export
.DollarNames.tandem_keras_lazy <- function(x, pattern = "") {
  nms <- tryCatch(names(resolve_lazy(x)), error = function(e) character())
  nms[grepl(pattern, nms)]
}

