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
#' @param model A Keras model (`save_model()`); for `load_model()`, the path of a `.keras`
#'   file, or the raw vector `save_model(model)` returned.
#' @param filepath Path of the `.keras` file; `NULL` (keras3): no file, the model is
#'   returned serialized, as a raw vector.
#' @param overwrite Whether to replace an existing file (keras3's default `FALSE`: an
#'   existing file is an error, or a question in an interactive session).
#' @param zipped Keras' `zipped` (`FALSE` writes an unzipped directory); `NULL`: Keras'
#'   default.
#' @param custom_objects A list of the R-defined classes and functions the model uses:
#'   generators from [new_layer_class()] and friends, Python classes, or R functions.
#'   Names are the names Keras saved them under; unnamed classes and generators use
#'   their class name.
#' @param compile Whether to compile the loaded model as it was saved.
#' @param safe_mode Keras' safe mode (default `TRUE`): a saved `Lambda` layer's code is
#'   not deserialized. Set `FALSE` only for files you trust: loading then runs their code.
#' @param ... Further keyword arguments for `keras.saving.save_model()` /
#'   `keras.saving.load_model()`.
#' @return `save_model()`: `model`, invisibly, or with `filepath = NULL` the serialized
#'   model (a raw vector). `load_model()`: the model.
#' @export
#' @examples
#' \dontrun{
#' f <- tempfile(fileext = ".keras")
#' save_model(model, f)
#' model2 <- load_model(f, custom_objects = list(MyLayer = MyLayer))
#' bytes <- save_model(model)     # a raw vector
#' model3 <- load_model(bytes)
#' }
save_model <- function(model, filepath = NULL, overwrite = FALSE, zipped = NULL, ...) {
  serialized <- is.null(filepath)
  if (serialized) {
    filepath <- tempfile(pattern = "keras_model-", fileext = ".keras")
    on.exit(unlink(filepath), add = TRUE)
  }
  check_path(filepath)
  if (!isFALSE(zipped) && !grepl("\\.keras$", filepath)) {
    abort("`filepath` must end in `.keras`, not '", filepath, "'.")
  }
  overwrite <- as_flag(overwrite, "overwrite")
  multi <- is_multi_worker(model)
  # Only the chief writes `filepath` (the other workers save into private directories).
  if (!multi || is_chief()) overwrite <- confirm_overwrite(filepath, overwrite)
  extra <- if (is.null(zipped)) list() else list(zipped = as_flag(zipped, "zipped"))
  if (multi) {
    return(do.call(distributed_save, c(list(model, filepath, overwrite), extra, dots_list(...))))  # chief keeps it
  }
  do.call(model$save, c(list(path.expand(filepath), overwrite = overwrite), extra, dots_list(...)))
  if (serialized) return(readBin(filepath, what = "raw", n = file.size(filepath)))
  invisible(model)
}

# keras3: an existing file is replaced only when asked (or confirmed interactively).
confirm_overwrite <- function(filepath, overwrite) {
  if (overwrite || !file.exists(filepath)) return(TRUE)
  if (interactive()) {
    overwrite <- isTRUE(utils::askYesNo(sprintf("File '%s' already exists - overwrite?", filepath), default = FALSE))
  }
  if (!overwrite) abort("File '", filepath, "' already exists (pass overwrite = TRUE to replace it).")
  TRUE
}

#' @rdname save_model
#' @export
load_model <- function(model, custom_objects = NULL, compile = TRUE, safe_mode = TRUE, ...) {
  if (is.raw(model)) {
    filepath <- tempfile(pattern = "keras_model-", fileext = ".keras")
    on.exit(unlink(filepath), add = TRUE)
    writeBin(model, filepath)
  } else {
    filepath <- model
    check_path(filepath)
    if (!file.exists(filepath)) abort("`filepath` does not exist: '", filepath, "'.")
  }
  keras$models$load_model(path.expand(filepath), custom_objects = as_custom_objects(custom_objects),
                          compile = as_flag(compile, "compile"), safe_mode = as_flag(safe_mode, "safe_mode"), ...)
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
#' @param name The name to register (default: the class name; for an R function, the
#'   expression given as `object`, e.g. `"my_loss"` for `register_keras_serializable(my_loss)`).
#' @param package A namespace for the name (default, as in keras3: the name of the
#'   package calling it, else `"Custom"`).
#' @return `object`, invisibly; for an R function, the registered Python function.
#' @export
#' @examples
#' \dontrun{
#' register_keras_serializable(layer_linear, package = "mypkg")
#' }
register_keras_serializable <- function(object, name = NULL, package = NULL) {
  if (is.null(package)) {
    package <- environmentName(topenv(parent.frame()))
    if (package %in% c("", "base", "R_GlobalEnv")) package <- "Custom"
  }
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
    if (is.null(name)) {
      name <- deparse1(substitute(object))
      if (!grepl("^[A-Za-z_.][A-Za-z0-9_.]*$", name)) {
        abort("`name` is required to register an R function given as an expression (", name, ").")
      }
    }
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
