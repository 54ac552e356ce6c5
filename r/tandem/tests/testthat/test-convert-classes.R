# Classed values: Date, POSIXct, POSIXlt, difftime, integer64, factor, data.frame, dgCMatrix.

skip_if_no_module <- function(module) {
  spec <- import("importlib.util")$find_spec(module)
  skip_if(is.null(spec), paste("Python module", module, "is not installed"))
}
pystr <- function(x) py_str(x)
dtype_name <- function(a) py_to_r(py_get_attr(py_get_attr(a, "dtype"), "name"))
# 1-D NumPy arrays come back as 1-d R arrays (reticulate's rule), classed ones too.
naive <- function(x) {  # NumPy datetime64 values come back without a time zone
  attr(x, "tzone") <- NULL
  x
}
with_dim <- function(x) {
  dim(x) <- length(x)
  x
}

test_that("Date: datetime.date scalars and datetime64[D] arrays, NA as NaT", {
  d1 <- as.Date("2024-03-04")
  expect_identical(py_repr(r_to_py(d1)), "datetime.date(2024, 3, 4)")
  expect_identical(py_to_r(r_to_py(d1)), d1)
  d <- as.Date(c("2024-01-02", NA, "1960-05-01"))
  a <- r_to_py(d)
  expect_identical(dtype_name(a), "datetime64[D]")
  expect_identical(pystr(py_get_item(a, 1L)), "NaT")
  expect_identical(py_to_r(a), with_dim(d))
  expect_identical(py_eval("__import__('datetime').date(1969, 12, 31)"), as.Date("1969-12-31"))
  expect_identical(py_eval("__import__('numpy').datetime64('2020-02-29')"), as.Date("2020-02-29"))
  expect_identical(py_eval("__import__('numpy').array(['2020-01', '2021-03'], dtype='datetime64[M]')"),
                   with_dim(as.Date(c("2020-01-01", "2021-03-01"))))
  expect_error(r_to_py(structure(c(1, Inf), class = "Date")), "infinite Date")
})

test_that("POSIXct: aware datetime scalars, datetime64[ns] arrays", {
  t1 <- as.POSIXct("2024-01-02 03:04:05", tz = "America/New_York")
  p1 <- r_to_py(t1)
  expect_match(py_repr(p1), "datetime.datetime\\(2024, 1, 2, 3, 4, 5, tzinfo=zoneinfo.ZoneInfo\\(key='America/New_York'\\)\\)")
  expect_identical(py_to_r(p1), t1)
  utc <- as.POSIXct("2000-06-01 12:00:00", tz = "UTC")
  expect_identical(py_to_r(r_to_py(utc)), utc)
  local <- as.POSIXct("2000-06-01 12:00:00")  # no time zone: datetime64[ns], also length 1 (reticulate 1.36)
  expect_identical(dtype_name(r_to_py(local)), "datetime64[ns]")
  expect_equal(as.numeric(py_to_r(r_to_py(local))), as.numeric(local))
  t <- as.POSIXct(c("2024-01-02 03:04:05.25", NA), tz = "America/New_York")
  a <- r_to_py(t)
  expect_identical(dtype_name(a), "datetime64[ns]")
  expect_identical(pystr(py_get_item(a, 0L)), "2024-01-02T08:04:05.250000000")
  back <- py_to_r(a)
  expect_null(attr(back, "tzone"))  # NumPy has no time zone: the same instants, naive (as reticulate)
  expect_identical(as.numeric(back), as.numeric(t))
  expect_identical(py_eval("__import__('numpy').datetime64('2020-01-01T00:00:01', 'ms')"),
                   naive(as.POSIXct("2020-01-01 00:00:01", tz = "UTC")))
})

test_that("difftime: timedelta scalars and timedelta64 arrays", {
  expect_identical(py_repr(r_to_py(as.difftime(90, units = "secs"))), "datetime.timedelta(seconds=90)")
  h <- as.difftime(c(1, 2, NA), units = "hours")
  a <- r_to_py(h)
  expect_identical(dtype_name(a), "timedelta64[h]")
  expect_identical(py_to_r(a), with_dim(h))
  m <- as.difftime(c(1.5, -2), units = "mins")
  expect_identical(dtype_name(r_to_py(m)), "timedelta64[ns]")
  expect_identical(py_to_r(r_to_py(m)), with_dim(as.difftime(c(90, -120), units = "secs")))
  expect_identical(py_eval("__import__('datetime').timedelta(days=1, seconds=1)"), as.difftime(86401, units = "secs"))
})

