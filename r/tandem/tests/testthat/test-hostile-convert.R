# Hostile input for the conversion layer, R hosting Python (issue 11, "a systematic guard";
# the hypothesis suite tests/test_hostile.py covers the Python-hosted side). Seeded random
# nested values with NA, odd classes and names, misbehaving Python objects, mutating hooks
# and deep nesting: every conversion gives a value or an R error, never a crash, and the
# session keeps working. Bounded: well under a second of conversions per block.

converts_or_errors <- function(f) {
  res <- tryCatch({
    f()
    "value"
  }, error = function(e) "error")
  expect_true(res %in% c("value", "error"))
  expect_identical(py_eval("1 + 1"), 2L)
  res
}

atoms <- list(
  NA, NA_integer_, NA_real_, NA_character_, NaN, Inf, c(1L, NA), c(TRUE, NA), c("a", NA, "\u00e9"),
  as.Date(c("2020-01-01", NA)), as.POSIXct(c(0, NA), origin = "1970-01-01", tz = "UTC"),
  factor(c("a", NA)), as.raw(c(0, 255)), matrix(c(1, NA, 3, 4), 2), array(1:8, c(2, 2, 2)),
  character(0), integer(0), list(), NULL, complex(real = NA, imaginary = 1), I(1), 2^31, -2^53,
  structure(1, class = "unknown_class"), as.difftime(c(1, NA), units = "mins"), data.frame(a = 1:2),
  new.env(), function(x) x, quote(a + b), as.name("s"), array(as.raw(1:4), c(2, 2)), "\u2603"
)

random_value <- function(depth = 0) {
  if (depth >= 3 || runif(1) < 0.4) return(atoms[[sample.int(length(atoms), 1)]])
  parts <- lapply(seq_len(sample(0:4, 1)), function(i) random_value(depth + 1))
  if (length(parts) && runif(1) < 0.5) {
    nms <- paste0("n", seq_along(parts))
    if (runif(1) < 0.3) nms[length(nms)] <- nms[1]  # duplicate
    if (runif(1) < 0.2) nms[1] <- ""                # empty
    names(parts) <- nms
  }
  parts
}

test_that("random nested R values reach Python and come back, or are R errors", {
  set.seed(11)
  outcomes <- character()
  for (i in 1:150) {
    v <- random_value()
    outcomes <- c(outcomes, converts_or_errors(function() py_to_r(r_to_py(v))))
  }
  expect_true(all(c("value", "error") %in% outcomes))  # both kinds were generated
})

test_that("misbehaving Python objects convert or raise; length() never errors", {
  # the loop's names live in __main__: leave nothing there for later tests
  withr::defer(py_run_string(paste(
    "for _n in ('_boom', '_kinds', 'hostile', 'base', 'name', 'fn', 'cls'):",
    "    globals().pop(_n, None)", sep = "\n")))
  py_run_string(paste(
    "def _boom(*a, **k): raise ZeroDivisionError('boom')",
    "_kinds = {'__len__': _boom, '__iter__': _boom, '__getitem__': _boom, '__str__': _boom,",
    "          '__repr__': _boom, '__int__': _boom, '__index__': _boom, '__bool__': _boom,",
    "          '__getattr__': lambda self, name: _boom()}",
    "hostile = []",
    "for base in (object, list, tuple, dict, str, int):",
    "    for name, fn in _kinds.items():",
    "        cls = type('H', (base,), {name: fn})",
    "        try:",
    "            hostile.append(cls({'a': 1}) if base is dict else cls([1, 2]) if base in (list, tuple)",
    "                           else cls('ab') if base is str else cls(3) if base is int else cls())",
    "        except Exception:",
    "            pass",
    sep = "\n"
  ))
  n <- py_eval("len(hostile)")
  for (i in seq_len(n) - 1L) {
    h <- py_eval(sprintf("hostile[%d]", i), convert = FALSE)
    converts_or_errors(function() py_to_r(h))
    converts_or_errors(function() py_eval(sprintf("[1.5, hostile[%d], 'x']", i)))
    expect_true(is.integer(length(h)))
    converts_or_errors(function() capture.output(print(h)))
  }
})

test_that("deep nesting is a value or an R error, both directions", {
  withr::defer(py_run_string("globals().pop('v', None)"))
  for (depth in c(10, 1000, 100000)) {
    converts_or_errors(function() py_eval(sprintf("eval('[' * %d + ']' * %d)", min(depth, 90), min(depth, 90))))
    py_run_string(sprintf("v = 1.0\nfor _ in range(%d): v = [v]", depth))
    converts_or_errors(function() py_eval("v"))
    x <- 1
    for (i in seq_len(min(depth, 20000))) x <- list(x)
    converts_or_errors(function() r_to_py(x))
  }
})
