# op_*(): keras3's conventions on keras.ops (1-based axes and indices, whole numbers as
# ints), checked against R's own arithmetic.

a <- function(x) as.array(x)

test_that("reductions take 1-based axes, as R's apply() margins", {
  x <- matrix(c(1, 2, 3, 4, 5, 6), 2)
  expect_equal(as.vector(a(op_sum(x, axis = 1))), colSums(x))
  expect_equal(as.vector(a(op_sum(x, axis = 2))), rowSums(x))
  expect_equal(as.vector(a(op_sum(x, axis = -1))), rowSums(x))
  expect_equal(as.vector(a(op_sum(x))), sum(x))
  expect_equal(as.vector(a(op_max(x, axis = 1))), apply(x, 2, max))
  expect_equal(as.vector(a(op_mean(x, axis = 2))), rowMeans(x))
  expect_equal(dim(a(op_sum(x, axis = 1, keepdims = TRUE))), c(1L, 3L))
  expect_equal(a(op_cumsum(x, axis = 2)), t(apply(x, 1, cumsum)))
  arr <- array(1:24 + 0, c(2, 3, 4))
  expect_equal(a(op_sum(arr, axis = c(1, 3))), apply(arr, 2, sum), ignore_attr = TRUE)
  expect_error(op_sum(x, axis = 0), "1-based")
})

test_that("shape-changing ops read axes 1-based", {
  x <- matrix(c(1, 2, 3, 4, 5, 6), 2)
  expect_equal(a(op_concatenate(list(x, x), axis = 1)), rbind(x, x))
  expect_equal(a(op_concatenate(list(x, x), axis = 2)), cbind(x, x))
  expect_equal(a(op_stack(list(c(1, 2), c(3, 4)), axis = 2)), cbind(c(1, 2), c(3, 4)))
  expect_equal(a(op_transpose(x, axes = c(2, 1))), t(x))
  expect_equal(dim(a(op_expand_dims(x, axis = 1))), c(1L, 2L, 3L))
  expect_equal(dim(a(op_squeeze(array(1:3 + 0, c(1, 3)), axis = 1))), 3L)
  expect_equal(a(op_flip(x, axis = 2)), x[, 3:1])
  expect_equal(dim(a(op_reshape(1:6 + 0, c(NA, 2)))), c(3L, 2L))
  expect_equal(a(op_swapaxes(x, 1, 2)), t(x))
  expect_equal(a(op_tensordot(x, t(x), axes = 1)), x %*% t(x))
  expect_equal(a(op_moveaxis(array(0, c(2, 3, 4)), 1, 3)), array(0, c(3, 4, 2)))
})

test_that("index outputs are 1-based unless zero_indexed = TRUE", {
  v <- c(3, 9, 1, 7)
  expect_equal(as.vector(a(op_argmax(v))), which.max(v))
  expect_equal(as.vector(a(op_argmin(v))), which.min(v))
  expect_equal(as.vector(a(op_argmax(v, zero_indexed = TRUE))), which.max(v) - 1)
  expect_equal(as.vector(a(op_argsort(v))), order(v))
  x <- matrix(c(1, 5, 3, 2, 8, 0), 2)
  expect_equal(as.vector(a(op_argmax(x, axis = 2))), apply(x, 1, which.max))
  top <- op_top_k(c(5, 2, 7, 1, 9, 3), k = 3)
  expect_equal(as.vector(a(top[[1]])), c(9, 7, 5))
  expect_equal(as.vector(a(top[[2]])), c(5, 3, 1))
  expect_equal(as.vector(a(op_searchsorted(c(1, 3, 5), 4))), 3)
  nz <- a(op_nonzero(matrix(c(0, 1, 1, 0), 2)))
  expect_equal(nz[order(nz[, 1]), ], which(matrix(c(0, 1, 1, 0), 2) != 0, arr.ind = TRUE)[2:1, ],
               ignore_attr = TRUE)
})

test_that("index inputs are 1-based, with zero_indexed for Python's", {
  v <- c(10, 20, 30, 40)
  expect_equal(as.vector(a(op_take(v, c(1, 3)))), v[c(1, 3)])
  expect_equal(as.vector(a(op_take(v, c(0, 2), zero_indexed = TRUE))), v[c(1, 3)])
  expect_equal(as.vector(a(op_take(v, -1))), 40)
  expect_error(op_take(v, 0), "1-based")
  oh <- a(op_one_hot(c(1, 3), num_classes = 3))
  expect_equal(oh, rbind(c(1, 0, 0), c(0, 0, 1)), ignore_attr = TRUE)
  x <- matrix(c(1, 2, 3, 4, 5, 6), 2)
  expect_equal(a(op_take_along_axis(x, matrix(c(2, 1, 2), 1), axis = 1)),
               matrix(c(x[2, 1], x[1, 2], x[2, 3]), 1), ignore_attr = TRUE)
  seg <- a(op_segment_sum(c(1, 2, 3, 4), c(1, 1, 2, 2), num_segments = 2))
  expect_equal(as.vector(seg), c(3, 7))
})