test_that("Date, POSIXct and difftime arrays keep their shape as datetime64 arrays", {
  d <- structure(c(19000, NA, 19002, 19003, -1, 19005), dim = 2:3, class = "Date")
  a <- r_to_py(d)
  expect_identical(dtype_name(a), "datetime64[D]")
  expect_identical(py_to_r(py_get_attr(a, "shape")), list(2L, 3L))
  expect_identical(pystr(py_get_item(a, tuple(1L, 2L))), "2022-01-13")  # d[2, 3]
  expect_identical(pystr(py_get_item(a, tuple(1L, 0L))), "NaT")         # d[2, 1] is NA
  expect_identical(pystr(py_get_item(a, tuple(0L, 1L))), "2022-01-10")  # d[1, 2]
  back <- py_to_r(a)
  expect_identical(back, d)
  expect_identical(which(is.na(back)), 2L)
  d3 <- structure(as.double(1:24), dim = 2:4, class = "Date")
  expect_identical(py_to_r(r_to_py(d3)), d3)
  expect_identical(py_to_r(r_to_py(structure(5, dim = c(1L, 1L), class = "Date"))),
                   structure(5, dim = c(1L, 1L), class = "Date"))  # a 1x1 matrix stays an array
  t <- structure(c(1.7e9, 1.7e9 + 0.5, NA, -1), dim = c(2L, 2L), class = c("POSIXct", "POSIXt"), tzone = "UTC")
  p <- r_to_py(t)
  expect_identical(dtype_name(p), "datetime64[ns]")
  expect_identical(pystr(py_get_item(p, tuple(1L, 0L))), "2023-11-14T22:13:20.500000000")
  expect_identical(pystr(py_get_item(p, tuple(0L, 1L))), "NaT")
  expect_identical(py_to_r(p), naive(t))
  h <- structure(c(1, 2, NA, 4), dim = c(2L, 2L), units = "hours", class = "difftime")
  ph <- r_to_py(h)
  expect_identical(dtype_name(ph), "timedelta64[h]")
  expect_identical(py_to_r(ph), h)
  from_numpy <- py_eval("__import__('numpy').array([['2020-01-01', 'NaT', '2020-01-03']], dtype='datetime64[D]')")
  expect_identical(from_numpy, structure(c(18262, NA, 18264), dim = c(1L, 3L), class = "Date"))
})

test_that("POSIXlt crosses as its POSIXct", {
  lt <- as.POSIXlt(c("2024-01-02 03:04:05", NA, "1960-06-01 12:00:00"), tz = "UTC")
  a <- r_to_py(lt)
  expect_identical(dtype_name(a), "datetime64[ns]")
  expect_identical(pystr(py_get_item(a, 0L)), "2024-01-02T03:04:05.000000000")
  expect_identical(pystr(py_get_item(a, 1L)), "NaT")
  expect_identical(py_to_r(a), naive(with_dim(as.POSIXct(lt))))
  tokyo <- as.POSIXlt("2024-01-02 03:04:05", tz = "Asia/Tokyo")
  p1 <- r_to_py(tokyo)
  expect_match(py_repr(p1), "datetime.datetime\\(2024, 1, 2, 3, 4, 5, tzinfo=zoneinfo.ZoneInfo\\(key='Asia/Tokyo'\\)\\)")
  expect_identical(py_to_r(p1), as.POSIXct(tokyo))
  expect_null(py_to_r(r_to_py(as.POSIXlt(NA, tz = "UTC"))))
  expect_true(is.na(py_to_r(r_to_py(as.POSIXlt(NA)))))  # no time zone: a NaT array (reticulate 1.36)
})

