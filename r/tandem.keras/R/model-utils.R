# model-utils.R: model and layer utilities with keras3's names and arguments: configs,
# weights, freezing, layer access, cloning, batch-wise training, and saving parts of a model.

#' Layer and model configuration
#'
#' `get_config()` returns the configuration of a layer or model (`object$get_config()`)
#' as a named list that remembers its class (attribute `"__class__"`), so that
#' `from_config()` can make a new, unbuilt object of the same class from it.
#'
#' @param object A Keras layer or model (or another Keras object with `get_config()`).
#' @param config A configuration from `get_config()`.
#' @param custom_objects A list of R-defined classes and functions used in `config` (as
#'   in [load_model()]).
#' @return `get_config()`: a named list. `from_config()`: a new layer or model.
#' @export
#' @examples
#' \dontrun{
#' layer <- layer_dense(units = 3, activation = "relu")
#' config <- get_config(layer)
#' config$units
#' layer2 <- from_config(config)
#' }
get_config <- function(object) {
  config <- object$get_config()
  if (is_py_object(config)) config <- py_to_r(config)
  attr(config, "__class__") <- py_get_attr(object, "__class__")
  config
}

#' @rdname get_config
#' @export
from_config <- function(config, custom_objects = NULL) {
  cls <- attr(config, "__class__", exact = TRUE)
  if (is.null(cls)) abort("`config` must come from `get_config()` (it has no `__class__` attribute).")
  if (inherits(cls, CLASS_GENERATOR)) cls <- generator_class(cls)
  if (!is_py_object(cls) || tandem::py_is_null_xptr(cls)) {
    abort("The class of `config` is not available in this session ",
          "(configs saved with `saveRDS()` lose it): set `attr(config, \"__class__\")`.")
  }
  attr(config, "__class__") <- NULL
  from <- py_get_attr(cls, "from_config")
  if (is.null(custom_objects)) return(from(config))
  with_custom_objects(custom_objects, from(config))
}

with_custom_objects <- function(custom_objects, expr) {
  scope <- keras$utils$custom_object_scope(as_custom_objects(custom_objects))
  scope$`__enter__`()
  on.exit(scope$`__exit__`(NULL, NULL, NULL))
  expr
}

#' Layer and model weights
#'
#' `get_weights()` returns the weights of a layer or model as a list of R arrays;
#' `set_weights()` sets them from such a list (same order and shapes). `count_params()`
#' is the number of scalars in the weights.
#'
#' @param object A Keras layer or model.
#' @param trainable `NA` (all weights), `TRUE` (trainable only) or `FALSE`
#'   (non-trainable only).
#' @param weights A list of R arrays (or tensors) with the shapes of
#'   `get_weights(object)`.
#' @return `get_weights()`: a list of arrays. `set_weights()`: `object`, invisibly.
#'   `count_params()`: a number.
#' @export
#' @examples
#' \dontrun{
#' layer <- layer_dense(units = 2)
#' layer$build(shape(NA, 3))
#' w <- get_weights(layer)
#' w[[1]][] <- 0
#' set_weights(layer, w)
#' count_params(layer)
#' }
get_weights <- function(object, trainable = NA) {
  if (!is.logical(trainable) || length(trainable) != 1L) {
    abort("`trainable` must be `NA`, `TRUE` or `FALSE`, not ", describe_value(trainable), ".")
  }
  vars <- if (is.na(trainable)) object$weights
          else if (trainable) object$trainable_weights
          else object$non_trainable_weights
  lapply(vars, function(v) as_r_weight(v))
}

# A weight's value as an R array (a 1-d weight as a 1-d array, as keras3 gives it).
as_r_weight <- function(v) {
  a <- py_to_r(py_call(py_get_attr(tf$convert_to_tensor(v), "numpy")))
  d <- dim(tf$convert_to_tensor(v))
  if (length(d) >= 1L && is.null(dim(a))) dim(a) <- d
  a
}

#' @rdname get_weights
#' @export
set_weights <- function(object, weights) {
  if (!is.list(weights) || is.object(weights)) {
    abort("`weights` must be a list of arrays, not ", describe_value(weights), ".")
  }
  weights <- lapply(weights, function(w) {
    if (is_py_object(w)) return(w)
    if (is.null(dim(w))) w <- array(w, length(w))
    w
  })
  object$set_weights(weights)
  invisible(object)
}

