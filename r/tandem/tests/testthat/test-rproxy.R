# The `r` object inside Python: reads, calls and assignments in R.

test_that("r is in __main__ in every session", {
  expect_true("r" %in% names(import_main()))
  expect_true(py_has_attr(import_main(convert = FALSE), "r"))
})

test_that("r.x reads R variables of the calling environment, then the global one", {
  local_value <- 41
  py_run_string("from_r = r.local_value + 1")
  expect_identical(py$from_r, 42)
  f <- function() {
    inner_only <- "inner"
    py_eval("r.inner_only")
  }
  expect_identical(f(), "inner")
  assign("tandem_test_global", 7L, envir = globalenv())
  on.exit(rm("tandem_test_global", envir = globalenv()), add = TRUE)
  expect_identical(py_eval("r.tandem_test_global * 2"), 14L)
  expect_error(py_eval("r.no_such_r_object_anywhere"), class = "python.builtin.AttributeError")
  expect_false(py_eval("hasattr(r, 'no_such_r_object_anywhere')"))
})

test_that("r.f(...) calls R functions with converted arguments", {
  twice <- function(x) x * 2
  expect_identical(py_eval("r.twice(21)"), 42)  # 21L * 2
  expect_identical(py_eval("r.paste('a', 'b', sep = '-')"), "a-b")
  py_run_string("total = r.sum([1, 2, 3])")
  expect_identical(py$total, 6L)
  expect_identical(py_eval("r['1 + 1']"), 2)
})

test_that("r.x = value assigns in R", {
  py_run_string("r.assigned_from_py = [1, 2, 3]")
  expect_identical(assigned_from_py, 1:3)
  py_run_string("r['also_assigned'] = 'yes'")
  expect_identical(also_assigned, "yes")
})

test_that("source_python() and py_run_file() scripts see r", {
  script <- tempfile(fileext = ".py")
  on.exit(unlink(script))
  writeLines(c("seen = r.script_input * 3", "r.script_output = seen"), script)
  script_input <- 5L
  source_python(script)
  expect_identical(seen, 15L)
  expect_identical(script_output, 15L)
})

test_that("an r already defined in __main__ is kept", {
  main <- import_main(convert = FALSE)
  saved <- py_get_attr(main, "r")
  on.exit(py_set_attr(main, "r", saved))
  py_run_string("r = 'mine'")
  expect_false(tandem:::py_inject_r())
  expect_identical(py$r, "mine")
})