test_that("integer64 becomes NumPy int64 and comes back as integer64 when asked for", {
  skip_if_not_installed("bit64")
  x <- bit64::as.integer64(c("9007199254740993", "-5", "0", "9223372036854775807"))
  a <- r_to_py(x)
  expect_identical(dtype_name(a), "int64")
  expect_identical(py_str(a$tolist()), "[9007199254740993, -5, 0, 9223372036854775807]")
  expect_false(py_to_r(py_get_attr(a, "flags")$writeable))  # a read-only view of R's memory
  expect_s3_class(py_get_attr(a, "base"), "tandem._core.RObject")
  expect_identical(py_repr(r_to_py(bit64::as.integer64("123456789012345678"))), "123456789012345678")
  expect_identical(py_repr(r_to_py(bit64::NA_integer64_)), "None")
  # Default: double when exact, else an error naming the first inexact value and the option.
  expect_error(py_to_r(a), "int64 value 9007199254740993 at index 0 .*tandem.int64")
  expect_identical(py_to_r(r_to_py(bit64::as.integer64(c(1, -2)))), array(c(1, -2)))
  withr::local_options(tandem.int64 = "integer64")
  expect_identical(py_to_r(a), with_dim(x))
  na <- bit64::as.integer64(c(1, NA, 3))
  m <- r_to_py(na)
  expect_true(inherits(m, "numpy.ma.MaskedArray"))
  expect_identical(py_str(py_get_attr(m, "mask")$tolist()), "[False, True, False]")
  expect_identical(py_to_r(m), with_dim(na))
  mat <- bit64::as.integer64(c(1, 2, NA, 2^40, 5, 6))
  dim(mat) <- 2:3
  pm <- r_to_py(mat)
  expect_identical(py_to_r(py_get_attr(pm, "shape")), list(2L, 3L))
  expect_identical(py_str(py_get_item(pm, tuple(1L, 1L))), "1099511627776")  # mat[2, 2]
  expect_identical(py_to_r(pm), mat)
  expect_identical(py_eval("2**60"), bit64::as.integer64("1152921504606846976"))
  expect_identical(py_eval("[1, None, -2**60]"), bit64::as.integer64(c("1", NA, "-1152921504606846976")))
  expect_identical(py_eval("__import__('numpy').array([7, 8])"), with_dim(bit64::as.integer64(c(7, 8))))  # type-stable
  expect_identical(py_eval("5"), 5L)  # Python ints within int32 stay integer
  expect_error(py_eval("__import__('numpy').array([2**63], dtype='uint64')"),
               "uint64 value 9223372036854775808 at index 0 is beyond integer64's range")
  expect_error(py_eval("__import__('numpy').array([0, -2**63])"), "at index 1 is integer64's NA bit pattern")
  expect_error(py_eval("2**70"), "outside integer64's range")
  withr::local_options(tandem.int64 = "int")
  expect_error(py_to_r(a), "`tandem.int64` option must be \"double\" or \"integer64\", not \"int\"")
})

test_that("integer64 data frame columns become int64 / nullable Int64 pandas columns", {
  skip_if_not_installed("bit64")
  skip_if_no_module("pandas")
  df <- data.frame(a = bit64::as.integer64(c(1, NA, 3)), b = bit64::as.integer64(c("1152921504606846977", "1", "2")))
  p <- r_to_py(df)
  dtypes <- py_to_r(py_call(py_get_attr(import_builtins(), "list"), py_get_attr(p, "dtypes")$astype("str")))
  expect_identical(dtypes, c("Int64", "int64"))
  expect_identical(py_str(py_get_item(p, "b")$tolist()), "[1152921504606846977, 1, 2]")
  withr::local_options(tandem.int64 = "integer64")
  expect_identical(py_to_r(p), df)
})

test_that("bare factors are their labels; factor columns become pandas.Categorical and come back", {
  f <- factor(c("a", NA, "b", "a"), levels = c("b", "a"))
  expect_identical(py_str(r_to_py(f)), "['a', None, 'b', 'a']")  # as reticulate: as.character()
  expect_identical(py_str(r_to_py(factor("z"))), "z")
  expect_identical(py_to_r(r_to_py(iris$Species)), as.character(iris$Species))
  skip_if_no_module("pandas")
  pf <- py_get_attr(py_get_item(r_to_py(data.frame(f = f)), "f"), "array")
  expect_true(inherits(pf, "pandas.Categorical"))
  expect_identical(py_to_r(py_get_attr(pf, "codes")$tolist()), c(1L, -1L, 0L, 1L))
  expect_identical(py_to_r(pf), f)
  o <- factor(c("lo", "hi"), levels = c("lo", "hi"), ordered = TRUE)
  po <- py_get_attr(py_get_item(r_to_py(data.frame(o = o)), "o"), "array")
  expect_true(py_to_r(py_get_attr(po, "ordered")))
  expect_identical(py_to_r(po), o)
  expect_error(r_to_py(structure(c(1L, 5L), levels = "a", class = "factor")), "outside its 1 levels")
})

