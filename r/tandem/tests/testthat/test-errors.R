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
  expect_match(e$traceback, "in inner")
  expect_match(e$traceback, "in outer")
  expect_identical(e$message, "KeyError: 'deep'")
  expect_output(print(e), "KeyError")
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
                                    env = c(paste0("TANDEM_PYTHON=", python), "TANDEM_CORE_PATH=")))
    paste(out, collapse = "\n")
  }
  expect_match(run("/nonexistent/python3"), "could not find Python \\(tried TANDEM_PYTHON: '/nonexistent/python3'\\)")
  bare <- Sys.which("python3")
  venv <- withr::local_tempdir()
  system2(bare, c("-m", "venv", "--without-pip", venv))
  expect_match(run(file.path(venv, "bin", "python")), "does not have the tandem package installed")
})