test_that("whole doubles become ints where Keras wants them", {
  expect_equal(a(op_eye(3)), diag(3), ignore_attr = TRUE)
  expect_equal(a(op_diag(c(1, 2), k = 1)), rbind(c(0, 1, 0), c(0, 0, 2), c(0, 0, 0)))
  expect_equal(a(op_tri(3)), lower.tri(diag(3), diag = TRUE) * 1, ignore_attr = TRUE)
  expect_equal(dim(a(op_one_hot(c(1, 2), num_classes = 4))), c(2L, 4L))
  expect_equal(as.vector(a(op_repeat(c(1, 2), 2))), c(1, 1, 2, 2))
  expect_equal(as.vector(a(op_bitwise_and(12, 10))), bitwAnd(12L, 10L))
  expect_equal(as.vector(a(op_bincount(c(1, 1, 3)))), c(0, 2, 0, 1))
  expect_equal(dim(a(op_image_resize(array(1, c(1, 4, 4, 1)), size = c(2, 2)))), c(1L, 2L, 2L, 1L))
  expect_equal(dim(a(op_zeros(c(2, 3)))), c(2L, 3L))
  expect_error(op_eye(2.5), "whole number")
})

test_that("varargs ops take tensors in `...`", {
  x <- matrix(c(1, 2, 3, 4, 5, 6), 2)
  expect_equal(a(op_einsum("ij->ji", x)), t(x))
  expect_equal(a(op_einsum("ij,jk->ik", x, t(x))), x %*% t(x))
  g <- op_meshgrid(c(1, 2, 3), c(4, 5), indexing = "ij")
  expect_equal(a(g[[1]]), matrix(c(1, 2, 3), 3, 2))
  expect_equal(a(op_vstack(x, x)), rbind(x, x))
  expect_equal(a(op_vstack(list(x, x))), rbind(x, x))
  expect_equal(a(op_hstack(list(c(1, 2), c(3, 4)))), array(c(1, 2, 3, 4)), ignore_attr = TRUE)
})

test_that("op_matmul(), op_convert_to_tensor() and op_subset() follow keras3", {
  x <- matrix(c(1, 2, 3, 4, 5, 6), 2)
  t32 <- op_convert_to_tensor(x, dtype = "float32")
  expect_equal(a(op_matmul(t32, matrix(1, 3, 1))), x %*% matrix(1, 3, 1), ignore_attr = TRUE)
  expect_equal(a(op_matmul(x, t(x))), x %*% t(x))
  i32 <- op_convert_to_tensor(c(1, 2, 3), dtype = "int32")
  expect_equal(i32$dtype$name, "int32")
  expect_identical(a(i32), array(1:3))
  expect_equal(a(op_subset(x, 2, 2:3)), x[2, 2:3], ignore_attr = TRUE)
  expect_equal(a(op_inv(matrix(c(2, 0, 0, 4), 2))), solve(matrix(c(2, 0, 0, 4), 2)),
               tolerance = 1e-6)
  expect_equal(as.vector(a(op_norm(c(3, 4)))), 5)
  expect_equal(as.vector(a(op_softmax(c(1, 1)))), c(0.5, 0.5))
})

test_that("op_arange() counts like R's seq(); R functions map over tensors", {
  expect_equal(as.vector(a(op_arange(5))), 1:5)
  expect_equal(as.vector(a(op_arange(2, 8, 3))), c(2, 5, 8))
  expect_equal(as.vector(a(op_arange(0, 3, include_end = FALSE))), 0:2)
  expect_equal(op_arange(1, 3, dtype = "int32")$dtype$name, "int32")
  sq <- op_vectorized_map(op_convert_to_tensor(c(1, 2, 3)), function(v) v * v)
  expect_equal(as.vector(a(sq)), c(1, 4, 9))
})

test_that("op_shape() gives a shape; image ops take whole-number sizes", {
  s <- op_shape(matrix(0, 2, 3))
  dims <- if (tandem::is_py_object(s)) unlist(s$as_list()) else as.integer(s)
  expect_equal(as.integer(dims), c(2L, 3L))
  img <- array(1:16 + 0, c(1, 4, 4, 1))
  crop <- a(op_image_crop(img, top_cropping = 1, left_cropping = 1, target_height = 2, target_width = 2))
  expect_equal(as.vector(crop), as.vector(img[1, 2:3, 2:3, 1]))
  pad <- a(op_image_pad(img, top_padding = 1, left_padding = 1, target_height = 6, target_width = 6))
  expect_equal(dim(pad), c(1L, 6L, 6L, 1L))
  expect_equal(sum(pad), sum(img))
  oh <- a(op_one_hot(factor(c("a", "c", "b")), 3))
  expect_equal(apply(oh, 1, which.max), c(1, 3, 2))
})

test_that("keras3's argument forms: op_map(xs, f), op_scatter() scalar values, op_rearrange() lengths", {
  expect_equal(as.array(op_map(op_arange(3), function(x) x * 2)), array(c(2, 4, 6)))
  expect_equal(as.array(op_scatter(indices = rbind(2), values = 1, shape = 3)), array(c(0, 1, 0)))
  images <- op_ones(c(2, 4, 6, 3))
  expect_equal(dim(op_rearrange(images, "b (h1 h) (w1 w) c -> (b h1 w1) h w c", h1 = 2, w1 = 2)),
               c(8L, 2L, 3L, 3L))
})

