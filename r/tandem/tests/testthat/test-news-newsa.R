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

local_requirements_state <- function(envir = parent.frame()) {
  st <- tandem:::.state
  old <- list(requirements = st$requirements, python_version = st$python_version)
  withr::defer({
    st$requirements <- old$requirements
    st$python_version <- old$python_version
  }, envir = envir)
}

test_that("py_write_requirements() and py_read_requirements() (NEWS 1.44.0)", {
  local_requirements_state()
  py_eval("1")  # Python runs (TANDEM_PYTHON, not a py_require() environment)
  dir <- withr::local_tempdir()
  withr::local_dir(dir)
  py_require(c("numpy", "pandas>=2"))
  declared <- py_require()$packages
  # python = NULL: the declared requirements, returned visibly when nothing is written
  res <- withVisible(py_write_requirements(NULL, NULL, python = NULL))
  expect_true(res$visible)
  expect_identical(res$value$packages, declared)
  running <- import("platform")$python_version()
  expect_identical(res$value$python_version, sub("^(\\d+\\.\\d+).*$", "\\1", running))
  # this Python was not built from py_require(): its installed packages (pip freeze)
  frozen <- py_write_requirements(NULL, NULL)
  np_version <- import("numpy")$`__version__`
  expect_true(paste0("numpy==", np_version) %in% frozen$packages)
  expect_identical(frozen$python_version, running)
  expect_error(py_write_requirements(NULL, NULL, freeze = FALSE), "only supported")
  expect_identical(py_write_requirements(NULL, NULL, python = NULL, freeze = FALSE)$packages, declared)
  expect_error(py_write_requirements(NULL, NULL, TRUE), "must be empty")
  # files
  expect_message(expect_message(res <- withVisible(py_write_requirements(python = NULL)),
                                "Wrote 'requirements.txt'"), "Wrote '.python-version'")
  expect_false(res$visible)
  expect_identical(readLines("requirements.txt"), declared)
  expect_identical(readLines(".python-version"), res$value$python_version)
  expect_silent(py_write_requirements("req2.txt", NULL, python = NULL, quiet = TRUE))
  expect_identical(readLines("req2.txt"), declared)
  # reading: comments and blank lines are left out; actions
  writeLines(c("# pinned for deployment", "", "  scipy>=1  "), "requirements.txt")
  got <- py_read_requirements(action = "none")
  expect_identical(got$packages, "scipy>=1")
  expect_identical(py_require()$packages, declared)  # "none" applies nothing
  py_read_requirements()
  expect_identical(py_require()$packages, c(declared, "scipy>=1"))
  py_read_requirements(action = "remove")
  expect_identical(py_require()$packages, declared)
  py_read_requirements(action = "set")
  expect_identical(py_require()$packages, "scipy>=1")
  expect_error(py_read_requirements("no-such-file.txt"), "does not exist")
  unlink(".python-version")
  expect_null(py_read_requirements(action = "none")$python_version)
})

test_that("an R error raised into Python keeps its R trace (reticulate's abort test, NEWS dev)", {
  skip_if_not_installed("rlang")
  news_ordinary_error <- function() stop("ordinary R error")
  res <- py_run_string("
try:
    r.news_ordinary_error()
except RuntimeError as exc:
    ordinary_exception = exc
", local = TRUE, convert = FALSE)
  e <- py_to_r(res$ordinary_exception)
  expect_s3_class(e$trace, "rlang_trace")
  calls <- vapply(e$trace$call, function(cl) paste(deparse(cl), collapse = " "), "")
  expect_true(any(grepl("news_ordinary_error", calls, fixed = TRUE) | grepl("stop(\"ordinary R error\")", calls, fixed = TRUE)))
  # tandem's own entry frame (the closure that sets the abort restart) is not in it
  is_runner <- function(cl) is.call(cl) && is.function(cl[[1L]]) && !is.null(attr(cl[[1L]], "tandem_runner"))
  expect_false(any(vapply(e$trace$full_call, is_runner, NA)))
  # (the detector sees the runner on the live stack of a callback)
  live <- py_eval("lambda f: f()")(function() any(vapply(sys.calls(), is_runner, NA)))
  expect_true(live)
  # a trace the R code put on the condition itself comes back as it was
  st <- NULL
  news_abort_with_trace <- function() {
    cnd <- simpleError("cancelled from R")
    cnd$trace <- rlang::trace_back()
    st <<- cnd$trace
    invokeRestart("abort", cnd)
  }
  res <- py_run_string("
try:
    r.news_abort_with_trace()
except RuntimeError as exc:
    condition_exception = exc
", local = TRUE, convert = FALSE)
  expect_identical(py_to_r(res$condition_exception)$trace, st)
})

test_that("nested R -> Python -> R entries each stop at their own abort restart", {
  py_run_string("
def news_catch(f):
    try:
        return ['returned', f()]
    except RuntimeError as e:
        return ['caught', str(e)]
")
  catch <- py$news_catch
  inner_then_outer <- function() {
    inner <- catch(function() invokeRestart("abort"))        # the inner entry's restart
    stopifnot(identical(inner, c("caught", "R evaluation aborted")))
    invokeRestart("abort", simpleError("outer abort"))      # then the outer entry's
  }
  expect_identical(catch(inner_then_outer), c("caught", "outer abort"))
  # and an entry that ends normally leaves nothing behind for the next one
  expect_identical(catch(function() 1L), list("returned", 1L))
  expect_identical(catch(function() invokeRestart("abort")), c("caught", "R evaluation aborted"))
})
