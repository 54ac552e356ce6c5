# np_array() and array_reshape().

test_that("np_array() makes writable NumPy arrays with the same elements", {
  a <- np_array(1:6)
  expect_true(inherits(a, "numpy.ndarray"))
  expect_identical(py_to_r(py_get_attr(a, "dtype")$name), "int32")
  expect_identical(py_to_r(py_get_attr(a, "shape")), list(6L))
  expect_true(py_to_r(py_get_attr(a, "flags")$writeable))
  expect_identical(py_to_r(a), array(1:6))
  f <- np_array(c(1, 2), dtype = "float32")
  expect_identical(py_to_r(py_get_attr(f, "dtype")$name), "float32")
  expect_identical(py_to_r(py_get_attr(np_array(5), "shape")), list(1L))
  m <- matrix(as.double(1:6), 2)
  c_order <- np_array(m)
  expect_true(py_to_r(py_get_attr(c_order, "flags")$c_contiguous))
  expect_identical(py_to_r(c_order), m)
  f_order <- np_array(m, order = "F")
  expect_true(py_to_r(py_get_attr(f_order, "flags")$f_contiguous))
  expect_identical(py_to_r(py_get_item(f_order, tuple(1L, 2L))), 6)
  expect_identical(py_to_r(np_array(c("a", "b"))), array(c("a", "b")))
  expect_identical(py_to_r(py_get_attr(np_array(c(TRUE, FALSE)), "dtype")$name), "bool")
  expect_identical(py_to_r(np_array(np_array(1:3), dtype = "int64")), array(c(1, 2, 3)))
})

test_that("np_array() rejects what it cannot convert", {
  expect_error(np_array(list(1, 2)), "`data` must be an atomic vector")
  expect_error(np_array(1:3, order = "Z"), '`order` must be one of "C", "F", "K", "A", not `Z`')
  expect_error(np_array(1:3, dtype = "no_such_type"), class = "python.builtin.TypeError")
})

test_that("array_reshape() fills in row-major order like NumPy", {
  expect_identical(array_reshape(1:6, c(2, 3)), matrix(1:6, 2, byrow = TRUE))
  expect_identical(array_reshape(1:6, c(2, 3), order = "F"), matrix(1:6, 2))
  x <- matrix(1:6, 2, byrow = TRUE)  # rows 1 2 3 / 4 5 6: C order 1..6
  expect_identical(array_reshape(x, c(3, 2)), matrix(1:6, 3, byrow = TRUE))
  expect_identical(array_reshape(x, 6), array(1:6, 6))
  expect_identical(array_reshape(x, c(-1, 2)), matrix(1:6, 3, byrow = TRUE))
  a3 <- array_reshape(1:24, c(2, 3, 4))
  expect_identical(a3[2, 3, 4], 24L)
  expect_identical(a3[1, 2, 3], 7L)  # C order: 1*12 + ... = (0*12 + 1*4 + 2) + 1
  # Same as NumPy's reshape
  np <- import("numpy", convert = FALSE)
  expect_identical(array_reshape(1:24, c(4, 6)), py_to_r(np$arange(1L, 25L, dtype = "int32")$reshape(4L, 6L)))
  r <- array_reshape(np$arange(6L), c(3L, 2L))
  expect_true(inherits(r, "numpy.ndarray"))
  expect_identical(py_to_r(py_get_attr(r, "shape")), list(3L, 2L))
})

test_that("array_reshape() errors name the problem", {
  expect_error(array_reshape(1:6, c(4, 2)), "cannot reshape array of size 6 into shape (4,2)", fixed = TRUE)  # NumPy's words, as reticulate
  expect_error(array_reshape(1:6, c(-1, -1)), "at most one -1")
  expect_error(array_reshape(1:6, c(2.5, 2)), "`dim` must be a vector of whole numbers")
  expect_error(array_reshape(1:6, c(2, 3), order = "X"), '`order` must be one of "C", "F"')
})

test_that("summary() of a pandas DataFrame or Series is its describe(), as in reticulate", {
  pdf <- r_to_py(data.frame(x = c(1, 3), y = c(4, 4), z = c(5, 5)))
  s <- summary(pdf)
  expect_s3_class(s, "pandas.DataFrame")
  expect_identical(dim(s), c(8L, 3L))
  expect_identical(py_to_r(s$index$tolist()), c("count", "mean", "std", "min", "25%", "50%", "75%", "max"))
  expect_identical(length(summary(pdf$x)), 8L)
  expect_equal(py_to_r(summary(pdf$x)$loc[["mean"]]), 2)
  # a converting object gives the converted description (a data frame)
  d <- py_eval("__import__('pandas').DataFrame({'a': [1.0, 2.0]})")
  expect_identical(dim(summary(r_to_py(d))), c(8L, 1L))
})
