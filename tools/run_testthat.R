# tools/run_testthat.R: runs one R package's testthat suite against the installed package
# and fails (exit status 1) on any failure or error. Usage: Rscript tools/run_testthat.R r/tandem
args <- commandArgs(trailingOnly = TRUE)
pkg_dir <- args[[1]]
pkg <- read.dcf(file.path(pkg_dir, "DESCRIPTION"), fields = "Package")[[1]]
library(testthat)
res <- testthat::test_dir(
  file.path(pkg_dir, "tests", "testthat"),
  package = pkg, load_package = "installed",
  reporter = ProgressReporter$new(show_praise = FALSE),
  stop_on_failure = FALSE
)
df <- as.data.frame(res)
failed <- sum(df$failed) + sum(df$error)
passed <- sum(df$nb) - sum(df$failed) - sum(df$skipped)
skipped <- sum(df$skipped)
cat(sprintf("\n%s\ntestthat: %d passed, %d failed, %d skipped\n", pkg, passed, failed, skipped))
if (failed > 0 || nrow(df) == 0) quit(status = 1)
