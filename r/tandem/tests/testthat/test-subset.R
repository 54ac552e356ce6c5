# `[` and `[<-` on Python objects: Python keys as written (reticulate >= 1.31).

np_avail <- function() py_module_available("numpy")

test_that("[ passes indices to __getitem__ without a shift", {
  l <- r_to_py(list("a", "b", "c", "d"), convert = TRUE)
  expect_identical(l[0], "a")
  expect_identical(l[3], "d")
  expect_identical(l[-1], "d")
  i <- 2
  expect_identical(l[i], "c")
  expect_identical(l[1:3], c("b", "c"))          # a slice, not R's 1:3
  expect_identical(l[NA:2], c("a", "b"))
  expect_identical(l[2:NA], c("c", "d"))
  expect_identical(l[NA:NA:2], c("a", "c"))
  expect_identical(l[`::2`], c("a", "c"))
  expect_identical(l[`1:`], c("b", "c", "d"))
  expect_identical(l[`:1`], "a")
  expect_identical(l[i:(i + 2)], c("c", "d"))
  expect_error(l[10], class = "python.builtin.IndexError")
  raw <- r_to_py(list(1L, 2L, 3L))
  expect_true(is_py_object(raw[0:2]))
  expect_identical(py_to_r(raw[0:2]), 1:2)
})

test_that("[<- assigns items and NULL deletes them", {
  l <- r_to_py(list(1L, 2L, 3L))
  l[0] <- 10L
  expect_identical(py_to_r(l), c(10L, 2L, 3L))
  l[1:3] <- list(7L)
  expect_identical(py_to_r(l), c(10L, 7L))
  l[0] <- NULL
  expect_identical(py_to_r(l), 7L)
  d <- dict(a = 1, b = 2)
  d["a"] <- NULL
  expect_identical(names(d), "b")
  d["c"] <- py_none()
  expect_true(py_to_r(py_call(import_builtins(convert = FALSE)$isinstance, d$c, import_builtins(convert = FALSE)[["type"]](py_none()))))
})

test_that("[ on dicts reads items, NULL or None when missing", {
  d <- dict(a = 1, b = "x", convert = TRUE)
  expect_identical(d["a"], 1)
  expect_identical(d[["b"]], "x")
  expect_null(d["zz"])
  expect_null(d$zz)
  raw <- dict(a = 1)
  expect_true(is_py_object(raw["zz"]))
  expect_identical(py_repr(raw["zz"]), "None")
  keyed <- py_dict(list(1L, tuple("p", "q")), list("one", "pair"), convert = TRUE)
  expect_identical(keyed[1L], "one")
  expect_identical(keyed[tuple("p", "q")], "pair")
})

test_that("[ with a string falls back to the attribute", {
  py_run_string("class Obj:\n    color = 'red'\n    def __getitem__(self, k):\n        if k == 'size': return 3\n        raise KeyError(k)\nobj = Obj()")
  obj <- py$obj
  expect_identical(obj["size"], 3L)
  expect_identical(obj["color"], "red")
  expect_error(obj["nothing"], class = "python.builtin.KeyError")
})

test_that("NumPy: slices, missing indices, ellipsis, newaxis and masks", {
  skip_if_not(np_avail(), "numpy is not installed")
  np <- import("numpy", convert = FALSE)
  x <- py_call(py_get_attr(np$arange(24L), "reshape"), 2L, 3L, 4L)
  expect_equal(py_to_r(x[0, 0, 0]), 0)
  expect_equal(py_to_r(x[1, 2, 3]), 23)
  expect_identical(py_to_r(py_get_attr(x[, 0], "shape")), list(2L, 4L))
  expect_identical(py_to_r(py_get_attr(x[, , 0], "shape")), list(2L, 3L))
  expect_identical(py_to_r(py_get_attr(x[.., 0], "shape")), list(2L, 3L))
  expect_identical(py_to_r(py_get_attr(x[py_ellipsis(), 0], "shape")), list(2L, 3L))
  expect_identical(py_to_r(py_get_attr(x[0, .., 1], "shape")), list(3L))
  expect_identical(py_to_r(py_get_attr(x[NULL], "shape")), list(1L, 2L, 3L, 4L))
  expect_identical(py_to_r(py_get_attr(x[, NULL, 0], "shape")), list(2L, 1L, 4L))
  expect_equal(as.vector(py_to_r(x[0, 0, 1:3])), c(1, 2))
  expect_equal(as.vector(py_to_r(x[1, 2, NA:NA:2])), c(20, 22))
  v <- np$arange(5L)
  expect_equal(as.vector(py_to_r(v[c(TRUE, FALSE, TRUE, FALSE, TRUE)])), c(0, 2, 4))
  expect_equal(as.vector(py_to_r(v[v > 2L])), c(3, 4))
  expect_equal(as.vector(py_to_r(v[c(4L, 0L)])), c(4, 0))  # a vector: fancy indexing
  v[v > 2L] <- 0L
  expect_equal(as.vector(py_to_r(v)), c(0, 1, 2, 0, 0))
  m <- py_call(py_get_attr(np$zeros(c(2L, 3L)), "copy"))
  m[, 1] <- 5
  expect_identical(py_to_r(m), matrix(c(0, 0, 5, 5, 0, 0), 2, 3))
  big <- np$arange(3L)
  expect_error(big[3], class = "python.builtin.IndexError")
})

test_that("converting NumPy arrays index with `[` after conversion to handles", {
  skip_if_not(np_avail(), "numpy is not installed")
  x <- np_array(matrix(1:6, 2, 3))
  expect_identical(as.vector(py_to_r(x[, 2])), c(5L, 6L))
  expect_identical(py_to_r(x[1, 0]), 2L)
})

test_that("bad slices are clear errors", {
  l <- r_to_py(list(1L, 2L))
  expect_error(l[`1:2:3:4`], "1, 2 or 3 values")
})
