# test-numpy-methods.R: reticulate's R methods for NumPy arrays kept as Python objects
# (convert = FALSE): coercions convert, t() transposes in NumPy, str() is one line.

test_that("as.array(), as.matrix(), as.vector() and as.double() convert a NumPy array", {
  np <- import("numpy", convert = FALSE)
  a <- np$arange(6L)$reshape(2L, 3L)
  m <- as.array(a)
  expect_identical(dim(m), c(2L, 3L))
  expect_equal(m[1, ], c(0, 1, 2))
  expect_equal(m[2, ], c(3, 4, 5))
  expect_equal(as.matrix(a), m)
  expect_equal(as.vector(a), c(0, 3, 1, 4, 2, 5))  # R's column-major order of the same matrix
  expect_identical(as.vector(a, mode = "character"), c("0", "3", "1", "4", "2", "5"))
  expect_identical(as.double(np$array(c(TRUE, FALSE))), c(1, 0))
  expect_identical(as.numeric(np$array(c(1.5, 2.5))), c(1.5, 2.5))
})

test_that("t() of a NumPy array is its transpose, still in Python", {
  np <- import("numpy", convert = FALSE)
  a <- np$arange(6L)$reshape(2L, 3L)
  ta <- t(a)
  expect_true(inherits(ta, "numpy.ndarray"))
  expect_identical(dim(ta), c(3L, 2L))
  expect_equal(py_to_r(ta), t(py_to_r(a)))
})

test_that("str() of a NumPy array names its shape and dtype, also nested", {
  np <- import("numpy", convert = FALSE)
  a <- np$zeros(c(2L, 3L), dtype = "float32")
  expect_identical(capture.output(str(a)), "<numpy.ndarray shape(2,3), dtype=float32>")
  out <- capture.output(str(list(x = a)))
  expect_identical(out[[2]], " $ x: <numpy.ndarray shape(2,3), dtype=float32>")
})

test_that("plot() of a NumPy array plots its values", {
  np <- import("numpy", convert = FALSE)
  file <- withr::local_tempfile(fileext = ".pdf")
  grDevices::pdf(file)
  grDevices::dev.control(displaylist = "enable")
  plot(np$array(c(3, 1, 2)))
  drawn <- grDevices::recordPlot()
  grDevices::dev.off()
  expect_gt(length(drawn[[1]]), 0L)
  expect_gt(file.size(file), 0)
})
