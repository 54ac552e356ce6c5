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

# Runs R code in a child Rscript (a hang guard: starvation or a hung exit fails the test
# at the timeout instead of hanging the suite). Returns list(status, output).
run_child <- function(code, timeout = 120) {
  script <- tempfile(fileext = ".R")
  writeLines(code, script)
  out <- suppressWarnings(system2(file.path(R.home("bin"), "Rscript"), script,
                                  stdout = TRUE, stderr = TRUE, timeout = timeout))
  list(status = attr(out, "status") %||% 0L, output = out)
}
`%||%` <- function(x, y) if (is.null(x)) y else x

test_that("R's own work progresses while four Python threads call R in a loop", {
  res <- run_child('
library(tandem)
py_run_string("
import threading
stop = threading.Event()
counts = [0] * 4
def start(f):
    def worker(k):
        while not stop.is_set():
            f(k)
            counts[k] += 1
    global threads
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
def finish():
    stop.set()
    for t in threads:
        t.join(60)
    return sum(t.is_alive() for t in threads)
")
main <- import_main()
main$start(function(k) k + 1L)
Sys.sleep(1)
mid <- unlist(py_eval("counts"))
s <- 0; for (i in 1:1000000) s <- s + i
stopifnot(s == 500000500000)
stopifnot(py_eval("1 + 1") == 2L)
alive <- main$finish()
cat("alive", alive, "\n")
cat("progress", all(mid > 0), all(unlist(py_eval("counts")) > mid), "\n")
')
  expect_identical(res$status, 0L)
  expect_true("alive 0 " %in% res$output)
  expect_true("progress TRUE TRUE " %in% res$output)
})

test_that("quit() with daemon threads waiting on R exits with its status", {
  res <- run_child('
library(tandem)
py_run_string("
import threading, os
calling = threading.Barrier(5)
def start(f):
    def loop():
        n = 0
        while True:
            try:
                f(1)
            except RuntimeError as e:
                os.write(2, (\\"pending call failed: %s\\\\n\\" % e).encode())
                return
            n += 1
            if n == 50:
                calling.wait()
    for _ in range(4):
        threading.Thread(target=loop, daemon=True).start()
    calling.wait()
")
invisible(py$start(function(x) x))
quit(status = 3)
')
  expect_identical(res$status, 3L)
  # A thread whose call was queued at the instant of exit reports the clear error, and
  # nothing else is printed (whether one was queued depends on timing).
  reports <- res$output[nzchar(trimws(res$output))]
  expect_true(all(startsWith(reports, "pending call failed: R is shutting down")))
})
