# Modules, code and calls with R hosting Python.

test_that("module functions return R values", {
  math <- import("math")
  expect_identical(math$sqrt(2), sqrt(2))
  expect_identical(math$pi, pi)
  f <- math$sqrt
  expect_true(is.function(f))
  expect_identical(f(16), 4)
  expect_true(inherits(math, "python.builtin.module"))
})

test_that("convert = FALSE keeps results in Python", {
  os <- import("os", convert = FALSE)
  wd <- os$getcwd()
  expect_true(inherits(wd, "python.builtin.str"))
  expect_identical(py_to_r(wd), normalizePath(getwd()))
  expect_identical(capture.output(print(wd)), paste0("'", normalizePath(getwd()), "'"))
})

test_that("py_run_string, py and py_eval share __main__", {
  py_run_string("x = [1, 2, 3]")
  expect_identical(py$x, 1:3)
  py$y <- 42
  expect_identical(py_eval("y + 1"), 43)
  expect_identical(py_eval("1 + 1"), 2L)
  d <- py_run_string("z = 5", local = TRUE)
  expect_identical(py_to_r(d)$z, 5L)
  expect_false(py_has_attr(import_main(), "z"))
})

test_that("py_run_file runs a script", {
  f <- withr::local_tempfile(fileext = ".py")
  writeLines(c("def twice(v):", "    return 2 * v", "answer = twice(21)"), f)
  py_run_file(f)
  expect_identical(py$answer, 42L)
  expect_error(py_run_file(file.path(tempdir(), "nope.py")), "does not exist")
})

test_that("builtins and named arguments", {
  b <- import_builtins()
  expect_identical(b$len(list(1, 2)), 2L)
  expect_identical(b$sorted(c(3, 1, 2), reverse = TRUE), c(3, 2, 1))
  expect_identical(b$round(2.567, ndigits = 1L), 2.6)
  expect_identical(b$max(1L, 5L, 3L), 5L)
})

test_that("py_call calls handles with convert = FALSE", {
  b <- import_builtins(convert = FALSE)
  s <- py_call(b$str, 12L)
  expect_true(inherits(s, "python.builtin.str"))
  expect_identical(py_to_r(py_call(b$len, s)), 2L)
  # as reticulate: py_call() returns the Python object, with the callable's convert flag
  r <- py_call(import_builtins()$abs, -3L)
  expect_s3_class(r, "python.builtin.int")
  expect_identical(py_to_r(r), 3L)
  d <- py_call(import_builtins()$dict, a = 1L, b = list(2L, 3L))
  expect_s3_class(d, "python.builtin.dict")
  expect_identical(d$b, 2:3)  # converts through `$`, as the callable converts
  expect_s3_class(py_call(py_eval("lambda: None")), "python.builtin.NoneType")
  expect_identical(import_builtins()$abs(-3L), 3L)  # calling the function converts
})

test_that("attribute and item functions", {
  py_run_string("class Obj:\n    pass\nobj = Obj()")
  obj <- py_get_attr(import_main(), "obj")
  py_set_attr(obj, "a", 10L)
  expect_true(py_has_attr(obj, "a"))
  expect_identical(py_to_r(py_get_attr(obj, "a")), 10L)
  py_del_attr(obj, "a")
  expect_false(py_has_attr(obj, "a"))
  expect_null(py_get_attr(obj, "a", silent = TRUE))
  expect_error(py_get_attr(obj, "a"), class = "python.builtin.AttributeError")

  d <- dict(a = 1)
  py_set_item(d, "b", 2)
  expect_identical(py_to_r(py_get_item(d, "b")), 2)
  py_del_item(d, "a")
  expect_identical(py_len(d), 1L)
  expect_null(py_get_item(d, "zzz", silent = TRUE))
  expect_error(py_get_item(d, "zzz"), class = "python.builtin.KeyError")
})

test_that("py_len, py_str, py_repr, py_bool, py_id, py_none", {
  l <- r_to_py(list(1, "a"))
  expect_identical(py_len(l), 2L)
  expect_identical(py_str(l), "[1.0, 'a']")
  expect_identical(py_repr(r_to_py("a")), "'a'")
  expect_true(py_bool(l))
  expect_false(py_bool(r_to_py(list())))
  expect_identical(py_id(l), py_id(l))
  expect_false(identical(py_id(l), py_id(r_to_py(list()))))
  expect_true(inherits(py_none(), "python.builtin.NoneType"))
  expect_null(py_to_r(py_none()))
  expect_identical(py_len(import("math"), default = -1L), -1L)
  expect_error(py_len(import("math")), class = "python.builtin.TypeError")
})

