# A script run by a fresh Rscript process (cases that change or end the R session):
# its exit status and its output lines (stdout and stderr).
run_rscript <- function(code, timeout = 120) {
  script <- tempfile(fileext = ".R")
  writeLines(code, script)
  out <- suppressWarnings(system2(file.path(R.home("bin"), "Rscript"), script,
                                  stdout = TRUE, stderr = TRUE, timeout = timeout))
  status <- attr(out, "status")
  list(status = if (is.null(status)) 0L else status, output = out)
}

# The script ran to its end: exit status 0 and the line `marker` printed.
expect_script_ok <- function(res, marker) {
  testthat::expect_equal(res$status, 0L, info = paste(res$output, collapse = "\n"))
  testthat::expect_true(marker %in% res$output, info = paste(res$output, collapse = "\n"))
}
