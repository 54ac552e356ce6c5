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
  expect_equal(as.array(log(x, 3)), log(p, 3))
  expect_equal(as.array(cumsum(as_tensor(c(1, 2, 3)))), array(cumsum(c(1, 2, 3))))
  expect_equal(as.array(abs(as_tensor(a_int))), abs(a_int))
  expect_equal(as.array(sign(as_tensor(a_int))), sign(a_int))
  expect_equal(as.array(exp(as_tensor(a_int))), exp(a_int))     # integers give doubles
  expect_match(format(sqrt(as_tensor(a_int))), "dtype=float64")
  expect_equal(as.array(sqrt(as_tensor(abs(a_int)))), sqrt(abs(a_int)))
})

test_that("cumulative functions run in R's element order and drop dimensions", {
  x <- as_tensor(a_dbl)
  for (fn in c("cumsum", "cumprod", "cummax", "cummin")) {
    f <- match.fun(fn)
    expect_equal(as.numeric(f(x)), f(a_dbl), info = fn)
    expect_identical(dim(f(x)), length(a_dbl), info = fn)
    expect_equal(as.numeric(f(as_tensor(a_int))), f(a_int), info = paste(fn, "integer"))
  }
  expect_equal(as.numeric(cumsum(as_tensor(c(TRUE, FALSE, TRUE)))), cumsum(c(TRUE, FALSE, TRUE)))
})

test_that("round() with digits, and cospi/sinpi/tanpi, match base R", {
  v <- c(1.2345, -2.5, 0.5, 3.14159, 1234.5678, -0.26, 2.5, 1.5)
  x <- as_tensor(v)
  expect_equal(as.numeric(round(x)), round(v))        # halves to even
  expect_equal(as.numeric(round(x, 2)), round(v, 2))
  expect_equal(as.numeric(round(x, digits = 1)), round(v, digits = 1))
  expect_equal(as.numeric(round(x, -1)), round(v, -1))
  expect_equal(as.numeric(round(as_tensor(c(15L, 24L, -26L)), -1)), round(c(15L, 24L, -26L), -1))
  expect_identical(as.integer(round(as_tensor(a_int))), as.integer(round(a_int)))
  expect_error(round(x, 1.5), "`digits` must be a whole number, not `1.5`.")
  p <- c(0, 0.25, 1, 1.5, 2, -0.75, 1 / 3)
  for (fn in c("cospi", "sinpi")) {
    expect_equal(as.numeric(match.fun(fn)(as_tensor(p))), match.fun(fn)(p), info = fn)
  }
  q <- c(0, 0.25, -0.25, 1, 0.1, 2 / 3)
  expect_equal(as.numeric(tanpi(as_tensor(q))), tanpi(q))
  expect_equal(as.array(cospi(as_tensor(a_int))), cospi(a_int))
})

test_that("the Complex group matches base R for complex and real tensors", {
  z <- array(complex(real = c(1, -2, 0, 3.5), imaginary = c(-1, 0.5, 2, 0)), c(2, 2))
  x <- as_tensor(z)
  for (fn in c("Re", "Im", "Mod", "Arg", "Conj")) {
    f <- match.fun(fn)
    expect_equal(as.array(f(x)), f(z), info = fn)
    expect_equal(as.array(f(as_tensor(a_dbl))), f(a_dbl), info = paste(fn, "real"))
    expect_equal(as.array(f(as_tensor(a_int))), f(a_int), info = paste(fn, "integer"))
  }
})

test_that("is.finite(), is.infinite() and is.nan() match base R", {
  v <- array(c(1, Inf, -Inf, NaN, 0, -2.5), c(2, 3))
  x <- as_tensor(v)
  for (fn in c("is.finite", "is.infinite", "is.nan")) {
    f <- match.fun(fn)
    expect_identical(as.array(f(x)), f(v), info = fn)
    expect_identical(as.array(f(as_tensor(a_int))), f(a_int), info = paste(fn, "integer"))
    expect_identical(as.array(f(as_tensor(v, "float32"))), f(v), info = paste(fn, "float32"))
  }
  z <- complex(real = c(1, Inf, NaN), imaginary = c(0, 1, 2))
  expect_identical(as.array(is.finite(as_tensor(z))), array(is.finite(z)))
  expect_identical(as.array(is.infinite(as_tensor(z))), array(is.infinite(z)))
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
  x <- as_tensor(a_dbl)
  expect_identical(as.array(any(x > 3)), any(a_dbl > 3))
  expect_identical(as.array(all(x > -10)), all(a_dbl > -10))
  expect_identical(as.array(all(x > 0)), all(a_dbl > 0))
  expect_equal(as.array(sum(x > 0)), sum(a_dbl > 0))   # logicals count
})

