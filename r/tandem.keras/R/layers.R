# layers.R: what the generated wrappers share (argument capture, composition) and inputs.

# Arguments the caller gave (never the R defaults, so Keras keeps its own), coerced the R
# way, with R-only names mapped back to Python's. `env` is the wrapper's frame; reading the
# formals from it forces their promises once.
capture_args <- function(env, supplied, dots, coerce = NULL, rename = NULL) {
  # `object`/`inputs`: what a layer wrapper composes with, not an argument of the class.
  supplied <- setdiff(as.character(supplied), c("object", "inputs", "..."))  # NULL: none
  args <- mget(supplied, envir = env)
  positional <- list()
  if (length(dots)) {
    unnamed <- if (is.null(names(dots))) rep(TRUE, length(dots)) else !nzchar(names(dots))
    # Unnamed tensors are further inputs (merge layers: layer_add(a, b, c)).
    inputs <- unnamed & vapply(dots, is_layer_input, logical(1))
    if (any(unnamed & !inputs)) {
      abort("Arguments in `...` must be named (they are Python keyword arguments).")
    }
    positional <- unname(dots[inputs])
    args <- c(args, dots[!inputs])
  }
  for (n in names(args)) {
    f <- coerce[[n]] %||% dots_coercers[[n]]
    if (!is.null(f)) args[n] <- list(f(args[[n]], n))
    # keras3: a wrapper where Keras takes a class (kernel_initializer = initializer_ones).
    if (is.function(args[[n]])) args[n] <- list(wrapper_target(args[[n]]))
  }
  if (length(rename)) {
    hit <- names(args) %in% names(rename)
    names(args)[hit] <- rename[names(args)[hit]]
  }
  if (length(positional)) attr(args, "inputs") <- positional
  args
}

KERAS_TENSOR <- "keras.src.backend.common.keras_tensor.KerasTensor"

# A value that can only be a layer's input (not an option): a tensor or a Keras tensor.
is_layer_input <- function(x) {
  inherits(x, c(KERAS_TENSOR, "tensorflow.python.framework.tensor.Tensor",
                "keras.src.backend.common.variables.Variable"))
}

# The merge layers take their inputs as a list, or (keras3) as separate arguments.
MERGE_LAYERS <- c("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
                  "Concatenate", "Dot")

`%||%` <- function(x, y) if (is.null(x)) y else x

# Coercions for common keyword arguments that arrive through `...`.
dots_coercers <- list(
  input_shape = function(x, arg) as_shape(x, arg),
  batch_input_shape = function(x, arg) as_shape(x, arg),
  batch_size = function(x, arg) as_int(x, arg),
  seed = function(x, arg) as_int(x, arg),
  axis = function(x, arg) as_axis(x, arg),
  # keras3: Permute's `dims` is a tuple, Hashing's `salt` an int (or two).
  dims = function(x, arg) if (is.null(x) || is_py_object(x)) x else tuple(as.list(as_int(unlist(x), arg))),
  salt = function(x, arg) as_int_tuple(x, arg),
  # layer_lambda(f = <R function>): a Python function with the R function's signature,
  # which Keras' Lambda can inspect.
  f = function(x, arg) if (is.function(x) && !is_py_object(x)) tandem::py_func(x, name = "r_lambda") else x,
  # metric_mean_wrapper(fn = <R function>): traced by Keras with the training step.
  fn = function(x, arg) {
    if (inherits(x, "formula") || is.function(x) && !is_py_object(x)) {
      as_tf_callable(as_r_function(x, arg), "r_metric_fn")
    } else {
      x
    }
  }
)

# Reshape takes -1 (not None) for an unknown extent.
as_target_shape <- function(x, arg = "target_shape") {
  if (is.null(x) || is_py_object(x)) return(x)
  x <- unlist(lapply(as.list(x), function(d) if (is.null(d) || is.na(d)) -1L else d))
  tuple(as.list(as_int(x, arg)))
}

is_sequential <- function(x) inherits(x, "keras.src.models.sequential.Sequential")

# The first argument of layer_*(): missing -> the layer; a Sequential model -> the layer is
# added in place and the model returned; anything else -> the layer called on it. With
# `splat`, a list of inputs reaches the layer as separate arguments
# (MultiHeadAttention(query, value), keras3's layer_multi_head_attention(list(q, v))).
compose_layer <- function(object, cls, args, splat = FALSE) {
  force(object)  # earlier pipe stages first, so layers are created (and named) in order
  inputs <- attr(args, "inputs", exact = TRUE)
  attr(args, "inputs") <- NULL
  if (py_to_r(py_get_attr(cls, "__name__")) %in% MERGE_LAYERS) {
    # Tensors given where an option is expected (layer_dot(a, b, axes = 1) matches `b`
    # to an option by position) and keras3's `inputs =` are inputs too.
    extra <- vapply(args, is_layer_input, logical(1))
    if (!is.null(args$inputs) && !is_layer_input(args$inputs)) extra[["inputs"]] <- TRUE
    inputs <- c(unname(args[extra]), inputs)
    args <- args[!extra]
    if (length(inputs)) {
      first <- if (is.null(object)) list() else if (is.list(object) && !is.object(object)) object else list(object)
      object <- c(first, unlist(lapply(inputs, function(x) if (is.list(x) && !is.object(x)) x else list(x)),
                                recursive = FALSE))
    }
  } else if (length(inputs)) {
    abort("Arguments in `...` must be named (they are Python keyword arguments).")
  }
  layer <- do.call(cls, args)
  if (is.null(object)) return(layer)
  if (is_sequential(object)) {
    object$add(layer)
    return(object)
  }
  if (is.list(object) && !is.object(object)) {
    return(if (splat) do.call(layer, unname(object)) else layer(unname(object)))
  }
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
#' @param optional Whether the input may be `NULL` (Python's `None`).
#' @param ... Further keyword arguments for `keras.Input`.
#' @return A symbolic Keras tensor.
#' @export
#' @examples
#' \dontrun{
#' inputs <- keras_input(shape = c(28, 28, 1))
#' }
keras_input <- function(shape = NULL, batch_size = NULL, dtype = NULL, sparse = NULL,
                        ragged = NULL, batch_shape = NULL, name = NULL, tensor = NULL,
                        optional = FALSE, ...) {
  args <- capture_args(environment(), names(match.call(expand.dots = FALSE))[-1], dots_list(...),
                       list(shape = as_shape, batch_shape = as_shape, batch_size = as_int))
  if (isFALSE(args$optional)) args$optional <- NULL
  do.call(keras$Input, args)
}

#' @rdname keras_input
#' @export
layer_input <- keras_input
