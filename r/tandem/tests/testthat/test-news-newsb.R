# Behaviour from reticulate's NEWS (1.20 to 1.37.0) that tandem had not matched.

test_that("setHook('reticulate.onPyInit') and the afterInitialized option run once Python starts (1.21)", {
  res <- run_rscript('
    calls <- character()
    setHook("reticulate.onPyInit", function() calls <<- c(calls, "hook"))
    options(reticulate.python.afterInitialized = function() calls <<- c(calls, "option"))
    library(tandem)
    cat("before:", length(calls), "\n")
    v <- py_eval("6 * 7")
    cat("after:", paste(calls, collapse = ","), "\n")
    invisible(py_eval("1"))
    cat("again:", length(calls), "\n")
    cat("value:", v, "\n")
  ')
  expect_equal(res$status, 0L, info = paste(res$output, collapse = "\n"))
  expect_true("before: 0 " %in% res$output, info = paste(res$output, collapse = "\n"))
  expect_true("after: option,hook " %in% res$output, info = paste(res$output, collapse = "\n"))
  expect_true("again: 2 " %in% res$output, info = paste(res$output, collapse = "\n"))
  expect_true("value: 42 " %in% res$output, info = paste(res$output, collapse = "\n"))
})
