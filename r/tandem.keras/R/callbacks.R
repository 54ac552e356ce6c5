# callbacks.R: callbacks written in R: R6 classes (KerasCallback) and Python classes
# (new_callback_class()), both handed to Keras' fit()/evaluate()/predict().

#' Keras callbacks written in R (R6)
#'
#' `KerasCallback` is an R6 base class: subclass it and define any of `on_train_begin(logs)`,
#' `on_train_end(logs)`, `on_epoch_begin(epoch, logs)`, `on_epoch_end(epoch, logs)`,
#' `on_train_batch_begin(batch, logs)` (or `on_batch_begin`), `on_train_batch_end(batch,
#' logs)` (or `on_batch_end`), and the `on_test_*`/`on_predict_*` hooks. Epochs and batches
#' are numbered from 1; `logs` is a named list. Inside a method, `self$model` is the Keras
#' model (`self$model$stop_training <- TRUE` stops training) and `self$params` Keras'
#' parameters. A named list returned by a hook is merged into Keras' logs (and so into the
#' training history). Only the hooks you define are called. See also
#' [new_callback_class()].
#'
#' @export
#' @examples
#' \dontrun{
#' EpochLogger <- R6::R6Class("EpochLogger", inherit = KerasCallback, public = list(
#'   losses = numeric(),
#'   on_epoch_end = function(epoch, logs) self$losses <- c(self$losses, logs$loss)
#' ))
#' cb <- EpochLogger$new()
#' fit(model, x, y, epochs = 3, callbacks = list(cb))
#' cb$losses
#' }
KerasCallback <- R6::R6Class("KerasCallback", public = list(
  #' @field params Keras' training parameters (set by Keras).
  params = NULL,
  #' @field model The Keras model (set by Keras).
  model = NULL
))

#' Callback classes defined in R
#'
#' `new_callback_class()` makes a Python subclass of `keras.callbacks.Callback` whose
#' methods are R functions (with `self` bound; Keras' own 0-based numbering).
#' `as_keras_callback()` turns an R6 [KerasCallback] into a Keras callback (what `fit()`
#' does with the R6 objects in `callbacks`).
#'
#' @param classname The class name.
#' @param ... Methods, as named R functions.
#' @param x An R6 `KerasCallback`, or a Keras callback (returned as it is).
#' @return `new_callback_class()`: a class generator (see [Callback()]); call it to make a
#'   callback (the Python class is made then). 
#'   `as_keras_callback()`: a Keras callback.
#' @export
#' @examples
#' \dontrun{
#' Counter <- new_callback_class("Counter",
#'   on_epoch_end = function(epoch, logs = NULL) cat("epoch", epoch, "\\n"))
#' fit(model, x, y, epochs = 2, callbacks = list(Counter()))
#' }
new_callback_class <- function(classname, ...) Callback(classname, ...)

#' @rdname new_callback_class
#' @export
as_keras_callback <- function(x) {
  if (is_py_object(x)) return(x)
  if (inherits(x, "R6")) {
    adapters <- import("tandem.keras", convert = FALSE)
    return(py_call(adapters$RCallback, x))
  }
  abort("a callback must be a Keras callback or an R6 object (see `KerasCallback`), not ",
        describe_value(x), ".")
}

as_callbacks <- function(callbacks) {
  if (is.null(callbacks)) return(NULL)
  if (is_py_object(callbacks) || inherits(callbacks, "R6")) callbacks <- list(callbacks)
  lapply(callbacks, as_keras_callback)
}
