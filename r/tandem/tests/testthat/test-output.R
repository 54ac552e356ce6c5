# Python's output and warnings seen from R.

test_that("py_capture_output() returns what Python printed", {
  out <- py_capture_output(py_run_string("print('hello'); print('world')"))
  expect_identical(out, "hello\nworld\n")
  err <- py_capture_output(py_run_string("import sys; sys.stderr.write('oops\\n')"), type = "stderr")
  expect_identical(err, "oops\n")
  only_out <- py_capture_output(py_run_string("import sys; print('o'); sys.stderr.write('e\\n')"), type = "stdout")
  expect_identical(only_out, "o\n")
  expect_identical(py_capture_output(1 + 1), "")
  # the streams are restored, also after an error
  expect_error(py_capture_output(py_eval("1/0")), class = "python.builtin.ZeroDivisionError")
  expect_identical(capture.output(py_run_string("print('back')")), "back")
})

test_that("py_capture_output() captures logging handlers on sys.stderr", {
  py_run_string(paste(
    "import logging, sys",
    "tandem_log = logging.getLogger('tandem_capture_test')",
    "tandem_log.propagate = False",
    "tandem_log.addHandler(logging.StreamHandler(sys.stderr))",
    sep = "\n"))
  out <- py_capture_output(py_run_string("tandem_log.warning('logged')"))
  expect_identical(out, "logged\n")
})

test_that("py_suppress_warnings() hides Python warnings and runs handlers", {
  py_run_string("import warnings\nwarnings.simplefilter('always')")
  code <- "warnings.warn('hidden warning')"
  shown <- py_capture_output(py_run_string(code))
  expect_match(shown, "hidden warning")
  quiet <- py_capture_output(py_suppress_warnings(py_run_string(code)))
  expect_identical(quiet, "")
  expect_identical(py_suppress_warnings(1 + 2), 3)
  calls <- character()
  register_suppress_warnings_handler(list(
    suppress = function() { calls <<- c(calls, "suppress"); "ctx" },
    restore = function(ctx) calls <<- c(calls, paste("restore", ctx))
  ))
  py_suppress_warnings(NULL)
  expect_identical(calls, c("suppress", "restore ctx"))
  expect_error(register_suppress_warnings_handler(list(suppress = 1)), "suppress")
})