#' @rdname get_weights
#' @export
count_params <- function(object) object$count_params()

#' Freeze and unfreeze weights
#'
#' `freeze_weights()` makes a model's or layer's weights non-trainable;
#' `unfreeze_weights()` makes them trainable. With `from` and/or `to`, only the layers
#' from `from` to `to` (inclusive) change and the other layers get the opposite setting;
#' with `which`, only the layers chosen. Compile (or re-compile) the model afterwards
#' for the change to take effect in [fit()].
#'
#' @param object A Keras model or layer.
#' @param from,to The first and last layer: a layer name, a 1-based index (negative
#'   counts from the end) or a layer instance. `NULL` means the first (last) layer.
#' @param which Layers to change: names, 1-based indices, a logical vector, or a
#'   function (or formula) of a layer returning `TRUE` or `FALSE`.
#' @return `object`, invisibly.
#' @export
#' @examples
#' \dontrun{
#' freeze_weights(model, to = "dense_1")
#' unfreeze_weights(model)
#' }
freeze_weights <- function(object, from = NULL, to = NULL, which = NULL) {
  set_trainable(object, from, to, which, FALSE)
}

#' @rdname freeze_weights
#' @export
unfreeze_weights <- function(object, from = NULL, to = NULL, which = NULL) {
  set_trainable(object, from, to, which, TRUE)
}

set_trainable <- function(object, from, to, which, trainable) {
  if (!is.null(which) && (!is.null(from) || !is.null(to))) {
    abort("Give either `which` or `from`/`to`, not both.")
  }
  if (is.null(which) && is.null(from) && is.null(to)) {
    object$trainable <- trainable
    # Keras propagates the flag to the layers only when it changes the model's own.
    if (py_has_attr(object, "layers")) for (layer in object$layers) layer$trainable <- trainable
    return(invisible(object))
  }
  object$trainable <- TRUE
  layers <- object$layers
  n <- length(layers)
  if (!n) abort("`object` has no layers to choose from.")
  names <- vapply(layers, function(l) py_to_r(l$name), character(1))
  selected <- if (!is.null(which)) {
    which_layers(which, layers, names)
  } else {
    first <- if (is.null(from)) 1L else layer_position(from, names, "from")
    last <- if (is.null(to)) n else layer_position(to, names, "to")
    if (first > last) abort("`from` (layer ", first, ") comes after `to` (layer ", last, ").")
    seq(first, last)
  }
  for (i in seq_len(n)) layers[[i]]$trainable <- if (i %in% selected) trainable else !trainable
  invisible(object)
}

# A layer given by name, 1-based (or negative) index or instance, as its position.
layer_position <- function(x, names, arg) {
  n <- length(names)
  if (is_py_object(x)) x <- py_to_r(x$name)
  if (is.character(x) && length(x) == 1L && !is.na(x)) {
    i <- match(x, names)
    if (is.na(i)) abort("`", arg, "` names no layer of the model: \"", x, "\".")
    return(i)
  }
  if (is.numeric(x) && length(x) == 1L && is_whole(x) && x != 0 && abs(x) <= n) {
    return(as.integer(if (x < 0) n + x + 1 else x))
  }
  abort("`", arg, "` must be a layer name, a layer or an index in 1..", n,
        " (negative counts from the end), not ", describe_value(x), ".")
}

which_layers <- function(which, layers, names) {
  if (inherits(which, "formula")) {
    f <- which
    which <- function(.x) eval(f[[length(f)]], list(.x = .x, . = .x), environment(f))
  }
  if (is.function(which)) which <- vapply(layers, function(l) isTRUE(which(l)), logical(1))
  if (is.logical(which)) {
    if (length(which) != length(layers) || anyNA(which)) {
      abort("A logical `which` must have one `TRUE`/`FALSE` per layer (", length(layers), ").")
    }
    return(base::which(which))
  }
  vapply(as.list(which), function(w) layer_position(w, names, "which"), integer(1))
}

