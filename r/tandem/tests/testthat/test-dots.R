# Python callables take rlang's dynamic dots, as reticulate's do.

py_run_string("
def show_args(*args, **kwargs):
    return [list(args), sorted(kwargs.items())]
")

test_that("plain arguments are passed as before", {
  f <- py$show_args
  res <- f(1L, "a", k = 2L)
  expect_identical(res[[1]], list(1L, "a"))
  expect_identical(res[[2]], list(list("k", 2L)))
  wrapper <- function(...) f(...)
  expect_identical(wrapper(1L, z = 2L)[[2]], list(list("z", 2L)))
  expect_error(f(stop("bad argument")), "bad argument")
  x <- TRUE
  expect_identical(f(!x)[[1]], FALSE)
})

test_that("!!! splices a list into positional and keyword arguments", {
  skip_if_not_installed("rlang")
  f <- py$show_args
  args <- list(1L, 2L, b = 3L)
  res <- f(0L, !!!args)
  expect_identical(res[[1]], c(0L, 1L, 2L))
  expect_identical(res[[2]], list(list("b", 3L)))
})

test_that("\"{name}\" := value gives a keyword argument with a computed name", {
  skip_if_not_installed("rlang")
  f <- py$show_args
  nm <- "units"
  res <- f("{nm}" := 32L)
  expect_identical(res[[2]], list(list("units", 32L)))
  res <- f(!!nm := 1L)
  expect_identical(res[[2]], list(list("units", 1L)))
})

test_that("a trailing empty argument is ignored", {
  skip_if_not_installed("rlang")
  f <- py$show_args
  expect_identical(f(1L, )[[1]], 1L)
})
