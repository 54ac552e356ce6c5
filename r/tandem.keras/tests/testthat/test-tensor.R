# Tensor methods against base R on the same arrays, in both operand orders.

a_int <- matrix(c(3L, -1L, 4L, 1L, -5L, 9L), 2)
a_dbl <- array(c(0.5, 1.25, -2, 3.5, 4, -0.75, 2.5, 8), c(2, 2, 2))

test_that("tensors print as TensorFlow prints them", {
  x <- as_tensor(matrix(1:4, 2))
  expect_match(format(x), "shape=(2, 2), dtype=int32", fixed = TRUE)
  expect_output(print(x), "tf.Tensor(", fixed = TRUE)
})

test_that("arithmetic and comparison match base R in both operand orders", {
  for (a in list(a_int, a_dbl)) {
    x <- as_tensor(a)
    for (op in c("+", "-", "*", "/", "==", "!=", "<", "<=", ">", ">=")) {
      f <- match.fun(op)
      expect_equal(as.array(f(x, a)), f(a, a), info = op)
      expect_equal(as.array(f(x, 2L)), f(a, 2L), info = paste("tensor", op, "2"))
      expect_equal(as.array(f(3L, x)), f(3L, a), info = paste("3", op, "tensor"))
      expect_equal(as.array(f(a, x)), f(a, a), info = paste("array", op, "tensor"))
      expect_equal(as.array(f(x, x)), f(a, a), info = paste("tensor", op, "tensor"))
    }
  }
  x <- as_tensor(a_dbl)
  expect_equal(as.array(x + 0.1), a_dbl + 0.1)   # no float32 detour
  expect_equal(as.array(1.5 - x), 1.5 - a_dbl)
  expect_equal(as.array(x^2), a_dbl^2)
  expect_equal(as.array(2^x), 2^a_dbl)
  expect_equal(as.array(-x), -a_dbl)
})

test_that("%% and %/% are floored as in R", {
  x <- as_tensor(a_int)
  expect_equal(as.array(x %% 4L), a_int %% 4L)
  expect_equal(as.array(x %/% 4L), a_int %/% 4L)
  expect_equal(as.array(7L %% x), 7L %% a_int)
  expect_equal(as.array(-7L %/% x), -7L %/% a_int)
})

test_that("logical operators match base R", {
  l <- matrix(c(TRUE, FALSE, TRUE, TRUE), 2)
  m <- matrix(c(FALSE, FALSE, TRUE, FALSE), 2)
  x <- as_tensor(l)
  expect_identical(as.array(x & m), l & m)
  expect_identical(as.array(m | x), m | l)
  expect_identical(as.array(!x), !l)
})

test_that("R numbers take the tensor's dtype; fractions with integer tensors are errors", {
  x <- as_tensor(1:3)
  expect_match(format(x + 2), "dtype=int32")
  expect_match(format(as_tensor(c(1, 2), "float32") * 2L), "dtype=float32")
  expect_error(x + 1.5, "`1.5` with a tensor of dtype int32")
})

test_that("Math group matches base R", {
  p <- abs(a_dbl) + 0.5
  x <- as_tensor(p)
  for (fn in c("abs", "sqrt", "exp", "log", "log2", "log10", "log1p", "expm1", "floor",
               "ceiling", "trunc", "sin", "cos", "tanh", "sign", "lgamma")) {
    f <- match.fun(fn)
    expect_equal(as.array(f(x)), f(p), info = fn)
  }
  expect_equal(as.array(log(x, base = 3)), log(p, base = 3))
  expect_equal(as.array(abs(as_tensor(a_int))), abs(a_int))
  expect_equal(as.array(cumsum(as_tensor(c(1, 2, 3)))), array(cumsum(c(1, 2, 3))))
  expect_error(cumsum(x), "needs a 1-d tensor")
})

test_that("Summary group and mean match base R", {
  for (a in list(a_int, a_dbl)) {
    x <- as_tensor(a)
    expect_equal(as.array(sum(x)), sum(a))
    expect_equal(as.array(prod(x)), prod(a))
    expect_equal(as.array(max(x)), max(a))
    expect_equal(as.array(min(x)), min(a))
    expect_equal(as.array(range(x)), array(range(a)))
    expect_equal(as.array(mean(x)), mean(a))
  }
  l <- as_tensor(c(TRUE, FALSE))
  expect_false(as.array(all(l)))
  expect_true(as.array(any(l)))
})

