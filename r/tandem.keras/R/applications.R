# applications.R: what the generated application_*() constructors share: pretrained
# weights read from Keras' cache without a download attempt (a clear error when absent),
# and preprocess_input()/decode_predictions() found from the model.

# Keras fetches weight files (and the ImageNet class index) with
# keras.src.utils.file_utils.get_file(). While an application_*() or decode function runs,
# that function is replaced by one that uses the cached file if it is there and otherwise
# raises an error naming the file, where to put it and where it comes from, so that an
# offline machine never waits on the network. `options(tandem.keras.download = TRUE)`
# lets Keras download as usual.
OFFLINE_GET_FILE <- "
def _tandem_offline_get_file(original):
    import inspect as _inspect, os as _os, urllib.parse as _urlparse
    from keras.src.backend import config as _config
    sig = _inspect.signature(original)

    def get_file(*args, **kwargs):
        bound = sig.bind(*args, **kwargs)
        bound.apply_defaults()
        a = bound.arguments
        cache_dir = a.get('cache_dir') or _config.keras_home()
        base = _os.path.expanduser(cache_dir)
        if not _os.access(base, _os.W_OK):
            base = _os.path.join('/tmp', '.keras')
        datadir = _os.path.join(base, a.get('cache_subdir') or 'datasets')
        fname = a.get('fname') or _os.path.basename(_urlparse.urlsplit(a.get('origin') or '').path)
        path = _os.path.join(datadir, str(fname))
        if _os.path.exists(path):
            return original(*args, **kwargs)
        hint = ''
        if str(fname).endswith(('.h5', '.keras')):
            hint = ('use `weights = NULL` for random weights (or give the path of a '
                    'weights file); or ')
        raise FileNotFoundError(
            f\"The file '{fname}' is not in Keras' cache ('{datadir}'), and tandem.keras \"
            f\"does not download it (no network access is assumed). Download it from \"
            f\"{a.get('origin')} and save it as '{path}'; or {hint}set \"
            f\"`options(tandem.keras.download = TRUE)` to let Keras download it.\")
    get_file._tandem_offline = True
    return get_file
"

offline_env <- new.env(parent = emptyenv())

with_offline_downloads <- function(expr) {
  if (isTRUE(getOption("tandem.keras.download", FALSE))) return(expr)
  file_utils <- import("keras.src.utils.file_utils")
  original <- py_get_attr(file_utils, "get_file")
  if (py_has_attr(original, "_tandem_offline")) return(expr)  # nested
  if (is.null(offline_env$factory)) {
    ns <- tandem::py_run_string(OFFLINE_GET_FILE, local = TRUE, convert = FALSE)
    offline_env$factory <- tandem::py_get_item(ns, "_tandem_offline_get_file")
  }
  tandem::py_set_attr(file_utils, "get_file", offline_env$factory(original))
  on.exit(tandem::py_set_attr(file_utils, "get_file", original), add = TRUE)
  expr
}

# The application's Python submodule (for preprocess_input/decode_predictions) is recorded
# on the model, so application_preprocess_inputs(model, x) finds it.
APP_ATTR <- "_tandem_keras_application"

application_model <- function(fn_name, module, args) {
  fn <- keras$applications[[fn_name]]
  model <- with_offline_downloads(do.call(fn, args))
  tandem::py_set_attr(model, APP_ATTR, module)
  model
}

app_module <- function(model) {
  if (!is_py_object(model) || !py_has_attr(model, APP_ATTR)) {
    abort("`model` must be a model made by an `application_*()` function, not ",
          describe_value(model), ".")
  }
  keras$applications[[py_to_r(py_get_attr(model, APP_ATTR))]]
}

# R arrays reach Keras' preprocess_input() as writable float arrays (it works in place).
as_image_batch <- function(x) {
  if (is_py_object(x)) {
    if (inherits(x, "numpy.ndarray") && !py_to_r(py_get_attr(py_get_attr(x, "flags"), "writeable"))) {
      x <- py_call(py_get_attr(x, "copy"))
    }
    return(x)
  }
  if (!is.numeric(x) || is.null(dim(x))) {
    abort("`x` must be a numeric array of images (with `dim`), not ", describe_value(x), ".")
  }
  np_array(x + 0, dtype = keras$config$floatx())
}

# decode_predictions() gives, per sample, a list of (class id, description, score) tuples:
# keras3 returns a data frame per sample.
decoded_to_frames <- function(decoded) {
  if (is_py_object(decoded)) decoded <- py_to_r(decoded)
  lapply(decoded, function(rows) {
    rows <- lapply(rows, function(r) if (is_py_object(r)) py_to_r(r) else r)
    data.frame(
      class_name = vapply(rows, function(r) as.character(r[[1]]), ""),
      class_description = vapply(rows, function(r) as.character(r[[2]]), ""),
      score = vapply(rows, function(r) as.numeric(r[[3]]), 0),
      stringsAsFactors = FALSE
    )
  })
}

#' Preprocess inputs and decode predictions of a Keras application
#'
#' `application_preprocess_inputs(model, x)` applies the `preprocess_input()` of the
#' application that made `model` (e.g. [application_resnet50()]) to a batch of images
#' `x` (an R array of shape `(batch, height, width, channels)` with values in 0-255);
#' `application_decode_predictions(model, preds)` turns its predictions into a list of
#' data frames (one per sample, columns `class_name`, `class_description`, `score`).
#' Without `x` (or `preds`) they return the function itself.
#'
#' `imagenet_preprocess_input()` and `imagenet_decode_predictions()` are the generic
#' ImageNet versions (`keras.applications.imagenet_utils`).
#'
#' Decoding needs the ImageNet class index, `imagenet_class_index.json`, in Keras' cache
#' (`~/.keras/models`); without it the error says where to put it (no download is tried
#' unless `options(tandem.keras.download = TRUE)`).
#'
#' @param model A model made by an `application_*()` function.
#' @param x A batch of images.
#' @param preds A matrix of predicted class probabilities, one row per sample.
#' @param top How many classes to return per sample.
#' @param data_format `"channels_last"` (the default) or `"channels_first"`.
#' @param mode For `imagenet_preprocess_input()`: `"caffe"`, `"tf"` or `"torch"`.
#' @param ... Further arguments for the Python function.
#' @return The preprocessed array; a list of data frames; or a function.
#' @export
#' @examples
#' \dontrun{
#' model <- application_resnet50(weights = NULL)
#' x <- application_preprocess_inputs(model, array(runif(224 * 224 * 3, 0, 255), c(1, 224, 224, 3)))
#' }
application_preprocess_inputs <- function(model, x, ..., data_format = NULL) {
  module <- app_module(model)
  f <- function(x, ..., data_format = NULL) {
    args <- c(list(as_image_batch(x)), dots_list(...))
    if (!is.null(data_format)) args$data_format <- data_format
    do.call(module$preprocess_input, args)
  }
  if (missing(x)) return(f)
  f(x, ..., data_format = data_format)
}

#' @rdname application_preprocess_inputs
#' @export
application_decode_predictions <- function(model, preds, top = 5L, ...) {
  module <- app_module(model)
  f <- function(preds, top = 5L, ...) {
    decoded <- with_offline_downloads(
      module$decode_predictions(preds, top = as_int(top, "top"), ...)
    )
    decoded_to_frames(decoded)
  }
  if (missing(preds)) return(f)
  f(preds, top = top, ...)
}

#' @rdname application_preprocess_inputs
#' @export
imagenet_preprocess_input <- function(x, data_format = NULL, mode = "caffe") {
  utils_mod <- keras$applications$imagenet_utils
  utils_mod$preprocess_input(as_image_batch(x), data_format = data_format, mode = mode)
}

#' @rdname application_preprocess_inputs
#' @export
imagenet_decode_predictions <- function(preds, top = 5) {
  utils_mod <- keras$applications$imagenet_utils
  decoded <- with_offline_downloads(utils_mod$decode_predictions(preds, top = as_int(top, "top")))
  decoded_to_frames(decoded)
}
