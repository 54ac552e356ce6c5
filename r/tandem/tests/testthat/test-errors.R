# Python exceptions as R conditions; R conditions through Python.

test_that("Python exceptions are R conditions classed by the MRO", {
  res <- tryCatch(py_eval("int('x')"), python.builtin.ValueError = function(e) e)
  expect_s3_class(res, "python.builtin.ValueError")
  expect_s3_class(res, "python.builtin.Exception")
  expect_s3_class(res, "error")
  expect_false(inherits(res, "python.builtin.object"))
  expect_identical(conditionMessage(res), "ValueError: invalid literal for int() with base 10: 'x'")
  expect_true(is_py_object(res$py_exception))
  expect_match(res$traceback, "Traceback")
})

test_that("py_last_error keeps the traceback", {
  py_run_string("def inner():\n    raise KeyError('deep')\ndef outer():\n    inner()")
  expect_error(py$outer(), class = "python.builtin.KeyError")
  e <- py_last_error()
  expect_s3_class(e, "py_error")
  expect_identical(e$type, "KeyError")
  expect_identical(e$value, "'deep'")
  expect_type(e$traceback, "character")
  expect_match(e$traceback, "in outer", all = FALSE)
  expect_match(e$traceback, "in inner", all = FALSE)
  expect_match(e$message, "^Traceback \\(most recent call last\\)")
  expect_match(e$message, "KeyError: 'deep'\n$")
  expect_true(is_py_object(attr(e, "exception")))
  expect_s3_class(e$r_trace, "tandem_r_trace")
  expect_output(print(e), "KeyError: 'deep'")
})

test_that("py_last_error() records the R call and frames; py_clear_last_error() forgets it", {
  failing_in_r <- function() py_eval("1 / 0")
  tryCatch(failing_in_r(), error = function(e) NULL)
  e <- py_last_error()
  expect_identical(e$type, "ZeroDivisionError")
  expect_identical(e$r_call, quote(py_eval("1 / 0")))
  frames <- vapply(e$r_trace$full_call, function(cl) deparse(cl[[1]]), "")
  expect_true("failing_in_r" %in% frames)
  expect_true("python.builtin.ZeroDivisionError" %in% e$r_class)
  printed <- capture.output(print(e))
  expect_true(any(grepl("ZeroDivisionError: division by zero", printed)))
  expect_true(any(grepl("failing_in_r()", printed, fixed = TRUE)))
  expect_null(py_clear_last_error())
  expect_null(py_last_error())
})

test_that("a Python error raised in R has a conditionCall()", {
  calls_python <- function() py_eval("int('x')")
  e <- tryCatch(calls_python(), error = function(e) e)
  expect_identical(conditionCall(e), quote(py_eval("int('x')")))
  e <- tryCatch(import("math")$sqrt(-1), error = function(e) e)
  expect_false(is.null(conditionCall(e)))
})

test_that("the session keeps working after errors", {
  for (i in 1:3) expect_error(py_eval("1/0"), class = "python.builtin.ZeroDivisionError")
  expect_identical(py_eval("2 + 2"), 4L)
})

test_that("bad input gives clear R errors", {
  expect_error(import("no_such_module_xyz"), class = "python.builtin.ModuleNotFoundError")
  expect_error(import(1), "`module` must be a single string")
  expect_error(import(c("a", "b")), "`module` must be a single string")
  expect_error(import("math", convert = NA), "`convert` must be `TRUE` or `FALSE`")
  expect_error(import("math")$no_such_attr, class = "python.builtin.AttributeError")
  expect_error(py_call(1), "`x` must be a Python object")
  expect_error(py_call(r_to_py(1L)), class = "python.builtin.TypeError")
  expect_error(py_eval("1 +"), class = "python.builtin.SyntaxError")
  expect_error(py_eval(NA_character_), "`code` must be a single string")
  expect_error(py_len(1), "`x` must be a Python object")
  expect_error(dict(1, 2), "must be named")
})