test_that("min, max and range of several tensors and R values match base R", {
  b <- a_dbl * 3 - 1
  x <- as_tensor(a_dbl)
  y <- as_tensor(b)
  expect_equal(as.array(max(x, y)), max(a_dbl, b))
  expect_equal(as.array(min(x, y)), min(a_dbl, b))
  expect_equal(as.array(max(x, 100)), max(a_dbl, 100))
  expect_equal(as.array(min(x, -100, y)), min(a_dbl, -100, b))
  expect_equal(as.array(range(x, y, 50)), array(range(a_dbl, b, 50)))
  expect_equal(as.array(sum(x, y, 1)), sum(a_dbl, b, 1))
  expect_equal(as.array(prod(as_tensor(a_int), 2L)), prod(a_int, 2L))
  xi <- as_tensor(a_int)
  expect_equal(as.array(max(xi, 20L, as_tensor(c(3L, 4L)))), max(a_int, 20L, 3L, 4L))
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
  # A logical index keeps its axis (as in the tensorflow R package), even of length one.
  expect_identical(as.array(x[c(TRUE, FALSE), 2:1, ]), a_dbl[c(TRUE, FALSE), 2:1, , drop = FALSE])
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

test_that("[ drops only axes indexed by a scalar, as the tensorflow R package does", {
  a <- array(as.numeric(1:50), c(1, 10, 5))    # a batch of one
  x <- as_tensor(a)
  # A missing index keeps its axis even of length one: x[, 3, ] is (1, 5), not (5).
  expect_identical(dim(x[, 3, ]), c(1L, 5L))
  expect_identical(as.array(x[, 3, ]), matrix(a[1, 3, ], 1))
  expect_identical(dim(x[1, , ]), c(10L, 5L))
  expect_identical(as.array(x[1, , ]), a[1, , ])
  expect_identical(dim(x[1, 2, ]), 5L)
  expect_identical(dim(x[1, 2, 3]), integer())
  expect_identical(as.array(x[1, 2, 3]), a[1, 2, 3])
  # A `:` range keeps its axis, even of length one; so do logical and longer indices.
  expect_identical(dim(x[1:1, , ]), c(1L, 10L, 5L))
  expect_identical(as.array(x[1:1, , ]), a)
  expect_identical(as.array(x[, 2:2, ]), a[, 2:2, , drop = FALSE])
  j <- 4
  expect_identical(dim(x[, j:j, 2:3]), c(1L, 1L, 2L))
  expect_identical(dim(x[, c(TRUE, rep(FALSE, 9)), ]), c(1L, 1L, 5L))
  expect_identical(as.array(x[, c(2, 4), 5]), matrix(a[1, c(2, 4), 5], 1))
  expect_identical(dim(x[, -(1:9), ]), c(1L, 1L, 5L))
  # A length-one index not written with `:` is a scalar: a variable, c(2), a tensor.
  i <- 2
  expect_identical(dim(x[, i, ]), c(1L, 5L))
  expect_identical(dim(x[, c(2), ]), c(1L, 5L))
  expect_identical(dim(x[, 2L, ]), c(1L, 5L))
  expect_identical(as.array(x[, as_tensor(2L), ]), matrix(a[1, 2, ], 1))
  for (t in 1:2) expect_identical(dim(x[, t, ]), c(1L, 5L))
  # drop = FALSE keeps every axis.
  expect_identical(dim(x[1, 3, , drop = FALSE]), c(1L, 1L, 5L))
  expect_identical(as.array(x[1, 3, 2, drop = FALSE]), a[1, 3, 2, drop = FALSE])
  # Indices forwarded through another function are seen as written.
  f <- function(t, ...) t[...]
  expect_identical(dim(f(x, , 2:2, )), c(1L, 1L, 5L))
  expect_identical(dim(f(x, , 2, )), c(1L, 5L))
  expect_identical(dim(f(x, 1, , , drop = FALSE)), c(1L, 10L, 5L))
  # 1-d tensors and single (linear) indices.
  v <- as_tensor(c(10, 20, 30, 40))
  expect_identical(dim(v[2]), integer())
  expect_identical(as.array(v[2:2]), array(20))
  expect_identical(as.array(v[c(FALSE, TRUE, FALSE, FALSE)]), array(20))
  m <- as_tensor(matrix(c(1, 2, 3, 4), 2))
  expect_identical(as.array(m[3]), 3)
  expect_identical(as.array(m[3:3]), array(3))
  expect_identical(as.array(m[m > 3]), array(4))
})

test_that("a NULL index inserts an axis of length one, as tf$newaxis does", {
  a <- matrix(as.numeric(1:14), 2)          # shape (2, 7)
  mask <- as_tensor(a)
  expect_identical(dim(mask[, NULL, ]), c(2L, 1L, 7L))
  expect_identical(as.array(mask[, NULL, ]), array(a, c(2, 1, 7)))
  expect_identical(as.array(mask[NULL, , ]), array(a, c(1, 2, 7)))
  expect_identical(as.array(mask[, , NULL]), array(a, c(2, 7, 1)))
  expect_identical(as.array(mask[, 3, NULL]), matrix(a[, 3], 2))        # (2, 1)
  expect_identical(as.array(mask[NULL, 2, 3:4]), matrix(a[2, 3:4], 1))  # (1, 2)
  expect_identical(dim(mask[all_dims(), NULL]), c(2L, 7L, 1L))
  expect_identical(dim(mask[NULL, all_dims()]), c(1L, 2L, 7L))
  expect_identical(dim(mask[NULL, , 2:3, drop = FALSE]), c(1L, 2L, 2L))
  expect_identical(dim(as_tensor(c(1, 2, 3))[NULL]), c(1L, 3L))
  expect_error(mask[NULL, 1], "2 dimensions by 1 index")
})

test_that("[ with one index takes elements in R's order, or a logical mask", {
  x <- as_tensor(a_dbl)
  expect_identical(as.numeric(x[c(3, 7, 1)]), a_dbl[c(3, 7, 1)])
  expect_identical(as.numeric(x[-2]), a_dbl[-2])
  expect_identical(as.array(x[5]), a_dbl[5])
  expect_identical(as.numeric(x[x > 1]), a_dbl[a_dbl > 1])
  expect_identical(as.numeric(x[a_dbl < 0]), a_dbl[a_dbl < 0])
  expect_identical(as.array(x[]), a_dbl)
  expect_error(x[9], "out of bounds")
  expect_error(x[matrix(TRUE, 2, 2)], "must have the tensor's shape")
})

test_that("[<- returns a modified copy, as base R does", {
  check <- function(a, assign) {
    expect_identical(as.array(assign(as_tensor(a))), assign(a))
  }
  check(a_dbl, function(y) { y[1, 2, 1] <- 10; y })
  check(a_dbl, function(y) { y[, 1, ] <- c(-1, -2); y })            # recycled
  check(a_dbl, function(y) { y[-1, , 2] <- c(7, 8); y })
  check(a_dbl, function(y) { y[2, , ] <- matrix(c(1, 2, 3, 4), 2); y })
  check(a_dbl, function(y) { y[c(TRUE, FALSE), 2:1, 2] <- c(5, 6); y })
  check(a_dbl, function(y) { y[y > 1] <- 0; y })                     # mask
  check(a_dbl, function(y) { y[c(8, 3)] <- c(-5, -6); y })           # R element order
  check(a_dbl, function(y) { y[] <- seq(0.5, 4, by = 0.5); y })
  check(a_dbl, function(y) { y[c(1, 1), 1, 1] <- c(5, 6); y })       # the last one wins
  check(a_int, function(y) { y[2, 3] <- 100L; y })
  check(a_int, function(y) { y[, 2] <- c(0L, 9L); y })
  check(array(c(1, 2, 3, 4)), function(y) { y[2:3] <- 0; y })
  x <- as_tensor(a_dbl)
  y <- x
  y[2, all_dims()] <- 9
  expected <- a_dbl
  expected[2, , ] <- 9
  expect_identical(as.array(y), expected)
  expect_identical(as.array(x), a_dbl)                               # x is unchanged
  # A tensor as the value, taken in R's element order.
  y <- x
  y[1, , ] <- as_tensor(matrix(c(1, 2, 3, 4), 2))
  expected <- a_dbl
  expected[1, , ] <- matrix(c(1, 2, 3, 4), 2)
  expect_identical(as.array(y), expected)
  xi <- as_tensor(a_int)
  xi[1, 1] <- 7                                                      # in the tensor's dtype
  expect_match(format(xi), "dtype=int32")
  expect_identical(as.array(xi)[1, 1], 7L)
  expect_error({ xi[1, 1] <- 1.5 }, "not a whole number")
  expect_error({ y[1, 1, ] <- c(1, 2, 3) }, "not a multiple of the replacement length")
  expect_error({ y[3, 1, 1] <- 0 }, "out of bounds")
  expect_error({ y[1, 1, 1] <- numeric() }, "length zero")
})

test_that("aperm() matches base R", {
  a <- array(1:24, c(2, 3, 4))
  x <- as_tensor(a)
  expect_identical(as.array(aperm(x, c(2, 3, 1))), aperm(a, c(2, 3, 1)))
  expect_identical(as.array(aperm(x)), aperm(a))
  expect_identical(as.array(aperm(as_tensor(a_dbl), c(3, 1, 2))), aperm(a_dbl, c(3, 1, 2)))
  expect_error(aperm(x, c(1, 1, 2)), "`perm` must be a permutation of 1:3")
})

test_that("rbind() and cbind() match base R, whichever argument is the tensor", {
  m <- matrix(c(1, 2, 3, 4, 5, 6), 2)
  n <- matrix(c(-1, 0.5, 2, 7, 8, 9), 2)
  x <- as_tensor(m)
  y <- as_tensor(n)
  expect_identical(as.array(rbind(x, y)), rbind(m, n))
  expect_identical(as.array(rbind(x, c(10, 20, 30), y)), rbind(m, c(10, 20, 30), n))
  expect_identical(as.array(rbind(m, y)), rbind(m, n))              # R matrix first
  expect_identical(as.array(rbind(0, x)), rbind(0, m))               # recycled
  expect_identical(as.array(cbind(x, y)), cbind(m, n))
  expect_identical(as.array(cbind(1, x, c(7, 8))), cbind(1, m, c(7, 8)))
  expect_identical(as.array(cbind(n, x)), cbind(n, m))
  v <- as_tensor(c(1, 2, 3))
  expect_identical(as.array(rbind(v, v * 2)), unname(rbind(c(1, 2, 3), c(2, 4, 6))))
  expect_identical(as.array(cbind(v, c(4, 5, 6))), unname(cbind(c(1, 2, 3), c(4, 5, 6))))
  expect_identical(as.array(rbind(as_tensor(a_int), 0L)), rbind(a_int, 0L))
  expect_error(rbind(x, matrix(1, 2, 2)), "number of columns of matrices must match")
  expect_error(cbind(x, c(1, 2, 3)), "does not fit 2 rows")
  expect_error(rbind(as_tensor(a_dbl), 1), "at most 2 dimensions")
})

test_that("rep() and sort() work on the elements in R's order", {
  x <- as_tensor(a_dbl)
  expect_identical(as.numeric(rep(x, 2)), rep(a_dbl, 2))
  expect_identical(as.numeric(rep(x, each = 2)), rep(a_dbl, each = 2))
  expect_identical(as.numeric(rep(x, length.out = 11)), rep(a_dbl, length.out = 11))
  expect_identical(as.integer(rep(as_tensor(1:3), times = 3:1)), rep(1:3, times = 3:1))
  expect_identical(as.numeric(sort(x)), sort(a_dbl))
  expect_identical(as.numeric(sort(x, decreasing = TRUE)), sort(a_dbl, decreasing = TRUE))
  expect_identical(as.integer(sort(as_tensor(a_int))), sort(a_int))
  expect_identical(as.logical(sort(as_tensor(c(TRUE, FALSE, TRUE)))), sort(c(TRUE, FALSE, TRUE)))
  w <- c(3, NaN, -1, 2, NaN)
  expect_identical(as.numeric(sort(as_tensor(w))), sort(w))
  expect_identical(as.numeric(sort(as_tensor(w), na.last = TRUE)), sort(w, na.last = TRUE))
  expect_identical(as.numeric(sort(as_tensor(w), decreasing = TRUE, na.last = FALSE)),
                   sort(w, decreasing = TRUE, na.last = FALSE))
})

# A keras_shape as Python sees it (a tuple).
py_shape <- function(s) tandem::py_str(r_to_py(s))

test_that("as_tensor() and shape() take R values", {
  t1 <- as_tensor(1:6, "float32", shape = c(2, NA))
  expect_match(format(t1), "shape=(2, 3), dtype=float32", fixed = TRUE)
  expect_identical(as.array(t1), matrix(c(1, 2, 3, 4, 5, 6), 2, byrow = TRUE))
  expect_identical(as.array(as_tensor(0, shape = c(2, 2))), matrix(0, 2, 2))
  expect_identical(py_shape(shape(NA, 28L, 3)), "(None, 28, 3)")
  expect_error(shape(1.5), "`shape` must be a whole number, not `1.5`.")
})

test_that("shape() takes lists, such as the input_shape given to build()", {
  input_shape <- list(NULL, 5L, 4L)           # how Keras' (None, 5, 4) reaches R
  expect_identical(py_shape(shape(input_shape)), "(None, 5, 4)")
  expect_identical(py_shape(shape(tail(input_shape, 1), 32)), "(4, 32)")
  expect_identical(py_shape(shape(input_shape[-1], NA)), "(5, 4, None)")
  expect_identical(py_shape(shape(list(NA, 3), c(2, 2))), "(None, 3, 2, 2)")
  expect_identical(py_shape(shape(NULL, 3)), "(None, 3)")
  expect_identical(py_shape(shape()), "()")
  expect_identical(py_shape(shape(shape(2, NA), 7)), "(2, None, 7)")
  expect_identical(py_shape(shape(tuple(list(NULL, 3L)))), "(None, 3)")
  expect_identical(py_shape(shape(dim(as_tensor(a_dbl))[-1])), "(2, 2)")
  expect_identical(py_shape(shape(as_tensor(3L), 2)), "(3, 2)")
  expect_error(shape(list(2, 1.5)), "`shape` must be a whole number, not `1.5`.")
  expect_error(shape(list(2, "a")), "`shape` must be a whole number")
})

test_that("shape() of eager tensors gives whole numbers; I() takes a scalar's shape", {
  expect_identical(unclass(shape(as_tensor(a_dbl))), list(2L, 2L, 2L))
  expect_identical(unclass(shape(as_tensor(3L), 2)), list(3L, 2L))
  expect_identical(length(shape(I(as_tensor(3L)))), 0L)
  expect_identical(unclass(shape(I(as_tensor(c(3L, 4L))))), list(2L))
})

test_that("in a traced function, shape() keeps unknown extents as scalar tensors", {
  seen <- new.env()
  f <- tf_function(function(x) {
    s <- shape(x)
    batch <- s[[1]]
    seen$batch_is_tensor <- inherits(batch, "tensorflow.tensor")
    seen$second <- s[[2]]
    seen$int <- as.integer(s)
    seen$format <- format(s)
    seen$length <- length(s)
    seen$kept <- shape(batch, 4L)
    seen$kept_is_batch <- identical(unclass(seen$kept)[[1]], batch)
    seen$py <- py_shape(seen$kept)
    # The shape made from the batch tensor works with TensorFlow and keras ops.
    z <- tf$random$normal(shape(batch, 4L))
    seen$z <- dim(z)
    y <- x[, 2, ]
    seen$y <- dim(y)
    list(z, tf$zeros(shape(batch, s[[3]] * 2L)), y, x[1, , ], x[, 2:2, ], x[, NULL, 1, 2])
  }, input_signature = list(tf$TensorSpec(shape(NA, 3L, 2L), "float64")))
  a <- array(as.numeric(1:12), c(2, 3, 2))
  out <- f(as_tensor(a))
  expect_true(seen$batch_is_tensor)
  expect_identical(seen$second, 3L)
  expect_identical(seen$int, c(NA, 3L, 2L))
  expect_match(seen$format, "^shape\\(Tensor\\(.*dtype=int32\\), 3, 2\\)$")
  expect_identical(seen$length, 3L)
  expect_true(seen$kept_is_batch)
  expect_match(seen$py, "^\\(<tf.Tensor .*shape=\\(\\) dtype=int32>, 4\\)$")
  expect_identical(seen$z, c(NA, 4L))
  expect_identical(seen$y, c(NA, 2L))
  expect_identical(dim(out[[1]]), c(2L, 4L))
  expect_identical(dim(out[[2]]), c(2L, 4L))
  expect_identical(as.array(out[[3]]), a[, 2, ])
  expect_identical(as.array(out[[4]]), a[1, , ])
  expect_identical(as.array(out[[5]]), a[, 2:2, , drop = FALSE])
  expect_identical(as.array(out[[6]]), matrix(a[, 1, 2], 2))
  # A batch of one keeps its axis in the graph too.
  out1 <- f(as_tensor(a[1, , , drop = FALSE]))
  expect_identical(as.array(out1[[3]]), matrix(a[1, 2, ], 1))
  expect_identical(dim(out1[[1]]), c(1L, 4L))
  # Unknown extents: negative and logical indices can't be resolved.
  g <- tf_function(function(x) x[-1, ], input_signature = list(tf$TensorSpec(shape(NA, 3L), "float64")))
  expect_error(g(as_tensor(matrix(1, 2, 3))), "unknown")
})

test_that("shape() and [ work in a layer's call and a custom train_step run by fit()", {
  seen <- new.env()
  AddFirst <- Layer("AddFirstColumn", call = function(inputs) {
    batch <- shape(inputs)[[1]]
    dim <- shape(inputs)[[2]]
    epsilon <- random_normal(shape = c(batch, dim))
    state <- op_zeros(c(shape(inputs)[[1]], 2L))
    first <- inputs[, 1, NULL]                   # (batch, 1)
    seen$layer <- list(batch = inherits(batch, "tensorflow.tensor"), dim = dim,
                       epsilon = dim(epsilon), state = dim(state), first = dim(first))
    inputs + 0 * epsilon + first + op_sum(state)
  })
  inp <- keras_input(shape = 4)
  model <- keras_model(inp, AddFirst()(inp))
  compile(model, optimizer = "sgd", loss = "mse")
  set.seed(1)
  x <- matrix(runif(20), 5)
  seen$layer <- NULL
  fit(model, x, x, epochs = 1, batch_size = 2, verbose = 0)
  expect_identical(seen$layer, list(batch = TRUE, dim = 4L, epsilon = c(NA, 4L),
                                    state = c(NA, 2L), first = c(NA, 1L)))
  expect_equal(predict(model, x, batch_size = 2, verbose = 0), x + x[, 1], tolerance = 1e-6)

  Tiny <- new_model_class("TinyTrainStep",
    initialize = function(...) {
      super$initialize(...)
      self$latent_dim <- 3L
      self$dense <- layer_dense(units = 1)
    },
    call = function(inputs) self$dense(inputs),
    train_step = function(data) {
      real <- data[[1]]
      batch_size <- shape(real)[[1]]
      z <- tf$random$normal(shape(batch_size, self$latent_dim))
      labels <- op_ones(c(batch_size, 1))
      seen$step <- list(batch = inherits(batch_size, "tensorflow.tensor"),
                        z = dim(z), labels = dim(labels))
      list(n = tf$cast(batch_size, "float32") + op_sum(labels) * 0 + op_sum(z) * 0)
    })
  m <- Tiny()
  compile(m, optimizer = "sgd")
  fit(m, x, x[, 1], epochs = 1, batch_size = 2, verbose = 0)
  expect_identical(seen$step, list(batch = TRUE, z = c(NA, 3L), labels = c(NA, 1L)))
})

test_that("%*% with tensors matches base R for matrices in both operand orders, and keras3 for vectors", {
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
  # Vectors, as keras3 (op_matmul, NumPy's rules): a matrix times a vector is a vector,
  # two vectors give a scalar.
  v <- c(1, -1, 2)
  expect_equal(as.vector(v %*% tb), drop(v %*% b))
  expect_equal(dim(ta %*% v), 2L)
  expect_equal(as.vector(ta %*% v), drop(a %*% v))
  expect_equal(dim(as_tensor(v) %*% v), integer())
  expect_equal(as.numeric(v %*% as_tensor(v)), drop(v %*% v))
  # Without tensors it is base R's %*%, unchanged.
  expect_identical(a %*% b, base::`%*%`(a, b))
  expect_identical(1:3 %*% 1:3, base::`%*%`(1:3, 1:3))
  expect_error(ta %*% ta)   # non-conformable: TensorFlow's error
  expect_error(a %*% a, "non-conformable")
})
