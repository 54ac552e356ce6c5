# reticulate loaded into a tandem session (after or before tandem): both packages class
# their objects "python.builtin.object", so S3 methods must route each object to its own
# package. Without that, reticulate's methods crashed R on tandem's objects.
# Each case runs in its own R process: loading reticulate here would change this session.

# (requireNamespace() would load reticulate into this session.)
reticulate_installed <- nzchar(system.file(package = "reticulate"))

tandem_cases <- '
l <- py_eval("[1, 2, 3]", convert = FALSE)
d <- py_eval("{\\"a\\": 1}", convert = FALSE)
np <- import("numpy", convert = FALSE)
a <- np$arange(6)$reshape(2L, 3L)
stopifnot(identical(length(l), 3L))
stopifnot(identical(py_to_r(l[0]), 1L))
stopifnot(identical(py_to_r(d$get("a")), 1L), identical(d$a, d[["a"]]))
stopifnot(identical(names(d), "a"))
stopifnot(isTRUE(py_to_r(l == l)), identical(py_to_r(l + l)[[4]], 1L))
stopifnot(identical(dim(a), c(2L, 3L)), identical(as.vector(py_to_r(a[, 1])), c(1, 4)))
l[0] <- 10L
stopifnot(identical(py_to_r(l)[[1]], 10L))
stopifnot(identical(import("math")$sqrt(4), 2))
stopifnot(grepl("1, 2, 3", format(py_eval("[1, 2, 3]", convert = FALSE))))
with(py_eval("open(\\"/dev/null\\")", convert = FALSE) %as% fh, stopifnot(identical(py_to_r(fh$name), "/dev/null")))
stopifnot(identical(capture.output(print(l)), "[10, 2, 3]"))
# py_last_error() is a list: it goes to tandem\'s print method by its exception
e <- tryCatch(py_eval("1/0"), error = identity)
stopifnot(any(capture.output(print(py_last_error())) == "-- R Traceback --"))
'

test_that("tandem objects keep working after reticulate loads; reticulate's functions are tandem's", {
  skip_if_not(reticulate_installed, "reticulate is not installed")
  res <- run_rscript(paste0('
library(tandem)
invisible(py_eval("1"))
# a method registered at run time (its row in the S3 table holds the function itself)
registerS3method("py_to_r_wrapper", "__main__.Nothing", function(x) x, envir = asNamespace("tandem"))
invisible(suppressMessages(loadNamespace("reticulate")))
', tandem_cases, '
# reticulate::f() is tandem::f(): one bridge, the same objects
r <- reticulate::py_eval("[4, 5]", convert = FALSE)
stopifnot(tandem:::tandem_owns(r), identical(length(r), 2L))
stopifnot(identical(reticulate::import("math")$sqrt(9), 3))
stopifnot(identical(reticulate::py_to_r(r), c(4L, 5L)))
reticulate::py_run_string("shared = 41")
stopifnot(identical(py$shared, 41L), identical(reticulate::py$shared, 41L))
suppressMessages(library(reticulate))
stopifnot(identical(py_eval("shared + 1"), 42L))
cat("coexist-ok\\n")
'))
  expect_script_ok(res, "coexist-ok")
})

test_that("with options(tandem.reticulate = 'keep'), reticulate keeps its functions and tandem its objects", {
  skip_if_not(reticulate_installed, "reticulate is not installed")
  res <- run_rscript(paste0('
options(tandem.reticulate = "keep")
library(tandem)
invisible(suppressMessages(loadNamespace("reticulate")))
stopifnot(!identical(reticulate::import, tandem::import))
', tandem_cases, '
cat("coexist-ok\\n")
'))
  expect_script_ok(res, "coexist-ok")
})

test_that("tandem objects work when reticulate was loaded first", {
  skip_if_not(reticulate_installed, "reticulate is not installed")
  res <- run_rscript(paste0('
invisible(suppressMessages(loadNamespace("reticulate")))
library(tandem)
', tandem_cases, '
cat("coexist-ok\\n")
'))
  expect_script_ok(res, "coexist-ok")
})

test_that("reticulate::as_iterator() of a tandem object works (it is tandem's)", {
  skip_if_not(reticulate_installed, "reticulate is not installed")
  res <- run_rscript('
library(tandem)
x <- py_eval("iter([1, 2])", convert = FALSE)
it <- reticulate::as_iterator(x)
stopifnot(identical(py_to_r(reticulate::iter_next(it)), 1L))
cat("survived\\n")
')
  expect_script_ok(res, "survived")
})

test_that("only Python objects made by tandem are tandem's", {
  expect_true(tandem:::tandem_owns(import("math")))
  expect_true(tandem:::tandem_owns(import("math")$sqrt))
  expect_true(tandem:::tandem_owns(as.environment(py_eval("[1]", convert = FALSE))))
  fake <- structure(new.env(), class = c("python.builtin.object"))
  assign("pyobj", NULL, envir = fake)
  expect_false(tandem:::tandem_owns(fake))
  expect_false(tandem:::tandem_owns(structure(function() NULL, py_object = fake)))
})