test_that("R errors raised in R code called from Python come back with their class", {
  f <- function() stop(structure(class = c("my_error", "error", "condition"),
                                 list(message = "custom", call = NULL)))
  g <- r_to_py(f)
  res <- tryCatch(py_call(g), my_error = function(e) e)
  expect_s3_class(res, "my_error")
  expect_identical(conditionMessage(res), "custom")
})

test_that("an R error through Python keeps its R classes and call and gains Python's", {
  f <- function() stop(structure(class = c("my_error", "error", "condition"),
                                 list(message = "custom", call = quote(f(x)))))
  res <- tryCatch(py_call(r_to_py(f)), error = function(e) e)
  expect_identical(class(res)[[1]], "my_error")
  expect_s3_class(res, "python.builtin.RuntimeError")
  expect_s3_class(res, "python.builtin.Exception")
  expect_identical(tail(class(res), 2), c("error", "condition"))
  expect_identical(conditionCall(res), quote(f(x)))
  expect_identical(conditionMessage(res), "custom")
  # Back into Python, it is the same exception object again.
  py_run_string("
def catch_type(f):
    try:
        f()
    except Exception as e:
        return (type(e).__name__, str(e), tuple(e.rclass))
")
  got <- py$catch_type(function() stop(res))
  expect_identical(got[[1]], "RError")
  expect_identical(got[[2]], "custom")
  expect_identical(got[[3]][[1]], "my_error")
})

test_that("rlang::abort() classes survive a trip through Python", {
  skip_if_not_installed("rlang")
  f <- function() rlang::abort("typed failure", class = "tandem_test_error")
  res <- tryCatch(py_call(r_to_py(f)), tandem_test_error = function(e) e)
  expect_s3_class(res, "tandem_test_error")
  expect_s3_class(res, "rlang_error")
  expect_match(conditionMessage(res), "typed failure")
})

test_that("R -> Python -> R -> Python keeps the original Python exception", {
  h <- function() py_eval("{}['missing']")
  res <- tryCatch(py_call(r_to_py(h)), error = function(e) e)
  expect_s3_class(res, "python.builtin.KeyError")
})

test_that("Python output goes through R's console", {
  expect_output(py_run_string("print('hello from python')"), "hello from python")
  out <- capture.output(py_run_string("import sys; sys.stdout.write('abc\\n')"))
  expect_identical(out, "abc")
  expect_message(py_run_string("import sys; sys.stderr.write('to stderr\\n')"), NA)
})

test_that("missing Python is a clear error", {
  rscript <- file.path(R.home("bin"), "Rscript")
  run <- function(python) {
    out <- suppressWarnings(system2(rscript, c("-e", shQuote("tandem::import('math')")),
                                    stdout = TRUE, stderr = TRUE,
                                    env = c(paste0("TANDEM_PYTHON=", python), "TANDEM_CORE_PATH=", "PYTHONPATH=")))
    paste(out, collapse = "\n")
  }
  expect_match(run("/nonexistent/python3"), "could not find Python \\(tried TANDEM_PYTHON: '/nonexistent/python3'\\)")
  bare <- Sys.which("python3")
  venv <- withr::local_tempdir()
  system2(bare, c("-m", "venv", "--without-pip", venv))
  expect_match(run(file.path(venv, "bin", "python")), "does not have the tandem package installed")
})

# Conditions signalled in R code that Python calls reach the handlers of the R code that
# called Python, across the Python frames (which unwind cleanly).
py_run_string("
cleanups = []
def call_with_cleanup(f, *args):
    try:
        return f(*args)
    finally:
        cleanups.append(1)
")
through_python <- function(f, ...) py$call_with_cleanup(f, ...)
cleanups <- function() py_eval("len(cleanups)")

test_that("calling handlers see warnings, messages and custom conditions in place", {
  seen <- character()
  res <- withCallingHandlers(
    through_python(function() {
      warning("careful")
      message("note")
      signalCondition(structure(class = c("progress", "condition"), list(message = "50%", call = NULL)))
      "finished"
    }),
    warning = function(w) { seen <<- c(seen, conditionMessage(w)); invokeRestart("muffleWarning") },
    message = function(m) { seen <<- c(seen, trimws(conditionMessage(m))); invokeRestart("muffleMessage") },
    progress = function(c) seen <<- c(seen, conditionMessage(c))
  )
  expect_identical(res, "finished")
  expect_identical(seen, c("careful", "note", "50%"))
  expect_warning(through_python(function() { warning("plain R warning"); 1 }), "plain R warning")
  expect_message(through_python(function() message("plain message")), "plain message")
})

test_that("tryCatch() exits and restarts unwind through Python frames", {
  before <- cleanups()
  res <- tryCatch(
    through_python(function() {
      signalCondition(structure(class = c("stop_here", "condition"), list(message = "m", call = NULL)))
      "not reached"
    }),
    stop_here = function(c) "caught in R"
  )
  expect_identical(res, "caught in R")
  expect_identical(cleanups(), before + 1L)

  res <- withRestarts(through_python(function() invokeRestart("my_restart", 21)),
                      my_restart = function(v) v * 2)
  expect_identical(res, 42)
  expect_identical(cleanups(), before + 2L)

  # Two layers of Python frames, one jump.
  res <- tryCatch(
    through_python(function() through_python(function() {
      signalCondition(structure(class = c("deep", "condition"), list(message = "d", call = NULL)))
    })),
    deep = function(c) "from the bottom"
  )
  expect_identical(res, "from the bottom")
  expect_identical(cleanups(), before + 4L)
  expect_identical(py_eval("1 + 1"), 2L)
})

test_that("Python code can still catch R errors from callbacks", {
  py_run_string("
def swallow(f):
    try:
        return f()
    except RuntimeError as e:
        return 'swallowed: ' + str(e)
")
  expect_identical(py$swallow(function() stop("oops")), "swallowed: oops")
})

test_that("rlang's abort() and its restarts work through Python frames", {
  skip_if_not_installed("rlang")
  res <- tryCatch(through_python(function() rlang::abort("typed", class = "typed_error")),
                  typed_error = function(e) conditionMessage(e))
  expect_identical(res, "typed")
  res2 <- withCallingHandlers(
    withRestarts(through_python(function() { rlang::signal("s", class = "my_signal"); "no" }),
                 rlang_restart = function() "restarted"),
    my_signal = function(c) invokeRestart("rlang_restart")
  )
  expect_identical(res2, "restarted")
})

test_that("testthat expectations inside callbacks are counted", {
  counted <- 0L
  reporter <- testthat::ListReporter$new()
  testthat::with_reporter(reporter, {
    testthat::test_that("inner", {
      through_python(function() {
        testthat::expect_true(TRUE)
        testthat::expect_identical(1L, 1L)
      })
    })
  })
  results <- reporter$get_results()[[1]]$results
  expect_length(results, 2)
  expect_true(all(vapply(results, function(r) inherits(r, "expectation_success"), TRUE)))
})

test_that("with() hands an R error to __exit__ as reticulate does", {
  py_run_string("
class Recorder:
    def __enter__(self):
        return self
    def __exit__(self, t, v, tb):
        self.got = (t.__name__ if t else None, str(v) if v else None,
                    isinstance(v, RuntimeError), getattr(v, 'rclass', None))
        return False
")
  rec <- py$Recorder()
  expect_error(with(rec, stop(structure(class = c("boom", "error", "condition"),
                                          list(message = "kaboom", call = NULL)))),
               class = "boom")
  got <- py_to_r(py_get_attr(rec, "got"))  # py_get_attr() does not convert (reticulate)
  expect_identical(got[[1]], "RError")
  expect_identical(got[[2]], "kaboom")
  expect_true(got[[3]])
  expect_identical(got[[4]][[1]], "boom")
  rec2 <- py$Recorder()
  expect_error(with(rec2, py_eval("1 / 0")), class = "python.builtin.ZeroDivisionError")
  expect_identical(py_to_r(py_get_attr(rec2, "got"))[[1]], "ZeroDivisionError")
  with(rec2 %as% bound, x <- 1)
  expect_identical(py_to_r(py_get_attr(rec2, "got"))[[1]], NULL)
})
