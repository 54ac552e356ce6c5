# Conversion rules reticulate code depends on (issue 13, section 5): length() and dim(),
# raw vectors and arrays, string arrays, factors.

test_that("length() follows reticulate: len(), else bool(); NumPy size; DataFrame columns", {
  np <- import("numpy", convert = FALSE)
  expect_identical(length(py_none()), 0L)
  expect_identical(length(r_to_py(list(1, 2, 3))), 3L)
  expect_identical(length(import_builtins(convert = FALSE)$object()), 1L)  # no __len__: truthy
  expect_identical(length(py_eval("0", convert = FALSE)), 0L)              # no __len__: falsy
  bad <- py_eval("type('BadLen', (), {'__len__': lambda self: 1 // 0, '__bool__': lambda self: 1 // 0})()",
                 convert = FALSE)
  expect_identical(length(bad), NA_integer_)  # length() never errors
  a <- np$ones(c(2L, 3L))
  expect_identical(length(a), 6L)
  expect_identical(dim(a), c(2L, 3L))
  expect_identical(dim(np$array(5)), integer())
  skip_if(is.null(import("importlib.util")$find_spec("pandas")), "pandas is not installed")
  pd <- import("pandas", convert = FALSE)
  df <- pd$DataFrame(dict(a = c(1, 2, 3), b = c(4, 5, 6)))
  expect_identical(length(df), 2L)
  expect_identical(dim(df), c(3L, 2L))
  s <- pd$Series(c(1, 2, 3))
  expect_identical(length(s), 3L)
  expect_null(dim(s))
  skip_if(is.null(import("importlib.util")$find_spec("scipy")), "scipy is not installed")
  m <- import("scipy.sparse", convert = FALSE)$csr_matrix(tuple(3L, 4L))
  expect_identical(dim(m), c(3L, 4L))
  expect_identical(length(m), 12L)
})

test_that("length() and py_len(default =) leave py_last_error() as it was, as reticulate's do", {
  bad_len <- py_eval("type('BadLen2', (), {'__len__': lambda self: int('x')})()", convert = FALSE)
  objects <- list(py_none(), import("os"), py_eval("lambda: 1", convert = FALSE),
                  py_eval("iter([1])", convert = FALSE), bad_len)
  py_clear_last_error()
  for (o in objects) length(o)
  expect_null(py_last_error())
  # an Exception from __len__ gives the default too (reticulate's py_len_impl clears any)
  expect_identical(py_len(bad_len, default = -1L), -1L)
  expect_identical(py_len(py_none(), default = 0L), 0L)
  expect_null(py_last_error())
  # the error still reaches whoever asked without a default, and is recorded then
  expect_error(py_len(bad_len), class = "python.builtin.ValueError")
  expect_identical(py_last_error()$type, "ValueError")
  # a previous error survives length() of an object without a length
  try(py_eval("1 / 0"), silent = TRUE)
  length(py_none())
  expect_identical(py_last_error()$type, "ZeroDivisionError")
  # so do tandem's own probes: a module that is not there, a name in dict() bound to an
  # unhashable object, a submodule looked for by `$`
  expect_false(py_module_available("tandem_no_such_module"))
  x <- np_array(c(1, 2))
  expect_identical(py_to_r(py_get_item(dict(x = 1), "x")), 1)
  expect_identical(import("xml")$dom$`__name__`, "xml.dom")
  expect_identical(py_last_error()$type, "ZeroDivisionError")
  py_clear_last_error()
  expect_false(py_module_available("tandem_no_such_module"))
  expect_null(py_last_error())
})

test_that("raw vectors are bytearrays, raw arrays NumPy void arrays, both come back", {
  rx <- charToRaw("Hello World!")
  b <- r_to_py(rx)
  expect_true(inherits(b, "python.builtin.bytearray"))
  expect_identical(py_to_r(b), rx)
  expect_identical(as.raw(py_eval("b'ab'")), charToRaw("ab"))  # bytes is an object, as in reticulate
  ra <- as.array(rx)
  px <- r_to_py(ra)
  expect_true(inherits(px, "numpy.ndarray"))
  expect_identical(py_to_r(py_get_attr(px, "dtype")$name), "void8")
  expect_identical(py_to_r(py_get_attr(px, "shape")), list(12L))
  expect_identical(py_to_r(px), ra)
  expect_identical(py_to_r(px$tobytes()$decode()), "Hello World!")
  expect_true(inherits(py_to_r(px$view("V3")), "numpy.ndarray"))  # wider void items stay NumPy
  m <- matrix(as.raw(1:6), 2)
  expect_identical(py_to_r(r_to_py(m)), m)
  expect_identical(py_to_r(py_call(import("numpy", convert = FALSE)$array, m)), m)  # a copy too
})