test_that("py_list_attributes and names", {
  attrs <- py_list_attributes(import("math"))
  expect_true(all(c("sqrt", "pi", "__name__") %in% attrs))
  expect_true("sqrt" %in% names(import("math")))
  expect_false("__name__" %in% names(import("math")))
  expect_identical(sort(names(dict(a = 1, b = 2))), c("a", "b"))
  expect_true("sqrt" %in% .DollarNames(import("math"), "^sq"))
})

test_that("delay_load imports on first use", {
  m <- import("json", delay_load = TRUE)
  expect_true(is_py_object(m))
  expect_identical(m$dumps(list(1L)), "[1]")
})

test_that("is_py_object and py_is_null_xptr", {
  expect_true(is_py_object(import("math")))
  expect_false(is_py_object(1))
  expect_false(py_is_null_xptr(import("math")))
  f <- withr::local_tempfile(fileext = ".rds")
  saveRDS(r_to_py(list(1)), f)
  restored <- readRDS(f)
  expect_true(py_is_null_xptr(restored))
  expect_identical(py_str(restored), "<pointer: 0x0>")  # reticulate's wording
  expect_error(py_repr(restored), "no longer available")
})

test_that("py_config and py_available describe the interpreter", {
  cfg <- py_config()
  expect_true(py_available())
  expect_true(file.exists(cfg$core))
  # reticulate's fields: a version that compares as a version ("3.11" >= "3.8")
  expect_s3_class(cfg, "py_config")
  expect_s3_class(cfg$version, "package_version")
  expect_true(cfg$version >= "3.8")
  expect_identical(as.character(cfg$version), py_eval("'%d.%d' % __import__('sys').version_info[:2]"))
  expect_match(cfg$version_string, "^3\\.")
  expect_identical(cfg$executable, import("sys")$executable)
  expect_true(cfg$available)
  expect_identical(cfg$numpy$path, dirname(import("numpy")$`__file__`))
  expect_true(cfg$numpy$version >= "1.0")
  expect_identical(nzchar(cfg$virtualenv), import("sys")$prefix != import("sys")$base_prefix)
  expect_identical(cfg$host, "r")
  expect_output(print(cfg), "libpython")
  expect_output(print(cfg), "numpy_version")
  # before Python starts, py_discover_config() describes the same Python
  script <- tempfile(fileext = ".R")
  on.exit(unlink(script))
  writeLines(c("library(tandem)", "cfg <- py_discover_config()",
               "cat(as.character(cfg$version), cfg$available, !is.null(cfg$numpy), py_available(), '\\n')"), script)
  out <- system2(file.path(R.home("bin"), "Rscript"), c("--vanilla", script), stdout = TRUE, stderr = TRUE,
                 env = c(paste0("R_LIBS=", paste(.libPaths(), collapse = ":")), paste0("TANDEM_PYTHON=", cfg$python)))
  expect_identical(trimws(tail(out, 1)), paste(as.character(cfg$version), "FALSE TRUE FALSE"))
})

test_that("a second, different Python is an error", {
  expect_invisible(use_python(py_config()$python))
  other <- Sys.which("python3")
  skip_if(!nzchar(other) || normalizePath(other) == normalizePath(py_config()$python))
  expect_error(use_python(other), "failed to initialize requested version of Python: Python is already running in this process")
  expect_error(use_python("/nonexistent/python"), "does not exist")
})

test_that("py_run_string() returns the dict it ran in, invisibly", {
  expect_invisible(py_run_string("x_ret = 1"))
  expect_identical(py_run_string("x_ret = 1")$x_ret, 1L)
  main <- py_run_string("y_ret = [1, 2]")
  expect_true(inherits(main, "python.builtin.dict"))
  expect_true(py_get_convert(main))
  expect_identical(main$y_ret, 1:2)
  expect_identical(main[["x_ret"]], 1L)
  raw <- py_run_string("z_ret = 3", convert = FALSE)
  expect_false(py_get_convert(raw))
  expect_true(is_py_object(raw$z_ret))
  loc <- py_run_string("only_here = 5", local = TRUE)
  expect_identical(loc$only_here, 5L)
  expect_identical(names(loc), "only_here")
  expect_false(py_has_attr(import_main(convert = FALSE), "only_here"))
})