#' Layers of a model
#'
#' `get_layer()` returns a layer of a model by name or by 1-based index (negative
#' counts from the end). `pop_layer()` removes the last layer of a Sequential model.
#'
#' @param object A Keras model.
#' @param name A layer name.
#' @param index A 1-based index (takes precedence over `name`).
#' @param rebuild For `pop_layer()`: whether to rebuild the model afterwards.
#' @return `get_layer()`: the layer. `pop_layer()`: the removed layer, invisibly.
#' @export
#' @examples
#' \dontrun{
#' get_layer(model, index = 1)
#' get_layer(model, name = "dense")
#' pop_layer(model)
#' }
get_layer <- function(object, name = NULL, index = NULL) {
  if (!is.null(index)) {
    layers <- object$layers
    n <- length(layers)
    if (!is.numeric(index) || length(index) != 1L || !is_whole(index) || index == 0 || abs(index) > n) {
      abort("`index` must be a whole number in 1..", n, " (negative counts from the end), not ",
            describe_value(index), ".")
    }
    return(layers[[if (index < 0) n + index + 1 else index]])
  }
  if (!is.character(name) || length(name) != 1L || is.na(name)) {
    abort("`name` must be a single string (or give `index`), not ", describe_value(name), ".")
  }
  object$get_layer(name = name)
}

#' @rdname get_layer
#' @export
pop_layer <- function(object, rebuild = TRUE) {
  invisible(object$pop(rebuild = as_flag(rebuild, "rebuild")))
}

#' Clone a model, clear the session, reset state
#'
#' `clone_model()` makes a new model with the same architecture and fresh weights
#' (`keras.models.clone_model`). `clear_session()` resets Keras' global state (layer
#' name counters, the graph). `reset_state()` resets the state of a stateful layer,
#' metric or RNN model.
#'
#' @param model A Keras model.
#' @param input_tensors Optional input tensors for the clone.
#' @param clone_function A function of a layer returning its clone (default:
#'   a layer from the original's config).
#' @param call_function A function used to call each layer when cloning a functional model.
#' @param recursive Whether to clone nested models recursively.
#' @param ... Further keyword arguments for `clone_model`.
#' @param free_memory Whether to also run Python's garbage collector.
#' @param object A layer, metric or model with state.
#' @return `clone_model()`: the new model. `clear_session()`: `NULL`, invisibly.
#'   `reset_state()`: `object`, invisibly.
#' @export
#' @examples
#' \dontrun{
#' model2 <- clone_model(model)
#' clear_session()
#' }
clone_model <- function(model, input_tensors = NULL, clone_function = NULL,
                        call_function = NULL, recursive = FALSE, ...) {
  args <- list(model = model, input_tensors = input_tensors,
               recursive = as_flag(recursive, "recursive"), ...)
  if (!is.null(clone_function)) args$clone_function <- as_py_callable(clone_function)
  if (!is.null(call_function)) args$call_function <- as_py_callable(call_function)
  do.call(keras$models$clone_model, args)
}

as_py_callable <- function(f) {
  if (is.function(f) && !is_py_object(f)) tandem::py_func(f) else f
}

#' @rdname clone_model
#' @export
clear_session <- function(free_memory = TRUE) {
  keras$utils$clear_session(free_memory = as_flag(free_memory, "free_memory"))
  invisible(NULL)
}

#' @rdname clone_model
#' @export
reset_state <- function(object) {
  object$reset_state()
  invisible(object)
}

#' Train, test and predict on one batch
#'
#' `train_on_batch()` runs one gradient update on a batch, `test_on_batch()` evaluates
#' the model on one batch and `predict_on_batch()` returns its predictions.
#'
#' @param object A compiled Keras model.
#' @param x,y A batch of inputs and targets (R arrays, samples along the first axis).
#' @param sample_weight,class_weight Optional weights.
#' @param ... Further keyword arguments for the Python method.
#' @return `train_on_batch()`/`test_on_batch()`: the loss (a number) or, with metrics,
#'   a named list of the loss and metrics. `predict_on_batch()`: an R array.
#' @export
#' @examples
#' \dontrun{
#' train_on_batch(model, x[1:32, ], y[1:32])
#' predict_on_batch(model, x[1:4, ])
#' }
train_on_batch <- function(object, x, y = NULL, sample_weight = NULL, class_weight = NULL) {
  res <- object$train_on_batch(as_model_data(x, "x"), as_model_data(y, "y"),
                               sample_weight = as_model_data(sample_weight, "sample_weight"),
                               class_weight = as_class_weight(class_weight), return_dict = TRUE)
  batch_result(res)
}

