# Python objects held only by R handles are freed even though R barely allocates: R's
# garbage collector runs once the handles made hold enough Python memory.

test_that("replacing handles to big Python objects in a loop does not pile them up", {
  skip_on_os("windows")
  res <- run_rscript(c(
    "library(tandem); invisible(py_eval('1'))",
    "peak <- function() as.numeric(gsub('[^0-9]', '', grep('VmHWM', readLines('/proc/self/status'), value = TRUE))) / 1024",
    "x <- rep(1.5, 1e7)",  # a list of 1e7 Python floats, about 400 MB, each time
    "for (i in 1:25) y <- r_to_py(x)",
    "np <- import('numpy', convert = FALSE)",
    "for (i in 1:25) a <- np$ones(50000000L)",  # 400 MB each
    "cat('peak', peak(), '\\n')",
    "cat('sum', py_to_r(a$sum()), '\\n')"
  ), timeout = 300)
  expect_equal(res$status, 0L, info = paste(res$output, collapse = "\n"))
  peak <- as.numeric(sub("peak ", "", grep("^peak ", res$output, value = TRUE)))
  # Without collection: 25 x 400 MB alive at the end of each loop (10 GB).
  expect_lt(peak, 4000)
  expect_true("sum 5e+07 " %in% res$output, info = paste(res$output, collapse = "\n"))
})

test_that("zero-copy views hold no Python memory of their own: they start no collection", {
  # Garbage collections seen while 100 NumPy views of an 80 MB R matrix are made and
  # dropped (R allocates almost nothing meanwhile), against 20 arrays of 400 MB that own
  # their memory.
  collections <- function(expr) {
    old <- gcinfo(TRUE)
    on.exit(gcinfo(old))
    out <- capture.output(expr, type = "message")
    length(grep("Garbage collection", out, fixed = TRUE))
  }
  m <- matrix(1.5, 1e4, 1e3)
  expect_identical(collections(for (i in 1:100) v <- r_to_py(m)), 0L)
  np <- import("numpy", convert = FALSE)
  expect_gte(collections(for (i in 1:20) a <- np$ones(50000000L)), 3L)
  # A handle to an object Python also holds frees nothing when it goes: reaching a
  # module's list of a million items 200 times starts no collection either.
  py_run_string("tandem_test_big = list(range(1000000))")
  main <- import_main(convert = FALSE)
  expect_identical(collections(for (i in 1:200) b <- main$tandem_test_big), 0L)
  py_run_string("del tandem_test_big")
})

# R code whose R callbacks from Python run inside a withCallingHandlers() handler that
# holds an environment with a finalizer: prints "collected" when that environment is
# collected after the call returned, "kept" when something still holds it.
retention_code <- '
library(tandem)
state <- new.env(); state$collected <- FALSE
ident <- function(i) i
run <- function() {
  big <- new.env()
  reg.finalizer(big, function(e) state$collected <- TRUE)
  h <- local({ keep <- big; function(c) invisible(keep) })
  withCallingHandlers(py_eval("lambda f, n: [f(i) for i in range(n)]")(ident, 2L), custom = h)
}
stopifnot(identical(run(), 0:1))
invisible(gc()); invisible(gc())
cat(if (state$collected) "collected\n" else "kept\n")
'

test_that("R handlers around a call with callbacks are not kept alive after the call", {
  # tandem builds the handler stack of a call's callbacks once per call (on top of the
  # caller's handlers): that stack goes when the call ends.
  expect_identical(capture.output(eval(parse(text = retention_code), envir = new.env())), "collected")
  # the first callback of a session, inside such handlers, sets tandem's handlers up (in a
  # fresh process): what it keeps must not include those handlers either
  expect_script_ok(run_rscript(retention_code), "collected")
})
