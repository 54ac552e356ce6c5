# preprocessing.R: adapt() and the vocabulary of preprocessing layers, with R data.

#' Fit the state of a preprocessing layer to data
#'
#' `adapt()` computes the state of a stateful preprocessing layer
#' ([layer_string_lookup()], [layer_integer_lookup()], [layer_text_vectorization()],
#' [layer_normalization()], [layer_discretization()]) from data, calling the layer's
#' Python `adapt()` method. The layer is modified in place and returned invisibly, so
#' `layer |> adapt(data)` reads as in the keras R package.
#'
#' R data become tensors first: a character vector is a 1-d string tensor, a character
#' matrix or array a string tensor of that shape; a numeric or logical vector is taken as
#' samples of one feature (a one-column matrix); matrices, arrays and data frames of
#' numbers keep their shape (samples along the first dimension); whole-number doubles
#' become integers for [layer_integer_lookup()]. Tensors and `tf.data` datasets are passed
#' as they are.
#'
#' @param object A preprocessing layer (anything with an `adapt()` method).
#' @param data The data: an R vector, matrix, array or data frame, a tensor, or a
#'   `tf.data.Dataset`.
#' @param batch_size If given (and `data` is not a dataset), the data are sliced into
#'   batches of this size and adapted batch by batch.
#' @param steps With a dataset: how many batches to read (default: all).
#' @param ... Further keyword arguments for the layer's `adapt()` method.
#' @return `object`, invisibly (adapted in place).
#' @seealso [get_vocabulary()]
#' @export
#' @examples
#' \dontrun{
#' colors <- c("cyan", "turquoise", "celeste")
#' layer <- layer_string_lookup()
#' layer |> adapt(colors)
#' get_vocabulary(layer)   # "[UNK]" "turquoise" "cyan" "celeste"
#' layer(c("azure", "cyan"))
#' }
adapt <- function(object, data, ..., batch_size = NULL, steps = NULL) {
  if (!is_py_object(object) || !py_has_attr(object, "adapt")) {
    abort("`object` must be a preprocessing layer with an `adapt()` method, not ",
          describe_value(object), ".")
  }
  if (missing(data)) abort("`data` is missing: give the data to adapt the layer to.")
  batch_size <- as_int(batch_size, "batch_size")
  steps <- as_int(steps, "steps")
  is_dataset <- inherits(data, DATASET)
  if (!is_dataset) {
    data <- as_adapt_data(data, integer_lookup = inherits(object, INTEGER_LOOKUP))
    if (!is.null(batch_size)) {
      data <- tf$data$Dataset$from_tensor_slices(data)$batch(batch_size)
      is_dataset <- TRUE
    }
  } else if (!is.null(batch_size)) {
    abort("`batch_size` can't be used with a dataset: batch the dataset instead.")
  }
  args <- list(data)
  if (!is.null(steps)) {
    if (!is_dataset) abort("`steps` needs `data` to be a dataset (or `batch_size` to be given).")
    # Not every layer's adapt() takes `steps` (Normalization does not): take the batches here.
    args[[1]] <- data$take(steps)
  }
  do.call(py_get_attr(object, "adapt"), c(args, dots_list(...)))
  invisible(object)
}

DATASET <- "tensorflow.python.data.ops.dataset_ops.DatasetV2"
INTEGER_LOOKUP <- "keras.src.layers.preprocessing.integer_lookup.IntegerLookup"

# R data for Layer.adapt(): string tensors for characters, a column for plain vectors.
as_adapt_data <- function(x, integer_lookup = FALSE) {
  if (is_py_object(x)) return(x)
  if (is.factor(x)) x <- as.character(x)
  if (is.data.frame(x)) x <- as_model_data(x, "data")
  if (is.character(x)) {
    if (anyNA(x)) abort("`data` must not contain `NA` strings.")
    return(tf$constant(if (is.null(dim(x))) array(x, length(x)) else x))
  }
  if (!is.numeric(x) && !is.logical(x)) {
    abort("`data` must be a character or numeric vector, matrix, array or data frame, ",
          "a tensor or a dataset, not ", describe_value(x), ".")
  }
  if (integer_lookup && is.double(x) && is_whole(x) && all(abs(x) <= .Machine$integer.max)) {
    storage.mode(x) <- "integer"
  }
  if (is.null(dim(x))) x <- matrix(x, ncol = 1L)
  x
}

