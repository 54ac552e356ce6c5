# model.R: building models, and compile/fit/evaluate/predict/summary as S3 methods.

MODEL <- "keras.src.models.model.Model"

#' Sequential and functional models
#'
#' `keras_model_sequential()` makes a `keras.Sequential` model, optionally with an input
#' of `input_shape` and initial `layers`; add layers with the pipe
#' (`model |> layer_dense(32)`), which modifies the model in place.
#' `keras_model()` makes a functional model from input and output tensors.
#'
#' @param input_shape The shape of one input sample (without the batch dimension), or
#'   `NULL` to let the model be built on first use. `NA` is an unknown extent.
#' @param name The model's name.
#' @param ... For `keras_model_sequential()`: further arguments for [keras_input()]
#'   (`batch_size`, `dtype`, ...). For `keras_model()`: keyword arguments of
#'   `keras.Model` (e.g. `name`).
#' @param input_dtype,input_batch_size,input_sparse,input_ragged,input_batch_shape,input_name,input_tensor,input_optional
#'   keras3's names for the input's [keras_input()] arguments (`dtype`, `batch_size`,
#'   `sparse`, `ragged`, `batch_shape`, `name`, `tensor`, `optional`). Any of them (or
#'   `input_shape`) adds an input to the model.
#' @param trainable Whether the model's weights are trainable.
#' @param layers A list of layers to add.
#' @param inputs,outputs Input and output tensors (or lists of them).
#' @return A Keras model (a Python handle, modified in place by the layer wrappers,
#'   [compile()] and [fit()]).
#' @export
#' @examples
#' \dontrun{
#' model <- keras_model_sequential(input_shape = 4) |>
#'   layer_dense(8, activation = "relu") |>
#'   layer_dense(1)
#' inputs <- keras_input(shape = 4)
#' outputs <- inputs |> layer_dense(1)
#' model2 <- keras_model(inputs, outputs)
#' }
keras_model_sequential <- function(input_shape = NULL, name = NULL, ..., input_dtype = NULL,
                                   input_batch_size = NULL, input_sparse = NULL,
                                   input_ragged = NULL, input_batch_shape = NULL,
                                   input_name = NULL, input_tensor = NULL,
                                   input_optional = FALSE, trainable = TRUE, layers = list()) {
  dots <- dots_list(...)
  if (is_py_object(input_shape) && !inherits(input_shape, "keras_shape") ||
      is.list(input_shape) && any(vapply(input_shape, is_py_object, logical(1)))) {
    abort("`layers` must be passed by name (`layers = list(...)`), not as `input_shape`.")
  }
  given <- list(dtype = input_dtype, batch_size = input_batch_size, sparse = input_sparse,
                ragged = input_ragged, batch_shape = input_batch_shape, name = input_name,
                tensor = input_tensor)
  given <- given[!vapply(given, is.null, logical(1))]
  if (isTRUE(input_optional)) given$optional <- TRUE
  input_args <- c(given, dots)
  model <- keras$Sequential(name = name, trainable = as_flag(trainable, "trainable"))
  if (!is.null(input_shape) || !is.null(input_batch_shape) || !is.null(input_tensor)) {
    model$add(do.call(keras_input, c(if (!is.null(input_shape)) list(shape = input_shape), input_args)))
  } else if (length(input_args)) {
    abort("Arguments (", paste0("`", names(input_args), "`", collapse = ", "),
          ") describe the input: give `input_shape` too.")
  }
  if (is_py_object(layers)) layers <- list(layers)
  for (layer in layers) model$add(layer)
  model
}

#' @rdname keras_model_sequential
#' @export
keras_model <- function(inputs, outputs = NULL, ...) {
  do.call(keras$Model, c(list(inputs = inputs, outputs = outputs), dots_list(...)))
}

