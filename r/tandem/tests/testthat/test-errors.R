# Python exceptions as R conditions; R conditions through Python.

test_that("Python exceptions are R conditions classed by the MRO", {
  res <- tryCatch(py_eval("int('x')"), python.builtin.ValueError = function(e) e)
  expect_s3_class(res, "python.builtin.ValueError")
  expect_s3_class(res, "python.builtin.Exception")
  expect_s3_class(res, "error")
  expect_s3_class(res, "python.builtin.object")
  expect_identical(conditionMessage(res), "ValueError: invalid literal for int() with base 10: 'x'")
  expect_true(is_py_object(res$py_exception))
  expect_match(res$traceback, "Traceback")
})

test_that("a raised Python exception is an R condition and the Python object", {
  e <- tryCatch(py_eval("1 / 0"), error = function(e) e)
  expect_identical(class(e), c("python.builtin.ZeroDivisionError", "python.builtin.ArithmeticError",
                               "python.builtin.Exception", "python.builtin.BaseException",
                               "python.builtin.object", "error", "condition"))
  expect_identical(typeof(e), "list")
  expect_identical(names(unclass(e))[1:2], c("message", "call"))
  expect_true(is_py_object(attr(e, "py_object")))
  expect_identical(conditionMessage(e), "ZeroDivisionError: division by zero")
  expect_identical(conditionCall(e), quote(py_eval("1 / 0")))
  expect_identical(e$message, conditionMessage(e))
  expect_identical(e[["call"]], conditionCall(e))
  # any other name is the Python attribute, converted (as reticulate's raised exceptions)
  expect_identical(e$args, list("division by zero"))
  expect_identical(e[["args"]], list("division by zero"))
  expect_null(e$no_such_attribute)
  expect_identical(py_to_r(py_get_attr(e, "args")), list("division by zero"))
  expect_identical(py_str(e), "division by zero")
  expect_identical(py_id(r_to_py(e)), py_id(e$py_exception))
  py_run_string("def same_object(a, b):\n    return a is b")
  expect_true(py$same_object(e, e$py_exception))
  # base R, testthat and rlang treat it as the condition it is
  expect_output(print(e), "ZeroDivisionError('division by zero')", fixed = TRUE)
  expect_identical(length(e), 1L)
  expect_error(stop(e), class = "python.builtin.ZeroDivisionError")
  expect_error(stop(e), "division by zero")
  expect_match(try(stop(e), silent = TRUE), "ZeroDivisionError: division by zero")
  skip_if_not_installed("rlang")
  expect_identical(rlang::cnd_message(e), "ZeroDivisionError: division by zero")
  outer <- tryCatch(rlang::abort("outer", parent = e), error = function(x) x)
  expect_match(rlang::cnd_message(outer), "ZeroDivisionError: division by zero")
  fresh <- tryCatch(py_eval("1 / 0"), error = function(e) e)
  traced <- rlang::cnd_entrace(fresh)  # sets `$trace`: kept as a field of the condition
  expect_s3_class(traced$trace, "rlang_trace")
  expect_s3_class(traced, "python.builtin.ZeroDivisionError")
  expect_identical(traced$args, list("division by zero"))
})

