# bench/keras_fit.R: the main job's CNN trained from R with tandem.keras, timed (twin of
# bench/keras_fit.py). Usage: Rscript keras_fit.R <n_images> <epochs> [reps] [cases]
args <- commandArgs(trailingOnly = TRUE)
n <- as.integer(args[[1]]); epochs <- as.integer(args[[2]])
reps <- if (length(args) > 2) as.integer(args[[3]]) else 2L
cases <- if (length(args) > 3) strsplit(args[[4]], ",")[[1]] else c("fit", "fit_batch_callback")
library(tandem.keras)
fm <- dataset_fashion_mnist()
x <- fm$train$x[seq_len(n), , ] / 255
dim(x) <- c(dim(x), 1L)
y <- fm$train$y[seq_len(n)]
make_model <- function() {
  invisible(keras$utils$set_random_seed(1L))
  model <- keras_model_sequential(input_shape = c(28, 28, 1)) |>
    layer_conv_2d(filters = 32, kernel_size = 3, activation = "relu") |>
    layer_max_pooling_2d(pool_size = 2) |>
    layer_conv_2d(filters = 64, kernel_size = 3, activation = "relu") |>
    layer_max_pooling_2d(pool_size = 2) |>
    layer_flatten() |> layer_dropout(rate = 0.3) |>
    layer_dense(units = 128, activation = "relu") |>
    layer_dense(units = 10, activation = "softmax")
  compile(model, optimizer = optimizer_adam(learning_rate = 1e-3),
          loss = "sparse_categorical_crossentropy", metrics = "accuracy")
  model
}
BatchCounter <- R6::R6Class("BatchCounter", inherit = KerasCallback, public = list(
  batches = 0L,
  on_train_batch_end = function(batch, logs) self$batches <- self$batches + 1L
))
for (case in cases) {
  model <- make_model()
  fit(model, x[1:256, , , , drop = FALSE], y[1:256], epochs = 1, batch_size = 64, verbose = 0)
  cbs <- if (case == "fit") NULL else list(BatchCounter$new())
  best <- Inf
  for (rep in seq_len(reps)) {  # best of reps: the first full fit also traces the last, partial batch
    t0 <- proc.time()[[3]]
    fit(model, x, y, epochs = epochs, batch_size = 64, verbose = 0, callbacks = cbs)
    best <- min(best, proc.time()[[3]] - t0)
  }
  cat(case, "\t", format(best, digits = 6), "\n", sep = "")
}
