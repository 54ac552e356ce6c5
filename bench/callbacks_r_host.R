# bench/callbacks_r_host.R: Python code calling an R function, with R hosting.
# Usage: Rscript callbacks_r_host.R <tandem|reticulate>. Prints "case<TAB>microseconds".
which <- commandArgs(trailingOnly = TRUE)[[1]]
if (which == "tandem") library(tandem) else library(reticulate)
py_run_string("
import time
def bench(f, n):
    best = float('inf')
    for _ in range(7):
        t0 = time.perf_counter()
        for _ in range(n):
            f(1.0)
        best = min(best, (time.perf_counter() - t0) / n * 1e6)
    return best
")
main <- import_main()
us <- main$bench(function(x) x, 20000L)
cat("main_thread\t", format(us, digits = 6), "\n", sep = "")

# Fairness: 4 Python threads call an R function in a loop; R's main thread sleeps, then
# runs an R loop, alternately with the threads paused and running (best of 5 each).
# (tandem only: reticulate 1.28 cannot take calls from other threads.)
if (which == "tandem") {
  py_run_string("
import threading
stop = threading.Event()
running = threading.Event()
running.set()
counts = [0] * 4
def start(f):
    def worker(k):
        while not stop.is_set():
            running.wait()
            f(1.0)
            counts[k] += 1
    global threads
    threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(4)]
    for t in threads:
        t.start()
def finish():
    stop.set()
    running.set()
    for t in threads:
        t.join(60)
")
  r_loop <- function() { s <- 0; for (i in 1:1000000) s <- s + i; s }
  main$start(function(x) x)
  Sys.sleep(0.3)
  c0 <- sum(unlist(py_eval("counts")))
  t0 <- proc.time()[["elapsed"]]
  Sys.sleep(1)
  slept <- proc.time()[["elapsed"]] - t0
  served <- (sum(unlist(py_eval("counts"))) - c0) / slept
  running <- py_eval("running", convert = FALSE)
  alone <- loaded <- Inf
  for (rep in 1:5) {
    py_call(py_get_attr(running, "clear"))
    Sys.sleep(0.05)
    alone <- min(alone, system.time(r_loop())[["elapsed"]])
    py_call(py_get_attr(running, "set"))
    Sys.sleep(0.05)
    loaded <- min(loaded, system.time(r_loop())[["elapsed"]])
  }
  main$finish()
  cat("fair_calls_per_s\t", format(served, digits = 6), "\n", sep = "")
  cat("fair_sleep_s\t", format(slept, digits = 6), "\n", sep = "")
  cat("fair_loop_ratio\t", format(loaded / alone, digits = 6), "\n", sep = "")
}