# R vectors, data frames and factors as NumPy-ready arrays (labels as 0-based integers).
as_model_data <- function(x, arg) {
  if (is.null(x) || is_py_object(x)) return(x)
  if (is.list(x) && !is.data.frame(x)) {
    out <- lapply(x, as_model_data, arg = arg)
    return(if (is.null(names(out))) out else out)
  }
  if (is.data.frame(x)) {
    ok <- vapply(x, function(col) is.numeric(col) || is.logical(col), logical(1))
    if (!all(ok)) abort("`", arg, "` must have numeric columns only; `", names(x)[!ok][1],
                        "` is ", describe_value(x[[which(!ok)[1]]]), ".")
    x <- as.matrix(x)
  }
  if (is.factor(x)) x <- as.integer(x) - 1L
  # An R generator: a function that returns the next batch (keras3).
  if (is.function(x)) return(as_generator(x))
  # Strings (models that start with TextVectorization or StringLookup).
  if (is.character(x)) {
    if (anyNA(x)) abort("`", arg, "` must not contain `NA` strings.")
    if (is.null(dim(x))) x <- array(x, length(x))
    return(tf$constant(np_array(x, dtype = "object"), dtype = "string"))
  }
  if (!is.numeric(x) && !is.logical(x)) {
    abort("`", arg, "` must be a numeric or character array, data frame, factor or ",
          "generator function, not ", describe_value(x), ".")
  }
  if (is.null(dim(x))) x <- array(x, length(x))
  x
}

# An R function returning batches (`list(x, y)`, `list(x, y, sample_weight)` or `x`) as a
# Python generator of tuples that Keras consumes from its own threads: batches are
# computed on R's main thread and prefetched, so that the consumer never waits on R
# while R waits on Keras.
as_generator <- function(fn) {
  batch <- function() {
    b <- fn()
    if (is.null(b)) return(NULL)
    if (is.list(b) && !is.object(b)) return(tuple(lapply(b, as_model_data, arg = "generator batch")))
    tuple(list(as_model_data(b, "generator batch")))
  }
  it <- tandem::py_iterator(batch, prefetch = 2L)
  py_call(generator_helpers()$as_generator, it)
}

