# keras3's class constructors: Layer(), Model(), Callback(), Constraint(),
# LearningRateSchedule(), and keras3's names for layers.

test_that("defining classes does not start Python", {
  rscript <- file.path(R.home("bin"), "Rscript")
  code <- paste(
    "suppressPackageStartupMessages(library(tandem.keras))",
    "L <- Layer('Lazy', call = function(x) x)",
    "C <- Callback('LazyCb', on_epoch_end = function(epoch, logs) NULL)",
    "K <- Constraint('LazyC', call = function(w) w)",
    "S <- LearningRateSchedule('LazyS', call = function(step) 0.1)",
    "M <- new_model_class('LazyM', call = function(x) x)",
    "cat(tandem::py_available())", sep = "; ")
  out <- system2(rscript, c("-e", shQuote(code)), stdout = TRUE, stderr = FALSE)
  expect_identical(tail(out, 1), "FALSE")
})

test_that("Layer() takes keras3's argument order (initialize, call, build)", {
  Scale <- Layer("ScaleBy",
    function(factor = 2, ...) {
      super$initialize(...)
      self$factor <- factor
    },
    function(inputs) inputs * self$factor)
  expect_equal(as.array(Scale(factor = 3)(matrix(c(1, 2), 1))), matrix(c(3, 6), 1))
  Plus <- Layer("PlusPublic", call = function(x) x + self$offset(), public = list(offset = function() 1))
  expect_equal(as.array(Plus()(matrix(1, 1, 1))), matrix(2, 1, 1))
})

test_that("Callback(), Constraint() and LearningRateSchedule() work in fit()", {
  seen <- integer()
  began <- FALSE
  Recorder <- Callback("Recorder",
    on_epoch_end = function(epoch, logs = NULL) seen <<- c(seen, epoch),
    on_train_begin = function() began <<- TRUE)
  NonNeg <- Constraint("NonNegative", call = function(w) op_relu(w))
  Decay <- LearningRateSchedule("HalfDecay",
    initialize = function(rate) {
      super$initialize()
      self$rate <- rate
    },
    call = function(step) self$rate / (1 + op_cast(step, "float32")))
  expect_equal(as.numeric(as.array(Decay(rate = 0.5)(1))), 0.25)
  model <- keras_model_sequential(input_shape = 2) |>
    layer_dense(units = 1, kernel_constraint = NonNeg(),
                kernel_initializer = initializer_constant(-1))
  compile(model, optimizer = optimizer_sgd(learning_rate = Decay(rate = 0.01)), loss = "mse")
  fit(model, matrix(runif(20), 10), runif(10), epochs = 2, verbose = 0, callbacks = list(Recorder()))
  expect_equal(seen, c(0, 1))
  expect_true(began)
  expect_true(all(as.array(model$layers[[1]]$kernel) >= 0))
  expect_s3_class(new_callback_class("Cb2", on_epoch_end = function(epoch, logs) NULL),
                  "tandem_keras_class_generator")
})

test_that("private members work in Callback(), Constraint() and Layer()", {
  Counter <- Callback("PrivateCounter",
    on_epoch_end = function(epoch, logs = NULL) private$n <- private$n + 1L,
    public = list(count = function() private$n),
    private = list(n = 0L))
  Clip <- Constraint("PrivateClip", call = function(w) op_clip(w, -private$limit, private$limit),
                     private = list(limit = 0.5))
  Scale <- Layer("PrivateScale", call = function(x) x * private$factor,
                 private = list(factor = 3))
  expect_equal(as.numeric(as.array(Scale()(op_ones(c(1, 2))))), c(3, 3))
  model <- keras_model_sequential(input_shape = 2) |>
    layer_dense(units = 1, kernel_constraint = Clip(), kernel_initializer = initializer_constant(2))
  compile(model, optimizer = "sgd", loss = "mse")
  cb <- Counter()
  fit(model, matrix(runif(20), 10), runif(10), epochs = 3, verbose = 0, callbacks = list(cb))
  expect_identical(cb$count(), 3L)
  expect_true(all(abs(as.array(model$layers[[1]]$kernel)) <= 0.5 + 1e-6))
  # each instance has its own private environment
  expect_identical(Counter()$count(), 0L)
  expect_error(Callback("Bad", private = list(1)), "`private` must be a named list")
})

test_that("keras3's layer names are available", {
  x <- array(1, c(1, 2, 2, 1))
  expect_equal(dim(as.array(layer_upsampling_2d(x, size = 2))), c(1L, 4L, 4L, 1L))
  expect_identical(layer_up_sampling_2d, layer_upsampling_2d)
  td <- time_distributed(layer = layer_dense(units = 3))
  expect_equal(dim(as.array(td(array(1, c(2, 4, 5))))), c(2L, 4L, 3L))
  bi <- bidirectional(layer = layer_lstm(units = 2))
  expect_equal(dim(as.array(bi(array(1, c(1, 3, 4))))), c(1L, 4L))
})
