# Seed post: "So, how come we can use TensorFlow from R?" (RStudio AI blog, 2019-08-29).
# The R snippets run as written, with tandem in reticulate's place (`library(reticulate)`
# -> `library(tandem)`; `py_run_string()`, `py` and `import()` are tandem's). Not run: the
# post's quotes of reticulate's own sources (py_to_r(), py_ref_to_r(), Rcpp and gdb
# listings), which are reticulate internals rather than user code.

test_that("tf-from-R: a sequential model with the pipe", {
  model <- keras_model_sequential() %>%
    layer_dense(units = 32, activation = "relu") %>%
    layer_dense(units = 1)
  expect_true(inherits(model, "keras.src.models.sequential.Sequential"))
  expect_identical(length(model$layers), 2L)
  expect_identical(model$layers[[1]]$units, 32L)
  expect_identical(model$layers[[1]]$get_config()$activation, "relu")
  # train, evaluate, predict without leaving R
  set.seed(1)
  x <- matrix(runif(200), ncol = 2)
  y <- x[, 1] - x[, 2]
  compile(model, optimizer = "adam", loss = "mse")
  h <- fit(model, x, y, epochs = 5, verbose = 0)
  expect_lt(h$metrics$loss[[5]], h$metrics$loss[[1]])
  expect_identical(dim(predict(model, x)), c(100L, 1L))
})

test_that("tf-from-R: building the model through the Python API", {
  library(tandem)  # post: library(reticulate)
  tf <- import("tensorflow")
  m <- tf$keras$models$Sequential()
  expect_identical(py_str(m$`__class__`), "<class 'keras.src.models.sequential.Sequential'>")

  # As written in the post: 32 is an R double (a Python float), which Keras 3 alone
  # rejects for `units`; with tandem.keras loaded, Keras' integer parameters take it.
  m$add(tf$keras$layers$Dense(32, "relu"))
  m$add(tf$keras$layers$Dense(1))
  layers <- m$layers
  expect_length(layers, 2L)
  expect_identical(layers[[1]]$units, 32L)
  expect_identical(layers[[2]]$units, 1L)
  expect_identical(layers[[1]]$get_config()$activation, "relu")
  expect_true(all(vapply(layers, inherits, logical(1), "keras.src.layers.core.dense.Dense")))
  expect_output(print(layers), "<Dense name=", fixed = TRUE)
})

test_that("tf-from-R: layer_dense() converts units and pipes into a model", {
  model <- keras_model_sequential()
  model$add(layer_dense(units = 32L))
  expect_identical(length(model$layers), 1L)

  model <- keras_model_sequential()
  model %>% layer_dense(units = 32)
  expect_identical(length(model$layers), 1L)
  expect_identical(model$layers[[1]]$units, 32L)
})

test_that("tf-from-R: an R6 callback inheriting from KerasCallback", {
  calls <- character()
  CustomCallback <- R6::R6Class("CustomCallback",
    inherit = KerasCallback,
    public = list(
      on_train_begin = function(logs) {
        # do something
        calls <<- c(calls, "begin")
      },
      on_train_end = function(logs) {
        # do something
        calls <<- c(calls, "end")
      }
    )
  )
  model <- keras_model_sequential(input_shape = 2) %>% layer_dense(units = 1)
  compile(model, optimizer = "sgd", loss = "mse")
  fit(model, matrix(runif(20), 10), runif(10), epochs = 2, verbose = 0,
      callbacks = list(CustomCallback$new()))
  expect_identical(calls, c("begin", "end"))
})

test_that("tf-from-R: keras_model_custom() makes a subclass of tf.keras.Model", {
  m <- keras_model_custom(name = "mymodel", function(self) {
    self$dense1 <- layer_dense(units = 32, activation = "relu")
    self$dense2 <- layer_dense(units = 10, activation = "softmax")

    function(inputs, mask = NULL) {
      self$dense1(inputs) %>%
        self$dense2()
    }
  })
  expect_true(inherits(m, "keras.src.models.model.Model"))
  expect_identical(m$name, "mymodel")
  out <- as.array(m(matrix(runif(15), 5)))
  expect_identical(dim(out), c(5L, 10L))
  expect_equal(rowSums(out), rep(1, 5), tolerance = 1e-5)
  expect_identical(length(m$trainable_weights), 4L)
  # trainable with a custom training loop (as the post says)
  y <- as_tensor(matrix(rep(c(1, 0), c(5, 45)), 5), "float32")
  x <- as_tensor(matrix(runif(15), 5), "float32")
  opt <- optimizer_sgd(learning_rate = 0.5)
  losses <- numeric()
  for (i in 1:10) {
    with(tf$GradientTape() %as% tape, {
      loss <- tf$reduce_mean(keras$losses$categorical_crossentropy(y, m(x)))
    })
    grads <- tape$gradient(loss, m$trainable_variables)
    opt$apply_gradients(purrr::transpose(list(grads, m$trainable_variables)))
    losses[[i]] <- as.numeric(loss)
  }
  expect_lt(losses[[10]], losses[[1]])
})

test_that("tf-from-R: keras_model_sequential() as the post sketches it", {
  my_sequential <- function(layers = NULL, name = NULL) {
    keras$models$Sequential(layers = layers, name = name)
  }
  model <- my_sequential(name = "sketch")
  expect_true(inherits(model, "keras.src.models.sequential.Sequential"))
  expect_identical(model$name, "sketch")
  model2 <- my_sequential(layers = list(layer_dense(units = 2L)))
  expect_identical(length(model2$layers), 1L)
})

test_that("tf-from-R: Python objects to R and R values to Python", {
  library(tandem)  # post: library(reticulate)
  py_run_string("x = 1")
  expect_identical(py$x, 1L)

  py$a <- 1
  expect_identical(py_eval("a"), 1)
  expect_identical(py_eval("type(a).__name__"), "float")
})
