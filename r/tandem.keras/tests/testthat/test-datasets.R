# Fashion-MNIST from Debian's IDX files.

test_that("dataset_fashion_mnist() reads the IDX files in keras' shape", {
  skip_if_not(dir.exists("/usr/share/datasets/fashion-mnist"), "dataset-fashion-mnist not installed")
  fm <- dataset_fashion_mnist()
  expect_named(fm, c("train", "test"))
  expect_named(fm$train, c("x", "y"))
  expect_identical(dim(fm$train$x), c(60000L, 28L, 28L))
  expect_identical(dim(fm$test$x), c(10000L, 28L, 28L))
  expect_identical(length(fm$train$y), 60000L)
  expect_identical(sort(unique(fm$test$y)), 0:9)
  expect_identical(as.vector(table(fm$train$y)), rep(6000L, 10))
  expect_true(all(fm$train$x >= 0L & fm$train$x <= 255L))
  # Row-major layout kept: the first test image (an ankle boot, label 9) has its mass in
  # the lower rows, and its borders are blank.
  expect_identical(fm$test$y[[1]], 9L)
  img <- fm$test$x[1, , ]
  expect_gt(sum(img[15:28, ]), sum(img[1:14, ]))
  expect_identical(sum(img[1:2, ]), 0L)
})

test_that("a missing directory names the Debian package", {
  expect_error(dataset_fashion_mnist(tempfile()), "`dataset-fashion-mnist`")
})

test_that("read_idx() keeps the index order of the file", {
  f <- withr::local_tempfile(fileext = ".gz")
  con <- gzfile(f, "wb")
  writeBin(as.raw(c(0, 0, 8, 2)), con)
  writeBin(c(2L, 3L), con, size = 4L, endian = "big")
  writeBin(as.raw(1:6), con)   # row-major [[1,2,3],[4,5,6]]
  close(con)
  expect_identical(tandem.keras:::read_idx(f), matrix(1:6, 2, byrow = TRUE))
})
