# reticulate's smaller functions: versions, availability, values, seeds, pickles, filters.

test_that("py_version() and py_exe() describe the running Python", {
  expect_true(py_available(initialize = TRUE))
  v <- py_version()
  expect_s3_class(v, "numeric_version")
  expect_identical(as.character(v), py_eval("'%d.%d' % __import__('sys').version_info[:2]"))
  expect_identical(as.character(py_version(patch = TRUE)), py_eval("'%d.%d.%d' % __import__('sys').version_info[:3]"))
  expect_true(py_version() >= "3.8")
  expect_identical(py_exe(), import("sys")$executable)
})

test_that("py_module_available() and py_numpy_available()", {
  expect_true(py_module_available("json"))
  expect_false(py_module_available("no_such_module_tandem_xyz"))
  expect_identical(py_numpy_available(), py_module_available("numpy"))
})

test_that("py_ellipsis(), py_unicode(), py_dict(), py_none()", {
  e <- py_ellipsis()
  expect_identical(py_repr(e), "Ellipsis")
  expect_true(py_eval("lambda x: x is ...")(e))
  u <- py_unicode("h\u00e9")
  expect_true(inherits(u, "python.builtin.str"))
  expect_identical(py_to_r(u), "h\u00e9")
  d <- py_dict(list("a", 2L), list(1, "two"))
  expect_true(inherits(d, "python.builtin.dict"))
  expect_false(py_get_convert(d))
  expect_identical(py_repr(d), "{'a': 1.0, 2: 'two'}")
  expect_identical(py_dict(c("x", "y"), c(1L, 2L), convert = TRUE)$y, 2L)
  expect_error(py_dict(list("a"), list(1, 2)), "same length")
})

test_that("py_set_seed() makes Python's and NumPy's draws repeat", {
  py_set_seed(42)
  a <- py_eval("__import__('random').random()")
  py_set_seed(42)
  b <- py_eval("__import__('random').random()")
  expect_identical(a, b)
  expect_identical(Sys.getenv("PYTHONHASHSEED"), "0")
  expect_identical(import("os")$environ$get("PYTHONHASHSEED"), "0")
  if (py_numpy_available()) {
    py_set_seed(1L)
    x <- py_eval("__import__('numpy').random.rand()")
    py_set_seed(1L)
    expect_identical(py_eval("__import__('numpy').random.rand()"), x)
  }
  expect_error(py_set_seed("a"), "whole number")
})

test_that("py_save_object() and py_load_object() round-trip through pickle", {
  f <- tempfile(fileext = ".pickle")
  on.exit(unlink(f))
  obj <- py_eval("{'a': [1, 2, 3], 'b': ('x', None)}", convert = FALSE)
  expect_null(py_save_object(obj, f))
  expect_true(file.exists(f))
  back <- py_load_object(f)
  expect_identical(back$a, 1:3)
  expect_identical(back$b, list("x", NULL))
  raw <- py_load_object(f, convert = FALSE)
  expect_true(inherits(raw, "python.builtin.dict"))
  py_save_object(list(x = 1), f)
  expect_identical(py_load_object(f), list(x = 1))
  expect_error(py_load_object(tempfile()), "does not exist")
})

test_that("py_main_thread_func() gives a Python callable", {
  f <- py_main_thread_func(function(x) x + 1)
  expect_true(is_py_object(f))
  expect_identical(py_to_r(py_call(f, 1)), 2)
  expect_identical(py_eval("lambda g: g(41)")(f), 42)
})

test_that("py_validate_xptr() accepts live objects and rejects dead ones", {
  x <- r_to_py(list(1))
  expect_invisible(py_validate_xptr(x))
  expect_null(py_validate_xptr(x))  # reticulate returns invisible NULL
  dead <- unserialize(serialize(x, NULL))
  expect_error(py_validate_xptr(dead), "null externalptr")
})

test_that("py_to_r_wrapper() is a generic returning x by default", {
  x <- r_to_py(1:3)
  expect_identical(py_to_r_wrapper(x), x)
})

test_that("register_class_filter() renames classes of types wrapped later", {
  py_run_string("class FilteredKind:\n    pass")
  register_class_filter(function(classes) sub("^__main__\\.FilteredKind$", "my.Filtered", classes))
  obj <- py_eval("FilteredKind()", convert = FALSE)
  expect_identical(class(obj)[[1]], "my.Filtered")
  expect_true(inherits(r_to_py(list(1)), "python.builtin.list"))
})

test_that("import(as = ) prefixes the classes of a module's objects", {
  skip_if_not(py_module_available("fractions"), "fractions is missing")
  fr <- import("fractions", as = "frac", convert = FALSE)
  f <- py_call(py_get_attr(fr, "Fraction"), 1L, 3L)
  expect_identical(class(f)[[1]], "frac.Fraction")
})

test_that("py_clear_last_error() forgets the last error", {
  try(py_eval("1/0"), silent = TRUE)
  expect_false(is.null(py_last_error()))
  py_clear_last_error()
  expect_null(py_last_error())
  try(py_eval("int('x')"), silent = TRUE)
  expect_match(py_last_error()$message, "ValueError")
})

test_that("py_to_r_wrapper() methods customise the R function of callables, as in reticulate", {
  py_run_string(paste(
    "class WrappedDoubler:",
    "    def __call__(self, x):",
    "        return x * 2",
    "wrapped_doubler = WrappedDoubler()",
    "def wrapped_call_twice(f):",
    "    return f(1)",
    sep = "\n"))
  seen <- NULL
  registerS3method("py_to_r_wrapper", "__main__.WrappedDoubler", function(x) {
    seen <<- x
    function(y) x(y) + 1L  # the R side adds 1 to what Python returns
  }, envir = asNamespace("tandem"))
  on.exit(registerS3method("py_to_r_wrapper", "__main__.WrappedDoubler", function(x) x,
                           envir = asNamespace("tandem")))
  f <- py$wrapped_doubler
  expect_identical(f(2L), 5L)
  expect_identical(names(formals(f)), "y")  # the method's function, not a generic `...`
  # it still is the Python object: class, identity, attributes, passing it back to Python
  expect_identical(class(f), c("__main__.WrappedDoubler", "python.builtin.object"))
  expect_true(is_py_object(f))
  expect_identical(py_id(f), py_id(py_eval("wrapped_doubler", convert = FALSE)))
  expect_identical(py$wrapped_call_twice(f), 2L)  # Python calls the object itself
  expect_true(is_py_object(seen))
  expect_identical(py_eval("wrapped_doubler")(10L), 21L)  # every way of reaching it
  # a method defined in the global environment is found as well
  assign("py_to_r_wrapper.__main__.WrappedDoubler", function(x) function(...) "global", envir = globalenv())
  on.exit(rm("py_to_r_wrapper.__main__.WrappedDoubler", envir = globalenv()), add = TRUE)
  expect_identical(py$wrapped_doubler(1L), "global")
  # callables without a method are the default closures (with the Python signature)
  expect_identical(names(formals(py_eval("len"))), "obj")
})
