# The conversion rows this far: scalars, vectors, NA, lists, dicts, big ints, arrays.

roundtrip <- function(x) py_to_r(r_to_py(x))

test_that("length-1 vectors are Python scalars and come back", {
  expect_identical(py_str(r_to_py(1.5)), "1.5")
  expect_identical(py_str(r_to_py(2L)), "2")
  expect_identical(py_str(r_to_py(TRUE)), "True")
  expect_identical(py_str(r_to_py("a")), "a")
  for (x in list(1.5, 2L, TRUE, "a", 1+2i)) expect_identical(roundtrip(x), x)
})

test_that("atomic vectors are lists and come back atomic", {
  expect_identical(py_str(r_to_py(c(1L, 2L))), "[1, 2]")
  for (x in list(c(1.5, 2), 1:3, c(TRUE, FALSE), c("a", "b"))) expect_identical(roundtrip(x), x)
  expect_identical(py_str(r_to_py(I(1))), "[1.0]")
})

test_that("NA never becomes a valid-looking value", {
  expect_identical(py_str(r_to_py(c(1L, NA))), "[1, None]")
  expect_identical(py_str(r_to_py(c(TRUE, NA))), "[True, None]")
  expect_identical(py_str(r_to_py(c("a", NA))), "['a', None]")
  expect_identical(py_str(r_to_py(NA)), "None")
  expect_identical(roundtrip(c(1L, NA)), c(1L, NA))
  expect_identical(roundtrip(c(TRUE, NA)), c(TRUE, NA))
  expect_identical(roundtrip(c("a", NA)), c("a", NA))
  x <- roundtrip(c(1.5, NA, NaN))
  expect_true(is.na(x[2]) && !is.nan(x[2]))
  expect_true(is.nan(x[3]))
})

test_that("Python ints beyond int32 are doubles when exact, else errors", {
  expect_identical(py_eval("2**31 - 1"), .Machine$integer.max)
  expect_identical(py_eval("-2**31"), -2^31)
  expect_identical(py_eval("2**53"), 2^53)
  expect_error(py_eval("2**53 + 1"), "cannot be converted to R without losing precision")
  expect_error(py_eval("10**30"), "cannot be converted")
  expect_identical(py_eval("1 + 1"), 2L)
  expect_identical(py_eval("[1, 2**40]"), c(1, 2^40))
})

test_that("lists and dicts", {
  expect_identical(roundtrip(list(1, "a")), list(1, "a"))
  expect_identical(roundtrip(list(a = 1, b = "x")), list(a = 1, b = "x"))
  expect_identical(py_eval("[1, None, 3]"), c(1L, NA, 3L))
  expect_identical(py_eval("[None, 'a']"), c(NA, "a"))
  expect_identical(py_eval("[1.5, None]"), c(1.5, NA))
  expect_identical(py_eval("{'a': [1, 2], 'b': {'c': True}}"), list(a = 1:2, b = list(c = TRUE)))
  expect_identical(py_eval("(1, 'a')"), list(1L, "a"))
  expect_identical(py_eval("[]"), list())
  expect_identical(py_eval("{1: 'x'}"), list(`1` = "x"))
})

test_that("raw and bytes", {
  expect_identical(roundtrip(as.raw(c(0, 255, 10))), as.raw(c(0, 255, 10)))
  # bytes stays a Python object, as in reticulate; as.raw() and as.character() convert it
  b <- py_eval("b'ab'")
  expect_s3_class(b, "python.builtin.bytes")
  expect_identical(as.raw(b), as.raw(c(0x61, 0x62)))
  expect_identical(as.character(b), "ab")
  expect_identical(py_eval("bytearray(b'ab')"), as.raw(c(0x61, 0x62)))
})

test_that("strings are UTF-8 both ways", {
  x <- "gr\u00fc\u00dfe \u2713"
  expect_identical(roundtrip(x), x)
  latin <- iconv(x, "UTF-8", "latin1", sub = "?")
  expect_identical(py_len(r_to_py(latin)), nchar(latin))
  expect_error(py_eval("'a\\x00b'"), "^Embedded NUL in string: a Python str with a NUL character \\(at position 1\\)")
  bad <- rawToChar(as.raw(c(0x61, 0xff)))
  expect_error(r_to_py(bad), class = "python.builtin.UnicodeDecodeError")
})