test_that("string arrays: StringDType, empty and all-missing ones are character arrays", {
  np <- import("numpy", convert = FALSE)
  for (dtype in c("U", "U1", "U10", "O", "S", "S1", "S10")) {
    expect_identical(py_to_r(np$array(character(), dtype = dtype)), array(character()), info = dtype)
  }
  expect_identical(py_eval("__import__('numpy').array([None, None], dtype=object)"), array(c(NA_character_, NA)))
  StringDType <- tryCatch(np$dtypes$StringDType, error = function(e) NULL)
  skip_if(is.null(StringDType), "NumPy has no StringDType")
  data <- c("this is a longer string", "short string")
  x <- np$array(data, dtype = StringDType())
  expect_identical(py_to_r(x), array(data))
  y <- py_eval("__import__('numpy').array([['a', 'b'], ['c', 'd']], dtype=__import__('numpy').dtypes.StringDType())",
               convert = FALSE)
  expect_identical(py_to_r(y), matrix(c("a", "c", "b", "d"), 2))
})

test_that("pandas: index as names, pd.NA and NaT as NA, naive times, object columns as lists", {
  skip_if(is.null(import("importlib.util")$find_spec("pandas")), "pandas is not installed")
  pd <- import("pandas", convert = FALSE)
  expect_identical(py_to_r(pd$Series(c(1, 2, 3), index = c("a", "b", "c"))), c(a = 1, b = 2, c = 3))
  expect_identical(py_eval("__import__('pandas').NA"), NA)
  expect_identical(py_eval("[1.5, __import__('pandas').NA]"), c(1.5, NA))
  expect_true(is.na(py_eval("__import__('pandas').NaT")))
  df <- py_eval(paste0(
    "__import__('pandas').DataFrame({'b': [True, None, False], 'o': [1, __import__('pandas').NA, 3],",
    " 'i': __import__('pandas').array([1, None, 3], dtype='Int64'),",
    " 's': __import__('pandas').array(['x', None, 'z'], dtype='string'),",
    " 't': __import__('pandas').to_datetime(['2020-01-01', None, '2020-01-03'])})"))
  expect_identical(df$b, list(TRUE, NULL, FALSE))  # object column: a list, as reticulate
  expect_identical(df$o, list(1L, NA, 3L))
  expect_identical(df$i, c(1, NA, 3))
  expect_identical(df$s, c("x", NA, "z"))
  expect_identical(is.na(df$t), c(FALSE, TRUE, FALSE))
  expect_null(attr(df$t, "tzone"))  # tz-naive stays naive
  x <- data.frame(t = .POSIXct(c(1.6e9, NA)), f = factor(c("a", NA)))
  back <- py_to_r(r_to_py(x))
  expect_identical(back, x)  # naive times and factors with NA round-trip
})

test_that("iterate() keeps None and mixed items; py_iterator() needs a function without arguments", {
  expect_identical(iterate(r_to_py(list("foo", "bar", 42L), convert = TRUE)), list("foo", "bar", 42L))
  conv <- function(code) py_set_convert(py_eval(code, convert = FALSE), TRUE)
  expect_identical(iterate(conv("[1, None, 3]")), list(1L, NULL, 3L))
  expect_identical(iterate(conv("['a', 'b']")), c("a", "b"))
  expect_identical(iterate(conv("[1.5, 2.5]"), simplify = FALSE), list(1.5, 2.5))
  expect_error(py_iterator(function(x) x), "`fn` must be a function with no arguments")
  i <- 0
  it <- py_iterator(function() if (i < 3) (i <<- i + 1) else NULL)
  expect_identical(iterate(it), c(1, 2, 3))
})

