# dataset.R: tf.data pipelines built from R. R functions given to dataset_map() and
# dataset_filter() run once, when tf.data traces them; the pipeline itself runs no R code.

#' tf.data datasets from R
#'
#' Thin, argument-checking wrappers over `tf.data.Dataset`:
#' `tensor_slices_dataset()` slices R arrays along their first dimension (an unnamed
#' list gives tuples, a named list dictionaries), `tensors_dataset()` yields its value
#' once, `range_dataset()` counts like `seq(from, to - 1, by)`; the `dataset_*()`
#' functions return new datasets. Datasets go to [fit()], [evaluate()] and [predict()]
#' as they are, and can be read with [as_iterator()]/[iter_next()], [iterate()],
#' [as_array_iterator()] or, for small datasets, `as.array()`. See [dataset_map()] for
#' transformations written in R.
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

#' @rdname tensor_slices_dataset
#' @export
dataset_unbatch <- function(dataset) {
  check_dataset(dataset)
  dataset$unbatch()
}

#' Transform or filter a dataset with an R function
#'
#' `dataset_map()` applies `map_func` to every element of a `tf.data.Dataset`;
#' `dataset_filter()` keeps the elements for which `predicate` is true. The R function
#' (or one-sided formula, `~ list(.x * 2, .y)`, with `.x`, `.y` or `..1`, `..2`, ... for
#' the components) is traced once by tf.data, when the dataset is built: it receives
#' symbolic tensors, computes with the tensor methods and `tf$...` operations, and the
#' recorded graph then runs on every element (in parallel with `num_parallel_calls`)
#' without calling R. R's `if` therefore runs once; use `tf$cond()`/`tf$where()` for
#' decisions on tensor values.
#'
#' Elements that are tuples (from unnamed lists) arrive as separate arguments, elements
#' that are dictionaries (named lists) as one named list of tensors. Return a tensor, an
#' unnamed list (a tuple) or a named list (a dictionary); `predicate` returns a scalar
#' boolean tensor.
#'
#' @param dataset A `tf.data.Dataset`.
#' @param map_func,predicate An R function or a one-sided formula.
#' @param num_parallel_calls How many elements to process in parallel: a whole number or
#'   `tf$data$AUTOTUNE` (default: one at a time).
#' @param deterministic Whether the output order must be the input order when
#'   `num_parallel_calls` is given (`NULL`: tf.data's option).
#' @param name Optional name of the tf.data operation.
#' @return A `tf.data.Dataset`.
#' @export
#' @examples
#' \dontrun{
#' ds <- tensor_slices_dataset(list(matrix(1:6, 3), c(1, 0, 1)))
#' ds |> dataset_map(function(x, y) list(x * 2L, y))
#' ds |> dataset_map(~ list(.x * 2L, .y), num_parallel_calls = tf$data$AUTOTUNE)
#' range_dataset(0, 10) |> dataset_filter(~ .x %% 2L == 0L)
#' }
dataset_map <- function(dataset, map_func, num_parallel_calls = NULL, deterministic = NULL,
                        name = NULL) {
  check_dataset(dataset)
  fn <- as_tf_callable(as_r_function(map_func, "map_func"), "r_map_func")
  args <- list(fn)
  if (!is.null(num_parallel_calls)) args$num_parallel_calls <- as_int(num_parallel_calls, "num_parallel_calls")
  if (!is.null(deterministic)) args$deterministic <- as_flag(deterministic, "deterministic")
  if (!is.null(name)) args$name <- name
  do.call(dataset$map, args)
}

#' @rdname dataset_map
#' @export
dataset_filter <- function(dataset, predicate, name = NULL) {
  check_dataset(dataset)
  fn <- as_tf_callable(as_r_function(predicate, "predicate"), "r_predicate")
  if (is.null(name)) dataset$filter(fn) else dataset$filter(fn, name = name)
}

#' Read a dataset into R
#'
#' `as_array_iterator()` iterates over a dataset with every element converted to R
#' (arrays, and lists of arrays for tuples and dictionaries); use it with [iter_next()]
#' or [iterate()]. `as.array()` reads a whole (small, finite) dataset at once: its
#' elements stacked along a new first dimension, so a dataset made by
#' [tensor_slices_dataset()] gives back the arrays it was made from (a list of them for
#' tuple or dictionary elements). Elements must have the same shape.
#'
#' @param x A `tf.data.Dataset`.
#' @param ... Unused.
#' @return `as_array_iterator()`: a Python iterator. `as.array()`: an array (or a list of
#'   arrays).
#' @export
#' @examples
#' \dontrun{
#' ds <- tensor_slices_dataset(matrix(1:6, 3))
#' as.array(ds)                       # the 3 x 2 matrix
#' iterate(as_array_iterator(ds))     # a list of three integer vectors
#' }
as_array_iterator <- function(x) {
  check_dataset(x, "x")
  x$as_numpy_iterator()
}

#' @rdname as_array_iterator
#' @export
as.array.tensorflow.python.data.ops.dataset_ops.DatasetV2 <- function(x, ...) {
  n <- as.numeric(as.array(x$cardinality()))
  if (n == -1) abort("`x` is an infinite dataset: use `dataset_take()` before `as.array()`.")
  elements <- iterate(as_iterator(x))
  if (!length(elements)) abort("`x` is empty: there is nothing to read with `as.array()`.")
  to_arrays(stack_elements(elements))
}

# Elements (tensors, or lists of them with one structure) stacked along a new first axis.
stack_elements <- function(elements) {
  first <- elements[[1]]
  if (is_tensor(first)) return(tf$stack(elements))
  if (is.list(first)) {
    out <- lapply(seq_along(first), function(i) stack_elements(lapply(elements, `[[`, i)))
    names(out) <- names(first)
    return(out)
  }
  abort("Can't stack dataset elements of class ", class(first)[[1]], ".")
}

to_arrays <- function(x) {
  if (is_tensor(x)) return(as.array(x))
  if (is.list(x)) return(lapply(x, to_arrays))
  x
}

check_dataset <- function(x, arg = "dataset") {
  if (!inherits(x, "tensorflow.python.data.ops.dataset_ops.DatasetV2")) {
    abort("`", arg, "` must be a tf.data.Dataset, not ", describe_value(x), ".")
  }
}

# Unnamed lists are tuples (components), named lists dicts; vectors become 1-d arrays.
dataset_structure <- function(x) {
  if (is_py_object(x)) return(x)
  if (is.list(x) && !is.data.frame(x)) {
    parts <- lapply(x, dataset_structure)
    if (is.null(names(parts))) return(tuple(parts))
    return(dict(parts))  # the single-list form: names are keys, never looked up
  }
  if (is.factor(x)) x <- as.integer(x) - 1L
  if (is.atomic(x) && is.null(dim(x))) x <- array(x, length(x))
  x
}
