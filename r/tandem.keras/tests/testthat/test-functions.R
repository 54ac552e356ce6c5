# R functions traced by TensorFlow: tf_function(), R losses and metrics in compile()/fit().

test_that("tf_function() traces once per input signature and returns correct values", {
  traces <- 0L
  f <- tf_function(function(x, y) {
    traces <<- traces + 1L
    sum(x * y) + 1
  })
  a <- as_tensor(c(1, 2))
  expect_equal(as.array(f(a, as_tensor(c(3, 4)))), 12)
  expect_equal(as.array(f(as_tensor(c(2, 2)), as_tensor(c(3, 4)))), 15)
  expect_equal(as.array(f(array(c(0, 1)), array(c(5, 7)))), 8)   # R arrays trace as tensors
  expect_identical(traces, 1L)
  expect_identical(f$experimental_get_tracing_count(), 1L)
  # A new shape (or dtype) traces again.
  expect_equal(as.array(f(as_tensor(c(1, 1, 1)), as_tensor(c(1, 2, 3)))), 7)
  expect_identical(traces, 2L)
})

test_that("tf_function() keeps input signatures, lists and control flow with tf ops", {
  traces <- 0L
  g <- tf_function(function(x) {
    traces <<- traces + 1L
    list(tf$where(x > 0, x, tf$zeros_like(x)), tf$reduce_max(x))
  }, input_signature = list(tf$TensorSpec(shape(NA), "float32")))
  r1 <- g(as_tensor(c(-1, 2, -3, 4), "float32"))
  r2 <- g(as_tensor(c(5, -6), "float32"))
  expect_identical(traces, 1L)     # NA extent: one graph for every length
  expect_equal(as.array(r1[[1]]), array(c(0, 2, 0, 4)))
  expect_equal(as.array(r1[[2]]), 4)
  expect_equal(as.array(r2[[1]]), array(c(5, 0)))
  expect_error(g(as_tensor(matrix(1, 2, 2), "float32")))   # outside the signature

  h <- tf_function(~ tf$cond(sum(.x) > 0, function() .x * 2, function() -.x))
  expect_equal(as.array(h(as_tensor(c(1, 2)))), array(c(2, 4)))
  expect_equal(as.array(h(as_tensor(c(-1, -2)))), array(c(1, 2)))

  expect_error(tf_function(function(x) x, autograph = TRUE), "`autograph` must be `FALSE`")
  expect_error(tf_function("f"), "`f` must be an R function or a formula")
})

toy_regression <- function() {
  set.seed(1)
  x <- matrix(runif(64 * 3), ncol = 3)
  list(x = x, y = x %*% c(1, 2, 3))
}

same_model <- function() {
  keras$utils$set_random_seed(1L)
  keras_model_sequential(input_shape = 3) |> layer_dense(units = 1)
}

test_that("an R loss equal to MSE trains exactly as loss = \"mse\"", {
  d <- toy_regression()
  m1 <- same_model()
  m2 <- same_model()
  expect_equal(m1$get_weights(), m2$get_weights())
  calls <- 0L
  my_mse <- function(y_true, y_pred) {
    calls <<- calls + 1L
    mean((y_true - y_pred)^2)
  }
  compile(m1, optimizer = optimizer_sgd(learning_rate = 0.1), loss = "mse")
  compile(m2, optimizer = optimizer_sgd(learning_rate = 0.1), loss = my_mse)
  h1 <- fit(m1, d$x, d$y, epochs = 3, batch_size = 16, shuffle = FALSE, verbose = 0)
  h2 <- fit(m2, d$x, d$y, epochs = 3, batch_size = 16, shuffle = FALSE, verbose = 0)
  expect_equal(h2$metrics$loss, h1$metrics$loss, tolerance = 1e-6)
  expect_lt(h2$metrics$loss[[3]], h2$metrics$loss[[1]])
  # Traced with the training step (graph mode), not called for each of the 12 batches.
  expect_gte(calls, 1L)
  expect_lte(calls, 2L)
  expect_equal(m2$get_weights(), m1$get_weights(), tolerance = 1e-6)
  expect_equal(evaluate(m2, d$x, d$y, verbose = 0)[["loss"]],
               evaluate(m1, d$x, d$y, verbose = 0)[["loss"]], tolerance = 1e-6)
  # A formula works too.
  m3 <- same_model()
  compile(m3, optimizer = optimizer_sgd(learning_rate = 0.1), loss = ~ mean((.x - .y)^2))
  h3 <- fit(m3, d$x, d$y, epochs = 3, batch_size = 16, shuffle = FALSE, verbose = 0)
  expect_equal(h3$metrics$loss, h1$metrics$loss, tolerance = 1e-6)
})

test_that("R metrics are named by list name, variable name or custom_metric()", {
  d <- toy_regression()
  m1 <- same_model()
  m2 <- same_model()
  mean_pred <- function(y_true, y_pred) mean(y_pred)
  compile(m1, optimizer = "sgd", loss = "mse", metrics = "mae")
  compile(m2, optimizer = "sgd", loss = "mse", metrics = list(
    mean_pred,
    abs_err = function(y_true, y_pred) mean(abs(y_true - y_pred)),
    custom_metric("max_err", function(y_true, y_pred) max(abs(y_true - y_pred))),
    "mae"
  ))
  h1 <- fit(m1, d$x, d$y, epochs = 2, batch_size = 64, shuffle = FALSE, verbose = 0)
  h2 <- fit(m2, d$x, d$y, epochs = 2, batch_size = 64, shuffle = FALSE, verbose = 0)
  expect_setequal(names(h2$metrics), c("loss", "mean_pred", "abs_err", "max_err", "mae"))
  expect_equal(h2$metrics$abs_err, h1$metrics$mae, tolerance = 1e-6)
  expect_equal(h2$metrics$mae, h1$metrics$mae, tolerance = 1e-6)
  # One batch per epoch: the metrics are those of the weights before each step.
  w <- same_model()
  p <- predict(w, d$x)
  expect_equal(h2$metrics$mean_pred[[1]], mean(p), tolerance = 1e-5)
  expect_equal(h2$metrics$max_err[[1]], max(abs(d$y - p)), tolerance = 1e-5)

  # A single function given as `metrics` takes its variable name; anonymous ones are numbered.
  m3 <- same_model()
  compile(m3, optimizer = "sgd", loss = "mse", metrics = mean_pred)
  h3 <- fit(m3, d$x, d$y, epochs = 1, verbose = 0)
  expect_named(h3$metrics, c("loss", "mean_pred"), ignore.order = TRUE)
  m4 <- same_model()
  compile(m4, optimizer = "sgd", loss = "mse",
          metrics = list(function(y_true, y_pred) mean(y_pred), function(y_true, y_pred) max(y_pred)))
  h4 <- fit(m4, d$x, d$y, epochs = 1, verbose = 0)
  expect_named(h4$metrics, c("loss", "custom_metric_1", "custom_metric_2"), ignore.order = TRUE)

  expect_error(custom_metric(NA, mean_pred), "`name` must be a single non-empty string")
  expect_error(custom_metric("m", 3), "`metric_fn` must be an R function or a formula")
})
