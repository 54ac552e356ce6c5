# Context managers and iteration.

test_that("with() enters and exits, binding the value of __enter__", {
  py_run_string("
log = []
class Ctx:
    def __enter__(self):
        log.append('enter')
        return 'value'
    def __exit__(self, t, v, tb):
        log.append('exit:' + (t.__name__ if t else 'none'))
        return False
")
  res <- with(py$Ctx() %as% v, {
    expect_identical(v, "value")
    "body"
  })
  expect_identical(res, "body")
  expect_identical(py$log, c("enter", "exit:none"))
  # the value prints as `expr`'s would (reticulate returns it from tryCatch())
  expect_visible(with(py$Ctx() %as% v, v))
  expect_invisible(with(py$Ctx() %as% v, x <- 1))
})

test_that("with() passes errors to __exit__ and re-raises them", {
  py_run_string("log = []")
  expect_error(with(py$Ctx() %as% v, stop("r failure")), "r failure")
  expect_identical(py$log, c("enter", "exit:RError"))
  py_run_string("log = []")
  expect_error(with(py$Ctx(), py_eval("1/0")), class = "python.builtin.ZeroDivisionError")
  expect_identical(py$log, c("enter", "exit:ZeroDivisionError"))
})

test_that("with() lets __exit__ suppress an error", {
  py_run_string("
class Quiet:
    def __enter__(self): return self
    def __exit__(self, *a): return True
")
  expect_null(with(py$Quiet(), stop("ignored")))
})

test_that("iterate, as_iterator and iter_next", {
  expect_identical(iterate(py_eval("range(4)")), 0:3)
  expect_identical(iterate(py_eval("range(3)"), function(i) i * 2L), c(0L, 2L, 4L))
  expect_invisible(iterate(py_eval("range(3)")))  # as reticulate: iterate(it, print) prints once
  raw <- iterate(py_eval("range(2)", convert = FALSE))
  expect_true(is_py_object(raw[[1]]))
  it <- as_iterator(py_eval("['a', 'b']", convert = FALSE))
  expect_identical(py_to_r(iter_next(it)), "a")
  expect_identical(py_to_r(iter_next(it)), "b")
  expect_null(iter_next(it))
  expect_identical(iter_next(it, completed = "done"), "done")
  expect_error(iter_next(r_to_py(list(1))), "must be a Python iterator")
})

test_that("__exit__'s stored (type, value, traceback) come back to R as conditions", {
  py_run_string("
class KeepsExit:
    def __init__(self):
        self.seen = None
    def __enter__(self):
        return self
    def __exit__(self, *exc_info):
        self.seen = exc_info
        return False
")
  keeper <- py$KeepsExit()
  expect_error(with(keeper, stop("r side")), "r side")
  seen <- keeper$seen
  expect_s3_class(seen[[1]], "python.builtin.type")
  expect_s3_class(seen[[2]], "simpleError")        # the R condition ...
  expect_s3_class(seen[[2]], "tandem._errors.RError")  # ... and the exception
  expect_s3_class(seen[[2]], "error")
  expect_identical(conditionMessage(seen[[2]]), "r side")

  keeper <- py$KeepsExit()
  expect_error(with(keeper, py_eval("int('z')")), "invalid literal")
  seen <- keeper$seen
  expect_s3_class(seen[[2]], "python.builtin.ValueError")
  expect_s3_class(seen[[2]], "error")
  expect_s3_class(seen[[3]], "python.builtin.traceback")
  expect_match(conditionMessage(seen[[2]]), "^ValueError: invalid literal")
})

test_that("with() returns an exception instance that its body evaluates to", {
  keeper <- py$KeepsExit()
  res <- with(keeper, py_eval("LookupError('a value, not an error')"))
  expect_s3_class(res, "python.builtin.LookupError")
  expect_identical(conditionMessage(res), "LookupError: a value, not an error")
  expect_null(keeper$seen[[1]])  # __exit__ saw no error
})
