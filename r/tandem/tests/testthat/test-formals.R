# The R function of a Python callable has the callable's signature as formals
# (reticulate >= 1.29), while its arguments still reach Python as written in the call.

sig_formals <- function(sig) formals(py_eval(sprintf("lambda %s: None", sig)))

test_that("Python signatures become R formals as in reticulate", {
  expect_identical(as.list(sig_formals("a")), alist(a = ))
  expect_identical(as.list(sig_formals("a, b=1")), alist(a = , b = 1L))
  expect_identical(as.list(sig_formals("a, *, b=1")), alist(a = , ... = , b = 1L))
  expect_identical(as.list(sig_formals("a, *args, b=1")), alist(a = , ... = , b = 1L))
  expect_identical(as.list(sig_formals("a, b=1, **kw")), alist(a = , b = 1L, ... = ))
  expect_identical(as.list(sig_formals("a, *args, **kw")), alist(a = , ... = ))
  expect_identical(as.list(sig_formals("a, *args, b=1, **kw")), alist(a = , ... = , b = 1L))
  expect_identical(as.list(sig_formals("a, /, b")), alist(a = , b = ))
  expect_null(formals(py_eval("lambda: 1")))
  # defaults convert to R values
  expect_identical(as.list(sig_formals("x=None, s='hi', t=True, f=1.5, l=[1, 2]")),
                   list(x = NULL, s = "hi", t = TRUE, f = 1.5, l = 1:2))
  # a default R has no value for stays a Python object; so does a big or nested one,
  # which is not converted for every closure
  d <- sig_formals("o=object()")$o
  expect_true(is_py_object(d))
  expect_s3_class(sig_formals("a=__import__('numpy').zeros(3)")$a, "numpy.ndarray")
  expect_s3_class(sig_formals("a=list(range(100))")$a, "python.builtin.list")
  expect_s3_class(sig_formals("a=[[1], [2]]")$a, "python.builtin.list")
  # args() and printing show them
  expect_identical(names(formals(args(py_eval("lambda x, y=2: x")))), c("x", "y"))
})

test_that("builtins, classes, methods and callable instances get their signatures", {
  main <- py_run_string("
class Point:
    def __init__(self, x, y=0):
        self.x, self.y = x, y
    def move(self, dx, dy=0, *, scale=1):
        return (self.x + dx * scale, self.y + dy * scale)
    def __call__(self, factor):
        return self.x * factor
p = Point(1, 2)
", convert = FALSE)
  expect_identical(names(formals(py$Point)), c("x", "y"))
  p <- py$p
  expect_identical(names(formals(p$move)), c("dx", "dy", "...", "scale"))
  expect_identical(p$move(2L, scale = 10L), list(21L, 2L))
  expect_identical(names(formals(p)), "factor")
  expect_identical(p(3L), 3L)
  expect_identical(names(formals(import("math")$sqrt)), "x")
  x <- py_eval("[]", convert = FALSE)
  expect_identical(names(formals(x$append)), "object")
  # Python cannot tell the signature: the R function takes `...`
  expect_identical(names(formals(import_builtins()$dict)), "...")
  expect_identical(import_builtins()$dict(a = 1L), list(a = 1L))
  # a second object of the same kind gets its own signature, not a cached one
  expect_identical(names(formals(py_eval("lambda q: q"))), "q")
  expect_identical(names(formals(py_eval("lambda r, s: r"))), c("r", "s"))
})

test_that("arguments reach Python as written: no partial matching, positions kept", {
  f_r <- function(long = NULL, ...) list(long, list(...))
  f_py <- py_eval("lambda long=None, **kw: (long, kw)")
  expect_identical(formals(f_r), formals(f_py))
  op <- options(warnPartialMatchArgs = FALSE)
  on.exit(options(op))
  expect_identical(f_r(l = 2L), list(2L, list()))  # R functions match partially
  expect_identical(f_py(l = 2L), list(NULL, list(l = 2L)))  # Python functions do not
  # positional arguments stay positional: Python's own error for a double value
  g <- py_eval("lambda a, b: (a, b)")
  expect_error(g(2L, a = 1L), "multiple values for argument 'a'")
  expect_identical(g(b = 1L, 2L), list(2L, 1L))
  # R checks the call against the formals first
  expect_error(g(1L, 2L, 3L), "unused argument")
  expect_error(py_eval("lambda a: a")(zzz = 1), "unused argument \\(zzz = 1\\)")
  # *args and **kwargs through `...`
  h <- py_eval("lambda a, *args, b=1, **kw: (a, args, b, kw)")
  expect_identical(h(1L, 2L, 3L, b = 4L, z = 5L), list(1L, list(2L, 3L), 4L, list(z = 5L)))
  # each argument is evaluated once, in the caller's environment
  n <- 0L
  bump <- function() { n <<- n + 1L; n }
  expect_identical(g(bump(), b = bump()), list(1L, 2L))
  expect_identical(n, 2L)
})

test_that("calls through `...`, byte code, do.call() and dynamic dots", {
  f <- py_eval("lambda a, b=1, **kw: (a, b, kw)")
  wrapper <- function(...) f(...)
  expect_identical(wrapper(1L, z = 2L), list(1L, 1L, list(z = 2L)))
  expect_error(wrapper(), "missing 1 required positional argument")
  compiled <- compiler::cmpfun(function(x) f(x, 2L, z = 3L))
  expect_identical(compiled(1L), list(1L, 2L, list(z = 3L)))
  expect_identical(do.call(f, list(1L, b = 5L)), list(1L, 5L, setNames(list(), character())))
  skip_if_not_installed("rlang")
  args <- list(b = 7L, y = 8L)
  expect_identical(f(0L, !!!args), list(0L, 7L, list(y = 8L)))
  nm <- "w"
  expect_identical(f(0L, "{nm}" := 9L), list(0L, 1L, list(w = 9L)))
})

test_that("without the context shortcut the arguments are the same (sys.call() fallback)", {
  script <- tempfile(fileext = ".R")
  on.exit(unlink(script))
  writeLines(c(
    "library(tandem)",
    "f <- py_eval('lambda long=None, *args, **kw: (long, args, kw)')",
    "g <- function(...) f(...)",
    "h <- compiler::cmpfun(function(x) f(x, 2L, k = 3L))",
    "out <- list(f(l = 2L), g(1L, 2L, z = 3L), h(1L), f(), f(!!!list(long = 4L)))",
    "dput(out)"
  ), script)
  run <- function(peek) {
    env <- c(paste0("R_LIBS=", paste(.libPaths(), collapse = ":")),
             if (!peek) "TANDEM_NO_CONTEXT_PEEK=1")
    out <- suppressWarnings(system2(file.path(R.home("bin"), "Rscript"), c("--vanilla", script),
                                    stdout = TRUE, stderr = TRUE, env = env))
    paste(out, collapse = "\n")
  }
  fast <- run(TRUE)
  expect_match(fast, "list(list(NULL, list(), list(l = 2L))", fixed = TRUE)
  expect_identical(run(FALSE), fast)
})

test_that("formals named like what the closure's body uses change nothing", {
  f <- py_eval("lambda invisible=None, value=None: None if value is None else value")
  expect_invisible(f(invisible = function() stop("the argument was called")))
  expect_identical(f(value = 3L), 3L)
  expect_null(f(value = NULL, invisible = identity))
})