#' @rdname train_on_batch
#' @export
test_on_batch <- function(object, x, y = NULL, sample_weight = NULL, ...) {
  res <- object$test_on_batch(as_model_data(x, "x"), as_model_data(y, "y"),
                              sample_weight = as_model_data(sample_weight, "sample_weight"),
                              return_dict = TRUE, ...)
  batch_result(res)
}

#' @rdname train_on_batch
#' @export
predict_on_batch <- function(object, x) {
  out <- object$predict_on_batch(as_model_data(x, "x"))
  if (is_py_object(out)) out <- py_to_r(out)
  out
}

batch_result <- function(res) {
  if (is_py_object(res)) res <- py_to_r(res)
  res <- lapply(res, function(v) as.numeric(if (is_py_object(v)) py_to_r(v) else v))
  if (length(res) == 1L) res[[1]] else res
}

#' Save and load a model's configuration or weights
#'
#' `save_model_config()` writes a model's architecture as JSON (`model$to_json()`);
#' `load_model_config()` makes a new, untrained model from it. `save_model_weights()`
#' writes the weights to a `.weights.h5` file; `load_model_weights()` reads them into a
#' model of the same architecture. `export_savedmodel()` exports the model for serving
#' as a TensorFlow SavedModel directory (`model$export()`).
#'
#' @param model,object A Keras model.
#' @param filepath The file path.
#' @param overwrite Whether to replace an existing file (otherwise an existing file is
#'   an error).
#' @param custom_objects R-defined classes and functions the model uses (see
#'   [load_model()]).
#' @param max_shard_size Optional maximal size of one weights file (in GB).
#' @param skip_mismatch Whether to skip weights whose shapes do not match.
#' @param export_dir_base The directory to export to.
#' @param ... Further keyword arguments for the Python method.
#' @return The model, invisibly (`load_model_config()`: the new model).
#' @export
#' @examples
#' \dontrun{
#' save_model_weights(model, "model.weights.h5")
#' load_model_weights(model, "model.weights.h5")
#' save_model_config(model, "model.json")
#' model2 <- load_model_config("model.json")
#' }
save_model_config <- function(model, filepath, overwrite = FALSE) {
  check_path(filepath)
  check_overwrite(filepath, overwrite)
  writeLines(py_to_r(model$to_json()), path.expand(filepath))
  invisible(model)
}

#' @rdname save_model_config
#' @export
load_model_config <- function(filepath, custom_objects = NULL) {
  check_path(filepath)
  if (!file.exists(filepath)) abort("`filepath` does not exist: '", filepath, "'.")
  json <- paste(readLines(path.expand(filepath), warn = FALSE), collapse = "\n")
  keras$models$model_from_json(json, custom_objects = as_custom_objects(custom_objects))
}

#' @rdname save_model_config
#' @export
save_model_weights <- function(model, filepath, overwrite = FALSE, max_shard_size = NULL) {
  check_path(filepath)
  # .weights.json: sharded weights (with max_shard_size, in GB), as Keras writes them.
  if (!grepl("\\.weights\\.(h5|json)$", filepath)) {
    abort("`filepath` must end in `.weights.h5` (or `.weights.json` for sharded weights), not '",
          filepath, "'.")
  }
  check_overwrite(filepath, overwrite)
  args <- list(path.expand(filepath), overwrite = TRUE)
  if (!is.null(max_shard_size)) args$max_shard_size <- as.numeric(max_shard_size)
  do.call(model$save_weights, args)
  invisible(model)
}

#' @rdname save_model_config
#' @export
load_model_weights <- function(model, filepath, skip_mismatch = FALSE, ...) {
  check_path(filepath)
  if (!file.exists(filepath)) abort("`filepath` does not exist: '", filepath, "'.")
  model$load_weights(path.expand(filepath), skip_mismatch = as_flag(skip_mismatch, "skip_mismatch"), ...)
  invisible(model)
}

#' @rdname save_model_config
#' @export
export_savedmodel <- function(object, export_dir_base, ...) {
  check_path(export_dir_base)
  object$export(path.expand(export_dir_base), ...)
  invisible(object)
}

check_overwrite <- function(filepath, overwrite) {
  if (file.exists(filepath) && !isTRUE(as_flag(overwrite, "overwrite"))) {
    abort("'", filepath, "' exists: use `overwrite = TRUE` to replace it.")
  }
}