generator_helpers <- function() {
  if (is.null(compat_state$as_generator)) {
    compat_state$as_generator <- py_code_function("
def as_generator(it):
    for batch in it:
        yield batch
", "as_generator")
  }
  list(as_generator = compat_state$as_generator)
}

check_no_batch_size <- function(batch_size, x) {
  if (!is.null(batch_size) && is_dataset_like(x)) {
    abort("`batch_size` must be `NULL` when `x` is a dataset or generator: ",
          "it yields batches; batch it with `dataset_batch()` instead.")
  }
}

is_dataset_like <- function(x) {
  inherits(x, c("tensorflow.python.data.ops.dataset_ops.DatasetV2", "python.builtin.generator",
                "keras.src.trainers.data_adapters.py_dataset_adapter.PyDataset")) ||
    (is.function(x) && !is_py_object(x))
}

verbose_arg <- function(verbose) {
  if (identical(verbose, "auto")) return(if (interactive()) 1L else 2L)
  as_int(verbose, "verbose")
}

# fit(verbose = "auto") outside an interactive session: one line per epoch, printed by R
# (Keras' verbose = 2 prints two: "Epoch i/n" and the metrics).
EpochLogger <- R6::R6Class("EpochLogger", inherit = KerasCallback, public = list(
  start = NULL,
  on_epoch_begin = function(epoch, logs) {
    self$start <- proc.time()[["elapsed"]]
    NULL
  },
  on_epoch_end = function(epoch, logs) {
    secs <- proc.time()[["elapsed"]] - self$start
    cat(epoch_line(epoch, self$params$epochs, secs, logs), "\n", sep = "")
    utils::flush.console()
    NULL
  }
))

epoch_line <- function(epoch, epochs, secs, logs) {
  values <- vapply(logs, function(v) {
    v <- as.numeric(if (is_py_object(v)) py_to_r(v) else v)[1]
    if (is.na(v) || abs(v) >= 1e-3 || v == 0) sprintf("%.4f", v) else sprintf("%.4e", v)
  }, character(1))
  metrics <- if (length(values)) paste0(" - ", names(logs), ": ", values, collapse = "") else ""
  sprintf("Epoch %d/%s - %.0fs%s", epoch, format(epochs %||% "?"), secs, metrics)
}

#' Configure, train, evaluate and use a model
#'
#' S3 methods for Keras models. `compile()` and `fit()` modify the model in place (and
#' return it, or the training history, invisibly).
#'
#' * `compile()` sets the optimizer (a name such as `"adam"` or an `optimizer_*()`
#'   object), the loss and the metrics.
#' * `fit()` trains on R arrays (samples along the first dimension), data frames of
#'   numbers, factors as labels (coded 0, 1, ...), or Python data (tf datasets,
#'   NumPy arrays). It returns a `keras_training_history`.
#' * `evaluate()` returns the loss and metrics as a named list (as keras3 does).
#' * `predict()` returns an R array.
#' * `summary()` and `print()` show Keras' model summary.
#'
#' @param object A Keras model.
#' @param optimizer,loss,metrics See `keras.Model.compile`. `metrics` may be a
#'   character vector. `loss` and the elements of `metrics` may be R functions
#'   `function(y_true, y_pred)` (traced in graph mode with the training step; see
#'   [custom_metric()] for how metrics are named).
#' @param x,y Inputs and targets.
#' @param batch_size,epochs,steps_per_epoch,validation_steps,initial_epoch,steps Whole numbers.
#' @param verbose `"auto"`, `0` (silent), `1` (Keras' progress bar, redrawn in place
#'   with carriage returns) or `2` (Keras' lines: `Epoch i/n`, then the metrics). `"auto"`
#'   is `1` in an interactive session; otherwise `fit()` prints one line per epoch
#'   (`Epoch 1/10 - 2s - loss: 0.5431 - ...`) and `evaluate()` Keras' `verbose = 2` line.
#' @param callbacks A list of Keras callbacks (e.g. `callback_early_stopping()`) and R6
#'   callbacks (see [KerasCallback]).
#' @param validation_split Fraction of the training data held out for validation.
#' @param validation_data `list(x_val, y_val)`.
#' @param shuffle Whether to shuffle the training data each epoch.
#' @param class_weight,sample_weight Optional weights. `class_weight` maps classes to
#'   weights: a named list or vector whose names are the class numbers (`c("0" = 1,
#'   "5" = 2)`, as keras3), an unnamed vector (a weight per class, from class 0), or a
#'   Python dict.
#' @param ... Further keyword arguments for the Python method.
#' @return `compile()`: the model, invisibly. `fit()`: a `keras_training_history`,
#'   invisibly when `verbose` is 0. `evaluate()`: a named list of numbers.
#'   `predict()`: an R array.
#' @export
#' @examples
#' \dontrun{
#' model <- keras_model_sequential(input_shape = 2) |> layer_dense(1)
#' compile(model, optimizer = "adam", loss = "mse")
#' x <- matrix(runif(200), ncol = 2)
#' history <- fit(model, x, x[, 1] + x[, 2], epochs = 5, verbose = 0)
#' predict(model, x[1:3, ])
#' }
compile <- function(object, ...) UseMethod("compile")

#' @rdname compile
#' @export
fit <- function(object, ...) UseMethod("fit")

#' @rdname compile
#' @export
evaluate <- function(object, ...) UseMethod("evaluate")

#' @rdname compile
#' @export
compile.keras.src.models.model.Model <- function(object, optimizer = "rmsprop", loss = NULL,
                                                 metrics = NULL, ...) {
  args <- list(optimizer = optimizer, loss = as_keras_loss(loss, substitute(loss)))
  if (!is.null(metrics)) args$metrics <- as_keras_metrics(metrics, substitute(metrics))
  args <- c(args, capture_args(environment(), character(), dots_list(...)))
  do.call(object$compile, args)
  invisible(object)
}

#' @rdname compile
#' @export
fit.keras.src.models.model.Model <- function(object, x = NULL, y = NULL, batch_size = NULL,
                                             epochs = 10, verbose = "auto", callbacks = NULL,
                                             validation_split = 0, validation_data = NULL,
                                             shuffle = TRUE, class_weight = NULL,
                                             sample_weight = NULL, initial_epoch = 0,
                                             steps_per_epoch = NULL, validation_steps = NULL,
                                             ...) {
  check_no_batch_size(batch_size, x)
  if (is_multi_worker(object)) {   # Keras' fit() fails there (distribute.R)
    return(distributed_fit(object, x, y, batch_size, epochs, verbose, callbacks, validation_split,
                           validation_data, shuffle, class_weight, sample_weight, initial_epoch,
                           steps_per_epoch, validation_steps, ...))
  }
  if (!is.null(validation_data)) {
    validation_data <- if (is_py_object(validation_data)) validation_data
                       else if (is.function(validation_data)) as_generator(validation_data)
                       else tuple(lapply(validation_data, as_model_data, arg = "validation_data"))
  }
  args <- list(
    x = as_model_data(x, "x"), y = as_model_data(y, "y"),
    batch_size = as_int(batch_size, "batch_size"), epochs = as_int(epochs, "epochs"),
    verbose = verbose_arg(verbose), callbacks = as_callbacks(callbacks),
    validation_split = as.numeric(validation_split), validation_data = validation_data,
    shuffle = as_flag(shuffle, "shuffle"), class_weight = as_class_weight(class_weight),
    sample_weight = as_model_data(sample_weight, "sample_weight"),
    initial_epoch = as_int(initial_epoch, "initial_epoch"),
    steps_per_epoch = as_int(steps_per_epoch, "steps_per_epoch"),
    validation_steps = as_int(validation_steps, "validation_steps")
  )
  # Keras ignores `shuffle` for datasets and generators (they shuffle themselves) and
  # warns on every fit if it is TRUE; it shuffles arrays only.
  if (is_py_object(args$x) && !inherits(args$x, c("numpy.ndarray", TENSOR))) args$shuffle <- FALSE
  if (identical(verbose, "auto") && !interactive()) {
    args$verbose <- 0L
    args$callbacks <- c(args$callbacks, list(as_keras_callback(EpochLogger$new())))
  }
  args <- c(args, dots_list(...))
  history <- do.call(object$fit, args)
  out <- new_training_history(history)
  if (isTRUE(verbose == 0)) invisible(out) else out
}

#' @rdname compile
#' @export
evaluate.keras.src.models.model.Model <- function(object, x = NULL, y = NULL, batch_size = NULL,
                                                  verbose = "auto", sample_weight = NULL,
                                                  steps = NULL, ...) {
  check_no_batch_size(batch_size, x)
  if (is_multi_worker(object)) {
    return(distributed_evaluate(object, x, y, batch_size, verbose, sample_weight, steps, ...))
  }
  args <- c(list(
    x = as_model_data(x, "x"), y = as_model_data(y, "y"),
    batch_size = as_int(batch_size, "batch_size"), verbose = verbose_arg(verbose),
    sample_weight = as_model_data(sample_weight, "sample_weight"),
    steps = as_int(steps, "steps"), return_dict = TRUE
  ), dots_list(...))
  res <- py_to_r(do.call(object$evaluate, args))
  # keras3's type: a named list of the loss and metrics (Keras' dict).
  lapply(res, function(v) as.numeric(if (is_py_object(v)) py_to_r(v) else v))
}

#' @rdname compile
#' @importFrom stats predict
#' @export
predict.keras.src.models.model.Model <- function(object, x, batch_size = NULL, verbose = 0,
                                                 steps = NULL, ...) {
  check_no_batch_size(batch_size, x)
  if (is_multi_worker(object)) return(distributed_predict(object, x, batch_size, verbose, steps, ...))
  args <- c(list(x = as_model_data(x, "x"), batch_size = as_int(batch_size, "batch_size"),
                 verbose = verbose_arg(verbose), steps = as_int(steps, "steps")), dots_list(...))
  py_to_r(do.call(object$predict, args))
}

#' @rdname compile
#' @export
summary.keras.src.models.model.Model <- function(object, ...) {
  object$summary(...)
  invisible(object)
}

#' @rdname compile
#' @export
print.keras.src.models.model.Model <- function(x, ...) {
  x$summary()
  invisible(x)
}

# fit()'s `class_weight` as the dict Keras wants ({class: weight}), as keras3 makes it:
# names are class numbers (dict() makes names of digits int keys); an unnamed vector
# gives a weight per class from class 0.
as_class_weight <- function(class_weight) {
  if (is.null(class_weight) || is_py_object(class_weight)) return(class_weight)
  if (!is.numeric(class_weight) && !is.list(class_weight)) {
    abort("`class_weight` must be a named list or vector of weights, not ", describe_value(class_weight), ".")
  }
  weights <- as.list(class_weight)
  if (is.null(names(weights))) names(weights) <- as.character(seq_along(weights) - 1L)
  bad <- names(weights)[!grepl("^[0-9]+$", names(weights))]
  if (length(bad)) {
    abort("The names of `class_weight` must be class numbers (0, 1, ...), not ",
          paste0("\"", utils::head(bad, 3), "\"", collapse = ", "), ".")
  }
  tandem::dict(lapply(weights, as.numeric))
}
