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

# ---- Keras' cached datasets: files in Keras' format, written here with NumPy --------

# An empty Keras home: nothing cached, no network needed.
local_keras_home <- function(env = parent.frame()) {
  home <- withr::local_tempdir(.local_envir = env)
  withr::local_envvar(KERAS_HOME = file.path(home, ".keras"), HOME = home, .local_envir = env)
  dir.create(file.path(home, ".keras", "datasets"), recursive = TRUE)
  file.path(home, ".keras", "datasets")
}

np <- function() import("numpy", convert = FALSE)

savez <- function(file, ...) {
  do.call(py_get_attr(np(), "savez"), c(list(file), list(...)))
  invisible(file)
}

u8 <- function(x, shape) np()$reshape(np()$array(as.integer(x), dtype = "uint8"), tuple(as.list(as.integer(shape))))

test_that("without the file, every reader fails at once with the file and where to put it", {
  dir <- local_keras_home()
  readers <- list(
    mnist.npz = dataset_mnist, imdb.npz = dataset_imdb, reuters.npz = dataset_reuters,
    boston_housing.npz = dataset_boston_housing,
    california_housing.npz = dataset_california_housing,
    imdb_word_index.json = dataset_imdb_word_index,
    reuters_word_index.json = dataset_reuters_word_index,
    `cifar-10-python.tar.gz` = dataset_cifar10, `cifar-100-python.tar.gz` = dataset_cifar100
  )
  for (file in names(readers)) {
    err <- tryCatch(readers[[file]](), error = function(e) e)
    expect_s3_class(err, "tandem_keras_error")
    msg <- conditionMessage(err)
    expect_match(msg, "was not found", fixed = TRUE)
    expect_match(msg, dir, fixed = TRUE)
    expect_match(msg, "does not download", fixed = TRUE)
    if (!startsWith(file, "cifar")) expect_match(msg, file, fixed = TRUE)
    else expect_match(msg, file, fixed = TRUE)
  }
  expect_error(dataset_mnist(path = file.path(dir, "elsewhere.npz")), "elsewhere.npz")
})

test_that("dataset_mnist() reads mnist.npz from Keras' cache or a given path", {
  dir <- local_keras_home()
  savez(file.path(dir, "mnist.npz"),
        x_train = u8(0:23, c(3, 2, 4)), y_train = u8(c(5, 0, 9), 3),
        x_test = u8(100:107, c(1, 2, 4)), y_test = u8(7, 1))
  d <- dataset_mnist()
  expect_named(d, c("train", "test"))
  expect_named(d$train, c("x", "y"))
  expect_identical(dim(d$train$x), c(3L, 2L, 4L))
  # row-major: x[1, 1, ] is the first four values
  expect_equal(as.vector(d$train$x[1, 1, ]), 0:3)
  expect_equal(as.vector(d$train$x[2, 2, ]), 12:15)
  expect_equal(as.vector(d$train$y), c(5, 0, 9))
  expect_equal(as.vector(d$test$x[1, 2, ]), 104:107)
  other <- file.path(withr::local_tempdir(), "m.npz")
  file.copy(file.path(dir, "mnist.npz"), other)
  unlink(file.path(dir, "mnist.npz"))
  expect_equal(as.vector(dataset_mnist(path = other)$test$y), 7)
})

