# reticulate NEWS items (development version back to 1.38.0) that tandem had missed.

test_that("invokeRestart('abort') in R code that Python calls becomes a Python exception (NEWS dev)", {
  abort_plain <- function() invokeRestart("abort")
  abort_cond <- function() invokeRestart("abort", simpleError("cancelled from R"))
  py_run_string("
def call_and_catch(f):
    try:
        f()
    except RuntimeError as e:
        return ['caught', str(e)]
    return ['returned']
")
  main <- import_main()
  expect_identical(main$call_and_catch(abort_plain), c("caught", "R evaluation aborted"))
  expect_identical(main$call_and_catch(abort_cond), c("caught", "cancelled from R"))
  # through r.<name> inside py_run_string, and the session goes on in Python and R
  res <- py_run_string("
try:
    r.abort_plain()
    outcome = 'no exception'
except RuntimeError as exc:
    outcome = str(exc)
after = r.identity(42)
", local = TRUE)
  expect_identical(res$outcome, "R evaluation aborted")
  expect_identical(res$after, 42L)
  # not caught in Python: an R error at the R -> Python boundary, not a jump to top level
  thrower <- py_eval("lambda f: f()")
  reached <- FALSE
  err <- tryCatch({ thrower(abort_cond); reached <- TRUE }, error = function(e) e)
  expect_false(reached)
  expect_match(conditionMessage(err), "cancelled from R")
  # other restarts still unwind through the Python frames to where they were set up
  expect_identical(withRestarts(thrower(function() invokeRestart("mine", 5)), mine = function(v) v * 2), 10)
})

test_that("t() and str() of NumPy arrays (NEWS 1.43.0)", {
  np <- import("numpy", convert = FALSE)
  a <- np$arange(6)$reshape(2L, 3L)
  ta <- t(a)
  expect_s3_class(ta, "numpy.ndarray")
  expect_identical(dim(ta), c(3L, 2L))
  expect_identical(py_to_r(ta), t(py_to_r(a)))
  out <- capture.output(str(a))
  expect_identical(out, "<numpy.ndarray shape(2,3), dtype=float64>")
  nested <- capture.output(str(list(x = np$zeros(4L, dtype = "int32"))))
  expect_true(any(grepl("$ x: <numpy.ndarray shape(4), dtype=int32>", nested, fixed = TRUE)))
})

test_that("classes whose __module__ is not a string get reticulate's S3 class (NEWS 1.40.0)", {
  py_run_string("
class NewsNoModule: pass
NewsNoModule.__module__ = None
class NewsMeta(type): pass
class NewsWithMeta(metaclass=NewsMeta): pass
NewsWithMeta.__module__ = 42
class NewsChild(NewsNoModule): pass
")
  m <- import_main(convert = FALSE)
  # no 'python.builtin.' prefix when __module__ cannot be resolved
  expect_identical(class(m$NewsNoModule()), c("NewsNoModule", "python.builtin.object"))
  expect_identical(class(m$NewsChild()), c("__main__.NewsChild", "NewsNoModule", "python.builtin.object"))
  # with a metaclass, the metaclass's __module__ is used
  expect_identical(class(m$NewsWithMeta())[[1]], "__main__.NewsWithMeta")
  # ordinary and builtin classes are unchanged
  expect_identical(class(import_builtins(convert = FALSE)$list())[[1]], "python.builtin.list")
  name_of <- getS3method("nameOfClass", "python.builtin.type", optional = TRUE, envir = asNamespace("tandem"))
  if (is.null(name_of)) name_of <- get("nameOfClass.python.builtin.type", asNamespace("tandem"))
  expect_identical(name_of(m$NewsNoModule), "NewsNoModule")
  expect_identical(name_of(m$NewsWithMeta), "__main__.NewsWithMeta")
})
