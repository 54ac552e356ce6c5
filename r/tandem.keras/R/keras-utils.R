# keras-utils.R: keras3's small utilities: variables, seeds, files, source inputs, the
# image array helpers, `newaxis`.

#' A Keras variable
#'
#' Makes a `keras.Variable` from an initial array (or tensor), or from an initializer
#' and a shape.
#'
#' @param initializer The initial value (an R array or tensor), or an initializer
#'   (`initializer_ones()`, `"zeros"`, an R function of `shape` and `dtype`).
#' @param shape The shape (an R vector or [shape()]), with an initializer.
#' @param dtype The dtype, e.g. `"float32"`.
#' @param trainable Whether gradients flow to it in training.
#' @param autocast Whether it is cast to the compute dtype of mixed-precision layers.
#' @param aggregation,synchronization How distributed replicas combine and sync it.
#' @param name Its name.
#' @param ... Further arguments for `keras.Variable`.
#' @return A Keras variable.
#' @export
#' @examples
#' \dontrun{
#' v <- keras_variable(initializer = array(1, c(3, 3)))
#' v2 <- keras_variable(initializer_ones(), shape = c(2, 2))
#' }
keras_variable <- function(initializer, shape = NULL, dtype = NULL, trainable = TRUE,
                           autocast = TRUE, aggregation = "none", synchronization = "auto",
                           name = NULL, ...) {
  args <- capture_args(environment(), names(match.call(expand.dots = FALSE))[-1], dots_list(...),
                       list(shape = as_shape, trainable = as_flag, autocast = as_flag))
  if (is.function(args$initializer) && !is_py_object(args$initializer)) {
    args$initializer <- tandem::py_func(args$initializer, name = "r_initializer")
  }
  do.call(keras$Variable, args)
}

#' Seed every random number generator
#'
#' Sets R's seed (`set.seed()`), Python's `random` and NumPy's, and TensorFlow's (through
#' `keras.utils.set_random_seed`), for reproducible runs.
#'
#' @param seed A whole number.
#' @return `NULL`, invisibly.
#' @export
set_random_seed <- function(seed) {
  seed <- as_int(seed, "seed")
  if (length(seed) != 1L) abort("`seed` must be a single whole number.")
  set.seed(seed)
  keras$utils$set_random_seed(seed)
  invisible()
}

#' The inputs a tensor was computed from
#'
#' @param tensor A symbolic (Keras) tensor.
#' @return A list of the input tensors of the graph of layers that produced `tensor`.
#' @export
get_source_inputs <- function(tensor) {
  keras$utils$get_source_inputs(tensor)
}

#' A file from Keras' cache
#'
#' keras3's `get_file()`: the path of `fname` in Keras' cache
#' (`$KERAS_HOME/<cache_subdir>`, else `~/.keras/<cache_subdir>`), extracted when
#' `extract = TRUE`. tandem.keras assumes no network: when the file is not in the cache
#' the error names it, the directory to put it in and `origin`.
#' `options(tandem.keras.download = TRUE)` lets Keras download it as usual.
#'
#' @param fname The file name in the cache (default: the last part of `origin`).
#' @param origin Its URL.
#' @param ... Further arguments for `keras.utils.get_file`.
#' @param file_hash,hash_algorithm An expected hash of the file, checked when given.
#' @param cache_subdir The cache subdirectory.
#' @param extract Whether to extract an archive (the extracted path is returned).
#' @param archive_format The archive format (`"auto"`, `"tar"`, `"zip"`).
#' @param cache_dir The cache directory (default: Keras' home).
#' @param force_download Whether to download even when cached.
#' @return The path of the file (or of the extracted directory).
#' @export
get_file <- function(fname = NULL, origin = NULL, ..., file_hash = NULL,
                     cache_subdir = "datasets", hash_algorithm = "auto", extract = FALSE,
                     archive_format = "auto", cache_dir = NULL, force_download = FALSE) {
  if (is.null(fname) && is.null(origin)) abort("Give `fname` or `origin`.")
  name <- fname %||% basename(sub("[?#].*$", "", origin))
  home <- cache_dir %||% {
    h <- Sys.getenv("KERAS_HOME", "")
    if (nzchar(h)) h else file.path(Sys.getenv("HOME", "~"), ".keras")
  }
  dir <- if (startsWith(cache_subdir, "/")) cache_subdir else file.path(path.expand(home), cache_subdir)
  cached <- file.path(dir, name)
  extracted <- file.path(dir, paste0(sub("\\.(tar\\.gz|tgz|tar|zip|tar\\.bz2)$", "", name), "_extracted"))
  present <- file.exists(cached) || (isTRUE(extract) && file.exists(extracted))
  if ((!present || isTRUE(force_download)) && !isTRUE(getOption("tandem.keras.download"))) {
    abort("The file '", name, "' is not in Keras' cache ('", dir, "'), and tandem.keras does ",
          "not download it (no network access is assumed). Download it from ",
          origin %||% "its origin", " and save it as '", cached, "', or set ",
          "`options(tandem.keras.download = TRUE)`.")
  }
  args <- c(list(fname = name, origin = origin, file_hash = file_hash,
                 cache_subdir = cache_subdir, hash_algorithm = hash_algorithm,
                 extract = as_flag(extract, "extract"), archive_format = archive_format,
                 cache_dir = path.expand(home),  # Keras read KERAS_HOME at import only
                 force_download = as_flag(force_download, "force_download")), dots_list(...))
  do.call(keras$utils$get_file, args[!vapply(args, is.null, logical(1))])
}

