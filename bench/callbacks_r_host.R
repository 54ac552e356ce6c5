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
