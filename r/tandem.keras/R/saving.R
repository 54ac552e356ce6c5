# saving.R: saving and loading whole models (the native `.keras` format), and the names
# under which R-defined classes and functions are saved.

#' Save and load models
#'
#' `save_model()` writes a model (architecture, weights and, if compiled, the optimizer
#' state) to a `.keras` file; `load_model()` reads it back.
#'
#' Layers, models, metrics and losses defined in R ([new_layer_class()], `%py_class%`,
#' R functions as losses or metrics) are saved under their class (or function) name.
#' To load them, give them in `custom_objects` (named by that name; generators and
#' classes may also be unnamed), or register them once with
#' [register_keras_serializable()].
#'
#' @param model A Keras model.
#' @param filepath Path of the `.keras` file.
#' @param overwrite Whether to replace an existing file.
#' @param custom_objects A list of the R-defined classes and functions the model uses:
#'   generators from [new_layer_class()] and friends, Python classes, or R functions.
#'   Names are the names Keras saved them under; unnamed classes and generators use
#'   their class name.
#' @param compile Whether to compile the loaded model as it was saved.
#' @param ... Further keyword arguments for `model.save()` / `keras.models.load_model()`.
#' @return `save_model()`: `model`, invisibly. `load_model()`: the model.
#' @export
#' @examples
#' \dontrun{
#' f <- tempfile(fileext = ".keras")
#' save_model(model, f)
#' model2 <- load_model(f, custom_objects = list(MyLayer = MyLayer))
#' }
save_model <- function(model, filepath, overwrite = TRUE, ...) {
  check_path(filepath)
  if (!grepl("\\.keras$", filepath)) abort("`filepath` must end in `.keras`, not '", filepath, "'.")
  model$save(path.expand(filepath), overwrite = as_flag(overwrite, "overwrite"), ...)
  invisible(model)
}

#' @rdname save_model
#' @export
load_model <- function(filepath, custom_objects = NULL, compile = TRUE, ...) {
  check_path(filepath)
  if (!file.exists(filepath)) abort("`filepath` does not exist: '", filepath, "'.")
  keras$models$load_model(path.expand(filepath), custom_objects = as_custom_objects(custom_objects),
                          compile = as_flag(compile, "compile"), ...)
}

check_path <- function(x) {
  if (!is.character(x) || length(x) != 1L || is.na(x)) {
    abort("`filepath` must be a single string, not ", describe_value(x), ".")
  }
}

# A list of classes/generators/functions as the dict Keras looks names up in.
as_custom_objects <- function(x) {
  if (is.null(x) || inherits(x, "python.builtin.dict")) return(x)
  if (inherits(x, CLASS_GENERATOR) || is_py_object(x) || is.function(x)) x <- list(x)
  if (!is.list(x)) {
    abort("`custom_objects` must be a list of classes and functions, not ", describe_value(x), ".")
  }
  nms <- names(x) %||% rep("", length(x))
  out <- dict()
  for (i in seq_along(x)) {
    obj <- x[[i]]
    nm <- nms[[i]]
    if (inherits(obj, CLASS_GENERATOR)) {
      obj <- generator_class(obj)
    } else if (is.function(obj) && !is_py_object(obj)) {
      if (!nzchar(nm)) abort("R functions in `custom_objects` must be named (element ", i, ").")
      obj <- tandem::py_func(obj, name = nm)
    } else if (!is_py_object(obj)) {
      abort("`custom_objects` must hold classes and functions; element ", i, " is ",
            describe_value(obj), ".")
    }
    if (!nzchar(nm)) {
      if (!py_has_attr(obj, "__name__")) abort("Element ", i, " of `custom_objects` needs a name.")
      nm <- py_to_r(py_get_attr(obj, "__name__"))
    }
    tandem::py_set_item(out, nm, obj)
  }
  out
}

#' Register a class or function for saving
#'
#' Registers an R-defined Keras class (a generator from [new_layer_class()] and friends,
#' or a Python class) or an R function (a custom loss or metric) with Keras under
#' `"<package>><name>"`, so that models using it are saved under that name and
#' [load_model()] finds it without `custom_objects`.
#'
#' @param object A generator, a Python class, or an R function.
#' @param name The name to register (default: the class name; required for functions).
#' @param package A namespace for the name.
#' @return `object`, invisibly; for an R function, the registered Python function.
#' @export
#' @examples
#' \dontrun{
#' register_keras_serializable(layer_linear, package = "mypkg")
#' }
register_keras_serializable <- function(object, name = NULL, package = "Custom") {
  if (!is.character(package) || length(package) != 1L || is.na(package) || !nzchar(package)) {
    abort("`package` must be a single string, not ", describe_value(package), ".")
  }
  if (!is.null(name) && (!is.character(name) || length(name) != 1L || is.na(name))) {
    abort("`name` must be a single string or `NULL`, not ", describe_value(name), ".")
  }
  target <- object
  if (inherits(object, CLASS_GENERATOR)) {
    target <- generator_class(object)
  } else if (is.function(object) && !is_py_object(object)) {
    if (is.null(name)) abort("`name` is required to register an R function.")
    target <- tandem::py_func(object, name = name)
  } else if (!is_py_object(object)) {
    abort("`object` must be a class, a class generator or a function, not ",
          describe_value(object), ".")
  }
  decorator <- keras$utils$register_keras_serializable(package = package, name = name)
  registered <- decorator(target)
  if (is.function(object) && !is_py_object(object) && !inherits(object, CLASS_GENERATOR)) {
    return(invisible(registered))
  }
  invisible(object)
}