#' `newaxis`: a new axis of length one in tensor indexing
#'
#' keras3's `newaxis` is `NULL`: in `x[newaxis, , ]` it inserts an axis.
#' @format `NULL`.
#' @export
newaxis <- NULL

#' Images from and to arrays
#'
#' `image_from_array()` makes a PIL image from a 3-d array (height, width, channels);
#' `image_array_save()` saves such an array as an image file. With `scale = TRUE`,
#' values are rescaled to 0-255 (from their min and max); `data_format` is
#' `"channels_last"` (default) or `"channels_first"`. Both use Pillow through Keras.
#'
#' @param x A 3-d R array or tensor.
#' @param path The file to write.
#' @param data_format `"channels_last"` or `"channels_first"` (default: Keras' setting).
#' @param file_format The file format (default: from the extension of `path`).
#' @param scale Whether to rescale the values to 0-255.
#' @param dtype The dtype used for the conversion (default: Keras' float type).
#' @param ... Further arguments for PIL's `Image.save()`.
#' @return `image_from_array()`: a PIL image (a Python handle). `image_array_save()`:
#'   `path`, invisibly.
#' @export
#' @examples
#' \dontrun{
#' img <- image_from_array(array(runif(300), c(10, 10, 3)))
#' image_array_save(array(runif(300), c(10, 10, 3)), tempfile(fileext = ".png"))
#' }
image_from_array <- function(x, data_format = NULL, scale = TRUE, dtype = NULL) {
  keras$utils$array_to_img(as_image_array(x), data_format = data_format,
                           scale = as_flag(scale, "scale"), dtype = dtype)
}

#' @rdname image_from_array
#' @export
image_array_save <- function(x, path, data_format = NULL, file_format = NULL, scale = TRUE, ...) {
  check_path(path)
  keras$utils$save_img(path.expand(path), as_image_array(x), data_format = data_format,
                       file_format = file_format, scale = as_flag(scale, "scale"), ...)
  invisible(path)
}

as_image_array <- function(x) {
  if (is_py_object(x)) return(x)
  if (!is.numeric(x) && !is.logical(x) || length(dim(x)) != 3L) {
    abort("`x` must be a 3-d array (height, width, channels), not ", describe_value(x), ".")
  }
  x
}

#' Resize images to a size without distorting them
#'
#' Crops the largest centered window of the target aspect ratio, then resizes it to
#' `size` (keras.preprocessing.image.smart_resize).
#'
#' @param x An image array (height, width, channels) or a batch of them, or a tensor.
#' @param size The target `c(height, width)`.
#' @param interpolation The interpolation method (`"bilinear"`, `"nearest"`, ...).
#' @param data_format `"channels_last"` or `"channels_first"`.
#' @param backend_module Passed on to Keras.
#' @return The resized images (an R array for an R array, else a tensor).
#' @export
image_smart_resize <- function(x, size, interpolation = "bilinear",
                               data_format = "channels_last", backend_module = NULL) {
  keras$preprocessing$image$smart_resize(x, size = tuple(as.list(as_int(size, "size"))),
                                         interpolation = interpolation,
                                         data_format = data_format,
                                         backend_module = backend_module)
}

#' Choose Keras' backend
#'
#' tandem.keras runs Keras 3 through TensorFlow (`tf$keras`), so `"tensorflow"` is the
#' only backend: `use_backend("tensorflow")` is accepted (and sets `KERAS_BACKEND` for
#' Keras code imported directly); any other backend is an error.
#'
#' @param backend The backend's name.
#' @param gpu Ignored (kept for keras3's signature).
#' @return `NULL`, invisibly.
#' @export
use_backend <- function(backend, gpu = NA) {
  if (!is.character(backend) || length(backend) != 1L || is.na(backend)) {
    abort("`backend` must be a single string, not ", describe_value(backend), ".")
  }
  if (!identical(backend, "tensorflow")) {
    abort("tandem.keras runs Keras on TensorFlow (`tf$keras`); the \"", backend,
          "\" backend is not supported.")
  }
  Sys.setenv(KERAS_BACKEND = "tensorflow")
  invisible()
}

#' Reload the backend (and the Keras package).
#'
#' keras3's `config_set_backend()`. tandem.keras runs Keras on TensorFlow only: asking for
#' `"tensorflow"` changes nothing, and any other backend is an error that leaves Keras as
#' it was (Keras' own `set_backend()` would reload Keras without TensorFlow, and a
#' backend that is not installed would leave it unusable for the rest of the session).
#'
#' @family config functions
#' @param backend The backend's name.
#' @return `NULL`, invisibly.
#' @export
config_set_backend <- function(backend) {
  use_backend(backend)
}

#' A list whose elements are all named
#'
#' Like [list()], but unnamed arguments are named by their expression (as keras3's
#' `named_list()`): `named_list(a, b = 2)` has names `"a"` and `"b"`.
#'
#' @param ... The elements.
#' @return A named list.
#' @export
named_list <- function(...) {
  out <- dots_list(...)
  exprs <- as.list(substitute(list(...)))[-1][seq_along(out)]  # without a trailing empty one
  nms <- names(out) %||% rep("", length(out))
  empty <- !nzchar(nms)
  nms[empty] <- vapply(exprs[empty], function(e) paste(deparse(e, width.cutoff = 500L), collapse = " "),
                       character(1))
  names(out) <- nms
  out
}
