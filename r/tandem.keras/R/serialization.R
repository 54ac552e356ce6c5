# serialization.R: keras3's serialization utilities (custom objects, registered names,
# serialize/deserialize), and the model state tree and quantization methods.

# A list of R-defined classes, wrappers and Python objects as a dict of custom objects.
as_custom_object_dict <- function(objects) {
  if (is.null(objects) || inherits(objects, "python.builtin.dict")) return(objects)
  if (!is.list(objects) || inherits(objects, CLASS_GENERATOR)) objects <- list(objects)
  objects[] <- lapply(objects, wrapper_target)
  as_custom_objects(objects)
}

#' Custom objects known to Keras' serialization
#'
#' `get_custom_objects()` returns the globally registered custom objects (a named list:
#' name -> class or function). `set_custom_objects()` replaces (or, with `clear = FALSE`,
#' extends) them and returns the previous ones, so they can be restored.
#' `with_custom_object_scope()` evaluates `expr` with `objects` registered, as
#' `keras.saving.custom_object_scope` does.
#'
#' @param objects A named list of classes (generators from [Layer()] and friends, Python
#'   classes, keras3 wrappers) and functions.
#' @param clear Whether to remove the objects registered before.
#' @param expr An R expression, evaluated with `objects` registered.
#' @return `get_custom_objects()`: a named list. `set_custom_objects()`: the previous
#'   objects, invisibly. `with_custom_object_scope()`: the value of `expr`.
#' @export
#' @examples
#' \dontrun{
#' old <- set_custom_objects(list(MyLayer = layer_my), clear = FALSE)
#' set_custom_objects(old)
#' }
get_custom_objects <- function() {
  py_to_r(keras$utils$get_custom_objects())
}

#' @rdname get_custom_objects
#' @export
set_custom_objects <- function(objects = list(), clear = TRUE) {
  # Keras keeps two dicts (name -> object, object -> name) that must stay in step.
  m <- import(py_to_r(py_get_attr(keras$utils$get_custom_objects, "__module__")), convert = FALSE)
  objs <- py_get_attr(m, "GLOBAL_CUSTOM_OBJECTS")
  names_dict <- py_get_attr(m, "GLOBAL_CUSTOM_NAMES")
  previous <- py_to_r(py_call(py_get_attr(objs, "copy")))
  if (isTRUE(clear)) {
    py_call(py_get_attr(objs, "clear"))
    py_call(py_get_attr(names_dict, "clear"))
  }
  if (length(objects)) {
    d <- as_custom_object_dict(objects)
    py_call(py_get_attr(objs, "update"), d)
    update_names <- py_code_function(
      "def f(objs, names):\n    names.update({o: n for n, o in objs.items()})\n", "f")
    py_call(update_names, objs, names_dict)
  }
  invisible(previous)
}

#' @rdname get_custom_objects
#' @export
with_custom_object_scope <- function(objects, expr) {
  scope <- keras$utils$CustomObjectScope(as_custom_object_dict(objects))
  py_call(py_get_attr(scope, "__enter__"))
  on.exit(py_call(py_get_attr(scope, "__exit__"), NULL, NULL, NULL))
  expr
}

#' Registered names of Keras objects
#'
#' `get_registered_name()` gives the name Keras serializes an object under
#' (`"package>Name"` for objects registered with [register_keras_serializable()], else
#' the class or function name); `get_registered_object()` looks a name up.
#'
#' @param obj A class (a generator from [Layer()] and friends, a Python class, a keras3
#'   wrapper such as `layer_dense`) or a function.
#' @param name A registered name.
#' @param custom_objects,module_objects Optional named lists searched too.
#' @return A string; the object (or `NULL` when the name is unknown).
#' @export
get_registered_name <- function(obj) {
  keras$utils$get_registered_name(as_py_class(obj))
}

#' @rdname get_registered_name
#' @export
get_registered_object <- function(name, custom_objects = NULL, module_objects = NULL) {
  keras$utils$get_registered_object(name, custom_objects = as_custom_object_dict(custom_objects),
                                     module_objects = as_custom_object_dict(module_objects))
}

#' Serialize and deserialize Keras objects
#'
#' `serialize_keras_object()` gives the config of a Keras object (a named list with
#' `module`, `class_name`, `config` and `registered_name`), and
#' `deserialize_keras_object()` makes the object back from it.
#'
#' @param obj A Keras object (layer, loss, optimizer, ...).
#' @param config A config, as `serialize_keras_object()` returns it.
#' @param custom_objects A named list of classes and functions the config may use.
#' @param safe_mode Whether to refuse configs that would run arbitrary code (lambdas).
#' @param ... Further arguments for `keras.saving.deserialize_keras_object`.
#' @return A named list; the Keras object.
#' @export
serialize_keras_object <- function(obj) {
  keras$utils$serialize_keras_object(obj)
}

#' @rdname serialize_keras_object
#' @export
deserialize_keras_object <- function(config, custom_objects = NULL, safe_mode = TRUE, ...) {
  keras$utils$deserialize_keras_object(config, custom_objects = as_custom_object_dict(custom_objects),
                                        safe_mode = as_flag(safe_mode, "safe_mode"), ...)
}

#' A model's state as a tree of values
#'
#' `get_state_tree()` returns a model's variables (trainable, non-trainable, optimizer
#' and metric variables) as nested named lists keyed by variable path;
#' `set_state_tree()` assigns values from such a tree.
#'
#' @param object A Keras model.
#' @param value_format `"backend_tensor"` (tensors, the default), `"numpy_array"` (NumPy
#'   arrays, unconverted) or `"r_array"`/`"array"` (R arrays).
#' @param state_tree A tree as `get_state_tree()` returns it.
#' @return The tree; `set_state_tree()` returns `object`, invisibly.
#' @export
get_state_tree <- function(object, value_format = "backend_tensor") {
  if (value_format %in% c("r_array", "array")) {
    return(py_to_r(py_call(py_get_attr(object, "get_state_tree"), "numpy_array")))
  }
  if (identical(value_format, "numpy_array")) {
    getter <- py_set_convert(py_get_attr(object, "get_state_tree"), FALSE)
    return(py_call(getter, "numpy_array"))
  }
  object$get_state_tree(value_format)
}

#' @rdname get_state_tree
#' @export
set_state_tree <- function(object, state_tree) {
  object$set_state_tree(state_tree)
  invisible(object)
}

#' Quantize a model's or layer's weights
#'
#' Calls the Keras object's `quantize(mode)`: the supported layers (Dense, EinsumDense,
#' Embedding) are switched to quantized weights in place.
#'
#' @param object A Keras model or layer.
#' @param mode The quantization mode, e.g. `"int8"` or `"float8"`.
#' @param ... Further arguments for `quantize()`.
#' @return `object`, invisibly.
#' @export
quantize_weights <- function(object, mode, ...) {
  object$quantize(mode, ...)
  invisible(object)
}
