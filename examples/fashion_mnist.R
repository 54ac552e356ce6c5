# examples/fashion_mnist.R: the main job. Trains a small CNN (2 conv + pooling) on
# Fashion-MNIST from R with tandem.keras, evaluates it on the test set beside the
# benchmark in the Debian package's README, saves the model, reloads it and checks that
# the reloaded model predicts the same. Run: make demo   (or Rscript examples/fashion_mnist.R)
library(tandem.keras)

full_epochs <- 10L
epochs <- as.integer(Sys.getenv("FASHION_MNIST_EPOCHS", full_epochs))   # fewer for a quick check
out_dir <- Sys.getenv("FASHION_MNIST_OUT", ".")   # history.png and the .keras file
set.seed(1)
invisible(keras$utils$set_random_seed(1L))

t0 <- Sys.time()
fm <- dataset_fashion_mnist()
prep <- function(x) {
  x <- x / 255
  dim(x) <- c(dim(x), 1L)          # [n, 28, 28] -> [n, 28, 28, 1], same element order
  x
}
x_train <- prep(fm$train$x); y_train <- fm$train$y
x_test <- prep(fm$test$x); y_test <- fm$test$y
cat(sprintf("Fashion-MNIST: %d training and %d test images of %s (read in %.1f s)\n",
            dim(x_train)[1], dim(x_test)[1], paste(dim(x_train)[2:4], collapse = " x "),
            as.numeric(difftime(Sys.time(), t0, units = "secs"))))

model <- keras_model_sequential(input_shape = c(28, 28, 1), name = "fashion_cnn") |>
  layer_conv_2d(filters = 32, kernel_size = 3, activation = "relu") |>
  layer_max_pooling_2d(pool_size = 2) |>
  layer_conv_2d(filters = 64, kernel_size = 3, activation = "relu") |>
  layer_max_pooling_2d(pool_size = 2) |>
  layer_flatten() |>
  layer_dropout(rate = 0.3) |>
  layer_dense(units = 128, activation = "relu") |>
  layer_dense(units = 10, activation = "softmax")
summary(model)

compile(model, optimizer = optimizer_adam(learning_rate = 1e-3),
        loss = "sparse_categorical_crossentropy", metrics = "accuracy")

# An R6 callback, called from Keras' training loop: records each epoch's metrics.
EpochRecorder <- R6::R6Class("EpochRecorder", inherit = KerasCallback, public = list(
  rows = list(),
  on_epoch_end = function(epoch, logs) {
    self$rows[[epoch]] <- data.frame(epoch = epoch, loss = logs$loss, accuracy = logs$accuracy,
                                     val_accuracy = logs$val_accuracy)
  }
))
recorder <- EpochRecorder$new()
t_fit <- Sys.time()
history <- fit(model, x_train, y_train, epochs = epochs, batch_size = 64,
               validation_split = 0.1, verbose = 2, callbacks = list(recorder))
cat("\nPer-epoch metrics recorded by the R6 callback:\n")
print(do.call(rbind, recorder$rows), row.names = FALSE, digits = 4)
fit_secs <- as.numeric(difftime(Sys.time(), t_fit, units = "secs"))
print(history)
png_file <- file.path(out_dir, "history.png")
plot(history, filename = png_file)
cat("history plot:", png_file, "\n")

score <- evaluate(model, x_test, y_test, verbose = 0)
readme <- readLines(gzfile("/usr/share/doc/dataset-fashion-mnist/README.md.gz"), warn = FALSE)
bench_line <- grep("^\\|2 Conv\\+pooling \\| None \\| 0\\.916", readme, value = TRUE)
bench <- if (length(bench_line)) as.numeric(trimws(strsplit(bench_line[1], "|", fixed = TRUE)[[1]][4])) else 0.916
cat("\nTest set (10,000 images)\n")
cat(sprintf("  %-44s %s\n", "model", "accuracy"))
cat(sprintf("  %-44s %.3f\n", "tandem.keras, 2 Conv+pooling (this run)", score[["accuracy"]]))
cat(sprintf("  %-44s %.3f\n", "README benchmark: 2 Conv+pooling (TensorFlow)", bench))
cat(sprintf("  training: %d epochs in %.1f s (%.1f s/epoch)\n", epochs, fit_secs, fit_secs / epochs))

model_file <- file.path(out_dir, "fashion_mnist.keras")
invisible(model$save(model_file))
reloaded <- keras$models$load_model(model_file)
p1 <- predict(model, x_test[1:500, , , , drop = FALSE])
p2 <- predict(reloaded, x_test[1:500, , , , drop = FALSE])
same <- isTRUE(all.equal(p1, p2, tolerance = 1e-6))
cat(sprintf("saved %s; reloaded model predicts the same: %s (max |diff| %.2g)\n",
            model_file, same, max(abs(p1 - p2))))
if (!same) stop("the reloaded model's predictions differ")
# The accuracy target is for the full job; a shortened run (FASHION_MNIST_EPOCHS) only
# reports its accuracy.
if (epochs >= full_epochs && score[["accuracy"]] < 0.90) {
  stop(sprintf("test accuracy %.3f is below 0.90", score[["accuracy"]]))
}
if (epochs < full_epochs) {
  cat(sprintf("(%d of %d epochs: the 0.90 accuracy target applies to the full run)\n",
              epochs, full_epochs))
}
cat(sprintf("total wall time: %.1f s\n", as.numeric(difftime(Sys.time(), t0, units = "secs"))))