test_that("data frames become pandas DataFrames column by column and come back", {
  skip_if_no_module("pandas")
  df <- data.frame(
    x = c(1.5, NA, 3), i = c(1L, NA, 3L), n = 1:3, l = c(TRUE, NA, FALSE), s = c("a", NA, "\u00e9"),
    f = factor(c("u", "v", NA)), z = complex(real = 1:3, imaginary = 0),
    stringsAsFactors = FALSE
  )
  p <- r_to_py(df)
  expect_true(inherits(p, "pandas.DataFrame"))
  dtypes <- py_to_r(py_call(py_get_attr(import_builtins(), "list"), py_get_attr(p, "dtypes")$astype("str")))
  expect_identical(dtypes, c("float64", "Int32", "int32", "boolean", "str", "category", "complex128"))
  expect_identical(py_to_r(py_get_attr(p, "columns")$tolist()), names(df))
  back <- py_to_r(p)
  expect_identical(back, df)
  rn <- data.frame(a = 1:2, row.names = c("r1", "r2"))
  expect_identical(py_to_r(py_get_attr(r_to_py(rn), "index")$tolist()), c("r1", "r2"))
  expect_identical(py_to_r(r_to_py(rn)), rn)
  dates <- data.frame(t = as.POSIXct(c("2020-01-01 10:00:00", NA), tz = "Europe/Paris"))
  pt <- r_to_py(dates)
  expect_identical(py_str(py_get_item(py_get_attr(pt, "dtypes"), "t")), "datetime64[ns, Europe/Paris]")
  expect_identical(py_to_r(pt), dates)
  expect_identical(py_to_r(r_to_py(data.frame())), data.frame())
})

test_that("a data frame column that is a data frame or a matrix is a clear error", {
  skip_if_no_module("pandas")
  packed <- data.frame(a = 1:2)
  packed$sub <- data.frame(u = 1:2, v = c("x", "y"))  # as many columns as rows: no length mismatch
  expect_error(r_to_py(packed), "column 'sub' of the data frame is a data frame \\(a packed column\\).*unpack it first")
  with_matrix <- data.frame(a = 1:2)
  with_matrix$m <- matrix(1:4, 2)
  expect_error(r_to_py(with_matrix), "column 'm' of the data frame is a matrix")
  one_d <- data.frame(a = 1:2)
  one_d$arr <- array(c(1.5, 2.5), 2)  # a 1-d array is a plain column
  expect_identical(py_to_r(py_get_item(r_to_py(one_d), "arr")$tolist()), c(1.5, 2.5))
})

test_that("pandas objects built in Python convert", {
  skip_if_no_module("pandas")
  py_run_string(paste(
    "import pandas as pd, numpy as np",
    "_df = pd.DataFrame({'a': [1, 2, 3], 'b': ['x', None, 'z'], 'c': pd.array([1, None, 3], dtype='Int64'),",
    "                    'd': pd.Categorical(['p', 'q', 'p']), 'e': [0.5, np.nan, 1.5]}, index=[10, 20, 30])",
    sep = "\n"
  ))
  df <- py_eval("_df")
  expect_s3_class(df, "data.frame")
  expect_identical(df$a, c(1, 2, 3))  # int64 column: doubles, as for NumPy int64
  expect_identical(df$b, c("x", NA, "z"))
  expect_identical(df$c, c(1, NA, 3))
  expect_identical(df$d, factor(c("p", "q", "p")))
  expect_true(is.nan(df$e[2]))
  expect_identical(rownames(df), c("10", "20", "30"))
  expect_identical(py_eval("_df['b']"), c(`10` = "x", `20` = NA, `30` = "z"))  # its values, the index as names
})

