# tools/torture.R: runs tandem's core entry points under gctorture(TRUE) (a full garbage
# collection at every R allocation), so that an SEXP the core forgot to protect is
# collected at once and the check after it fails (or R crashes) instead of passing by
# luck. Usage: Rscript tools/torture.R   (or: make torture; a few minutes)
#
# gctorture makes every allocation cost a full GC, so testthat itself (which allocates
# heavily) cannot run under it in minutes. The subset below is the R side of the test
# files, cut to the calls that go through the core: each case runs its expression under
# gctorture and checks the result with gctorture off. It covers conversion both ways
# (vectors with NA, factors, lists, data frames, NumPy arrays), calls with plain and
# dynamic dots, callables' formals from Python signatures, attribute and item access,
# Python errors as R conditions (classes, call, traceback, py_last_error()), R errors,
# warnings, tryCatch() exits and restarts through Python frames (nested calls' handlers),
# R functions and R6 objects called from Python, with(), iteration, calls queued by another
# thread, Python output held to a line end, language objects, R frames kept across a
# raised-anew exception, and a DataFrame's index as row names.
suppressPackageStartupMessages(library(tandem))
invisible(requireNamespace("rlang", quietly = TRUE))  # loading a namespace under gctorture takes minutes
np <- import("numpy", convert = FALSE)
py_run_string("
import threading
def call_with_cleanup(f, *args):
    try:
        return f(*args)
    finally:
        pass
def show_args(*args, **kwargs):
    return [list(args), sorted(kwargs.items())]
def from_thread(f, x):
    out = []
    t = threading.Thread(target=lambda: out.append(f(x)))
    t.start(); t.join(60)
    return out[0]
class CM:
    def __enter__(self): return self
    def __exit__(self, t, v, tb):
        self.seen = t.__name__ if t else None
        return False
")
main <- import_main()

failures <- 0L
torture <- function(label, expr, check) {
  t0 <- proc.time()[["elapsed"]]
  gctorture(TRUE)
  value <- tryCatch(expr, error = function(e) e)
  gctorture(FALSE)
  ok <- tryCatch(isTRUE(check(value)), error = function(e) FALSE)
  cat(sprintf("%-58s %s %6.1fs\n", label, if (ok) "ok  " else "FAIL", proc.time()[["elapsed"]] - t0))
  if (!ok) {
    failures <<- failures + 1L
    print(value)
  }
}

torture("doubles with NA round trip", py_to_r(r_to_py(c(1.5, NA, 3))),
        function(v) identical(v, c(1.5, NA, 3)))
torture("integers, logicals, strings with NA", list(py_to_r(r_to_py(c(1L, NA))), py_to_r(r_to_py(c(TRUE, NA))),
                                                    py_to_r(r_to_py(c("a", NA, "\u00e9")))),
        function(v) identical(v, list(c(1L, NA), c(TRUE, NA), c("a", NA, "\u00e9"))))
torture("named list -> dict -> list", py_to_r(r_to_py(list(a = 1, b = list(c = "x", d = 2L)))),
        function(v) identical(v$b$c, "x") && identical(v$a, 1))
torture("factor and data frame", py_to_r(r_to_py(data.frame(x = 1:3, y = c("a", "b", NA)))),
        function(v) is.data.frame(v) && identical(v$x, 1:3))
torture("DataFrame index -> row names (slice, labels, repeated)",
        list(py_eval("__import__('pandas').DataFrame({'a': [1.5, 2.5, 3.5]}).iloc[1:3]"),
             py_to_r(r_to_py(data.frame(a = 1:2, row.names = c("r1", "r2")))),
             suppressWarnings(py_eval("__import__('pandas').DataFrame({'a': [1.5, 2.5]}, index=['x', 'x'])"))),
        function(v) identical(attr(v[[1]], "row.names"), c("2", "3")) &&
          identical(v[[2]], data.frame(a = 1:2, row.names = c("r1", "r2"))) &&
          identical(v[[3]], data.frame(a = c(1.5, 2.5))))
torture("matrix -> NumPy -> R", py_to_r(np$array(matrix(as.numeric(1:6), 2))),
        function(v) identical(dim(v), c(2L, 3L)) && v[2, 3] == 6)
torture("Python dict / tuple / nested -> R", py_eval("{'a': [1, 2.5, None], 'b': ('x', True)}"),
        function(v) identical(v$b, list("x", TRUE)) && identical(v$a[[3]], NULL))
torture("call with positional and keyword arguments", main$show_args(1L, "a", k = 2L),
        function(v) identical(v[[2]], list(list("k", 2L))))
torture("formals from a signature; arguments as written (promargs)", {
  f <- py_eval("lambda a, long=None, *args, c='x', **kw: [a, long, list(args), c, sorted(kw)]")
  list(names(formals(f)), f(1L, l = 2L, c = "y"), (function(...) f(...))(3L, 4L, 5L))
}, function(v) identical(v[[1]], c("a", "long", "...", "c")) && is.null(v[[2]][[2]]) &&
     identical(v[[2]][[5]], "l") && identical(v[[3]][[3]], 5L))
torture("bound method formals (the C++ cache on the function)", {
  cm <- main$CM()
  list(names(formals(cm$`__exit__`)), names(formals(cm$`__exit__`)))
}, function(v) identical(v[[1]], c("t", "v", "tb")) && identical(v[[2]], v[[1]]))
torture("call with dynamic dots", main$show_args(!!!list(1L, b = 2L)),
        function(v) length(v[[2]]) == 1L && identical(v[[1]], 1L))
torture("attributes and items", {
  d <- dict(k = 5L)
  py_set_item(d, "j", 6L)
  list(py_to_r(py_get_item(d, "j")), py_has_attr(d, "keys"), py_len(d))
}, function(v) identical(v, list(6L, TRUE, 2L)))
torture("Python error -> classed R condition with call", tryCatch(py_eval("int('x')"), error = function(e) e),
        function(e) inherits(e, "python.builtin.ValueError") && !is.null(conditionCall(e)))
torture("py_last_error()", py_last_error(), function(e) identical(e$type, "ValueError"))
torture("an exception's R trace (frames recorded at the crossing)",
        (function() tryCatch(py_eval("1 / 0"), error = function(e) e$trace))(),
        function(t) inherits(t, "rlang_trace") && identical(deparse(t$full_call[[nrow(t)]]), 'py_eval("1 / 0")'))
torture("R error through Python: trace where it was signalled",
        tryCatch(main$call_with_cleanup(function() stop("deep")), error = function(e) e$trace),
        function(t) identical(deparse(t$full_call[[nrow(t)]]), 'stop("deep")'))
torture("R error through Python keeps classes",
        tryCatch(main$call_with_cleanup(function() stop(structure(class = c("mine", "error", "condition"),
                                                                  list(message = "m", call = NULL)))),
                 mine = function(e) class(e)),
        function(cl) cl[[1]] == "mine" && "python.builtin.Exception" %in% cl)
torture("warning handler in place through Python", {
  seen <- NULL
  withCallingHandlers(main$call_with_cleanup(function() { warning("w"); 1 }),
                      warning = function(w) { seen <<- conditionMessage(w); invokeRestart("muffleWarning") })
  seen
}, function(v) identical(v, "w"))
torture("tryCatch() exit through Python frames",
        tryCatch(main$call_with_cleanup(function() signalCondition(structure(class = c("j", "condition"),
                                                                         list(message = "", call = NULL)))),
                 j = function(c) "landed"),
        function(v) identical(v, "landed"))
torture("restart through Python frames",
        withRestarts(main$call_with_cleanup(function() invokeRestart("r", 2)), r = function(v) v * 2),
        function(v) identical(v, 4))
torture("abort restart in R code that Python calls (nested entries)",
        main$call_with_cleanup(function() {
          inner <- tryCatch(main$call_with_cleanup(function() invokeRestart("abort")), error = conditionMessage)
          invokeRestart("abort", simpleError(paste("outer after", inner)))
        }),
        function(v) inherits(v, "error") && grepl("outer after R evaluation aborted", conditionMessage(v)))
torture("callbacks of nested calls, alternating, each with their own handlers", {
  seen <- character()
  sig <- function(tag) signalCondition(structure(class = c("t", "condition"), list(message = tag, call = NULL)))
  out <- withCallingHandlers(main$call_with_cleanup(function() {
    withCallingHandlers(main$call_with_cleanup(function() sig("in")), t = function(c) seen <<- c(seen, "h2"))
    sig("out")
    tryCatch(main$call_with_cleanup(function() stop("e")), error = conditionMessage)
  }), t = function(c) seen <<- c(seen, paste0("h1-", conditionMessage(c))))
  list(seen, out)
}, function(v) identical(v, list(c("h2", "h1-in", "h1-out"), "e")))
torture("R function called from Python with R values", main$call_with_cleanup(function(x) x + 1L, 41L),
        function(v) identical(v, 42L))
torture("R6-like environment and closures from Python", {
  counter <- local({ n <- 0L; function() { n <<- n + 1L; n } })
  for (i in 1:3) main$call_with_cleanup(counter)
  counter()
}, function(v) identical(v, 4L))
torture("with() passes an R error to __exit__", {
  cm <- main$CM()
  try(with(cm, stop("inside")), silent = TRUE)
  py_to_r(py_get_attr(cm, "seen"))
}, function(v) identical(v, "RError"))
torture("iterate() over a generator", iterate(py_eval("(i * i for i in range(5))")),
        function(v) identical(v, c(0L, 1L, 4L, 9L, 16L)))
torture("R call queued from another Python thread", main$from_thread(function(x) x * 2L, 21L),
        function(v) identical(v, 42L))
torture("Python output held to a line end, then flushed", capture.output(py_run_string("print('held', end='')\nprint(' line')\nprint('tail', end='')")),
        function(v) identical(v, c("held line", "tail")))
torture("language objects to Python and back, printed", {
  cl <- r_to_py(quote(x + y))
  list(py_to_r(cl), capture.output(print(cl)), py_to_r(r_to_py(as.name("zz"))))
}, function(v) identical(v[[1]], quote(x + y)) && identical(v[[2]], "x + y") && identical(v[[3]], as.name("zz")))
torture("exception raised anew keeps the R frames of the R error", {
  py_run_string("
def tortured_anew(fn):
    failed = False
    try:
        fn()
    except Exception:
        failed = True
    if failed:
        raise RuntimeError('anew')
")
  inner <- py_func(function() stop("deep R failure"))
  outer <- py_func(function() main$tortured_anew(inner))
  e <- tryCatch(outer(), error = function(e) e)
  list(conditionMessage(e), vapply(py_last_error()$r_trace$call, function(cl) deparse(cl)[1], ""))
}, function(v) grepl("anew", v[[1]]) && tail(v[[2]], 1) == 'stop("deep R failure")')
cat(if (failures == 0L) "torture: all cases passed\n" else sprintf("torture: %d case(s) failed\n", failures))
quit(status = if (failures == 0L) 0L else 1L)
