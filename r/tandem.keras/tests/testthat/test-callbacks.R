# R6 callbacks and callback classes defined in R, called from Keras' fit().

small_model <- function() {
  model <- keras_model_sequential(input_shape = 3) |> layer_dense(1)
  compile(model, optimizer = optimizer_sgd(learning_rate = 0.1), loss = "mse")
  model
}
set.seed(1)
x <- matrix(rnorm(64 * 3), 64, 3)
y <- x %*% c(1, -2, 0.5)

test_that("R6 callbacks see hooks in order with 1-based epochs, and can stop training", {
  Recorder <- R6::R6Class("Recorder", inherit = KerasCallback, public = list(
    events = character(), losses = numeric(),
    on_train_begin = function(logs) self$events <- c(self$events, "train_begin"),
    on_epoch_begin = function(epoch, logs) self$events <- c(self$events, paste0("begin ", epoch)),
    on_batch_end = function(batch, logs) if (batch == 1) self$events <- c(self$events, "batch 1"),
    on_epoch_end = function(epoch, logs) {
      self$events <- c(self$events, paste0("end ", epoch))
      self$losses <- c(self$losses, logs$loss)
      if (epoch == 3) self$model$stop_training <- TRUE
      list(epoch_from_r = epoch)
    },
    on_train_end = function(logs) self$events <- c(self$events, "train_end")
  ))
  cb <- Recorder$new()
  model <- small_model()
  history <- fit(model, x, y, epochs = 10, batch_size = 16, verbose = 0, callbacks = list(cb))
  expect_identical(cb$events, c("train_begin", "begin 1", "batch 1", "end 1", "begin 2", "batch 1",
                                "end 2", "begin 3", "batch 1", "end 3", "train_end"))
  expect_true(inherits(cb$model, "keras.src.models.model.Model"))
  expect_identical(cb$params$epochs, 10L)
  df <- as.data.frame(history)
  expect_identical(unique(df$value[df$metric == "epoch_from_r"]), c(1, 2, 3))
  expect_equal(cb$losses, df$value[df$metric == "loss"], tolerance = 1e-6)
  expect_lt(cb$losses[3], cb$losses[1])
})

test_that("callback classes defined in R run inside fit()", {
  Counter <- new_callback_class("Counter",
    on_train_begin = function(logs = NULL) self$epochs_seen <- 0L,
    on_epoch_end = function(epoch, logs = NULL) self$epochs_seen <- self$epochs_seen + 1L
  )
  cb <- Counter()
  fit(small_model(), x, y, epochs = 2, verbose = 0, callbacks = list(cb))
  expect_identical(cb$epochs_seen, 2L)
  expect_true(inherits(cb, "keras.src.callbacks.callback.Callback"))
})

test_that("a failing R callback stops fit() with the R error", {
  Failing <- R6::R6Class("Failing", inherit = KerasCallback, public = list(
    on_epoch_end = function(epoch, logs) stop(structure(class = c("cb_error", "error", "condition"),
                                                      list(message = "callback failed", call = NULL)))
  ))
  expect_error(fit(small_model(), x, y, epochs = 2, verbose = 0, callbacks = list(Failing$new())),
               class = "cb_error")
  expect_error(fit(small_model(), x, y, epochs = 1, verbose = 0, callbacks = list(42)), "must be a Keras callback")
})

test_that("callbacks take fractional thresholds (min_delta = 0.01 is not an integer)", {
  cb <- callback_early_stopping(monitor = "val_loss", min_delta = 1e-2, patience = 2)
  expect_equal(abs(py_to_r(py_get_attr(cb, "min_delta"))), 0.01)
  expect_identical(py_to_r(py_get_attr(constraint_maxnorm(max_value = 1.5), "max_value")), 1.5)
})
