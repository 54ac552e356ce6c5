# keras3's loss_*/metric_* conventions (values with y_true/y_pred, the object without),
# and wrappers given where Keras takes a class or function (R/wrappers.R).

test_that("loss_* with y_true and y_pred returns the values; without them the object", {
  y_true <- rbind(c(0, 1), c(0, 0))
  y_pred <- rbind(c(0.6, 0.4), c(0.4, 0.6))
  # Keras' Huber with delta 1: 0.5 * err^2 averaged over the last axis.
  v <- as.vector(loss_huber(y_true, y_pred))
  expect_equal(v, c(mean(0.5 * c(0.6, 0.6)^2), mean(0.5 * c(0.4, 0.6)^2)), tolerance = 1e-6)
  expect_equal(as.vector(loss_mean_squared_error(c(1, 2, 3), c(1, 2, 5))), 4 / 3, tolerance = 1e-6)
  # keras3's argument order: y_true, y_pred, then the function's own arguments.
  expect_identical(names(formals(loss_binary_crossentropy))[1:3], c("y_true", "y_pred", "from_logits"))
  bce_logits <- as.vector(loss_binary_crossentropy(c(1, 0), c(2, -2), from_logits = TRUE))
  expect_equal(bce_logits, mean(log1p(exp(-2)) * c(1, 1)), tolerance = 1e-5)
  obj <- loss_binary_crossentropy(from_logits = TRUE, name = "bce")
  expect_s3_class(obj, "keras.src.losses.losses.BinaryCrossentropy")
  expect_identical(obj$name, "bce")
  # The object is called like the function (R vectors reach it as arrays).
  expect_equal(as.vector(obj(c(1, 0), c(2, -2))), bce_logits, tolerance = 1e-5)
  gce <- loss_categorical_generalized_cross_entropy(q = 0.7)
  v <- as.numeric(gce(c(0L, 1L), rbind(c(0.7, 0.3), c(0.2, 0.8))))
  expect_equal(v, mean((1 - c(0.7, 0.8)^0.7) / 0.7), tolerance = 1e-5)
})

test_that("metric_* with y_true and y_pred returns values; keras3's function-only metrics", {
  expect_equal(as.vector(metric_binary_accuracy(c(1, 0, 1), c(0.9, 0.2, 0.3))), c(1, 1, 0))
  expect_equal(as.vector(metric_binary_accuracy(c(1, 0, 1), c(0.9, 0.2, 0.3), threshold = 0.25)),
               c(1, 1, 1))
  m <- metric_binary_accuracy(threshold = 0.7)
  expect_s3_class(m, "keras.src.metrics.accuracy_metrics.BinaryAccuracy")
  m$update_state(rbind(1, 1, 0, 0), rbind(0.98, 0.6, 0, 0.6))
  expect_equal(as.numeric(m$result()), 0.75)
  # top-k: one of two rows has its true class (1-based class 2 = 0-based 1) on top.
  v <- metric_sparse_top_k_categorical_accuracy(c(1, 0), rbind(c(0.1, 0.9, 0), c(0.05, 0.95, 0)), k = 1)
  expect_equal(as.vector(v), c(1, 0))
  expect_equal(as.vector(metric_log_cosh(c(0, 0), c(1, -1))), log(cosh(1)), tolerance = 1e-6)
  expect_equal(as.vector(metric_huber(c(0, 0), c(2, 0))), mean(c(2 - 0.5, 0)), tolerance = 1e-6)
  expect_gt(as.vector(metric_binary_focal_crossentropy(rbind(c(0, 1)), rbind(c(0.6, 0.4)))), 0)
  expect_identical(names(formals(metric_categorical_focal_crossentropy))[1:2], c("y_true", "y_pred"))
})

test_that("wrappers work where Keras takes classes: compile(), inherit, initializers", {
  model <- keras_model_sequential(input_shape = 3) |> layer_dense(1, activation = "sigmoid")
  compile(model, optimizer = "sgd", loss = loss_binary_crossentropy,
          metrics = list(metric_binary_accuracy, metric_auc))
  res <- evaluate(model, matrix(c(1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1), 4), c(0, 1, 0, 1), verbose = 0)
  expect_setequal(names(res), c("loss", "binary_accuracy", "auc"))
  # Python's loss, not an R function called per batch.
  expect_true(inherits(model$loss, "python.builtin.type"))

  layer_my_dense <- Layer("MyDenseW", inherit = layer_dense)
  l <- layer_my_dense(units = 3)
  expect_true(inherits(l, "keras.src.layers.core.dense.Dense"))
  loss_mod <- Loss("ModifiedMSE", inherit = loss_mean_squared_error)
  expect_true(inherits(loss_mod(), "keras.src.losses.losses.MeanSquaredError"))

  d <- layer_dense(units = 2, kernel_initializer = initializer_ones)
  expect_true(inherits(d$kernel_initializer, "keras.src.initializers.constant_initializers.Ones"))
  expect_equal(as.array(d(matrix(1, 1, 3))), matrix(3, 1, 2))
})

test_that("metric_mean_wrapper() averages an R function of y_true and y_pred", {
  mw <- metric_mean_wrapper(fn = function(y_true, y_pred) op_abs(y_pred - y_true), name = "mad")
  mw$update_state(c(1, 2), c(2, 4))
  expect_equal(as.numeric(mw$result()), 1.5)
})