test_that("a DataFrame's index becomes row names by reticulate's rules", {
  skip_if_no_module("pandas")
  py_run_string("import pandas as pd, numpy as np")
  rows <- function(code) attr(py_eval(code), "row.names")
  expect_identical(rows("pd.DataFrame({'a': [1, 2]}, index=['x', 'y'])"), c("x", "y"))
  # a RangeIndex that is not 0..n-1 (a slice) counts from 1, as R does
  expect_identical(rows("pd.DataFrame({'a': [1, 2, 3, 4]}).iloc[1:3]"), c("2", "3"))
  expect_identical(rows("pd.DataFrame({'a': [1, 2]}, index=pd.RangeIndex(10, 30, 10))"), c("11", "21"))
  expect_identical(rows("pd.DataFrame({'a': [1, 2]}, index=np.array([5, 7], dtype='int32'))"), c(5L, 7L))
  expect_identical(rows("pd.DataFrame({'a': [1, 2]}, index=[1.5, 2.5])"), c("1.5", "2.5"))
  expect_identical(rows("pd.DataFrame({'a': [1, 2]}, index=pd.to_datetime(['2020-01-01', '2020-01-02 10:00:00'], format='ISO8601'))"),
                   c("2020-01-01 00:00:00", "2020-01-02 10:00:00"))
  # indexes R cannot hold as row names: none (1..n), the values still convert
  for (index in c("pd.MultiIndex.from_tuples([(1, 'a'), (2, 'b')])", "pd.CategoricalIndex(['u', 'v'])", "[True, False]")) {
    df <- py_eval(sprintf("pd.DataFrame({'a': [1.5, 2.5]}, index=%s)", index))
    expect_identical(df, data.frame(a = c(1.5, 2.5)), info = index)
  }
  # repeated labels (R forbids them): none, with reticulate's warning; a missing label: an error
  expect_warning(df <- py_eval("pd.DataFrame({'a': [1.5, 2.5]}, index=['x', 'x'])"),
                 "^index contains duplicated values: row names not set$")
  expect_identical(df, data.frame(a = c(1.5, 2.5)))
  expect_error(py_eval("pd.DataFrame({'a': [1, 2]}, index=['x', None])"), "missing values in the DataFrame's index")
})

test_that("dgCMatrix <-> scipy.sparse.csc_matrix", {
  skip_if_no_module("scipy")
  skip_if_not_installed("Matrix")
  m <- Matrix::sparseMatrix(i = c(1, 3, 2), j = c(1, 2, 3), x = c(1.5, 2, -1), dims = c(3, 4))
  s <- r_to_py(m)
  expect_true(inherits(s, "scipy.sparse._csc.csc_matrix"))
  expect_identical(py_to_r(py_get_attr(s, "shape")), list(3L, 4L))
  expect_identical(py_to_r(py_get_attr(s, "nnz")), 3L)
  expect_identical(py_to_r(s$toarray()), as.matrix(m))
  expect_identical(py_to_r(s), m)
  coo <- py_eval("__import__('scipy.sparse', fromlist=['x']).coo_matrix(([1.0, 2.0, 3.0], ([0, 0, 1], [1, 1, 0])), shape=(2, 2))")
  expect_identical(as.matrix(coo), matrix(c(0, 3, 3, 0), 2))  # duplicates summed
})

test_that("py_to_r methods registered for these classes still win", {
  skip_if_no_module("pandas")
  registerS3method("py_to_r", "pandas.DataFrame", function(x) "custom", envir = asNamespace("tandem"))
  on.exit(rm(list = "py_to_r.pandas.DataFrame", envir = get(".__S3MethodsTable__.", envir = asNamespace("tandem"))))
  expect_identical(py_eval("__import__('pandas').DataFrame({'a': [1]})"), "custom")
})

test_that("without pandas: factors are labels, data frames dicts of NumPy arrays", {
  blocker <- file.path(tempfile("nopandas"), "pandas")
  dir.create(blocker, recursive = TRUE)
  writeLines("raise ImportError('pandas is hidden for this test')", file.path(blocker, "__init__.py"))
  script <- tempfile(fileext = ".R")
  writeLines(c(
    "library(tandem)",
    "cat(py_str(r_to_py(factor(c('a', NA, 'b')))), '\\n')",
    "d <- r_to_py(data.frame(x = c(1.5, 2), s = c('a', NA), f = factor(c('u', 'v'))))",
    "cat(class(d)[1], paste(names(py_to_r(d)), collapse = ','), py_str(py_get_item(d, 'x')$dtype),",
    "    py_str(py_get_item(d, 's')$tolist()), py_str(py_get_item(d, 'f')), '\\n')"
  ), script)
  out <- system2(file.path(R.home("bin"), "Rscript"), script, stdout = TRUE, stderr = TRUE, env = c(
    paste0("PYTHONPATH=", dirname(blocker)),
    paste0("R_LIBS=", paste(.libPaths(), collapse = .Platform$path.sep)),
    paste0("TANDEM_PYTHON=", py_config()$python)
  ))
  expect_null(attr(out, "status"))
  expect_identical(trimws(out), c("['a', None, 'b']", "python.builtin.dict x,s,f float64 ['a', None] ['u', 'v']"))
})
