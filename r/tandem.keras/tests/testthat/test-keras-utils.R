# keras_variable(), set_random_seed(), get_source_inputs(), get_file(), image arrays.

test_that("keras_variable() from an array or an initializer and a shape", {
  v <- keras_variable(initializer = array(1, c(3, 3)))
  expect_equal(as.array(v), matrix(1, 3, 3))
  v2 <- keras_variable(initializer_ones(), shape = c(2, 2), dtype = "float32", trainable = FALSE)
  expect_equal(as.array(v2), matrix(1, 2, 2))
  expect_false(v2$trainable)
  v$assign(array(0, c(3, 3)))
  expect_equal(sum(as.array(v)), 0)
})

test_that("set_random_seed() makes R and Keras draws repeatable", {
  set_random_seed(7)
  a <- runif(2); k <- as.array(random_normal(3))
  set_random_seed(7)
  expect_identical(runif(2), a)
  expect_identical(as.array(random_normal(3)), k)
  expect_error(set_random_seed(1.5), "whole number")
})

test_that("get_source_inputs() finds a tensor's model inputs; newaxis is NULL", {
  input <- keras_input(3)
  output <- input |> layer_dense(4) |> op_multiply(5)
  src <- get_source_inputs(output)
  expect_identical(tandem::py_id(src[[1]]), tandem::py_id(input))
  expect_null(newaxis)
})

test_that("get_file() returns cached files and never downloads", {
  home <- withr::local_tempdir()
  withr::local_envvar(KERAS_HOME = home)
  err <- expect_error(get_file("nothere.txt", origin = "https://example.org/nothere.txt"),
                      class = "tandem_keras_error")
  expect_match(conditionMessage(err), "'nothere.txt' is not in Keras' cache", fixed = TRUE)
  expect_match(conditionMessage(err), "https://example.org/nothere.txt", fixed = TRUE)
  expect_match(conditionMessage(err), file.path(home, "datasets"), fixed = TRUE)
  dir.create(file.path(home, "datasets"))
  writeLines("hi", file.path(home, "datasets", "here.txt"))
  p <- get_file("here.txt", origin = "https://example.org/here.txt")
  expect_identical(readLines(p), "hi")
})

test_that("image_from_array() and image_array_save() write images through Pillow", {
  img <- array(c(rep(0, 12), rep(1, 12), rep(0.5, 12)), c(3, 4, 3))
  pil <- image_from_array(img)
  expect_equal(unlist(py_to_r(pil$size)), c(4, 3))
  f <- withr::local_tempfile(fileext = ".png")
  image_array_save(img, f)
  back <- image_to_array(image_load(f))
  expect_identical(dim(back), c(3L, 4L, 3L))
  expect_equal(back[1, 1, ], c(0, 255, 128), tolerance = 1)
  expect_error(image_from_array(1:3), "3-d array")
  r <- image_smart_resize(array(runif(2 * 40 * 20 * 3), c(2, 40, 20, 3)), size = c(10, 10))
  expect_identical(dim(r), c(2L, 10L, 10L, 3L))
})

test_that("use_backend() accepts TensorFlow only; named_list() names by expression", {
  expect_null(use_backend("tensorflow"))
  expect_error(use_backend("jax"), "not supported")
  a <- 1
  expect_identical(named_list(a, b = 2), list(a = 1, b = 2))
})

test_that("named_list() names by expression, with a trailing comma too", {
  a <- 1
  b <- 2
  expect_silent(res <- named_list(a, b, ))
  expect_identical(res, list(a = 1, b = 2))
  expect_silent(res <- named_list(a, z = b, ))
  expect_identical(res, list(a = 1, z = 2))
})
