# bench/convert_r_host.R: conversion times with R hosting, one bridge per process.
# Usage: Rscript convert_r_host.R <tandem|reticulate>. Prints "case<TAB>milliseconds".
which <- commandArgs(trailingOnly = TRUE)[[1]]
if (which == "tandem") library(tandem) else library(reticulate)
best_ms <- function(f, reps = 5L, inner = 1L) {
  best <- Inf
  for (r in seq_len(reps)) {
    t0 <- proc.time()[[3]]
    for (i in seq_len(inner)) f()
    best <- min(best, (proc.time()[[3]] - t0) / inner)
  }
  best * 1000
}
emit <- function(case, ms) cat(case, "\t", format(ms, digits = 6), "\n", sep = "")
np <- import("numpy", convert = FALSE)
set.seed(1)
m <- matrix(runif(1e7), 1e4, 1e3)
# proc.time() counts milliseconds: the O(1) cases repeat enough calls to resolve microseconds.
emit("r_matrix_to_numpy", best_ms(function() r_to_py(m), inner = 1000L))
f_arr <- np$asfortranarray(np$random$rand(10000L, 1000L))
c_arr <- np$random$rand(10000L, 1000L)
emit("numpy_f_to_r", best_ms(function() py_to_r(f_arr), inner = if (which == "tandem") 10000L else 1L))
emit("numpy_c_to_r", best_ms(function() py_to_r(c_arr)))
chr <- as.character(seq_len(1e6))
emit("character_to_py", best_ms(function() r_to_py(chr), reps = 3L))
pchr <- r_to_py(chr)
emit("character_to_r", best_ms(function() py_to_r(pchr), reps = 3L))
rep_chr <- sample(state.name, 1e6, TRUE)  # 50 distinct strings, as in labels and categories
emit("character_rep_to_py", best_ms(function() r_to_py(rep_chr), reps = 3L))
random <- import("random", convert = FALSE)
prep <- random$Random(1L)$choices(r_to_py(state.name), k = 1000000L)  # 50 str objects, repeated
emit("character_rep_to_r", best_ms(function() py_to_r(prep), reps = 3L))
n <- 1e6
df <- data.frame(num = runif(n), int = seq_len(n), fac = factor(sample(letters, n, TRUE)),
                 chr = as.character(seq_len(n)), date = as.Date("2020-01-01") + seq_len(n) %% 3000)
emit("data_frame_to_py", best_ms(function() r_to_py(df), reps = 3L))
pdf <- r_to_py(df)
emit("data_frame_to_r", best_ms(function() py_to_r(pdf), reps = 3L))