test_that("code, names and keyword names that are not valid UTF-8 are errors, not R's <ff> escapes", {
  bad <- rawToChar(as.raw(c(0x61, 0xff)))  # "a\xff", native (UTF-8 here) but invalid
  expect_error(py_run_string(paste0("tandem_bad = '", bad, "'")), class = "python.builtin.UnicodeDecodeError")
  expect_false(py_has_attr(import_main(), "tandem_bad"))
  expect_error(py_eval(paste0("'", bad, "'")), "an R string that is not valid UTF-8 (convert it with iconv(",
               fixed = TRUE, class = "python.builtin.UnicodeDecodeError")
  expect_error(py_get_attr(import("os"), bad), class = "python.builtin.UnicodeDecodeError")
  kw <- py_eval("lambda **kw: list(kw)")
  expect_error(do.call(kw, setNames(list(1), bad)), class = "python.builtin.UnicodeDecodeError")
  expect_error(kw(a = 1, a = 2), "multiple values for keyword argument 'a'")
  # text in another encoding that R can translate is converted
  latin <- iconv("tandem_latin = 'caf\u00e9'", "UTF-8", "latin1")
  expect_identical(Encoding(latin), "latin1")
  py_run_string(latin)
  expect_identical(py_eval("tandem_latin"), "caf\u00e9")
  expect_identical(kw(!!!setNames(list(1), iconv("\u00e9t\u00e9", "UTF-8", "latin1"))), "\u00e9t\u00e9")
  bytes <- "caf\xe9"
  Encoding(bytes) <- "bytes"
  expect_error(py_eval(bytes), "marked as \"bytes\"")
  py_run_string("del tandem_latin")
})

test_that("long character vectors: repeated strings, NA and encodings both ways", {
  x <- rep(c("apple", "b", "", NA, "gr\u00fc\u00dfe", "\u2713 ok"), 50)  # 300 strings, 6 distinct
  p <- r_to_py(x)
  expect_identical(py_len(p), 300L)
  expect_identical(py_str(py_get_item(p, 3L)), "None")
  expect_identical(py_to_r(py_get_item(p, 4L)), "gr\u00fc\u00dfe")
  expect_identical(py_to_r(p), x)
  same_object <- py_eval("lambda l: l[0] is l[6] and l[4] is l[10]", convert = TRUE)
  expect_true(same_object(p))  # equal R strings become one Python str
  # up to 512 distinct strings, each 4 times: each repeat is the same str (strings whose
  # hashes collide no longer evict each other, which depended on addresses)
  for (k in c(200L, 500L)) {
    labels <- rep(paste0("label_", seq_len(k)), 4)
    all_shared <- py_eval(sprintf("lambda l: all(l[i] is l[i + %1$d] is l[i + 2 * %1$d] is l[i + 3 * %1$d] for i in range(%1$d))", k))
    expect_true(all_shared(r_to_py(labels)), info = k)
  }
  latin <- rep(c(iconv("gr\u00fc\u00dfe", "UTF-8", "latin1"), "abc"), 40)
  expect_identical(Encoding(latin[1]), "latin1")
  pl <- r_to_py(latin)
  expect_identical(py_to_r(py_get_item(pl, 0L)), "gr\u00fc\u00dfe")  # re-encoded, not passed raw
  back <- py_to_r(pl)
  expect_identical(Encoding(back[1]), "UTF-8")
  expect_identical(back, enc2utf8(latin))
  expect_identical(py_eval("['x', None, 'h\u00e9'] * 100"), rep(c("x", NA, "h\u00e9"), 100))
  expect_error(py_eval("['a'] * 100 + ['b\\x00c']"), "Embedded NUL in string: .*NUL character \\(at position 1\\)")
  bytes <- rep(c("a", "b"), 50)
  bytes[7] <- rawToChar(as.raw(c(0x61, 0xff)))
  Encoding(bytes[7]) <- "bytes"
  expect_error(r_to_py(bytes), "marked as \"bytes\"")
})

test_that("matrices are NumPy arrays with the same element at the same index", {
  m <- matrix(as.double(1:6), 2, 3)
  a <- r_to_py(m)
  expect_true(inherits(a, "numpy.ndarray"))
  expect_identical(py_to_r(py_get_attr(a, "shape")), list(2L, 3L))  # tuples stay lists
  expect_identical(py_to_r(py_get_item(a, tuple(1L, 2L))), m[2, 3])
  expect_identical(py_to_r(a), m)
  mi <- matrix(1:6, 3)
  expect_identical(py_to_r(r_to_py(mi)), mi)
  ml <- matrix(c(TRUE, FALSE, TRUE, TRUE), 2)
  expect_identical(py_to_r(r_to_py(ml)), ml)
  np <- import("numpy", convert = FALSE)
  expect_identical(py_to_r(np$arange(6L, dtype = "int32")$reshape(2L, 3L)), matrix(c(0L, 3L, 1L, 4L, 2L, 5L), 2))
  expect_identical(py_to_r(np$arange(6L, dtype = "int64")$reshape(2L, 3L)), matrix(c(0, 3, 1, 4, 2, 5), 2))
  expect_error(py_to_r(np$array(list(2^60), dtype = "int64")), "cannot be converted to R without losing precision")
})

