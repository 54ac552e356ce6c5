# Keras and TensorFlow variables behave like tensors, in both operand orders.

a <- matrix(c(1.5, -2, 3, 0.25, 4, -1), 2)
b <- matrix(c(2, 0.5, -1, 3, 1, 2), 2)
VARIABLE_CLASS <- c(keras = "keras.src.backend.common.variables.Variable",
                    tf = "tensorflow.python.ops.variables.Variable")

# The two kinds of variables, holding `a` as float64.
make_variables <- function() {
  list(
    keras = keras$Variable(a, dtype = "float64"),
    tf = tf$Variable(a)
  )
}

test_that("the variables are the classes that lacked tensor methods", {
  vs <- make_variables()
  expect_true(inherits(vs$keras, "keras.src.backend.common.variables.Variable"))
  expect_true(inherits(vs$tf, "tensorflow.python.ops.resource_variable_ops.ResourceVariable"))
  expect_false(inherits(vs$keras, "tensorflow.python.framework.tensor.Tensor"))
  expect_false(inherits(vs$tf, "tensorflow.python.framework.tensor.Tensor"))
})

test_that("operators mix variables, tensors and R values in any order", {
  for (kind in c("keras", "tf")) {
    v <- make_variables()[[kind]]
    x <- as_tensor(b)
    for (op in c("+", "-", "*", "/", "^", "==", "<", ">=")) {
      f <- match.fun(op)
      info <- paste(kind, op)
      expect_equal(as.array(expect_silent(f(x, v))), f(b, a), info = paste(info, "tensor-variable"))
      expect_equal(as.array(expect_silent(f(v, x))), f(a, b), info = paste(info, "variable-tensor"))
      expect_equal(as.array(f(v, 2)), f(a, 2), info = paste(info, "variable-number"))
      expect_equal(as.array(f(3, v)), f(3, a), info = paste(info, "number-variable"))
      expect_equal(as.array(f(v, b)), f(a, b), info = paste(info, "variable-array"))
      expect_equal(as.array(f(b, v)), f(b, a), info = paste(info, "array-variable"))
      expect_equal(as.array(f(v, v)), f(a, a), info = paste(info, "variable-variable"))
    }
    expect_equal(as.array(-v), -a)
    expect_equal(as.array(v %*% t(b)), a %*% t(b))
    expect_equal(as.array(t(b) %*% v), t(b) %*% a)
    expect_equal(as.array(as_tensor(t(b)) %*% v), t(b) %*% a)
  }
  # Keras and TensorFlow variables together.
  vs <- make_variables()
  expect_equal(as.array(vs$keras + vs$tf), a + a)
  expect_equal(as.array(vs$tf * vs$keras), a * a)
})

test_that("dim(), length(), as.array() and the other tensor methods work on variables", {
  for (kind in c("keras", "tf")) {
    v <- make_variables()[[kind]]
    expect_identical(dim(v), dim(a), info = kind)
    expect_identical(length(v), length(a), info = kind)
    expect_identical(as.array(v), a, info = kind)
    expect_identical(as.numeric(v), as.numeric(a), info = kind)
    expect_identical(as.integer(v), as.integer(a), info = kind)
    expect_identical(as.array(t(v)), t(a), info = kind)
    expect_identical(as.array(aperm(v)), aperm(a), info = kind)
    expect_identical(as.numeric(v[2, ]), a[2, ], info = kind)
    expect_identical(as.array(v[, 2:3, drop = FALSE]), a[, 2:3, drop = FALSE], info = kind)
    expect_identical(as.numeric(v[v > 1]), a[a > 1], info = kind)
    expect_equal(as.array(exp(v)), exp(a), info = kind)
    expect_equal(as.array(round(v, 1)), round(a, 1), info = kind)
    expect_equal(as.array(sum(v)), sum(a), info = kind)
    expect_equal(as.array(max(v, 10)), max(a, 10), info = kind)
    expect_equal(as.array(mean(v)), mean(a), info = kind)
    expect_equal(as.array(range(v)), array(range(a)), info = kind)
    expect_identical(as.array(is.finite(v)), is.finite(a), info = kind)
    expect_equal(as.array(rbind(v, b)), rbind(a, b), info = kind)
    expect_equal(as.array(cbind(b, v)), cbind(b, a), info = kind)
    expect_equal(as.numeric(sort(v)), sort(a), info = kind)
    expect_equal(as.numeric(rep(v, 2)), rep(a, 2), info = kind)
    expect_equal(as.numeric(cumsum(v)), cumsum(a), info = kind)
  }
})