test_that("dataset_imdb() and dataset_reuters() apply Keras' processing to the sequences", {
  dir <- local_keras_home()
  seqs <- function(...) {
    a <- np()$empty(length(list(...)), dtype = "object")
    for (i in seq_along(list(...))) tandem::py_set_item(a, i - 1L, tandem::r_to_py(as.list(as.integer(list(...)[[i]]))))
    a
  }
  savez(file.path(dir, "imdb.npz"),
        x_train = seqs(c(1, 2, 3), c(4, 5)), y_train = np()$array(list(1L, 0L)),
        x_test = seqs(c(6), c(1, 2)), y_test = np()$array(list(1L, 0L)))
  d <- dataset_imdb()
  expect_length(d$train$x, 2L)
  expect_type(d$train$x, "list")
  expect_type(d$train$y, "integer")
  # start_char = 1, indices shifted by index_from = 3 (Keras' defaults)
  lens <- vapply(d$train$x, length, integer(1))
  expect_setequal(lens, c(4L, 3L))
  long <- d$train$x[[which(lens == 4L)]]
  expect_identical(long, c(1L, 4L, 5L, 6L))
  expect_identical(d$train$y[[which(lens == 4L)]], 1L)
  # Keras' convention: with num_words = NULL the largest index (here 6 + 3) is the
  # vocabulary size, and itself out of range (oov_char 2).
  expect_setequal(lapply(d$test$x, identity), list(c(1L, 2L), c(1L, 4L, 5L)))
  d2 <- dataset_imdb(num_words = 6)
  long2 <- d2$train$x[[which(vapply(d2$train$x, length, 1L) == 4L)]]
  expect_identical(long2, c(1L, 4L, 5L, 2L))   # 6 is out of vocabulary: oov_char 2

  writeLines('{"the": 1, "movie": 2}', file.path(dir, "imdb_word_index.json"))
  wi <- dataset_imdb_word_index()
  expect_identical(wi$movie, 2L)

  savez(file.path(dir, "reuters.npz"),
        x = seqs(c(1, 2), c(3), c(4, 5, 6), c(7), c(8)), y = np()$array(list(0L, 1L, 2L, 3L, 4L)))
  r <- dataset_reuters(test_split = 0.4)
  expect_length(r$train$x, 3L)
  expect_length(r$test$x, 2L)
  expect_setequal(c(r$train$y, r$test$y), 0:4)
})

test_that("dataset_boston_housing() and dataset_california_housing() split x and y", {
  dir <- local_keras_home()
  x <- np()$reshape(np()$arange(50, dtype = "float64"), tuple(10L, 5L))
  savez(file.path(dir, "boston_housing.npz"), x = x, y = np()$arange(10, dtype = "float64"))
  b <- dataset_boston_housing(test_split = 0.2)
  expect_identical(dim(b$train$x), c(8L, 5L))
  expect_identical(dim(b$test$x), c(2L, 5L))
  # rows stay with their targets through Keras' shuffle: x[i, 1] = 5 * y[i]
  expect_equal(b$train$x[, 1], 5 * as.vector(b$train$y))
  savez(file.path(dir, "california_housing.npz"),
        x = np()$reshape(np()$arange(80, dtype = "float64"), tuple(10L, 8L)),
        y = np()$arange(10, dtype = "float64"))
  ca <- dataset_california_housing(version = "large", test_split = 0.5)
  expect_identical(dim(ca$train$x), c(5L, 8L))
  expect_equal(ca$test$x[, 1], 8 * as.vector(ca$test$y))
})

test_that("dataset_cifar100() reads the extracted batches Keras keeps in its cache", {
  dir <- local_keras_home()
  batches <- file.path(dir, "cifar-100-python-target", "cifar-100-python")
  dir.create(batches, recursive = TRUE)
  # Keras' format: pickled dicts with bytes keys, `data` [n, 3072] (channels first).
  write <- tandem::py_run_string(local = TRUE, convert = FALSE, code = "
def write_batch(path, n, offset):
    import pickle, numpy as np
    data = np.zeros((n, 3072), dtype='uint8')
    for i in range(n):
        data[i, 1] = 100 + offset + i   # red channel, row 1, column 2
        data[i, 1024] = 7               # green channel, row 1, column 1
    d = {b'data': data, b'fine_labels': [offset + i for i in range(n)],
         b'coarse_labels': [i % 2 for i in range(n)]}
    with open(path, 'wb') as f:
        pickle.dump(d, f)
")
  writer <- tandem::py_get_item(write, "write_batch")
  writer(file.path(batches, "train"), 3L, 10L)
  writer(file.path(batches, "test"), 2L, 50L)
  d <- dataset_cifar100()
  expect_identical(dim(d$train$x), c(3L, 32L, 32L, 3L))
  expect_identical(dim(d$train$y), c(3L, 1L))
  expect_equal(as.vector(d$train$y), c(10, 11, 12))
  expect_equal(d$train$x[2, 1, 2, 1], 111)
  expect_equal(d$train$x[2, 1, 1, 2], 7)
  expect_equal(as.vector(dataset_cifar100(label_mode = "coarse")$test$y), c(0, 1))
  # the directory Keras 2 extracted to, given as `path`
  expect_equal(as.vector(dataset_cifar100(path = batches)$test$y), c(50, 51))
})

test_that("the readers take keras3's `convert` argument", {
  expect_error(dataset_fashion_mnist(tempfile(), convert = TRUE), "`dataset-fashion-mnist`")
  local_keras_home()
  expect_error(dataset_mnist(convert = TRUE), "mnist.npz")
})
