# data-utils.R: keras3's data utilities: one-hot labels, normalization, padding, datasets
# made from arrays and directories, images, and zipping lists and datasets.

#' One-hot encode class labels
#'
#' Converts a vector (or array) of class labels `0, 1, ..., num_classes - 1` into a
#' binary matrix with one column per class (`keras.utils.to_categorical`). A factor's
#' levels are the classes, in order.
#'
#' @param x Whole numbers from 0, or a factor.
#' @param num_classes The number of classes (default: the largest label plus one, or
#'   the factor's number of levels).
#' @return A numeric array with one more dimension than `x`, the last of extent
#'   `num_classes` (a matrix for a vector `x`).
#' @export
#' @examples
#' \dontrun{
#' to_categorical(c(0, 2, 1))
#' }
to_categorical <- function(x, num_classes = NULL) {
  if (is.factor(x)) {
    if (is.null(num_classes)) num_classes <- nlevels(x)
    d <- dim(x)
    x <- as.integer(x) - 1L
    if (!is.null(d)) dim(x) <- d
  }
  if (is_py_object(x)) x <- as.array(x)
  if (!is.numeric(x) || !is_whole(x) || any(x < 0)) {
    abort("`x` must be whole numbers from 0 (class labels) or a factor, not ", describe_value(x), ".")
  }
  num_classes <- as_int(num_classes, "num_classes")
  if (!is.null(num_classes) && length(x) && max(x) >= num_classes) {
    abort("`x` has label ", max(x), ", not less than `num_classes` (", num_classes, ").")
  }
  d <- dim(x) %||% length(x)
  x <- array(as.integer(x), d)
  out <- keras$utils$to_categorical(x, num_classes = num_classes)
  if (is_py_object(out)) out <- py_to_r(out)
  out
}

#' Normalize an array
#'
#' Scales `x` to unit norm along `axis` (`keras.utils.normalize`).
#'
#' @param x A numeric array.
#' @param axis The axis to normalize along (1-based; negative counts from the end).
#' @param order The norm's order (2 for the L2 norm).
#' @return An array of the shape of `x`.
#' @export
#' @examples
#' \dontrun{
#' normalize(matrix(c(3, 4, 6, 8), 2, byrow = TRUE))
#' }
normalize <- function(x, axis = -1, order = 2) {
  if (is.null(dim(x)) && is.numeric(x)) x <- array(x, length(x))
  out <- keras$utils$normalize(x, axis = as_axis(axis), order = as_int(order, "order"))
  if (is_py_object(out)) out <- py_to_r(out)
  out
}

#' Pad sequences to the same length
#'
#' Pads (or truncates) a list of integer sequences to a matrix of `maxlen` columns
#' (`keras.utils.pad_sequences`).
#'
#' @param sequences A list of numeric vectors.
#' @param maxlen The length of the result (default: the longest sequence).
#' @param dtype The dtype of the result.
#' @param padding,truncating `"pre"` or `"post"`: where to pad or cut.
#' @param value The padding value.
#' @return A matrix with one row per sequence.
#' @export
#' @examples
#' \dontrun{
#' pad_sequences(list(1:3, 1:5), maxlen = 4)
#' }
pad_sequences <- function(sequences, maxlen = NULL, dtype = "int32", padding = "pre",
                          truncating = "pre", value = 0) {
  if (is_py_object(sequences)) sequences <- py_to_r(sequences)
  if (!is.list(sequences)) {
    abort("`sequences` must be a list of numeric vectors, not ", describe_value(sequences), ".")
  }
  seqs <- lapply(sequences, function(s) {
    if (is_py_object(s)) s <- py_to_r(s)
    s <- unlist(s)
    if (is.null(s)) return(list())
    if (!is.numeric(s)) abort("`sequences` must hold numeric vectors, not ", describe_value(s), ".")
    as.list(if (is_whole(s) && all(abs(s) <= .Machine$integer.max)) as.integer(s) else s)
  })
  padding <- match.arg(padding, c("pre", "post"))
  truncating <- match.arg(truncating, c("pre", "post"))
  out <- keras$utils$pad_sequences(seqs, maxlen = as_int(maxlen, "maxlen"), dtype = dtype,
                                   padding = padding, truncating = truncating, value = value)
  if (is_py_object(out)) out <- py_to_r(out)
  out
}

