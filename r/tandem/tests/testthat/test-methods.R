# S3 methods on handles: $, [[, assignment, print, format, length, operators.

test_that("handles carry the Python MRO as class", {
  d <- dict(a = 1)
  expect_identical(class(d), c("python.builtin.dict", "python.builtin.object"))
  od <- import("collections", convert = FALSE)$OrderedDict()
  expect_true(inherits(od, "collections.OrderedDict"))
  expect_true(inherits(od, "python.builtin.dict"))
})

test_that("$ and [[ read attributes and dict items", {
  d <- dict(a = 1, b = "x", convert = TRUE)
  expect_identical(d$a, 1)
  expect_identical(d[["b"]], "x")
  expect_true(is.function(d$keys))
  m <- import("math")
  expect_identical(m[["pi"]], pi)
})

test_that("$<- and [[<- write attributes and items", {
  py_run_string("class Box:\n    pass\nbox = Box()")
  box <- py_get_attr(import_main(), "box")
  box$v <- 3L
  expect_identical(py_to_r(py_get_attr(box, "v")), 3L)
  box[["w"]] <- "s"
  expect_identical(py_to_r(py_get_attr(box, "w")), "s")
  d <- dict()
  d$k <- 1
  d[["j"]] <- 2
  expect_identical(sort(names(d)), c("j", "k"))
})

test_that("[[ with a number is Python's 0-based index (reticulate)", {
  l <- r_to_py(list("a", "b", "c"), convert = TRUE)
  expect_identical(l[[0]], "a")
  expect_identical(l[[2]], "c")
  expect_identical(l[[-1]], "c")
  expect_error(l[[3]], class = "python.builtin.IndexError")
  l[[1]] <- "B"
  expect_identical(py_to_r(l), c("a", "B", "c"))
  t <- tuple("x", "y", convert = TRUE)
  expect_identical(t[[1]], "y")
})

test_that("print, format, str, as.character, length", {
  l <- r_to_py(list(1L, 2L))
  expect_identical(capture.output(print(l)), "[1, 2]")
  expect_identical(format(r_to_py("a b")), "a b")
  expect_identical(as.character(r_to_py("a b")), "a b")
  expect_identical(length(l), 2L)
  expect_identical(length(import("math")), 1L)
  expect_output(str(l), "\\[1, 2\\]")
})

test_that("Ops delegate to Python operators", {
  a <- r_to_py(5L)
  b <- r_to_py(3L)
  expect_identical(py_to_r(a + b), 8L)
  expect_identical(py_to_r(a - b), 2L)
  expect_identical(py_to_r(a * b), 15L)
  expect_identical(py_to_r(a / b), 5 / 3)
  expect_identical(py_to_r(a %/% b), 1L)
  expect_identical(py_to_r(a %% b), 2L)
  expect_identical(py_to_r(a^b), 125L)
  expect_identical(py_to_r(a > b), TRUE)
  expect_identical(py_to_r(a == 5L), TRUE)
  expect_identical(py_to_r(-a), -5L)
  expect_identical(py_to_r(2L * a), 10L)
  l <- r_to_py(list(1L)) + r_to_py(list(2L))
  expect_identical(py_to_r(l), 1:2)
  s <- r_to_py("ab") + "cd"
  expect_identical(py_to_r(s), "abcd")
})

test_that("Python callables are R functions with keyword arguments", {
  py_run_string("def f(a, b=2, *args, **kw):\n    return [a, b, list(args), sorted(kw)]")
  f <- py$f
  expect_true(is.function(f))
  expect_identical(f(1L), list(1L, 2L, list(), list()))
  expect_identical(f(1L, b = 5L), list(1L, 5L, list(), list()))
  expect_identical(f(1L, 2L, 3L, z = 1L, y = 2L)[[4]], c("y", "z"))
  # as reticulate: unnamed arguments are positional wherever they are written
  expect_identical(f(b = 5L, 1L), list(1L, 5L, list(), list()))
  expect_error(f(a = 1L, 2L), "multiple values for argument 'a'")
})

