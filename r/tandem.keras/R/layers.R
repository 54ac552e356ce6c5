# layers.R: what the generated wrappers share (argument capture, composition) and inputs.

# Arguments the caller gave (never the R defaults, so Keras keeps its own), coerced the R
# way, with R-only names mapped back to Python's. `env` is the wrapper's frame; reading the
# formals from it forces their promises once.
capture_args <- function(env, supplied, dots, coerce = NULL, rename = NULL) {
  supplied <- setdiff(as.character(supplied), c("object", "..."))  # NULL: no arguments
  args <- mget(supplied, envir = env)
  if (length(dots)) {
    if (is.null(names(dots)) || any(!nzchar(names(dots)))) {
      abort("Arguments in `...` must be named (they are Python keyword arguments).")
    }
    args <- c(args, dots)
  }
  for (n in names(args)) {
    f <- coerce[[n]] %||% dots_coercers[[n]]
    if (!is.null(f)) args[n] <- list(f(args[[n]], n))
  }
  if (length(rename)) {
    hit <- names(args) %in% names(rename)
    names(args)[hit] <- rename[names(args)[hit]]
  }
  args
}

`%||%` <- function(x, y) if (is.null(x)) y else x

# Coercions for common keyword arguments that arrive through `...`.
dots_coercers <- list(
  input_shape = function(x, arg) as_shape(x, arg),
  batch_input_shape = function(x, arg) as_shape(x, arg),
  batch_size = function(x, arg) as_int(x, arg),
  seed = function(x, arg) as_int(x, arg),
  axis = function(x, arg) as_axis(x, arg)
)

# Reshape takes -1 (not None) for an unknown extent.
as_target_shape <- function(x, arg = "target_shape") {
  if (is.null(x) || is_py_object(x)) return(x)
  x <- unlist(lapply(as.list(x), function(d) if (is.null(d) || is.na(d)) -1L else d))
  tuple(as.list(as_int(x, arg)))
}

is_sequential <- function(x) inherits(x, "keras.src.models.sequential.Sequential")

# The first argument of layer_*(): missing -> the layer; a Sequential model -> the layer is
# added in place and the model returned; anything else -> the layer called on it.
compose_layer <- function(object, cls, args) {
  force(object)  # earlier pipe stages first, so layers are created (and named) in order
  layer <- do.call(cls, args)
  if (is.null(object)) return(layer)
  if (is_sequential(object)) {
    object$add(layer)
    return(object)
  }
  if (is.list(object) && !is.object(object)) return(layer(unname(object)))
  # A plain R vector is a 1-d array (a Python list has no shape for the layer).
  if (is.atomic(object) && !is.object(object) && is.null(dim(object)) && length(object) != 1L) {
    object <- array(object, length(object))
  }
  layer(object)
}

#' Model inputs
#'
#' `keras_input()` (alias `layer_input()`) makes a symbolic input tensor for
#' [keras_model()], wrapping `keras.Input`.
#'
#' @param shape The shape of one sample, without the batch dimension; `NA` (or `NULL`
#'   in a list) for an unknown extent, e.g. `c(28, 28, 1)` or `c(NA, 16)`.
#' @param batch_size Optional fixed batch size.
#' @param dtype The dtype, e.g. `"float32"`.
#' @param sparse,ragged Whether the input is sparse or ragged.
#' @param batch_shape The full shape including the batch dimension (instead of `shape`).
#' @param name Optional name.
#' @param tensor An existing tensor to wrap.
#' @param ... Further keyword arguments for `keras.Input`.
#' @return A symbolic Keras tensor.
#' @export
#' @examples
#' \dontrun{
#' inputs <- keras_input(shape = c(28, 28, 1))
#' }
keras_input <- function(shape = NULL, batch_size = NULL, dtype = NULL, sparse = NULL,
                        batch_shape = NULL, name = NULL, tensor = NULL, ragged = NULL, ...) {
  args <- capture_args(environment(), names(match.call(expand.dots = FALSE))[-1], list(...),
                       list(shape = as_shape, batch_shape = as_shape, batch_size = as_int))
  do.call(keras$Input, args)
}

#' @rdname keras_input
#' @export
layer_input <- keras_input