#' Datasets of windows, images and texts
#'
#' * `timeseries_dataset_from_array()` makes a dataset of sliding windows over the rows
#'   of `data` (with `targets[i]` the target of the window starting at row `i`).
#' * `image_dataset_from_directory()`, `text_dataset_from_directory()` and
#'   `audio_dataset_from_directory()` make a dataset of `(images, labels)`,
#'   `(texts, labels)` or `(audio, labels)` batches from a directory with one
#'   subdirectory per class (audio: WAV files).
#'
#' These wrap the `keras.utils` functions of the same names; indices (`start_index`,
#' `end_index`) are Keras' (0-based).
#'
#' @param data An array (samples along the first axis).
#' @param targets Targets, one per row of `data`, or `NULL`.
#' @param sequence_length,sequence_stride,sampling_rate The window length, the step
#'   between windows, and the step between rows in a window. For
#'   `audio_dataset_from_directory()`, `sampling_rate` is the expected sampling rate of
#'   the audio files (`NULL`: not checked).
#' @param batch_size The batch size (`NULL`: unbatched).
#' @param shuffle Whether to shuffle.
#' @param seed Optional random seed.
#' @param start_index,end_index Optional row range of `data` to use.
#' @param directory The directory.
#' @param labels `"inferred"` (from the subdirectories), `NULL`, or a vector of labels.
#' @param label_mode `"int"`, `"categorical"`, `"binary"` or `NULL`.
#' @param class_names The class (subdirectory) names to use, in order.
#' @param color_mode `"grayscale"`, `"rgb"` or `"rgba"`.
#' @param image_size The size images are resized to (height, width).
#' @param validation_split,subset A fraction to hold out, and which part to return
#'   (`"training"`, `"validation"` or `"both"`).
#' @param interpolation The resizing method.
#' @param follow_links Whether to follow symbolic links.
#' @param crop_to_aspect_ratio,pad_to_aspect_ratio Whether to keep the aspect ratio.
#' @param data_format `"channels_last"` or `"channels_first"`.
#' @param verbose Whether to print the number of files found.
#' @param max_length The maximal length of a text.
#' @param ... Further keyword arguments for the Keras function.
#' @return A TensorFlow dataset (a list of two for `subset = "both"`).
#' @export
#' @examples
#' \dontrun{
#' ds <- timeseries_dataset_from_array(matrix(1:20, 10), NULL, sequence_length = 3,
#'                                     batch_size = 4)
#' }
timeseries_dataset_from_array <- function(data, targets, sequence_length, sequence_stride = 1,
                                          sampling_rate = 1, batch_size = 128, shuffle = FALSE,
                                          seed = NULL, start_index = NULL, end_index = NULL) {
  if (!is_py_object(data) && is.null(dim(data))) data <- array(data, length(data))
  if (!is.null(targets) && !is_py_object(targets) && is.null(dim(targets))) {
    targets <- array(targets, length(targets))
  }
  keras$utils$timeseries_dataset_from_array(
    data, targets, sequence_length = as_int(sequence_length, "sequence_length"),
    sequence_stride = as_int(sequence_stride, "sequence_stride"),
    sampling_rate = as_int(sampling_rate, "sampling_rate"),
    batch_size = as_int(batch_size, "batch_size"), shuffle = as_flag(shuffle, "shuffle"),
    seed = as_int(seed, "seed"), start_index = as_int(start_index, "start_index"),
    end_index = as_int(end_index, "end_index"))
}

#' @rdname timeseries_dataset_from_array
#' @export
image_dataset_from_directory <- function(directory, labels = "inferred", label_mode = "int",
                                         class_names = NULL, color_mode = "rgb", batch_size = 32,
                                         image_size = c(256, 256), shuffle = TRUE, seed = NULL,
                                         validation_split = NULL, subset = NULL,
                                         interpolation = "bilinear", follow_links = FALSE,
                                         crop_to_aspect_ratio = FALSE,
                                         pad_to_aspect_ratio = FALSE, data_format = NULL,
                                         verbose = TRUE) {
  check_directory(directory)
  out <- keras$utils$image_dataset_from_directory(
    path.expand(directory), labels = as_labels(labels), label_mode = label_mode,
    class_names = as_names_list(class_names), color_mode = color_mode,
    batch_size = as_int(batch_size, "batch_size"),
    image_size = tuple(as.list(as_int(image_size, "image_size"))),
    shuffle = as_flag(shuffle, "shuffle"), seed = as_int(seed, "seed"),
    validation_split = validation_split, subset = subset, interpolation = interpolation,
    follow_links = as_flag(follow_links, "follow_links"),
    crop_to_aspect_ratio = as_flag(crop_to_aspect_ratio, "crop_to_aspect_ratio"),
    pad_to_aspect_ratio = as_flag(pad_to_aspect_ratio, "pad_to_aspect_ratio"),
    data_format = data_format, verbose = as_flag(verbose, "verbose"))
  split_result(out)
}