#' The vocabulary of a lookup or text vectorization layer
#'
#' `get_vocabulary()` returns the vocabulary of [layer_string_lookup()],
#' [layer_text_vectorization()] (a character vector) or [layer_integer_lookup()] (a
#' list, as in keras3), in the order of the layer's indices: position `i` of the
#' vocabulary is index `i - 1` of the layer's output. `set_vocabulary()` sets it (instead
#' of [adapt()]).
#'
#' @param object A lookup or text vectorization layer.
#' @param include_special_tokens Whether to include the mask and OOV tokens (`"[UNK]"`,
#'   `""`, ...).
#' @param vocabulary A character (or, for integer lookups, whole-number) vector, or the
#'   path of a text file with one token per line.
#' @param idf_weights For `output_mode = "tf_idf"`: one weight per vocabulary entry.
#' @param ... Further keyword arguments for the Python method.
#' @return `get_vocabulary()`: a vector (for an integer lookup layer, a list as keras3
#'   gives it: special tokens as integers, the vocabulary as doubles). `set_vocabulary()`: `object`, invisibly.
#' @export
#' @examples
#' \dontrun{
#' layer <- layer_string_lookup(vocabulary = c("a", "b"))
#' get_vocabulary(layer)                 # "[UNK]" "a" "b"
#' set_vocabulary(layer, c("x", "y", "z"))
#' get_vocabulary(layer, include_special_tokens = FALSE)
#' }
get_vocabulary <- function(object, include_special_tokens = TRUE, ...) {
  check_vocabulary_layer(object, "get_vocabulary")
  vocab <- py_call(py_get_attr(object, "get_vocabulary"),
                   include_special_tokens = as_flag(include_special_tokens, "include_special_tokens"),
                   ...)
  if (inherits(object, "keras.src.layers.preprocessing.integer_lookup.IntegerLookup")) {
    # keras3's type: a list, special tokens (Python ints) as integers, the vocabulary
    # (NumPy int64 scalars) as doubles.
    vocab <- py_call(tandem::py_set_convert(py_get_attr(object, "get_vocabulary"), FALSE),
                     include_special_tokens = include_special_tokens, ...)
    n <- tandem::py_len(vocab)
    return(lapply(seq_len(n) - 1L, function(i) {
      v <- tandem::py_get_item(vocab, i)
      if (inherits(v, "numpy.generic")) as.double(py_to_r(v)) else py_to_r(v)
    }))
  }
  vocab <- py_to_r(vocab)
  if (is.list(vocab)) vocab <- unlist(lapply(vocab, py_to_r))
  if (is.null(vocab)) vocab <- character()
  vocab
}

#' @rdname get_vocabulary
#' @export
set_vocabulary <- function(object, vocabulary, idf_weights = NULL, ...) {
  check_vocabulary_layer(object, "set_vocabulary")
  if (is.factor(vocabulary)) vocabulary <- levels(vocabulary)
  is_path <- is.character(vocabulary) && length(vocabulary) == 1L && !is.na(vocabulary) &&
    file.exists(vocabulary)
  if (!is_path) {
    if (!is.atomic(vocabulary) || anyNA(vocabulary)) {
      abort("`vocabulary` must be a vector without `NA` (or a file path), not ",
            describe_value(vocabulary), ".")
    }
    if (is.double(vocabulary) && is_whole(vocabulary)) storage.mode(vocabulary) <- "integer"
    vocabulary <- as.list(vocabulary)  # a list even for one token (a string is a file path)
  }
  if (!is.null(idf_weights)) idf_weights <- as.list(as.numeric(idf_weights))
  py_call(py_get_attr(object, "set_vocabulary"), vocabulary, idf_weights = idf_weights, ...)
  invisible(object)
}

check_vocabulary_layer <- function(object, fn) {
  if (!is_py_object(object) || !py_has_attr(object, fn)) {
    abort("`object` must be a lookup or text vectorization layer, not ", describe_value(object), ".")
  }
}
