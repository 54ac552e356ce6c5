# bench/handle_memory_r_host.R: peak memory (VmHWM, MB) of a loop that replaces an R
# variable holding a handle to a big Python object, 12 times. R's collector runs only when
# R allocates, and a handle is a few bytes to R: unless the bridge collects by itself, every
# replaced object stays until the process ends.
# Usage: Rscript handle_memory_r_host.R tandem|reticulate list|ndarray
#   list:    y <- r_to_py(rep(1.5, 1e7))          (a Python list of 1e7 floats, ~400 MB)
#   ndarray: a <- numpy$ones(50000000L), convert = FALSE   (400 MB)
# Prints "<case>_peak_mb<TAB>MB" and "<case>_start_mb<TAB>MB" (after Python started).
args <- commandArgs(TRUE)
bridge <- args[[1]]
case <- args[[2]]
suppressMessages(if (bridge == "tandem") library(tandem) else library(reticulate))
mb <- function(key) as.numeric(gsub("[^0-9]", "", grep(key, readLines("/proc/self/status"), value = TRUE))) / 1024
np <- import("numpy", convert = FALSE)
x <- rep(1.5, 1e7)
invisible(gc())
cat(sprintf("%s_start_mb\t%.0f\n", case, mb("VmRSS")))
if (case == "list") {
  for (i in 1:12) y <- r_to_py(x)
} else {
  for (i in 1:12) a <- np$ones(50000000L)
}
cat(sprintf("%s_peak_mb\t%.0f\n", case, mb("VmHWM")))