#' @rdname timeseries_dataset_from_array
#' @export
text_dataset_from_directory <- function(directory, labels = "inferred", label_mode = "int",
                                        class_names = NULL, batch_size = 32, max_length = NULL,
                                        shuffle = TRUE, seed = NULL, validation_split = NULL,
                                        subset = NULL, follow_links = FALSE, verbose = TRUE,
                                        ...) {
  check_directory(directory)
  out <- keras$utils$text_dataset_from_directory(
    path.expand(directory), labels = as_labels(labels), label_mode = label_mode,
    class_names = as_names_list(class_names), batch_size = as_int(batch_size, "batch_size"),
    max_length = as_int(max_length, "max_length"), shuffle = as_flag(shuffle, "shuffle"),
    seed = as_int(seed, "seed"), validation_split = validation_split, subset = subset,
    follow_links = as_flag(follow_links, "follow_links"), verbose = as_flag(verbose, "verbose"),
    ...)
  split_result(out)
}

#' @rdname timeseries_dataset_from_array
#' @param output_sequence_length For audio: the length audio is padded or cut to.
#' @param ragged For audio: whether to return ragged sequences of different lengths.
#' @export
audio_dataset_from_directory <- function(directory, labels = "inferred", label_mode = "int",
                                         class_names = NULL, batch_size = 32,
                                         sampling_rate = NULL, output_sequence_length = NULL,
                                         ragged = FALSE, shuffle = TRUE, seed = NULL,
                                         validation_split = NULL, subset = NULL,
                                         follow_links = FALSE, verbose = TRUE) {
  check_directory(directory)
  out <- keras$utils$audio_dataset_from_directory(
    path.expand(directory), labels = as_labels(labels), label_mode = label_mode,
    class_names = as_names_list(class_names), batch_size = as_int(batch_size, "batch_size"),
    sampling_rate = as_int(sampling_rate, "sampling_rate"),
    output_sequence_length = as_int(output_sequence_length, "output_sequence_length"),
    ragged = as_flag(ragged, "ragged"), shuffle = as_flag(shuffle, "shuffle"),
    seed = as_int(seed, "seed"), validation_split = validation_split, subset = subset,
    follow_links = as_flag(follow_links, "follow_links"), verbose = as_flag(verbose, "verbose"))
  split_result(out)
}

check_directory <- function(directory) {
  if (!is.character(directory) || length(directory) != 1L || is.na(directory)) {
    abort("`directory` must be a single string, not ", describe_value(directory), ".")
  }
  if (!dir.exists(directory)) abort("`directory` does not exist: '", directory, "'.")
}

as_labels <- function(x) {
  if (is.null(x) || is.character(x) && length(x) == 1L) return(x)
  as.list(as_int(x, "labels"))
}

as_names_list <- function(x) if (is.null(x) || is_py_object(x)) x else as.list(as.character(x))

# subset = "both" gives a Python list (or tuple) of two datasets: an R list of them.
split_result <- function(x) {
  if (inherits(x, c("python.builtin.list", "python.builtin.tuple"))) {
    return(lapply(seq_len(py_to_r(py_call(tandem::import_builtins()$len, x))) - 1L,
                  function(i) tandem::py_get_item(x, i)))
  }
  if (is.list(x) && !is.object(x)) return(x)
  x
}

#' Load an image, and an image as an array
#'
#' `image_load()` reads an image file into a PIL image (`keras.utils.load_img`, which
#' needs the Python package Pillow); `image_to_array()` turns it into an R array of
#' height x width x channels.
#'
#' @param path The image file.
#' @param color_mode `"grayscale"`, `"rgb"` or `"rgba"`.
#' @param target_size Optional `c(height, width)` to resize to.
#' @param interpolation The resizing method.
#' @param keep_aspect_ratio Whether to crop to keep the aspect ratio when resizing.
#' @param img A PIL image.
#' @param data_format `"channels_last"` or `"channels_first"`.
#' @param dtype The array's dtype (default: double; `"integer"` for int32).
#' @return `image_load()`: a PIL image (a Python object). `image_to_array()`: an array.
#' @export
#' @examples
#' \dontrun{
#' img <- image_load("cat.png", target_size = c(32, 32))
#' dim(image_to_array(img))
#' }
image_load <- function(path, color_mode = "rgb", target_size = NULL, interpolation = "nearest",
                       keep_aspect_ratio = FALSE) {
  check_path(path)
  if (!file.exists(path)) abort("`path` does not exist: '", path, "'.")
  if (!is.null(target_size)) target_size <- tuple(as.list(as_int(target_size, "target_size")))
  keras$utils$load_img(path.expand(path), color_mode = color_mode, target_size = target_size,
                       interpolation = interpolation,
                       keep_aspect_ratio = as_flag(keep_aspect_ratio, "keep_aspect_ratio"))
}

#' @rdname image_load
#' @export
image_to_array <- function(img, data_format = NULL, dtype = NULL) {
  dtype <- if (is.null(dtype) || identical(dtype, "double")) "float64"
           else if (identical(dtype, "integer")) "int32" else dtype
  out <- keras$utils$img_to_array(img, data_format = data_format, dtype = dtype)
  if (is_py_object(out)) out <- py_to_r(out)
  out
}

