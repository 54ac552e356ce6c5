# wrappers.R: keras3 accepts its wrapper functions where Keras takes a class or function
# (`Layer(inherit = layer_dense)`, `compile(loss = loss_huber)`,
# `layer_dense(kernel_initializer = initializer_ones)`): the Python object behind a
# generated wrapper, from the table R/wrappers-generated.R.

# The wrapper's name in WRAPPED_PY, or NULL (any other function). Starts no Python.
wrapper_name <- function(x) {
  if (!is.function(x) || is_py_object(x) || inherits(x, "tandem_keras_activation")) return(NULL)
  ns <- asNamespace("tandem.keras")
  if (!identical(environment(x), ns)) return(NULL)
  for (nm in names(WRAPPED_PY)) {
    if (identical(x, get0(nm, envir = ns, inherits = FALSE))) return(nm)
  }
  NULL
}

is_wrapper <- function(x) !is.null(wrapper_name(x))

# The Python class or function behind a wrapper (x itself if it is none).
wrapper_target <- function(x) {
  nm <- wrapper_name(x)
  if (is.null(nm)) return(x)
  parts <- strsplit(WRAPPED_PY[[nm]], "$", fixed = TRUE)[[1]]
  obj <- keras[[parts[[1]]]]
  for (part in parts[-1]) obj <- py_get_attr(obj, part)
  obj
}