test_that("$ on a module finds submodules not imported yet (reticulate)", {
  # A package of our own, so that nothing else can have imported its submodules.
  root <- tempfile("pkgroot")
  pkg <- basename(tempfile("tandem_subpkg_"))
  dir.create(file.path(root, pkg, "inner"), recursive = TRUE)
  writeLines("", file.path(root, pkg, "__init__.py"))
  writeLines("", file.path(root, pkg, "inner", "__init__.py"))
  writeLines("value = 42", file.path(root, pkg, "inner", "leaf.py"))
  sys <- import("sys", convert = FALSE)
  sys$path$insert(0L, root)
  withr::defer(sys$path$remove(root))
  top <- import(pkg)
  expect_false(py_eval(sprintf("'%s.inner.leaf' in __import__('sys').modules", pkg)))
  expect_true(inherits(top$inner$leaf, "python.builtin.module"))
  expect_identical(format(top$inner$leaf), sprintf("Module(%s.inner.leaf)", pkg))
  expect_identical(top$inner$leaf$value, 42L)
  expect_error(top$no_such_part_xyz, class = "python.builtin.AttributeError")
})

test_that("as.character() of str and bytes handles embedded NULs", {
  s <- py_eval("'a b' + chr(0) + 'c d'", convert = FALSE)
  expect_error(as.character(s), "nul", ignore.case = TRUE)
  expect_identical(as.character(s, nul = "<NUL>"), "a b<NUL>c d")
  expect_identical(as.character(s, nul = ""), "a bc d")
  expect_identical(as.character(s, nul = NULL), c("a b", "c d"))
  expect_identical(as.character(py_eval("'plain'", convert = FALSE)), "plain")
  b <- py_call(import_builtins(convert = FALSE)$bytes, as.raw(c(0x61, 0x20, 0x62, 0x00, 0x63)))
  expect_identical(as.character(b, nul = NULL), c("a b", "c"))
  expect_identical(as.character(b, nul = "-"), "a b-c")
  expect_identical(as.raw(b), as.raw(c(0x61, 0x20, 0x62, 0x00, 0x63)))
  expect_identical(as.character(py_eval("'\u00e9'.encode('latin-1')", convert = FALSE), encoding = "latin-1"), "\u00e9")
  expect_error(as.character(py_eval("b'\\xff'", convert = FALSE)), class = "python.builtin.UnicodeDecodeError")
})

test_that("format() of a traceback lists its frames", {
  py_run_string("import sys\ntry:\n    1/0\nexcept ZeroDivisionError:\n    _tb_saved = sys.exc_info()[2]")
  lines <- format(py_get_attr(import_main(convert = FALSE), "_tb_saved"))
  expect_true(any(grepl("<module>", lines, fixed = TRUE)))
  expect_type(lines, "character")
})

test_that("as.environment() of a Python object stands for it, as in reticulate", {
  m <- import("math")
  e <- as.environment(m)
  expect_true(is.environment(e))
  expect_identical(class(e), class(m))
  expect_equal(e$sqrt(4), 2)  # `$` and calls treat it as the module
  expect_true(get("convert", envir = e))
  assign("convert", FALSE, envir = e)
  expect_true(is_py_object(e$pi))  # its flag changed: results stay Python objects
  expect_false(py_get_convert(e))
  d <- r_to_py(list(a = 1, b = "x"), convert = TRUE)
  de <- as.environment(d)
  expect_identical(py_len(de), 2L)
  expect_identical(de$a, 1)
  expect_identical(py_id(get("py_object", envir = de)), py_id(d))
  f <- py_eval("lambda x: x + 1")
  expect_identical(as.environment(f)$`__call__`(1L), 2L)
  expect_identical(py_to_r(as.environment(r_to_py(1:3))), 1:3)
  # an environment that only looks like one is refused, and an active binding is never run
  fake <- structure(new.env(), class = "python.builtin.object")
  makeActiveBinding("py_object", function() stop("must not run"), fake)
  expect_error(py_len(fake), "must be a Python object|not a Python object")
})