#' Zip lists and datasets
#'
#' `zip_lists(a, b, ...)` pairs up the elements of lists (or vectors) of the same
#' length: element `i` of the result is `list(a[[i]], b[[i]], ...)` (named as the
#' arguments are). Named lists are matched by name. `zip_datasets()` zips TensorFlow
#' datasets into one whose elements are tuples of their elements.
#'
#' @param ... Lists or vectors of the same length (or one list of them); for
#'   `zip_datasets()`, datasets (or one list of them).
#' @return `zip_lists()`: a list. `zip_datasets()`: a dataset.
#' @export
#' @examples
#' \dontrun{
#' zip_lists(1:3, c("a", "b", "c"))
#' }
zip_lists <- function(...) {
  args <- dots_list(...)
  if (length(args) == 1L && is.list(args[[1]])) args <- args[[1]]
  if (!length(args)) return(list())
  lens <- lengths(args)
  if (length(unique(lens)) != 1L) {
    abort("All arguments of `zip_lists()` must have the same length, not ",
          paste(lens, collapse = ", "), ".")
  }
  first <- names(args[[1]])
  if (!is.null(first)) {
    if (anyDuplicated(first) || !all(nzchar(first)) || anyNA(first)) {
      abort("The names of the lists must be unique; use `unname()` to match by position.")
    }
    for (k in seq_along(args)[-1]) {
      nk <- names(args[[k]])
      if (identical(nk, first)) next
      if (!setequal(nk, first)) {
        abort("The lists given to `zip_lists()` must have the same names; use `unname()` ",
              "to match by position.")
      }
      args[[k]] <- args[[k]][first]
    }
  }
  out <- lapply(seq_len(lens[[1]]), function(i) lapply(args, `[[`, i))
  names(out) <- first
  out
}

#' @rdname zip_lists
#' @export
zip_datasets <- function(...) {
  args <- dots_list(...)
  if (length(args) == 1L && is.list(args[[1]]) && !is.object(args[[1]])) args <- args[[1]]
  for (a in args) check_dataset(a, "...")
  tf$data$Dataset$zip(tuple(unname(args)))
}

# keras3 re-exports reticulate's array_reshape() (row-major reshaping, as in the MNIST
# examples): tandem's is the same function.
#' @importFrom tandem array_reshape
#' @name reexports
#' @aliases array_reshape
#' @export array_reshape
NULL

#' Split a dataset, and pack or unpack batches
#'
#' `split_dataset()` splits a dataset (or an array, or a list of arrays) into two
#' datasets (`keras.utils.split_dataset`). `pack_x_y_sample_weight()` and
#' `unpack_x_y_sample_weight()` make and take apart the `(x, y, sample_weight)` tuples
#' Keras' training loops use.
#'
#' @param dataset A dataset, an array, or a list of arrays with samples along the first
#'   axis.
#' @param left_size,right_size A fraction (< 1) or a number of samples for each part.
#' @param shuffle Whether to shuffle before splitting.
#' @param seed Optional random seed.
#' @param x,y,sample_weight Parts of a batch.
#' @param data A batch: `x`, or a list of `x`, `y` and `sample_weight`.
#' @return `split_dataset()`: a list of two datasets. `pack_x_y_sample_weight()`: a tuple
#'   (or `x` alone). `unpack_x_y_sample_weight()`: a list of three (missing parts `NULL`).
#' @export
#' @examples
#' \dontrun{
#' parts <- split_dataset(matrix(1:20, 10), left_size = 0.8)
#' }
split_dataset <- function(dataset, left_size = NULL, right_size = NULL, shuffle = FALSE,
                          seed = NULL) {
  size <- function(v, arg) if (is.null(v) || v < 1) v else as_int(v, arg)
  if (!is_py_object(dataset)) dataset <- dataset_structure(dataset)
  out <- keras$utils$split_dataset(dataset, left_size = size(left_size, "left_size"),
                                   right_size = size(right_size, "right_size"),
                                   shuffle = as_flag(shuffle, "shuffle"), seed = as_int(seed, "seed"))
  split_result(out)
}

#' @rdname split_dataset
#' @export
pack_x_y_sample_weight <- function(x, y = NULL, sample_weight = NULL) {
  keras$utils$pack_x_y_sample_weight(x, y, sample_weight)
}

#' @rdname split_dataset
#' @export
unpack_x_y_sample_weight <- function(data) {
  if (is.list(data) && !is.object(data)) data <- tuple(data)
  out <- keras$utils$unpack_x_y_sample_weight(data)
  if (is_py_object(out)) out <- split_result(out)
  out
}