test_that("py_run_file() sets __file__ while the script runs", {
  script <- tempfile(fileext = ".py")
  on.exit(unlink(script))
  writeLines(c("seen_file = __file__", "import sys", "seen_path0 = sys.path[0]"), script)
  res <- py_run_file(script)
  expect_identical(res$seen_file, normalizePath(script))
  expect_identical(res$seen_path0, dirname(normalizePath(script)))
  expect_false(py_has_attr(import_main(convert = FALSE), "__file__"))
  expect_false(dirname(normalizePath(script)) %in% import("sys")$path)
  loc <- py_run_file(script, local = TRUE)
  expect_identical(loc$seen_file, normalizePath(script))
  expect_error(py_run_file(tempfile()), "does not exist")
})

test_that("modules print as Module(name); collections summarize", {
  expect_identical(capture.output(print(import("time"))), "Module(time)")
  expect_identical(format(import("os")), "Module(os)")
  expect_identical(py_str(import("json")), "Module(json)")
  long <- r_to_py(as.list(1:12))
  expect_identical(capture.output(print(long)), "List (12 items)")
  expect_identical(capture.output(print(r_to_py(list(1L, 2L)))), "[1, 2]")
  expect_identical(py_str(1), "<not a python object>")
  f <- py_eval("lambda a, b=2: a", convert = FALSE)
  out <- capture.output(print(f))
  expect_identical(out[[2]], " signature: (a, b=2)")
  obj <- py_eval("object()", convert = FALSE)
  expect_identical(format(obj), "<object>")
  # str() is py_str(), the address kept (reticulate)
  expect_match(capture.output(str(obj)), "^<object object at 0x[0-9a-f]+>$")
  expect_identical(capture.output(str(long)), "List (12 items)")
})

test_that("source_python() assigns the script's objects in R", {
  script <- tempfile(fileext = ".py")
  on.exit(unlink(script))
  writeLines(c("import os", "def add(a, b):", "    return a + b", "value = 10", "_private = 1"), script)
  env <- new.env()
  source_python(script, envir = env)
  expect_setequal(intersect(ls(env), c("add", "value", "os", "r", "_private")), c("add", "value"))
  expect_identical(env$add(2L, 3L), 5L)
  expect_identical(env$value, 10L)
  expect_null(source_python(script, envir = NULL))
  source_python(script)
  expect_identical(value, 10L)
})

test_that("names() of a dict leaves out private keys; py_run_file() keeps the path as given", {
  expect_identical(names(dict(`_a` = 1, b = 2, c = 3)), c("b", "c"))
  expect_identical(names(py_eval("{1: 2, 'x': 3}", convert = FALSE)), c("1", "x"))
  # sorted, as reticulate (py_to_r() keeps the dict's order)
  expect_identical(names(py_eval("{'b': 1, 'a': 2, 'c': 3}", convert = FALSE)), c("a", "b", "c"))
  expect_identical(names(py_eval("{'b': 1, 'a': 2, 'c': 3}")), c("b", "a", "c"))
  out <- py_run_file(withr::local_tempfile(lines = "file = __file__", fileext = ".py"))
  expect_false("__name__" %in% names(out))
  dir <- withr::local_tempdir()
  writeLines("rel_file = __file__", file.path(dir, "rel.py"))
  withr::with_dir(dir, expect_identical(py_run_file("rel.py")$rel_file, "rel.py"))
})

test_that("print() of a callable adds its signature, one parameter per line when long", {
  out <- capture.output(print(import("json", convert = FALSE)$dumps))
  expect_identical(out[[2]], " signature: (")
  expect_true("   obj," %in% out)
  expect_true("   *," %in% out)
  expect_identical(tail(out, 1), ")")
  cls <- py_eval("type('Plain', (), {'__init__': lambda self, a, b=1: None})", convert = FALSE)
  expect_identical(capture.output(print(cls))[[2]], " signature: (a, b=1)")
})

test_that("a Python function returning None returns NULL invisibly, as in reticulate", {
  f <- py_eval("lambda x=None: x")
  expect_invisible(f())
  expect_null(f())
  expect_visible(f(1))
  expect_identical(f(1), 1)
  b <- import_builtins()
  expect_identical(capture.output(b$print("hi")), "hi")
  expect_visible(b$len(list(1, 2)))
  expect_invisible(import("random")$seed(1L))
  # without conversion, None is a Python object: visible, as in reticulate
  g <- py_eval("lambda: None", convert = FALSE)
  expect_visible(g())
})
