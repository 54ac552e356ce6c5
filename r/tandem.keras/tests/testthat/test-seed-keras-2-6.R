# Seed post: "Revisiting Keras for R" (RStudio AI blog, 2021-11-18), the post on what is new
# in Keras 2.6 and 2.7: preprocessing layers, subclassing Python with %py_class%, and RNN
# cells used with layer_rnn(). The schematic snippets (`dataset <- ...`,
# `preprocessing_layer()`, `rest_of_the_model()`, `cell`) are filled in with small pieces;
# the others run as written, except for names Keras 3 removed (marked `# post:`):
#   library(tfdatasets)     -> (datasets are part of tandem.keras)
#   k_cast(), k_floatx()    -> tf$cast(), keras$config$floatx()

test_that("Keras 2.6: a preprocessing layer in a tf.data pipeline (dataset_map)", {
  skip_if_not("dataset_map" %in% getNamespaceExports("tandem.keras"),
              "dataset_map() is not in this build of tandem.keras")
  preprocessing_layer <- layer_rescaling(scale = 1 / 255)
  x <- matrix(c(0, 51, 255, 102), 2)
  dataset <- tensor_slices_dataset(list(x, c(0, 1)))  # post: dataset <- ... # define dataset
  dataset <- dataset %>%
    dataset_map(function(x, y) list(preprocessing_layer(x), y))
  it <- as_iterator(dataset)
  first <- iter_next(it)
  expect_equal(as.numeric(first[[1]]), x[1, ] / 255, tolerance = 1e-6)
  expect_equal(as.numeric(first[[2]]), 0)
  second <- iter_next(it)
  expect_equal(as.numeric(second[[1]]), x[2, ] / 255, tolerance = 1e-6)
  expect_null(iter_next(it))
})

test_that("Keras 2.6: a preprocessing layer as the first layer of a model", {
  input_shape <- 3
  preprocessing_layer <- function(object) layer_rescaling(object, scale = 1 / 255, offset = -1)
  rest_of_the_model <- function(object) {
    object %>% layer_dense(units = 1, kernel_initializer = "ones", use_bias = FALSE)
  }

  input <- layer_input(shape = input_shape)
  output <- input %>%
    preprocessing_layer() %>%
    rest_of_the_model()
  model <- keras_model(input, output)

  expect_identical(length(model$layers), 3L)
  expect_true(inherits(model$layers[[2]], "keras.src.layers.preprocessing.rescaling.Rescaling"))
  x <- matrix(c(255, 0, 510, 255, 0, 0), 2)
  expect_equal(predict(model, x), matrix(rowSums(x / 255 - 1)), tolerance = 1e-5)
})

test_that("Keras 2.6: subclassing Python from R with %py_class% (NonNegative)", {
  # The Python original, run in Python ...
  tandem::py_run_string(paste(
    "import tensorflow as tf",
    "class NonNegative(tf.keras.constraints.Constraint):",
    "    def __call__(self, w):",
    "        return w * tf.cast(tf.math.greater_equal(w, 0.), w.dtype)",
    sep = "\n"))
  PyNonNegative <- tandem::py$NonNegative

  # ... and its R translation.
  NonNegative(keras$constraints$Constraint) %py_class% {
    "__call__" <- function(w) {  # post: function(x), a typo: the body uses `w`
      w * tf$cast(w >= 0, keras$config$floatx())  # post: k_cast(w >= 0, k_floatx())
    }
  }
  expect_true(inherits(NonNegative(), "keras.src.constraints.constraints.Constraint"))
  w <- as_tensor(matrix(c(-1, 2, 0.5, -3), 2), "float32")
  expect_equal(as.array(NonNegative()(w)), matrix(c(0, 2, 0.5, 0), 2))
  expect_equal(as.array(NonNegative()(w)), as.array(PyNonNegative()(w)))

  # In training Keras applies the constraint to the kernel (a Keras variable) after each
  # step. tandem.keras' tensor methods do not cover Keras variables yet (`variable * tensor`
  # is R's internal `*`), so this copy converts the variable first.
  NonNegativeVar(keras$constraints$Constraint) %py_class% {
    "__call__" <- function(w) {
      w <- tf$convert_to_tensor(w)
      w * tf$cast(w >= 0, keras$config$floatx())
    }
  }
  set.seed(3)
  x <- matrix(rnorm(400), ncol = 4)
  y <- x %*% c(1, -1, 2, -2)
  model <- keras_model_sequential(input_shape = 4) %>%
    layer_dense(units = 1, kernel_constraint = NonNegativeVar())
  compile(model, optimizer = optimizer_adam(learning_rate = 0.1), loss = "mse")
  fit(model, x, y, epochs = 3, verbose = 0)
  kernel <- drop(model$layers[[1]]$get_weights()[[1]])
  expect_true(all(kernel >= 0))
  expect_identical(kernel[c(2, 4)], c(0, 0))
  expect_true(all(kernel[c(1, 3)] > 0.5))
})

test_that("Keras 2.7: an RNN cell written in R becomes a layer with layer_rnn()", {
  # The cell from Keras' RNN documentation, translated with %py_class%.
  MinimalRNNCell(keras$layers$Layer) %py_class% {
    initialize <- function(units, ...) {
      super$initialize(...)
      self$units <- as.integer(units)
      self$state_size <- as.integer(units)
    }
    build <- function(input_shape) {
      self$kernel <- self$add_weight(shape = shape(input_shape[[length(input_shape)]], self$units),
                                     initializer = "uniform", name = "kernel")
      self$recurrent_kernel <- self$add_weight(shape = shape(self$units, self$units),
                                               initializer = "uniform", name = "recurrent_kernel")
    }
    call <- function(inputs, states) {
      prev_output <- states[[1]]
      h <- tf$matmul(inputs, self$kernel)
      output <- h + tf$matmul(prev_output, self$recurrent_kernel)
      list(output, list(output))
    }
  }
  cell <- MinimalRNNCell(4)

  rnn <- layer_rnn(cell = cell)

  expect_identical(tandem::py_id(rnn$cell), tandem::py_id(cell))
  x <- array(runif(3 * 6 * 2), c(3, 6, 2))
  out <- rnn(as_tensor(x, "float32"))
  expect_identical(dim(out), c(3L, 4L))
  # the recursion by hand, with the cell's weights
  k <- cell$get_weights()
  h <- matrix(0, 3, 4)
  for (t in 1:6) h <- x[, t, ] %*% k[[1]] + h %*% k[[2]]
  expect_equal(as.array(out), h, tolerance = 1e-4)

  model <- keras_model_sequential(input_shape = c(6, 2)) %>%
    layer_rnn(cell = MinimalRNNCell(4)) %>%
    layer_dense(units = 1)
  compile(model, optimizer = optimizer_adam(learning_rate = 0.02), loss = "mse")
  y <- apply(x, 1, function(s) sum(s[, 1]))
  xs <- x[rep(1:3, 20), , , drop = FALSE]
  h <- fit(model, xs, rep(y, 20), epochs = 8, batch_size = 10, verbose = 0)
  expect_lt(h$metrics$loss[[8]], h$metrics$loss[[1]])
})
