# Python threads calling R functions while R hosts: calls run on R's main thread.

test_that("eight Python threads calling an R function get correct results", {
  py_run_string("
import threading
def run_in_threads(f, n, k):
    out = [None] * k
    def w(j):
        out[j] = [f(i) for i in range(n)]
    ts = [threading.Thread(target=w, args=(j,)) for j in range(k)]
    [t.start() for t in ts]
    [t.join(120) for t in ts]
    return out
")
  f <- function(x) {
    if (x %% 500 == 0) invisible(gc())
    x * 2L
  }
  res <- py$run_in_threads(f, 2000L, 8L)
  expect_length(res, 8)
  for (v in res) expect_identical(v, (0:1999) * 2L)
})

test_that("a Python thread reaches R while R sleeps or loops", {
  py_run_string("
import threading
thread_results = []
def call_later(f):
    t = threading.Thread(target=lambda: thread_results.append(f(20)))
    t.start()
    return t
")
  f <- function(x) x + 1L
  t <- py$call_later(f)
  Sys.sleep(0.5)
  expect_identical(py$thread_results, 21L)
  t <- py$call_later(f)
  s <- 0
  for (i in 1:300000) s <- s + i
  py_call(py_get_attr(t, "join"), 60)
  expect_identical(py$thread_results, c(21L, 21L))
})

test_that("R code called from a thread runs on R's main thread", {
  main <- import("threading")$get_ident()
  py_run_string("
import threading
def ident_from_thread(f):
    out = []
    t = threading.Thread(target=lambda: out.append(f()))
    t.start(); t.join(60)
    return out[0]
")
  expect_identical(py$ident_from_thread(function() import("threading")$get_ident()), main)
})
