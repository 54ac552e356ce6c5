# Behaviour from reticulate's NEWS (1.20 to 1.37.0) that tandem had not matched.

test_that("setHook('reticulate.onPyInit') and the afterInitialized option run once Python starts (1.21)", {
  res <- run_rscript('
    calls <- character()
    setHook("reticulate.onPyInit", function() calls <<- c(calls, "hook"))
    options(reticulate.python.afterInitialized = function() calls <<- c(calls, "option"))
    library(tandem)
    cat("before:", length(calls), "\n")
    v <- py_eval("6 * 7")
    cat("after:", paste(calls, collapse = ","), "\n")
    invisible(py_eval("1"))
    cat("again:", length(calls), "\n")
    cat("value:", v, "\n")
  ')
  expect_equal(res$status, 0L, info = paste(res$output, collapse = "\n"))
  expect_true("before: 0 " %in% res$output, info = paste(res$output, collapse = "\n"))
  expect_true("after: option,hook " %in% res$output, info = paste(res$output, collapse = "\n"))
  expect_true("again: 2 " %in% res$output, info = paste(res$output, collapse = "\n"))
  expect_true("value: 42 " %in% res$output, info = paste(res$output, collapse = "\n"))
})

test_that("py_to_r methods run under dispatch, so NextMethod() works in automatic conversion (1.36.1)", {
  py_run_string("
import pandas as pd
class NewsbFrame(pd.DataFrame):
    @property
    def _constructor(self):
        return NewsbFrame
newsb_frame = NewsbFrame({'a': [1, 2]})
class NewsbBox:
    def __init__(self, v):
        self.v = v
def newsb_call(f, x):
    return f(x)
")
  method <- function(x) {
    out <- NextMethod()
    attr(out, "newsb") <- "mine"
    out
  }
  registerS3method("py_to_r", "__main__.NewsbFrame", method, envir = asNamespace("tandem"))
  box_method <- function(x) paste0("box-", NextMethod()$v)
  registerS3method("py_to_r", "__main__.NewsbBox", box_method, envir = asNamespace("tandem"))
  on.exit({
    table <- get(".__S3MethodsTable__.", envir = asNamespace("tandem"))
    rm(list = c("py_to_r.__main__.NewsbFrame", "py_to_r.__main__.NewsbBox"), envir = table)
  })
  df <- py$newsb_frame  # converted through the method, NextMethod() gives the data frame
  expect_s3_class(df, "data.frame")
  expect_identical(df$a, c(1, 2))
  expect_identical(attr(df, "newsb"), "mine")
  expect_identical(py_eval("NewsbBox(3)"), "box-3")
  # an argument of an R function called from Python goes through the method too (1.36.0)
  expect_identical(py$newsb_call(function(a) a, py_eval("NewsbBox(4)", convert = FALSE)), "box-4")
})

test_that("a factor column with an NA level becomes a Categorical with that value missing (1.29)", {
  skip_if_not(py_module_available("pandas"))
  df <- data.frame(f = factor(c("a", NA, "b"), exclude = NULL), g = factor("a", NA))
  expect_identical(levels(df$f), c("a", "b", NA))
  p <- r_to_py(df)
  cats <- py_to_r(py_eval("lambda d: [list(d[c].cat.categories) for c in d.columns]")(p))
  expect_identical(cats, list(c("a", "b"), list()))
  codes <- py_to_r(py_eval("lambda d: [d[c].cat.codes.tolist() for c in d.columns]")(p))
  expect_identical(codes, list(c(0L, -1L, 1L), c(-1L, -1L, -1L)))  # g is recycled to 3 rows
  back <- py_to_r(p)
  expect_identical(as.character(back$f), c("a", NA, "b"))
  expect_true(all(is.na(back$g)))
  expect_true(is.factor(back$g))
})

test_that("a POSIXct without a time zone becomes datetime64[ns], one with a zone a datetime (1.36)", {
  np <- import("numpy", convert = FALSE)
  dtype_of <- function(a) py_to_r(py_str(py_get_attr(a, "dtype")))
  x <- .POSIXct(1.7e9)  # no tzone
  p <- r_to_py(x)
  expect_true(inherits(p, "numpy.ndarray"))
  expect_identical(dtype_of(p), "datetime64[ns]")
  expect_identical(py_len(p), 1L)
  expect_identical(as.numeric(py_to_r(p)), 1.7e9)
  blank <- .POSIXct(c(1.7e9, NA), tz = "")  # an empty tzone is no time zone
  expect_identical(dtype_of(r_to_py(blank)), "datetime64[ns]")
  expect_true(is.na(py_to_r(r_to_py(.POSIXct(NA_real_)))))
  utc <- .POSIXct(1.7e9, tz = "UTC")
  d <- r_to_py(utc)
  expect_true(inherits(d, "datetime.datetime"))
  expect_identical(py_to_r(d), utc)
  ny <- .POSIXct(1.7e9, tz = "America/New_York")
  expect_identical(attr(py_to_r(r_to_py(ny)), "tzone"), "America/New_York")
  expect_identical(as.numeric(py_to_r(r_to_py(ny))), 1.7e9)
  # Python code that receives it sees an array without a time zone
  f <- py_eval("lambda a: str(a.dtype) + ':' + str(a[0])")
  expect_identical(f(.POSIXct(0)), "datetime64[ns]:1970-01-01T00:00:00.000000000")
})

test_that("options(reticulate.pandas_use_nullable_dtypes = TRUE) gives nullable columns (1.32)", {
  skip_if_not(py_module_available("pandas"))
  df <- data.frame(int = c(NA, 1:3), num = c(NA, 1.5, NaN, -2), bool = c(NA, TRUE, FALSE, TRUE),
                   string = c(NA, letters[1:3]))
  dtypes <- py_eval("lambda d: [str(t) for t in d.dtypes]")
  plain <- r_to_py(df[-1, ])
  expect_identical(py_to_r(dtypes(plain))[2:3], c("float64", "bool"))
  old <- options(reticulate.pandas_use_nullable_dtypes = TRUE)
  on.exit(options(old))
  p <- r_to_py(df)
  expect_identical(py_to_r(dtypes(p)), c("Int32", "Float64", "boolean", "string"))
  expect_identical(py_to_r(dtypes(r_to_py(df[-1, ]))), c("Int32", "Float64", "boolean", "string"))  # also without NA
  isna <- py_eval("lambda d: [d[c].isna().tolist() for c in d.columns]")
  expect_identical(py_to_r(isna(p)), list(c(TRUE, FALSE, FALSE, FALSE), c(TRUE, FALSE, TRUE, FALSE),
                                          c(TRUE, FALSE, FALSE, FALSE), c(TRUE, FALSE, FALSE, FALSE)))
  back <- py_to_r(p)
  expect_identical(back$int, df$int)
  expect_identical(back$bool, df$bool)
  expect_identical(back$string, df$string)
  expect_identical(back$num[c(2, 4)], c(1.5, -2))
  expect_true(all(is.na(back$num[c(1, 3)])))
  # the option's name in reticulate's vignette ("Calling Python from R") works too
  options(reticulate.pandas_use_nullable_dtypes = NULL, reticulate.pandas_use_nullable_data_types = TRUE)
  expect_identical(py_to_r(dtypes(r_to_py(df[-1, ]))), c("Int32", "Float64", "boolean", "string"))
  options(reticulate.pandas_use_nullable_data_types = NULL)
  expect_identical(py_to_r(dtypes(r_to_py(df[-1, ])))[2:3], c("float64", "bool"))
})

test_that("pillar::type_sum() of a Python object is its full class name (1.29)", {
  skip_if_not_installed("pillar")  # not a dependency: looked up by name
  type_sum <- getExportedValue("pillar", "type_sum")
  np <- import("numpy", convert = FALSE)
  expect_identical(type_sum(np$array(1:3)), "numpy.ndarray")
  expect_identical(type_sum(py_eval("{}", convert = FALSE)), "python.builtin.dict")
  expect_identical(type_sum(import_builtins()$len), "python.builtin.builtin_function_or_method")
  expect_identical(type_sum(1:3), "int")  # other values keep pillar's own
})

test_that("printing py_last_error() ends with where the full R call stack is (1.36)", {
  f <- function() py_eval("1 / 0")
  try(f(), silent = TRUE)
  out <- capture.output(print(py_last_error()))
  expect_match(out[length(out)], "py_last_error()$r_trace$full_call", fixed = TRUE)
  expect_true(any(grepl("ZeroDivisionError", out)))
  expect_true(is.list(py_last_error()$r_trace$full_call))
})

test_that("a Python error message longer than warning.length keeps its start and end (1.25)", {
  old <- options(warning.length = 300L)
  on.exit(options(old))
  py_run_string("
def newsb_long_error():
    raise ValueError('first line\\nsecond line\\n' + 'x' * 2000 + '\\nTHE END')
")
  e <- tryCatch(py$newsb_long_error(), error = identity)
  msg <- conditionMessage(e)
  expect_lte(nchar(msg, "bytes"), 300L)
  expect_match(msg, "^ValueError: first line\nsecond line\n<...truncated...>x+\nTHE END$")
  expect_s3_class(e, "python.builtin.ValueError")
  expect_match(py_last_error()$message, strrep("x", 2000), fixed = TRUE)  # the whole text stays there
  short <- tryCatch(py_eval("int('zz')"), error = conditionMessage)
  expect_false(grepl("truncated", short, fixed = TRUE))
  # multibyte characters are never cut in half
  options(warning.length = 200L)
  e2 <- tryCatch(py_eval("(_ for _ in ()).throw(ValueError('\u00e9' * 500))"), error = identity)
  expect_true(validUTF8(conditionMessage(e2)))
  expect_match(conditionMessage(e2), "<...truncated...>\u00e9", fixed = TRUE)
})

test_that("the knitr engine takes matplotlib's backend from RETICULATE_MPLBACKEND, else agg (1.36)", {
  skip_if_not_installed("knitr")
  skip_if_not(py_module_available("matplotlib"))
  knit_backend <- function(env) {
    run_rscript(sprintf('
      %s
      rmd <- tempfile(fileext = ".Rmd")
      writeLines(c("```{python}", "import matplotlib.pyplot as plt", "import matplotlib",
                   "print(\\"backend=\\" + matplotlib.get_backend().lower())", "```"), rmd)
      library(tandem)
      md <- knitr::knit(rmd, output = tempfile(fileext = ".md"), quiet = TRUE)
      cat(grep("backend=", readLines(md), value = TRUE), sep = "\\n")
    ', env))
  }
  res <- knit_backend('Sys.setenv(RETICULATE_MPLBACKEND = "svg", MPLBACKEND = "pdf")')
  expect_equal(res$status, 0L, info = paste(res$output, collapse = "\n"))
  expect_true(any(grepl("backend=svg", res$output, fixed = TRUE)), info = paste(res$output, collapse = "\n"))
  res <- knit_backend('Sys.unsetenv(c("RETICULATE_MPLBACKEND", "MPLBACKEND"))')
  expect_true(any(grepl("backend=agg", res$output, fixed = TRUE)), info = paste(res$output, collapse = "\n"))
})