test_that("Python exceptions obtained as values are conditions too", {
  v <- py_eval("ValueError('bad value', 2)")
  expect_identical(class(v), c("python.builtin.ValueError", "python.builtin.Exception",
                               "python.builtin.BaseException", "python.builtin.object",
                               "error", "condition"))
  expect_identical(conditionMessage(v), "ValueError: ('bad value', 2)")
  expect_null(conditionCall(v))
  expect_identical(v$args, list("bad value", 2L))
  expect_identical(py_len(py_get_attr(v, "args")), 2L)
  caught <- tryCatch(stop(v), python.builtin.ValueError = function(e) e)
  expect_identical(caught, v)
  # inside a converted tuple, as a value of `convert = FALSE` objects, and interrupts
  items <- py_eval("(1, KeyError('k'))")
  expect_s3_class(items[[2]], "python.builtin.KeyError")
  expect_s3_class(items[[2]], "error")
  raw <- py_eval("TypeError('t')", convert = FALSE)
  expect_s3_class(raw, "python.builtin.TypeError")
  expect_s3_class(raw$args, "python.builtin.tuple")  # the object's convert flag
  ki <- py_eval("KeyboardInterrupt()")
  expect_identical(tail(class(ki), 3), c("python.builtin.object", "interrupt", "condition"))
  expect_false(inherits(ki, "error"))
  # stop() of one in R code that Python called raises that very exception in Python
  py_run_string("
def call_and_catch(f):
    try:
        f()
    except BaseException as ex:
        return ex
")
  back <- py$call_and_catch(function() stop(v))
  expect_true(py$same_object(back, v))
  # `$<-`: fields of the condition, else Python attributes (as reticulate)
  v$extra <- "attribute"
  expect_identical(v$extra, "attribute")
  expect_identical(py_to_r(py_get_attr(v, "extra")), "attribute")
  v$args <- list("new args")
  expect_identical(py_to_r(py_get_attr(v, "args")), list("new args"))
  v[["message"]] <- "changed"
  expect_identical(conditionMessage(v), "changed")
  # the exception alone (py_object) still answers message and call
  bare <- attr(v, "py_object")
  expect_false(is.list(bare))
  expect_identical(bare$message, "ValueError: new args")
  expect_null(bare$call)
})

test_that("instances of Python exception classes defined in R are conditions", {
  MyError <- PyClass("MyError", inherit = import_builtins()$Exception,
                     defs = list(
                       `__init__` = function(self, msg, code = 0L) {
                         self$code <- code  # an attribute of the instance
                         py_call(py_get_attr(import_builtins()$Exception, "__init__"), self, msg)
                       },
                       describe = function(self) paste("I am", self$args[[1]], "code", self$code)))
  inst <- MyError("hello", code = 7L)
  expect_identical(inst$code, 7L)
  expect_identical(inst$describe(), "I am hello code 7")
  expect_s3_class(inst, "MyError")
  expect_s3_class(inst, "error")
  expect_identical(conditionMessage(inst), "MyError: hello")
  expect_error(stop(inst), class = "MyError")
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
  expect_s3_class(e$r_trace, "rlang_trace")
  expect_s3_class(e$r_trace, "data.frame")
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

test_that("an R error that comes back from Python as a value is its R condition", {
  py_run_string("
def catch_value(f):
    try:
        f()
    except Exception as ex:
        return ex
")
  f <- function() stop(structure(class = c("my_error", "error", "condition"),
                                 list(message = "custom", call = quote(f(x)), detail = 42)))
  v <- py$catch_value(f)
  expect_identical(class(v)[1:2], c("my_error", "tandem._errors.RError"))
  expect_s3_class(v, "python.builtin.RuntimeError")
  expect_s3_class(v, "python.builtin.object")
  expect_identical(tail(class(v), 2), c("error", "condition"))
  expect_identical(conditionMessage(v), "custom")
  expect_identical(conditionCall(v), quote(f(x)))
  expect_identical(v$detail, 42)
  expect_identical(v$rclass, list("my_error", "error", "condition"))
  # and it is still the Python exception
  expect_true(py$same_object(r_to_py(v), py$catch_value(function() stop(v))))
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
  core_python <- py_config()$python
  empty_cache <- withr::local_tempdir()  # no remembered core Python (tools::R_user_dir())
  run <- function(python, donor = "") {
    out <- suppressWarnings(system2(rscript, c("-e", shQuote("tandem::import('math')")),
                                    stdout = TRUE, stderr = TRUE,
                                    env = c(paste0("TANDEM_PYTHON=", python), "TANDEM_CORE_PATH=", "PYTHONPATH=",
                                            "VIRTUAL_ENV=", "PATH=/usr/bin:/bin", paste0("R_USER_CACHE_DIR=", empty_cache),
                                            paste0("TANDEM_CORE_PYTHON=", donor))))
    paste(out, collapse = "\n")
  }
  expect_match(run("/nonexistent/python3"), "could not find Python \\(tried TANDEM_PYTHON: '/nonexistent/python3'\\)")
  venv <- withr::local_tempdir()
  system2(py_config()$base_executable, c("-m", "venv", "--without-pip", venv))
  # no Python with tandem anywhere to lend its core: the error says so
  expect_match(run(file.path(venv, "bin", "python")), "does not have the tandem package installed, and no Python")
  # with one (the same version), the venv borrows its core
  expect_match(run(file.path(venv, "bin", "python"), donor = core_python), "Module(math)", fixed = TRUE)
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

# several(f, n): f(0), ..., f(n - 1) from one Python call, an R error in one of them
# caught in Python
py_run_string("
def several(f, n):
    out = []
    for i in range(n):
        try:
            out.append(f(i))
        except RuntimeError as e:
            out.append('caught: ' + str(e))
    return out
")

test_that("tandem's handlers for the callbacks of one call end with that call", {
  # One Python call makes several callbacks (tandem builds the handler stack that turns
  # their R errors into Python exceptions once for all of them); the R code after the call, in the
  # same function, sees its own errors as plain R errors again, interpreted or byte code.
  cb <- function(i) if (i %% 2 == 1) stop("odd ", i) else i * 10
  after <- function() {
    res <- py$several(cb, 4L)
    seen <- NULL
    tail <- tryCatch(withCallingHandlers(stop("after the call"), error = function(e) seen <<- conditionMessage(e)),
                     error = function(e) paste("tryCatch:", conditionMessage(e)))
    list(res, seen, tail)
  }
  expected <- list(list(0, "caught: odd 1", 20, "caught: odd 3"), "after the call", "tryCatch: after the call")
  expect_identical(after(), expected)
  expect_identical(compiler::cmpfun(after)(), expected)
  # an R error right after the call, uncaught in that function, reaches the caller's handler
  direct <- compiler::cmpfun(function() { py$several(cb, 2L); stop("plain") })
  expect_error(direct(), "^plain$")
  # a callback that ends with a jump out (after others set the handlers) leaves them behind too
  jumper <- compiler::cmpfun(function() {
    r <- withRestarts(py$several(function(i) if (i == 2L) invokeRestart("out", "jumped") else i, 4L),
                      out = function(v) v)
    c(r, tryCatch(stop("later"), error = function(e) conditionMessage(e)))
  })
  expect_identical(jumper(), c("jumped", "later"))
  # Ctrl-C in a later callback is still Python's KeyboardInterrupt, caught by R around the call
  ctrl_c <- function(i) {
    if (i < 1L) return(i)
    tools::pskill(Sys.getpid(), tools::SIGINT)
    Sys.sleep(5)
    "not interrupted"
  }
  interrupted <- tryCatch(py$several(ctrl_c, 3L), interrupt = function(c) "interrupted")
  expect_identical(interrupted, "interrupted")
  expect_identical(py_eval("1 + 1"), 2L)
})

test_that("nested calls' callbacks each see their own handlers, however they alternate", {
  # tandem builds the handler stack of a call's callbacks once per call: a callback of the
  # outer call, after a nested call whose callbacks had other handlers, sees the outer
  # call's handlers again, and its errors still become Python exceptions.
  seen <- character()
  sig <- function(tag) signalCondition(structure(class = c("custom", "condition"), list(message = tag, call = NULL)))
  cb_outer <- function(i) {
    inner <- withCallingHandlers(
      py$several(function(j) { sig(paste0("in", i, j)); if (j == 1L) stop("inner err") else j }, 2L),
      custom = function(c) seen <<- c(seen, paste("h2", conditionMessage(c))))
    sig(paste0("out", i))
    if (i == 1L) stop("outer err")
    inner
  }
  run <- function() withCallingHandlers(py$several(cb_outer, 3L),
                                        custom = function(c) seen <<- c(seen, paste("h1", conditionMessage(c))))
  inner <- list(0L, "caught: inner err")
  expected_seen <- unlist(lapply(0:2, function(i) c(
    sprintf("h2 in%d0", i), sprintf("h1 in%d0", i), sprintf("h2 in%d1", i), sprintf("h1 in%d1", i),
    sprintf("h1 out%d", i))))
  for (f in list(run, compiler::cmpfun(run))) {
    seen <- character()
    expect_identical(f(), list(inner, "caught: outer err", inner))
    expect_identical(seen, expected_seen)
  }
  # and after all of it, a plain R error is a plain R error
  expect_error(stop("plain after"), "^plain after$")
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

test_that("py_last_error(exception) restores an earlier error, as reticulate's does", {
  try(py_eval("1 / 0"), silent = TRUE)
  saved <- py_last_error()
  try(py_eval("{}['k']"), silent = TRUE)
  expect_identical(py_last_error()$type, "KeyError")
  previous <- py_last_error(saved)
  expect_s3_class(previous, "python.builtin.KeyError")
  restored <- py_last_error()
  expect_identical(restored$type, "ZeroDivisionError")
  expect_identical(restored$r_trace$full_call, saved$r_trace$full_call)
  # a bare exception condition works too
  py_last_error(py_eval("ValueError('set by hand')"))
  expect_identical(py_last_error()$value, "set by hand")
  expect_error(py_last_error(1), "`exception` must be `NULL`, a `py_error` or a Python exception")
  expect_s3_class(py_last_error(NULL), "python.builtin.ValueError")
  expect_null(py_last_error())
})

test_that("r_to_py() of an R error is the exception it raises in Python", {
  cond <- structure(class = c("my_error", "error", "condition"), list(message = "as value", call = quote(g())))
  exc <- r_to_py(cond)
  expect_s3_class(exc, "python.builtin.RuntimeError")
  expect_s3_class(exc, "my_error")
  py_run_string("def describe_exc(e):\n    return (type(e).__name__, str(e), e.rclass[0], e.call)")
  expect_identical(py$describe_exc(cond), list("RError", "as value", "my_error", "g()"))
  e <- tryCatch(py_eval("1 / 0"), error = function(e) e)
  expect_true(py$same_object(r_to_py(e), e$py_exception))
})

test_that("py_last_error()'s R trace reaches the R frames where an R error happened, through Python levels", {
  inner_failure <- function() stop("deep R failure")
  f1 <- py_func(function() inner_failure())
  f2 <- py_func(function() f1())
  catcher <- py_run_string("
def catch_and_replace(fn):
    try:
        fn()
    except Exception:
        raise RuntimeError('replaced in Python')
", local = TRUE)$catch_and_replace
  outer <- function() catcher(f2)
  e <- tryCatch(outer(), error = function(e) e)
  expect_match(conditionMessage(e), "replaced in Python")
  calls <- vapply(py_last_error()$r_trace$full_call, function(cl) paste(deparse(cl), collapse = " "), "")
  expect_true(any(grepl("^outer\\(\\)$", calls)))
  expect_true(any(grepl("^catcher\\(f2\\)$", calls)))
  expect_true(any(grepl("^f1\\(\\)$", calls)))
  expect_true(any(grepl("^inner_failure\\(\\)$", calls)))
  expect_match(calls[length(calls)], "^stop\\(\"deep R failure\"\\)$")
  printed <- capture.output(print(py_last_error()))
  expect_true(any(grepl("inner_failure()", printed, fixed = TRUE)))
  expect_true(any(grepl("replaced in Python", printed, fixed = TRUE)))
})

test_that("an exception raised into R has reticulate's `trace`: the R frames, in rlang's layout", {
  where_it_fails <- function() tandem::py_eval("1 / 0")
  environment(where_it_fails) <- globalenv()  # a function of the user's workspace
  e <- tryCatch(where_it_fails(), error = function(e) e)
  tr <- e$trace
  expect_s3_class(tr, "rlang_trace")
  expect_s3_class(tr, "data.frame")
  heads <- vapply(tr$full_call, function(cl) deparse(cl[[1]]), "")
  expect_identical(tail(heads, 2), c("where_it_fails", "tandem::py_eval"))
  expect_identical(nrow(tr), length(tr$parent))
  i <- match("tandem::py_eval", heads)
  expect_identical(tr$namespace[[i]], "tandem")
  expect_identical(tr$scope[[i]], "::")
  expect_identical(tr$scope[[match("where_it_fails", heads)]], "global")
  # A function found by name: its namespace and whether it is exported, as rlang says.
  j <- match("tryCatch", heads)
  expect_identical(c(tr$namespace[[j]], tr$scope[[j]]), c("base", "::"))
  expect_identical(tr$scope[[match("tryCatchList", heads)]], "local")
  expect_identical(tr$parent[[i]], match("where_it_fails", heads))
  # py_last_error() gives the same frames as r_trace.
  expect_identical(py_last_error()$r_trace$full_call, tr$full_call)
})

test_that("`trace` of an R error that went through Python is where the R error was signalled", {
  inner_r <- function() stop("deep in R")
  through <- py_func(function() inner_r())
  outer <- py_func(function() through())
  e <- tryCatch(outer(), error = function(e) e)
  expect_s3_class(e, "python.builtin.Exception")
  heads <- vapply(e$trace$full_call, function(cl) paste(deparse(cl[[1]]), collapse = ""), "")
  expect_true(all(c("outer", "through", "inner_r") %in% heads))
  expect_identical(tail(heads, 1), "stop")
  out <- capture.output(print(py_last_error()))
  expect_true(any(grepl("inner_r()", out, fixed = TRUE)))
  expect_true(any(grepl("through()", out, fixed = TRUE)))
})

test_that("`trace` is NULL for an exception that was never raised, and a trace of its own wins", {
  v <- py_eval("ValueError('a value')")
  expect_null(v$trace)
  py_run_string("
class Traced(Exception):
    pass
def raise_traced():
    e = Traced('t')
    e.trace = 'python-side'
    raise e
")
  e <- tryCatch(py$raise_traced(), error = function(e) e)
  expect_identical(e$trace, "python-side")
})

test_that("a condition message is the exception as Python prints its last lines", {
  # Qualified type outside builtins and __main__ (as reticulate's messages have it).
  np <- import("numpy")
  e <- tryCatch(np$linalg$inv(matrix(0, 2, 2)), error = function(e) e)
  expect_identical(conditionMessage(e), "numpy.linalg.LinAlgError: Singular matrix")
  # A SyntaxError shows the line and the caret; notes follow the message.
  e <- tryCatch(py_run_string("1 +"), error = function(e) e)
  expect_true(endsWith(conditionMessage(e), "line 1\n    1 +\n       ^\nSyntaxError: invalid syntax"))
  e <- tryCatch(py_run_string("e = ValueError('x'); e.add_note('a note'); raise e"), error = function(e) e)
  expect_identical(conditionMessage(e), "ValueError: x\na note")
  # The same text for the bare exception handle (a condition's py_object).
  expect_identical(e$py_exception$message, "ValueError: x\na note")
})

test_that("an exception that Python raised anew after catching an R error still shows where R failed", {
  # reticulate's rule: the R frames of the last R error are the trace when they extend the
  # stack where the new exception reaches R (Python dropped the chain: raised outside except)
  catch_and_raise_anew <- py_run_string("
def catch_and_raise_anew(fn):
    failed = False
    try:
        fn()
    except Exception:
        failed = True
    if failed:
        raise RuntimeError('replaced in Python')
")$catch_and_raise_anew
  deep_r_failure <- function() stop("the R failure deep inside")
  deep_py_failure <- function() py_run_string("raise ValueError('a Python failure deep inside')")
  deparsed <- function(calls) vapply(calls, function(cl) paste(deparse(cl), collapse = " "), "")
  failures <- list(deep_r_failure, deep_py_failure)
  last_calls <- c('stop("the R failure deep inside")', "py_run_string(\"raise ValueError('a Python failure deep inside')\")")
  for (k in 1:2) {
    failing <- failures[[k]]
    inner <- py_func(failing)
    middle <- py_func(function() inner())
    outer <- py_func(function() catch_and_raise_anew(middle))
    e <- tryCatch(outer(), error = identity)
    expect_match(conditionMessage(e), "replaced in Python")
    calls <- deparsed(py_last_error()$r_trace$call)
    # (the test_that() call holds this code: compare whole calls, not substrings)
    expect_true("catch_and_raise_anew(middle)" %in% calls, info = paste(calls, collapse = "\n"))
    expect_true("inner()" %in% calls, info = paste(calls, collapse = "\n"))
    expect_identical(tail(calls, 1), last_calls[[k]])
    expect_s3_class(e$trace, "rlang_trace")
    expect_true("inner()" %in% deparsed(e$trace$call))
  }
  # an unrelated Python error later does not get those frames
  e <- tryCatch(py_run_string("raise KeyError('fresh')"), error = identity)
  calls <- deparsed(py_last_error()$r_trace$call)
  expect_identical(tail(calls, 1), "py_run_string(\"raise KeyError('fresh')\")")
  expect_false("inner()" %in% calls)
})