test_that("variables print as Python shows them, with their values", {
  vs <- make_variables()
  expect_output(print(vs$tf), "tf.Variable.*shape=\\(2, 3\\) dtype=float64")
  expect_output(print(vs$tf), "0.25", fixed = TRUE)
  expect_output(print(vs$keras), "shape=(2, 3), dtype=float64", fixed = TRUE)
  expect_output(print(vs$keras), "0.25", fixed = TRUE)
})

test_that("[<- assigns into a variable in place", {
  for (kind in c("keras", "tf")) {
    v <- make_variables()[[kind]]
    alias <- v
    v[1, 2] <- 100
    expected <- a
    expected[1, 2] <- 100
    expect_true(inherits(v, VARIABLE_CLASS[[kind]]), info = kind)
    expect_identical(as.array(v), expected, info = kind)
    expect_identical(as.array(alias), expected, info = kind)   # the same variable
    v[v < 0] <- 0
    expected[expected < 0] <- 0
    expect_identical(as.array(v), expected, info = kind)
  }
})

test_that("a layer's weights are variables usable as tensors, in eager and traced code", {
  layer <- layer_dense(units = 3)
  layer$build(list(NULL, 2L))
  k <- layer$kernel
  kv <- as.array(k)
  expect_identical(dim(k), c(2L, 3L))
  x <- matrix(c(1, 2, 3, 4), 2)
  expect_equal(as.array(x %*% k + layer$bias), x %*% kv, tolerance = 1e-6)
  expect_equal(as.array(k * as_tensor(kv, "float32")), kv * kv, tolerance = 1e-6)
  expect_equal(as.array(2 - k), 2 - kv, tolerance = 1e-6)

  # An R layer whose call() mixes its weights (variables) with the inputs (tensors).
  layer_affine <- new_layer_class("Affine",
    initialize = function(units = 1, ...) {
      super$initialize(...)
      self$units <- as.integer(units)
    },
    build = function(input_shape) {
      self$w <- self$add_weight(shape = shape(tail(input_shape, 1), self$units),
                                initializer = "zeros", name = "w")
      self$b <- self$add_weight(shape = shape(self$units), initializer = "zeros", name = "b")
    },
    call = function(inputs) inputs %*% self$w + self$b
  )
  set.seed(3)
  xs <- matrix(runif(300, -1, 1), ncol = 3)
  ys <- xs %*% c(2, -1, 0.5) + 1
  model <- keras_model_sequential(input_shape = 3) %>% layer_affine(units = 1)
  compile(model, optimizer = optimizer_sgd(learning_rate = 0.1), loss = "mse")
  h <- fit(model, xs, ys, epochs = 60, batch_size = 20, verbose = 0)
  expect_lt(tail(h$metrics$loss, 1), h$metrics$loss[[1]] / 100)
  w <- model$layers[[1]]$w
  expect_equal(as.numeric(w), c(2, -1, 0.5), tolerance = 0.05)
  expect_equal(as.numeric(model$layers[[1]]$b), 1, tolerance = 0.05)

  # Gradients flow through the variable methods.
  v <- tf$Variable(a)
  with(tf$GradientTape() %as% tape, {
    loss <- sum((v * b)^2)
  })
  expect_equal(as.array(tape$gradient(loss, v)), 2 * a * b^2)
})
