# NumPy <-> R: the dtype table, read-only views of R arrays, ALTREP views of NumPy arrays.

np <- function() import("numpy", convert = FALSE)
ptr <- function(a) py_to_r(py_get_attr(py_get_attr(a, "ctypes"), "data"))

test_that("NumPy dtypes map to R types", {
  n <- np()
  arr <- function(values, dtype) n$array(values, dtype = dtype)
  expect_identical(py_to_r(arr(list(TRUE, FALSE), "bool")), array(c(TRUE, FALSE)))
  for (dt in c("int8", "int16", "int32", "uint8", "uint16")) {
    expect_identical(py_to_r(arr(list(1L, 2L), dt)), array(c(1L, 2L)), info = dt)
  }
  for (dt in c("float16", "float32", "float64")) {
    expect_identical(py_to_r(arr(list(1.5, -2), dt)), array(c(1.5, -2)), info = dt)
  }
  for (dt in c("uint32", "int64", "uint64")) {
    expect_identical(py_to_r(arr(list(1L, 2L), dt)), array(c(1, 2)), info = dt)
  }
  expect_identical(py_to_r(arr(list(1+2i, -1i), "complex64")), array(c(1+2i, -1i)))
  expect_identical(py_to_r(arr(list(1+2i, -1i), "complex128")), array(c(1+2i, -1i)))
  expect_identical(py_to_r(n$array(c("a", "\u00e9\u2713"))), array(c("a", "\u00e9\u2713")))
  expect_identical(py_to_r(n$array(c("ab", "c"), dtype = "S")), array(c("ab", "c")))
  expect_identical(py_to_r(n$array(list("a", NULL), dtype = "object")), array(c("a", NA)))
  expect_identical(py_to_r(n$array(list(1L, "a"), dtype = "object")), array(list(1L, "a")))
})

test_that("0-d arrays have dim 1, 1-D arrays are 1-d arrays, n-D arrays keep their dim (reticulate's rule)", {
  n <- np()
  expect_identical(py_to_r(n$array(3.5)), array(3.5))
  expect_identical(py_to_r(n$array("x")), array("x"))
  expect_identical(py_to_r(n$float64(3.5)), 3.5)  # NumPy scalars are plain R scalars
  x <- py_to_r(n$arange(3))
  expect_identical(x, array(c(0, 1, 2)))
  expect_identical(dim(x), 3L)
  # An R 1-d array is a 1-D NumPy array and comes back with its dim; a plain vector is a list.
  p <- r_to_py(array(1:3))
  expect_true(inherits(p, "numpy.ndarray"))
  expect_identical(py_to_r(py_get_attr(p, "shape")), list(3L))
  expect_identical(py_to_r(p), array(1:3))
  expect_identical(py_to_r(r_to_py(array(c("a", NA)))), array(c("a", NA)))
  expect_identical(py_to_r(r_to_py(array(c(TRUE, FALSE)))), array(c(TRUE, FALSE)))
  expect_true(inherits(r_to_py(c(1, 2)), "python.builtin.list"))
  m <- py_to_r(n$arange(24, dtype = "int16")$reshape(2L, 3L, 4L))
  expect_identical(dim(m), c(2L, 3L, 4L))
  expect_identical(m[2, 3, 4], 23L)
  expect_identical(m[1, 2, 3], 6L)
  s <- py_to_r(n$array(list(c("a", "b"), c("c", "d"))))
  expect_identical(s, matrix(c("a", "c", "b", "d"), 2))
})

test_that("64-bit integers beyond 2^53 are errors that name the value and index", {
  n <- np()
  expect_error(py_to_r(n$array(list(1, 2^53 + 2, 3), dtype = "int64")),
               "int64 value 9007199254740994 at index 1 cannot be converted")
  expect_error(py_to_r(n$array(list(-2^60), dtype = "int64")), "-1152921504606846976 at index 0")
  expect_error(py_to_r(n$array(list(0, 2^63), dtype = "uint64")), "uint64 value 9223372036854775808 at index 1")
  m <- n$zeros(list(2L, 2L), dtype = "int64")
  py_set_item(m, tuple(1L, 0L), py_eval("2**60", convert = FALSE))
  expect_error(py_to_r(m), "at index \\(1, 0\\)")
  expect_identical(py_to_r(n$array(list(2^53, -2^53), dtype = "int64")), array(c(2^53, -2^53)))
  expect_error(py_to_r(n$array(list(1), dtype = "longdouble")), "float128 arrays cannot be converted")
})

test_that("int32 values equal to R's NA bit pattern become doubles, never NA", {
  x <- py_to_r(np()$array(list(1L, -2147483648), dtype = "int32"))
  expect_identical(x, array(c(1, -2147483648)))
})

test_that("bad strings in NumPy arrays are errors", {
  n <- np()
  expect_error(py_eval("__import__('numpy').array([b'\\xff'], dtype='S')"), "index 0 is not valid UTF-8")
  expect_error(py_to_r(n$array(list("a", py_eval("'b\\x00c'", convert = FALSE)))), "Embedded NUL in string: NumPy str element at index 1 has a NUL character")
})