test_that("R double vectors reach ops as keras3 passes them (float32), R arrays as float64", {
  dtype <- function(t) t$dtype$name
  expect_identical(dtype(op_cbrt(c(-8, 0, 8))), "float32")
  expect_identical(as.array(op_cbrt(c(-8, 0, 8))), array(c(-2, 0, 2)))
  expect_identical(dtype(op_array(c(1, 2, 3))), "float32")
  expect_identical(dtype(activation_relu(c(-10, -5, 0, 5, 10))), "float32")
  expect_identical(dtype(op_add(c(1, 2), c(3, 4))), "float32")
  # Integer and logical vectors keep their types; arrays (with dim) stay float64.
  expect_identical(dtype(op_abs(c(-1L, 2L))), "int32")
  expect_identical(dtype(op_cbrt(array(c(-8, 0, 8)))), "float64")
  # op_convert_to_tensor() and the ops keras3 gives R arrays keep float64.
  expect_identical(dtype(op_convert_to_tensor(c(1, 4))), "float64")
  expect_identical(dtype(op_top_k(c(1, 5, 3), k = 2)[[1]]), "float64")
  # Printed as keras3 prints tensors: a 1-d shape has no trailing comma.
  expect_output(print(op_array(c(1, 2, 3))), "tf.Tensor([1. 2. 3.], shape=(3), dtype=float32)", fixed = TRUE)
  expect_output(print(op_ones(c(2, 2))), "shape=(2, 2), dtype=float32", fixed = TRUE)
})

test_that("namedtuple results are named lists and str() of a tensor is one line, as in keras3", {
  res <- op_top_k(op_array(c(5, 2, 7, 1, 9, 3), "int32"), k = 3)
  expect_named(res, c("values", "indices"))
  expect_identical(as.array(res$indices), array(c(5L, 3L, 1L)))
  expect_output(str(op_array(c(1, 2, 3))), "^<tf.Tensor: shape=\\(3\\), dtype=float32, numpy=array\\(\\[1\\., 2\\., 3\\.\\], dtype=float32\\)>$")
  expect_output(str(op_ones(c(20, 20))), "^<tf.Tensor: shape=\\(20, 20\\), dtype=float32, numpy=\u2026>$")
})

test_that("op_switch() takes a 1-based branch index and op_average() needs an axis for other-shaped weights (keras3)", {
  branches <- list(function(x, y) x + y, function(x, y) x - y)
  expect_identical(as.numeric(op_switch(1, branches, 2.5, 100)), 102.5)
  expect_identical(as.numeric(op_switch(2, branches, 2.5, 100)), -97.5)
  expect_identical(as.numeric(op_switch(0, branches, 2.5, 100)), 102.5)  # as keras3
  # op_searchsorted() takes a float32 op_array() with R numbers (keras3's example).
  sorted <- op_array(c(-1, 0, 2, 4))
  expect_identical(as.vector(as.array(op_searchsorted(sorted, c(-2, 0, 3, 7)))), c(1L, 2L, 4L, 5L))
  expect_identical(as.vector(as.array(op_searchsorted(sorted, c(-2, 0, 3, 7), side = "right",
                                                      zero_indexed = TRUE))), c(0L, 2L, 3L, 4L))
  data <- op_reshape(op_arange(0, 5, dtype = "float32"), c(3, 2))
  expect_error(op_average(data, weights = op_array(c(1/4, 3/4))), "Axis must be specified")
  expect_equal(as.array(op_average(data, axis = 2, weights = op_array(c(1/4, 3/4)))),
               array(c(0.75, 2.75, 4.75)), tolerance = 1e-6)
  expect_equal(as.numeric(op_average(data)), 2.5, tolerance = 1e-6)
})

test_that("op_batch_normalization() takes mean, variance and offset as arrays (keras3), offset not a whole number", {
  x <- op_convert_to_tensor(rbind(c(0.1, 0.2, 0.3), c(0.4, 0.5, 0.6), c(0.7, 0.8, 0.9)))
  y <- op_batch_normalization(x, mean = c(0.4, 0.5, 0.6), variance = c(0.67, 0.67, 0.67), axis = -1)
  expect_identical(y$dtype$name, "float64")
  z <- (as.array(x) - matrix(c(0.4, 0.5, 0.6), 3, 3, byrow = TRUE)) / sqrt(0.67 + 0.001)
  expect_equal(as.array(y), z, tolerance = 1e-12)
  y <- op_batch_normalization(x, mean = c(0.4, 0.5, 0.6), variance = c(0.67, 0.67, 0.67), axis = -1,
                              offset = c(0.1, 0.2, 0.3), scale = c(1, 2, 3))
  expect_equal(as.array(y), sweep(sweep(z, 2, c(1, 2, 3), `*`), 2, c(0.1, 0.2, 0.3), `+`), tolerance = 1e-6)
})