test_that("r_to_py/py_to_r methods registered by packages win", {
  py_run_string("class Temp:\n    def __init__(self, c): self.c = c")
  registerS3method("py_to_r", "__main__.Temp", function(x) structure(py_to_r(py_get_attr(x, "c")), class = "celsius"),
                   envir = asNamespace("tandem"))
  t <- py_eval("Temp(21.5)")
  expect_s3_class(t, "celsius")
  expect_identical(unclass(t), 21.5)
  expect_s3_class(py_eval("[Temp(1.0)]")[[1]], "celsius")
  registerS3method("r_to_py", "celsius", function(x, convert = FALSE) py_call(py_get_attr(import_main(convert = FALSE), "Temp"), unclass(x)),
                   envir = asNamespace("tandem"))
  back <- py_eval("lambda t: t.c * 2")(structure(10, class = "celsius"))
  expect_identical(back, 20)
})

test_that("language objects and symbols go to Python and back unevaluated (reticulate wraps them)", {
  # x, y and no_such_variable do not exist: nothing may evaluate them
  call <- r_to_py(quote(x + y))
  sym <- r_to_py(as.name("no_such_variable"))
  expect_identical(py_to_r(call), quote(x + y))
  expect_identical(py_to_r(sym), as.name("no_such_variable"))
  expect_identical(capture.output(print(call)), "x + y")  # no " signature:" line: not a function
  classed <- structure(quote(f(x)), class = "my_call")
  expect_identical(py_to_r(r_to_py(classed)), classed)
  py_run_string("def tandem_identity(v): return v")
  expect_identical(py$tandem_identity(quote(a * b)), quote(a * b))
  expect_identical(py_to_r(r_to_py(~ x + y)), ~ x + y, ignore_formula_env = TRUE)
})

test_that("a `...` object and byte code are held by Python unevaluated too", {
  # evaluating a `...` object is an R error, and converting that error's call evaluated it
  # again: an endless recursion (a hang, or C stack overflow)
  dots <- (function(...) get("..."))(1, 2)
  held <- r_to_py(dots)
  expect_identical(capture.output(print(held)), "<...>")
  expect_identical(py_to_r(held), dots)
  expect_identical(py$tandem_identity(dots), dots)
  code <- compiler::compile(quote(1 + 2))
  expect_identical(py_to_r(r_to_py(code)), code)
  expect_identical(py_to_r(py_call(py_eval("repr"), code)), capture.output(print(code)))
})

test_that("dict() makes keys as reticulate does: digits are ints, a Python object's name is the object", {
  d <- dict("0" = 1, "5" = 2, a = 3)
  expect_identical(py_to_r(py_eval("lambda d: sorted((type(k).__name__, str(k)) for k in d)")(d)),
                   list(list("int", "0"), list("int", "5"), list("str", "a")))
  expect_identical(py_to_r(py_get_item(d, 5L)), 2)
  # A single list: digit names are ints too, names are not looked up.
  key <- tuple(1L, 2L)
  d2 <- dict(list("12" = "x", key = "y"))
  expect_identical(py_to_r(py_get_item(d2, 12L)), "x")
  expect_identical(py_to_r(py_get_item(d2, "key")), "y")
  # In `...`, the name of a Python object in the calling frame is that object.
  d3 <- dict(key = "tuple key")
  expect_identical(py_to_r(py_get_item(d3, tuple(1L, 2L))), "tuple key")
  # Only the calling frame itself: a global of that name does not make a function's key.
  assign("tandem_test_global_key", tuple(3L, 4L), envir = globalenv())
  withr::defer(rm("tandem_test_global_key", envir = globalenv()))
  f <- function() dict(tandem_test_global_key = 1)
  expect_identical(py_to_r(py_get_item(f(), "tandem_test_global_key")), 1)
  # An unhashable one (an array) cannot be a key: the name is.
  arr <- np_array(c(1, 2))
  expect_identical(py_to_r(dict(arr = 1, convert = TRUE)), list(arr = 1))
  # Beyond R's integers, still an int; keys that collide are an error, not a lost value.
  d4 <- dict("12345678901234567890" = 1)
  expect_identical(py_to_r(py_eval("lambda d: str(list(d)[0]) + type(list(d)[0]).__name__")(d4)),
                   "12345678901234567890int")
  expect_error(dict("1" = 1, "01" = 2), "same key more than once")
})