test_that("R arrays reach NumPy as read-only views that keep the R array alive", {
  m <- matrix(runif(6), 2)
  expected <- m
  v <- r_to_py(m)
  expect_identical(py_to_r(py_get_attr(v, "dtype")$name), "float64")
  expect_false(py_to_r(py_get_attr(v, "flags")$writeable))
  expect_true(py_to_r(py_get_attr(v, "flags")$f_contiguous))
  expect_s3_class(py_get_attr(v, "base"), "tandem._core.RObject")
  v2 <- r_to_py(m)
  expect_identical(ptr(v), ptr(v2))  # both views read R's memory: no copy
  expect_error(py_set_item(v, tuple(0L, 0L), 1), "read-only")
  rm(m)
  gc()
  gc()
  expect_identical(py_to_r(v$tolist()), lapply(1:2, function(i) expected[i, ]))
  # R changes never reach an existing view: the viewed array is copied first
  m2 <- matrix(c(1, 2, 3, 4), 2)
  v3 <- r_to_py(m2)
  m2[1, 1] <- 100
  expect_identical(py_to_r(py_get_item(v3, tuple(0L, 0L))), 1)
  mi <- matrix(1:6, 2)
  vi <- r_to_py(mi)
  expect_identical(py_to_r(py_get_attr(vi, "dtype")$name), "int32")
  expect_identical(ptr(vi), ptr(r_to_py(mi)))
  mc <- matrix(complex(real = 1:4, imaginary = 4:1), 2)
  vc <- r_to_py(mc)
  expect_identical(py_to_r(py_get_attr(vc, "dtype")$name), "complex128")
  expect_identical(py_to_r(vc), mc)
})

test_that("integer and logical arrays with NA are float64 copies with NA's payload", {
  v <- r_to_py(matrix(c(1L, NA, 3L, 4L), 2))
  expect_identical(py_to_r(py_get_attr(v, "dtype")$name), "float64")
  expect_true(py_to_r(py_get_attr(v, "flags")$writeable))
  back <- py_to_r(v)
  expect_true(is.na(back[2, 1]) && !is.nan(back[2, 1]))
  expect_identical(back[1, 2], 3)
  vl <- r_to_py(matrix(c(TRUE, NA), 1))
  expect_identical(py_to_r(py_get_attr(vl, "dtype")$name), "float64")
  expect_identical(py_to_r(py_get_attr(r_to_py(matrix(TRUE, 1)), "dtype")$name), "bool")
  expect_identical(py_to_r(r_to_py(matrix(c("a", NA), 1))), matrix(c("a", NA), 1))
})

test_that("a view of an R array comes back as the same R array", {
  m <- matrix(as.double(1:6), 2, dimnames = list(c("a", "b"), NULL))
  expect_identical(py_to_r(r_to_py(m)), m)
  v <- r_to_py(m)
  expect_identical(py_to_r(py_get_attr(v, "T")), t(unname(m)))
})

test_that("Fortran-ordered NumPy arrays reach R without a copy (ALTREP)", {
  n <- np()
  for (dt in c("float64", "int32", "complex128")) {
    a <- n$asfortranarray(n$arange(12L, dtype = dt)$reshape(3L, 4L))
    x <- py_to_r(a)
    expect_identical(dim(x), c(3L, 4L), info = dt)
    expect_equal(as.double(Re(x[3, 4])), 11, info = dt)
    expect_identical(ptr(r_to_py(x)), ptr(a), info = dt)  # R reads NumPy's memory
    expect_match(paste(capture.output(.Internal(inspect(x))), collapse = "\n"), "tandem NumPy buffer", info = dt)
  }
  v <- n$linspace(0, 1, 5L)
  x <- py_to_r(v)
  y <- x
  dim(y) <- 5L
  expect_identical(ptr(r_to_py(y)), ptr(v))  # a shallow duplicate shares the buffer
  expect_identical(sum(x), 2.5)
  # R functions that ask for a writable pointer (identical() here) read a private copy
  expect_identical(x, array(c(0, 0.25, 0.5, 0.75, 1)))
})

test_that("R writes never reach the NumPy buffer", {
  n <- np()
  a <- n$asfortranarray(n$ones(list(2L, 2L)))
  x <- py_to_r(a)
  x[1, 1] <- 5
  expect_identical(x[1, 1], 5)
  expect_identical(py_to_r(py_get_item(a, tuple(0L, 0L))), 1)
  y <- py_to_r(a)
  z <- y
  z[2, 2] <- 7
  expect_identical(y[2, 2], 1)
  expect_identical(py_to_r(py_get_item(a, tuple(1L, 1L))), 1)
  s <- py_to_r(n$arange(4))
  s[[2]] <- -1
  expect_identical(s, array(c(0, -1, 2, 3)))
  expect_identical(py_to_r(n$arange(4)), array(c(0, 1, 2, 3)))
})

