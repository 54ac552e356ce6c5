# config_*(): Keras' global settings, read and set.

test_that("config getters and setters round-trip", {
  expect_identical(config_backend(), "tensorflow")
  old <- config_floatx()
  config_set_floatx("float64")
  expect_identical(config_floatx(), "float64")
  expect_equal(op_ones(c(2))$dtype$name, "float64")
  config_set_floatx(old)
  expect_identical(config_floatx(), old)
  eps <- config_epsilon()
  config_set_epsilon(1e-5)
  expect_equal(config_epsilon(), 1e-5)
  config_set_epsilon(eps)
  fmt <- config_image_data_format()
  config_set_image_data_format("channels_first")
  expect_identical(config_image_data_format(), "channels_first")
  config_set_image_data_format(fmt)
  config_set_max_epochs(3)
  expect_identical(config_max_epochs(), 3L)
  config_set_max_epochs(NULL)
  expect_null(config_max_epochs())
  expect_type(config_is_interactive_logging_enabled(), "logical")
})

test_that("config_set_backend() keeps Keras on TensorFlow and leaves it working", {
  expect_error(config_set_backend("jax"), "TensorFlow")
  expect_null(config_set_backend("tensorflow"))
  expect_identical(config_backend(), "tensorflow")
  # Keras still builds and runs layers (a failed switch used to leave it unusable).
  y <- layer_dense(op_ones(c(2, 3)), 4, kernel_initializer = "ones")
  expect_identical(as.array(y), matrix(3, 2, 4))
})

test_that("config setters return invisibly, as keras3's", {
  old <- config_floatx()
  withr::defer(config_set_floatx(old))
  expect_invisible(config_set_floatx("float64"))
  expect_identical(config_floatx(), "float64")
})
