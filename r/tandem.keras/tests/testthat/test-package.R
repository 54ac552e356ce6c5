# The bridge functions re-exported from tandem, and the lazy tf/keras handles.

test_that("the issue's bridge functions are re-exported from tandem", {
  exported <- getNamespaceExports("tandem.keras")
  for (f in c("import", "%as%", "with", "%py_class%", "py_to_r", "r_to_py", "tuple", "dict",
              "np_array", "iterate", "as_iterator", "iter_next")) {
    expect_true(f %in% exported, info = f)
  }
  expect_identical(tandem.keras::np_array, tandem::np_array)
  expect_identical(tandem.keras::`%py_class%`, tandem::`%py_class%`)
  a <- np_array(matrix(1:6, 2), dtype = "float32")
  expect_s3_class(a, "numpy.ndarray")
  expect_identical(tandem::py_to_r(a$dtype$name), "float32")
  expect_identical(tandem::py_to_r(a$shape), list(2L, 3L))
  expect_identical(as.array(tf$constant(a)), matrix(c(1, 2, 3, 4, 5, 6), 2))
})

test_that("install_keras() installs nothing when TensorFlow and Keras are there (keras3 scripts start with it)", {
  expect_message(res <- withVisible(install_keras()), "^TensorFlow .* nothing to install")
  expect_identical(res, list(value = TRUE, visible = FALSE))
  expect_message(install_keras(backend = c("tensorflow", "jax")), "TensorFlow only")
})