test_that("the NumPy array lives as long as its R vector", {
  n <- np()
  py_run_string("import numpy as _np; _tandem_a = _np.asfortranarray(_np.arange(6.0).reshape(2, 3))")
  x <- py_to_r(py_eval("_tandem_a", convert = FALSE))
  py_run_string("del _tandem_a")
  gc()
  expect_identical(x, matrix(c(0, 3, 1, 4, 2, 5), 2))
  expect_identical(sum(x), 15)
  f <- tempfile(fileext = ".rds")
  saveRDS(x, f)
  expect_identical(readRDS(f), x)
})

test_that("C-ordered and strided arrays are one copy in R's order", {
  n <- np()
  a <- n$arange(6, dtype = "float64")$reshape(2L, 3L)
  x <- py_to_r(a)
  expect_identical(x, matrix(c(0, 3, 1, 4, 2, 5), 2))
  expect_false(identical(ptr(r_to_py(x)), ptr(a)))
  st <- py_eval("__import__('numpy').arange(10.0)[::2]", convert = FALSE)
  expect_identical(py_to_r(st), array(c(0, 2, 4, 6, 8)))
  be <- n$array(list(1, 2), dtype = ">f8")
  expect_identical(py_to_r(be), array(c(1, 2)))
})

test_that("masked arrays: masked slots are NA, never their hidden values", {
  ma <- py_eval("__import__('numpy').ma.masked_array([1, 2**60, 3], mask=[False, True, False])", convert = FALSE)
  expect_identical(py_to_r(ma), array(c(1, NA, 3)))
  m2 <- py_eval("__import__('numpy').ma.masked_array([[1.5, 2], [3, 4]], mask=[[False, True], [False, False]])",
                convert = FALSE)
  expect_identical(py_to_r(m2), matrix(c(1.5, 3, NA, 4), 2))
  s <- py_eval("__import__('numpy').ma.masked_array(['a', 'b'], mask=[True, False])", convert = FALSE)
  expect_identical(py_to_r(s), array(c(NA, "b")))
  i <- py_eval("__import__('numpy').ma.masked_array([1, 2], mask=[False, True], dtype='int32')", convert = FALSE)
  expect_identical(py_to_r(i), array(c(1L, NA)))
})

test_that("C-ordered float64 matrices are transposed into R's layout", {
  np <- import("numpy", convert = FALSE)
  expect_identical(py_to_r(np$arange(12)$reshape(3L, 4L)), matrix(as.numeric(0:11), 3, 4, byrow = TRUE))
  b <- np$random$rand(1001L, 37L)  # not a multiple of the tile size
  expect_identical(py_to_r(b), py_to_r(np$asfortranarray(b)))
  expect_identical(dim(py_to_r(np$zeros(tuple(0L, 5L)))), c(0L, 5L))
})

test_that("lists of NumPy scalars simplify like lists of Python scalars", {
  # Keras' get_vocabulary() returns [str, numpy.str_, ...] and [int, numpy.int64, ...].
  expect_identical(py_eval("['[UNK]', __import__('numpy').str_('cyan')]"), c("[UNK]", "cyan"))
  expect_identical(py_eval("[-1, __import__('numpy').int64(5), None]"), c(-1L, 5L, NA))
  expect_identical(py_eval("[__import__('numpy').int64(2**40), 1]"), c(2^40, 1))
  expect_identical(py_eval("[1.5, __import__('numpy').float32(2.5)]"), c(1.5, 2.5))
  expect_identical(py_eval("[True, __import__('numpy').bool_(False)]"), c(TRUE, FALSE))
  # Mixed kinds, and NumPy arrays among the elements, stay lists.
  expect_identical(py_eval("[1, __import__('numpy').str_('a')]"), list(1L, "a"))
  expect_identical(py_eval("[1, __import__('numpy').array([1, 2])]"), list(1L, array(c(1, 2))))
  expect_error(py_eval("[__import__('numpy').uint64(2**63)]"), "without losing precision")
})

test_that("C-ordered arrays of any rank and dtype are copied once into R's order", {
  n <- np()
  for (dims in list(c(16L, 9L), c(8L, 3L, 17L), c(2L, 3L, 4L, 5L), c(33L, 8L), c(1L, 7L))) {
    for (dt in c("float64", "float32", "int32", "int16", "uint8", "complex128", "bool")) {
      flat <- n$arange(prod(dims))$astype(dt)
      x <- py_to_r(flat$reshape(dims))
      expected <- aperm(array(py_to_r(flat), rev(dims)))  # C order: the last index runs fastest
      expect_identical(x, expected, info = paste(dt, paste(dims, collapse = "x")))
    }
  }
  off <- n$arange(1 + 16 * 9)  # a buffer one element off R's alignment
  a <- py_get_item(off, py_eval("slice(1, None)", convert = FALSE))$reshape(16L, 9L)
  expect_identical(py_to_r(a), matrix(as.double(1:144), 16, 9, byrow = TRUE))
})