test_that("dim, length, conversions and t() match base R", {
  x <- as_tensor(a_dbl)
  expect_identical(dim(x), dim(a_dbl))
  expect_identical(length(x), length(a_dbl))
  expect_identical(as.array(x), a_dbl)
  expect_identical(as.numeric(x), as.numeric(a_dbl))
  expect_identical(as.integer(as_tensor(a_int)), as.integer(a_int))
  expect_identical(as.logical(as_tensor(c(TRUE, FALSE))), c(TRUE, FALSE))
  expect_identical(as.array(t(as_tensor(a_int))), t(a_int))
  expect_identical(dim(t(as_tensor(1:3))), c(1L, 3L))
  expect_identical(dim(as_tensor(1)), integer())
})

test_that("[ indexes as base R does", {
  x <- as_tensor(a_dbl)
  expect_identical(as.array(x[2, 1, 2]), a_dbl[2, 1, 2])
  expect_identical(as.array(x[, 2, ]), a_dbl[, 2, ])
  expect_identical(as.array(x[1:2, 1, 2]), array(a_dbl[1:2, 1, 2]))
  expect_identical(as.array(x[-1, , ]), a_dbl[-1, , ])
  expect_identical(as.array(x[c(TRUE, FALSE), 2:1, ]), a_dbl[c(TRUE, FALSE), 2:1, ])
  expect_identical(as.array(x[, , 2, drop = FALSE]), a_dbl[, , 2, drop = FALSE])
  expect_identical(as.array(x[c(2, 2), , 1]), a_dbl[c(2, 2), , 1])
  expect_identical(as.array(x[all_dims(), 2]), a_dbl[, , 2])
  expect_identical(as.array(x[1, all_dims()]), a_dbl[1, , ])
  expect_identical(as.array(x[2, all_dims(), 1]), array(a_dbl[2, , 1]))
  v <- as_tensor(c(10, 20, 30, 40))
  expect_identical(as.array(v[2:3]), array(c(20, 30)))
  expect_identical(as.array(v[4]), 40)
  expect_error(x[3, 1, 1], "Index 3 is out of bounds for axis 1 of extent 2.")
  expect_error(x[1, 1], "3 dimensions by 2 indices")
  expect_error(x[1.5, 1, 1], "whole numbers")
  expect_error(x[c(-1, 1), 1, 1], "Can't mix")
})

test_that("as_tensor() and shape() take R values", {
  t1 <- as_tensor(1:6, "float32", shape = c(2, NA))
  expect_match(format(t1), "shape=(2, 3), dtype=float32", fixed = TRUE)
  expect_identical(as.array(t1), matrix(c(1, 2, 3, 4, 5, 6), 2, byrow = TRUE))
  expect_identical(as.array(as_tensor(0, shape = c(2, 2))), matrix(0, 2, 2))
  expect_identical(tandem::py_str(shape(NA, 28L, 3)), "(None, 28, 3)")
  expect_error(shape(1.5), "`shape` must be a whole number, not `1.5`.")
})

test_that("%*% with tensors matches base R in both operand orders", {
  a <- matrix(c(1.5, -2, 3, 0.25, 4, -1), 2)      # 2 x 3
  b <- matrix(c(2, 0, -1, 1, 3, 0.5), 3)          # 3 x 2
  ta <- as_tensor(a)
  tb <- as_tensor(b)
  expect_equal(as.array(ta %*% tb), a %*% b)
  expect_equal(as.array(ta %*% b), a %*% b)       # tensor %*% R matrix
  expect_equal(as.array(a %*% tb), a %*% b)       # R matrix %*% tensor
  expect_equal(as.array(tb %*% a), b %*% a)
  expect_equal(as.array(b %*% ta), b %*% a)
  # R values meet the tensor in its dtype.
  t32 <- as_tensor(a, "float32")
  expect_match(format(b %*% t32), "dtype=float32")
  expect_equal(as.array(b %*% t32), b %*% a, tolerance = 1e-6)
  ti <- as_tensor(matrix(1:6, 2))
  expect_match(format(ti %*% t(matrix(1:6, 2))), "dtype=int32")
  expect_equal(as.array(ti %*% t(matrix(1:6, 2))), matrix(1:6, 2) %*% t(matrix(1:6, 2)))
  # Vectors: row on the left, column on the right, inner product of two vectors.
  v <- c(1, -1, 2)
  expect_equal(as.array(v %*% tb), v %*% b)
  expect_equal(as.array(ta %*% v), a %*% v)
  expect_equal(as.array(as_tensor(v) %*% v), v %*% v)
  expect_equal(as.array(v %*% as_tensor(v)), v %*% v)
  # Without tensors it is base R's %*%, unchanged.
  expect_identical(a %*% b, base::`%*%`(a, b))
  expect_identical(1:3 %*% 1:3, base::`%*%`(1:3, 1:3))
  expect_error(ta %*% ta)   # non-conformable: TensorFlow's error
  expect_error(a %*% a, "non-conformable")
})
