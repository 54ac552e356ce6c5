# activation_*(): functions on tensors, and Keras' own activation when given to a layer.

test_that("activation functions compute the known formulas", {
  x <- c(-2, -0.5, 0, 1.5)
  expect_equal(as.vector(as.array(activation_relu(x))), pmax(x, 0))
  expect_equal(as.vector(as.array(activation_relu(x, max_value = 1))), pmin(pmax(x, 0), 1))
  expect_equal(as.vector(as.array(activation_sigmoid(x))), 1 / (1 + exp(-x)), tolerance = 1e-6)
  expect_equal(as.vector(as.array(activation_tanh(x))), tanh(x), tolerance = 1e-6)
  expect_equal(as.vector(as.array(activation_elu(x))), ifelse(x > 0, x, exp(x) - 1), tolerance = 1e-6)
  m <- matrix(c(1, 2, 3, 4, 5, 7), 2)
  # axis is 1-based: softmax over each column (axis = 1) or row (axis = 2, the default -1)
  expect_equal(as.array(activation_softmax(m, axis = 1)), apply(m, 2, function(v) exp(v) / sum(exp(v))),
               tolerance = 1e-6)
  expect_equal(as.array(activation_softmax(m)), t(apply(m, 1, function(v) exp(v) / sum(exp(v)))),
               tolerance = 1e-6)
})

test_that("activation functions given to layers become Keras' activations", {
  layer <- layer_dense(units = 2, activation = activation_relu)
  expect_identical(layer$get_config()$activation, "relu")
  model <- keras_model_sequential(input_shape = 3) |>
    layer_dense(units = 2, activation = activation_softmax)
  out <- predict(model, matrix(1, 4, 3), verbose = 0)
  expect_equal(rowSums(out), rep(1, 4), tolerance = 1e-6)
  expect_s3_class(activation_gelu, "tandem_keras_activation")
  expect_output(print(activation_gelu), "gelu")
})
