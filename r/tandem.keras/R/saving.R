# saving.R: saving and loading whole models (the native `.keras` format).

#' Save and load models
#'
#' `save_model()` writes a model (architecture, weights and, if compiled, the optimizer
#' state) to a `.keras` file; `load_model()` reads it back.
#'
#' @param model A Keras model.
#' @param filepath Path of the `.keras` file.
#' @param overwrite Whether to replace an existing file.
#' @param custom_objects A named list of Python classes or functions the model uses
#'   that Keras does not know by name.
#' @param compile Whether to compile the loaded model as it was saved.
#' @param ... Further keyword arguments for `model.save()` / `keras.models.load_model()`.
#' @return `save_model()`: `model`, invisibly. `load_model()`: the model.
#' @export
#' @examples
#' \dontrun{
#' f <- tempfile(fileext = ".keras")
#' save_model(model, f)
#' model2 <- load_model(f)
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
  keras$models$load_model(path.expand(filepath), custom_objects = custom_objects,
                          compile = as_flag(compile, "compile"), ...)
}

check_path <- function(x) {
  if (!is.character(x) || length(x) != 1L || is.na(x)) {
    abort("`filepath` must be a single string, not ", describe_value(x), ".")
  }
}
