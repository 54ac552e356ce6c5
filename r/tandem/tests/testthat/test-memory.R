# Python objects held by R are released when R lets go (R hosts).

rss_bytes <- function() as.numeric(strsplit(readLines("/proc/self/statm"), " ")[[1]][2]) * 4096

test_that("100,000 Python objects held by R are released after gc()", {
  py_run_string("
class TrackedR:
    live = 0
    def __init__(self): TrackedR.live += 1
    def __del__(self): TrackedR.live -= 1
")
  cycle <- function() {
    tr <- py$TrackedR
    held <- lapply(seq_len(100000), function(i) tr())
    expect_identical(py_eval("TrackedR.live"), 100000L)
    rm(held)
    invisible(gc())
    import("gc")$collect()
  }
  cycle()  # warm up the allocators' pools (RSS plateaus after two cycles)
  cycle()
  start <- rss_bytes()
  cycle()
  expect_identical(py_eval("TrackedR.live"), 0L)
  expect_lte(rss_bytes(), start * 1.10)
})
