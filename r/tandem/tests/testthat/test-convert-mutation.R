# Containers changed while they are converted (a py_to_r method that runs user code):
# a consistent snapshot or a clear error, never freed memory or a mix (issue 11).
# Named lists a dict cannot hold are errors that name the offending names.

# M's py_to_r method runs `code` in Python each time an M is converted, and stands for "M".
with_mutating_hook <- function(code, expr, env = parent.frame()) {
  py_run_string("class M:\n    pass\n")
  hook <- function(x) {
    py_run_string(code)
    "M"
  }
  assign("py_to_r.__main__.M", hook, envir = globalenv())
  on.exit(rm("py_to_r.__main__.M", envir = globalenv()))
  eval(substitute(expr), env)
}

floats <- as.list(as.double(0:1999))

test_that("a list cleared and refilled by a py_to_r method converts as it was", {
  with_mutating_hook("L.clear(); L.extend(['x%d' % i for i in range(5000)])", {
    py_run_string("L = [M()] + [float(i) for i in range(2000)]")
    expect_identical(py$L, c(list("M"), floats))
    expect_identical(py_eval("len(L)"), 5000L)  # the change itself happened
    py_run_string("L = [float(i) for i in range(2000)] + [M()]")  # the hook last
    expect_identical(py$L, c(floats, list("M")))
    # A list whose elements become scalars (numpy.str_) and another list's hook.
    py_run_string("import numpy as np; L = [np.str_('a'), np.str_('b')]; K = [L, [M()] * 3, L]")
    out <- py$K
    expect_identical(out[[1]], c("a", "b"))
    expect_identical(out[[2]], list("M", "M", "M"))
    expect_true(is.character(out[[3]]) && all(startsWith(out[[3]], "x")))  # L after the change, whole
  })
})

test_that("a dict changed by a py_to_r method converts as it was", {
  with_mutating_hook("D.clear(); D.update({'z%d' % i: i for i in range(10)})", {
    py_run_string("D = {'m': M()}; D.update({'k%d' % i: float(i) for i in range(2000)})")
    d <- py$D
    expect_identical(names(d), c("m", paste0("k", 0:1999)))
    expect_identical(unname(d), c(list("M"), floats))
    expect_identical(py_eval("sorted(D)[:2]"), c("z0", "z1"))
  })
})

test_that("tuples of lists, NumPy object arrays and pandas columns convert as they were", {
  hook <- "T[0].clear(); T[1].clear(); A[:] = 'gone'\nif df is not None: del df['b']"
  with_mutating_hook(hook, {
    py_run_string(paste(
      "import numpy as np",
      "T = ([M()] + [float(i) for i in range(100)], [float(i) for i in range(100)])",
      "A = np.array([M()] + [float(i) for i in range(100)], dtype=object)",
      "df = None",
      sep = "\n"
    ))
    t <- py$T
    expect_identical(t[[1]], c(list("M"), as.list(as.double(0:99))))
    expect_identical(t[[2]], list())  # converted after the hook cleared it: the whole new state
    py_run_string("A = np.array([M()] + [float(i) for i in range(100)], dtype=object)")
    a <- py$A
    expect_identical(a, array(c(list("M"), as.list(as.double(0:99)))))
    skip_if(is.null(import("importlib.util")$find_spec("pandas")), "pandas is not installed")
    py_run_string(paste(
      "import pandas as pd",
      "T = ([], [])",
      "df = pd.DataFrame({'a': [M(), 1.0, 2.0], 'b': [1.5, 2.5, 3.5]})",
      sep = "\n"
    ))
    out <- py$df
    expect_identical(names(out), c("a", "b"))
    expect_identical(out$a, list("M", 1, 2))
    expect_identical(out$b, c(1.5, 2.5, 3.5))
    expect_identical(py_eval("list(df.columns)"), "a")
  })
})

test_that("named lists with duplicate or empty names are errors that name them", {
  expect_error(r_to_py(list(a = 1, a = 2)), "duplicate names \\(`a`\\).*unname\\(\\)", class = "tandem_value_error")
  expect_error(r_to_py(list(a = 1, b = 2, a = 3, b = 4)), "`a`, `b`")
  expect_error(r_to_py(list(1, 2, b = 3)), "empty or missing names \\(elements 1, 2\\)", class = "tandem_value_error")
  expect_error(r_to_py(setNames(list(1, 2), c("a", NA))), "element 2\\)")
  expect_error(r_to_py(list(x = list(a = 1, a = 2))), "duplicate names")  # nested too
  expect_identical(py_str(r_to_py(unname(list(a = 1, a = 2)))), "[1.0, 2.0]")
  expect_identical(py_str(r_to_py(list(a = 1, b = 2))), "{'a': 1.0, 'b': 2.0}")
  # As call arguments: a list argument is converted the same way; repeated keywords are
  # Python's TypeError, not a silent merge.
  identity <- py_eval("lambda x: x")
  expect_error(identity(list(a = 1, a = 2)), "duplicate names")
  kw <- py_eval("lambda **kw: kw")
  expect_error(kw(a = 1, a = 2), "multiple values for keyword argument 'a'", class = "python.builtin.TypeError")
  expect_error(do.call(kw, list(b = 1, b = 2)), "keyword argument 'b'")
  expect_identical(kw(a = 1, b = 2), list(a = 1, b = 2))
  expect_error(dict(a = 1, a = 2), "`a` is given more than once")
})
