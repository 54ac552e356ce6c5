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

test_that("Python's output reaches R's console a whole line at a time, the rest when the call returns", {
  # print() writes its text and its newline apart; a reader of R's stdout (a pipe, a log
  # follower, callr) must not see half a line while Python runs on (reticulate's tests
  # read lines while Python loops).
  skip_if_not_installed("processx")
  script <- tempfile(fileext = ".R")
  writeLines(r"--(
library(tandem)
py_run_string("import sys, time\nsys.stdout.write('abc')\ntime.sleep(1)\nsys.stdout.write('def\\n')\nprint('tail', end='')\ntime.sleep(1)")
cat("|R\n")
)--", script)
  p <- processx::process$new(file.path(R.home("bin"), "Rscript"), script, stdout = "|", stderr = "|")
  on.exit(p$kill(), add = TRUE)
  chunks <- character()
  deadline <- Sys.time() + 60
  while (Sys.time() < deadline) {
    p$poll_io(100)
    out <- p$read_output()
    if (nzchar(out)) chunks <- c(chunks, out)
    if (!p$is_alive() && !nzchar(out)) break
  }
  expect_identical(p$get_exit_status(), 0L, info = p$read_all_error())
  expect_identical(chunks[[1]], "abcdef\n")  # not "abc" alone, a second before its line ends
  expect_identical(paste(chunks, collapse = ""), "abcdef\ntail|R\n")  # the rest once the call returned
})