test_that("scipy sparse: dgRMatrix, dgTMatrix and dsCMatrix convert to csr/coo/csc and back", {
  skip_if(is.null(import("importlib.util")$find_spec("scipy")), "scipy is not installed")
  skip_if_not_installed("Matrix")
  dense <- matrix(c(1, 0, 0, 2, 0, 3), 2)
  r <- methods::as(methods::as(Matrix::Matrix(dense, sparse = TRUE), "RsparseMatrix"), "generalMatrix")
  expect_s4_class(r, "dgRMatrix")
  pr <- r_to_py(r)
  expect_identical(py_to_r(py_get_attr(pr, "format")), "csr")
  expect_identical(py_to_r(pr$toarray()), dense)
  expect_identical(py_to_r(pr), r)
  t <- methods::as(methods::as(Matrix::Matrix(dense, sparse = TRUE), "TsparseMatrix"), "generalMatrix")
  pt <- r_to_py(t)
  expect_identical(py_to_r(py_get_attr(pt, "format")), "coo")
  expect_s4_class(py_to_r(pt), "dgTMatrix")
  expect_identical(as.matrix(py_to_r(pt)), dense)
  s <- Matrix::Matrix(matrix(c(2, 1, 1, 3), 2), sparse = TRUE)
  expect_s4_class(s, "dsCMatrix")
  ps <- r_to_py(s)
  expect_identical(py_to_r(py_get_attr(ps, "format")), "csc")
  expect_identical(py_to_r(ps$toarray()), matrix(c(2, 1, 1, 3), 2))
  expect_s4_class(py_to_r(ps), "dgCMatrix")
})

test_that("subclasses of list, tuple and dict stay Python objects, as in reticulate", {
  py_run_string(paste(
    "import collections",
    "SubSpec = collections.namedtuple('SubSpec', ['args', 'kw'])",
    "class SubList(list): pass",
    "class SubDict(dict): pass",
    "sub_spec = SubSpec(args=[1, 2], kw={'a': 1})",
    "sub_values = dict(spec=sub_spec, lst=SubList([1, 2]), dct=SubDict(a=1),",
    "                  dd=collections.defaultdict(int, x=1), cnt=collections.Counter('aab'),",
    "                  tup=(1, 'a'), lst_exact=[1, 2], dct_exact={'a': 1})",
    sep = "\n"))
  spec <- py$sub_spec
  expect_identical(class(spec), c("__main__.SubSpec", "python.builtin.tuple", "python.builtin.object"))
  expect_identical(spec$args, c(1L, 2L))  # a namedtuple's fields are read with `$`
  expect_identical(spec$kw, list(a = 1L))
  kept <- py_to_r(spec)  # an explicit py_to_r() keeps it too
  expect_true(is_py_object(kept))
  expect_identical(kept$args, c(1L, 2L))
  v <- py$sub_values  # converted as one dict: exact containers convert, subclasses stay
  expect_true(inherits(v$lst, "__main__.SubList"))
  expect_true(inherits(v$dct, "__main__.SubDict"))
  expect_true(inherits(v$dd, "collections.defaultdict"))
  expect_true(inherits(v$cnt, "collections.Counter"))
  expect_true(inherits(v$spec, "__main__.SubSpec"))
  expect_identical(v$tup, list(1L, "a"))
  expect_identical(v$lst_exact, c(1L, 2L))
  expect_identical(v$dct_exact, list(a = 1L))
  b <- import_builtins()
  expect_identical(b$list(v$lst), c(1L, 2L))  # converting them is one call away
  expect_identical(b$dict(v$dd), list(x = 1L))
  expect_identical(py_len(v$cnt), 2L)
})

test_that("an OrderedDict becomes a named list in its own order, nested ones too", {
  py_run_string(paste(
    "import collections",
    "od = collections.OrderedDict([('b', 1), ('a', 2), (3, 'three')])",
    "od.move_to_end('b')",
    "class SubOD(collections.OrderedDict): pass",
    "od_nested = [SubOD(x=[1, 2]), 0]",
    sep = "\n"))
  expect_identical(py$od, list(a = 2L, `3` = "three", b = 1L))
  expect_identical(py$od_nested, list(list(x = c(1L, 2L)), 0L))
  expect_identical(py_to_r(py_eval("od", convert = FALSE)), list(a = 2L, `3` = "three", b = 1L))
})
