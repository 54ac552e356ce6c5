# dataset.R: tf.data pipelines built from R (no R code runs inside the pipeline).

#' tf.data datasets from R
#'
#' Thin, argument-checking wrappers over `tf.data.Dataset`:
#' `tensor_slices_dataset()` slices R arrays along their first dimension (an unnamed
#' list gives tuples, a named list dictionaries), `tensors_dataset()` yields its value
#' once, `range_dataset()` counts like `seq(from, to - 1, by)`; the `dataset_*()`
#' functions return new datasets. Datasets go to [fit()], [evaluate()] and [predict()]
#' as they are, and can be read with [as_iterator()]/[iter_next()] or [iterate()].
#' (`dataset_map()` with an R function needs the bridge to call R from TensorFlow's
#' tracing, and is not there yet.)
#'
#' @param tensors R arrays (samples along the first dimension), tensors, or a list of them.
#' @param from,to,by Integers: the range `from, from + by, ...` up to (excluding) `to`.
#' @param dataset A `tf.data.Dataset`.
#' @param batch_size,buffer_size,count,seed Whole numbers.
#' @param drop_remainder Whether to drop a last, smaller batch.
#' @param reshuffle_each_iteration Whether the order changes every epoch.
#' @return A `tf.data.Dataset`.
#' @export
#' @examples
#' \dontrun{
#' ds <- tensor_slices_dataset(list(matrix(runif(20), 10), 1:10)) |>
#'   dataset_shuffle(10) |>
#'   dataset_batch(4)
#' }
tensor_slices_dataset <- function(tensors) {
  tf$data$Dataset$from_tensor_slices(dataset_structure(tensors))
}

#' @rdname tensor_slices_dataset
#' @export
tensors_dataset <- function(tensors) {
  tf$data$Dataset$from_tensors(dataset_structure(tensors))
}

#' @rdname tensor_slices_dataset
#' @export
range_dataset <- function(from = 0, to = 0, by = 1) {
  tf$data$Dataset$range(as_int(from, "from"), as_int(to, "to"), as_int(by, "by"))
}

#' @rdname tensor_slices_dataset
#' @export
dataset_batch <- function(dataset, batch_size, drop_remainder = FALSE) {
  check_dataset(dataset)
  dataset$batch(as_int(batch_size, "batch_size"),
                drop_remainder = as_flag(drop_remainder, "drop_remainder"))
}

#' @rdname tensor_slices_dataset
#' @export
dataset_shuffle <- function(dataset, buffer_size, seed = NULL, reshuffle_each_iteration = TRUE) {
  check_dataset(dataset)
  dataset$shuffle(as_int(buffer_size, "buffer_size"), seed = as_int(seed, "seed"),
                  reshuffle_each_iteration = as_flag(reshuffle_each_iteration, "reshuffle_each_iteration"))
}

#' @rdname tensor_slices_dataset
#' @export
dataset_repeat <- function(dataset, count = NULL) {
  check_dataset(dataset)
  dataset$`repeat`(as_int(count, "count"))
}

#' @rdname tensor_slices_dataset
#' @export
dataset_take <- function(dataset, count) {
  check_dataset(dataset)
  dataset$take(as_int(count, "count"))
}

#' @rdname tensor_slices_dataset
#' @export
dataset_prefetch <- function(dataset, buffer_size = NULL) {
  check_dataset(dataset)
  dataset$prefetch(if (is.null(buffer_size)) tf$data$AUTOTUNE else as_int(buffer_size, "buffer_size"))
}

check_dataset <- function(x) {
  if (!inherits(x, "tensorflow.python.data.ops.dataset_ops.DatasetV2")) {
    abort("`dataset` must be a tf.data.Dataset, not ", describe_value(x), ".")
  }
}

# Unnamed lists are tuples (components), named lists dicts; vectors become 1-d arrays.
dataset_structure <- function(x) {
  if (is_py_object(x)) return(x)
  if (is.list(x) && !is.data.frame(x)) {
    parts <- lapply(x, dataset_structure)
    if (is.null(names(parts))) return(tuple(parts))
    return(do.call(dict, parts))
  }
  if (is.factor(x)) x <- as.integer(x) - 1L
  if (is.atomic(x) && is.null(dim(x))) x <- array(x, length(x))
  x
}
