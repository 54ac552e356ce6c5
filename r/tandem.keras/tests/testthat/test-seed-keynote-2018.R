# Seed: the MNIST workflow of the 2018 keynote on TensorFlow and Keras from R (the keras R
# package's multi-layer perceptron on MNIST). It runs as written, except:
#   predict_classes()       -> removed in Keras 2.6 (keras3 has none): max.col(predict())
# MNIST itself comes from Keras' cache (`~/.keras/datasets/mnist.npz`); there is no network
# here, so the test writes a small MNIST-like `mnist.npz` (digits drawn as class-specific
# stripes) into a temporary Keras home first.

write_small_mnist <- function(dir, n_train = 600L, n_test = 100L) {
  np <- import("numpy", convert = FALSE)
  set.seed(42)
  images <- function(labels) {
    x <- array(sample(0:40, length(labels) * 784, replace = TRUE), c(length(labels), 28, 28))
    for (i in seq_along(labels)) {
      rows <- 2 + labels[[i]] * 2 + 0:2
      x[i, rows, 4:24] <- 255L
    }
    np$array(array_reshape(x, c(length(labels), 28, 28)), dtype = "uint8")
  }
  y_train <- rep_len(0:9, n_train)
  y_test <- rep_len(0:9, n_test)
  np$savez(file.path(dir, "mnist.npz"),
           x_train = images(y_train), y_train = np$array(as.integer(y_train), dtype = "uint8"),
           x_test = images(y_test), y_test = np$array(as.integer(y_test), dtype = "uint8"))
}

test_that("keynote 2018: the MNIST multi-layer perceptron with to_categorical()", {
  home <- withr::local_tempdir()
  withr::local_envvar(KERAS_HOME = home)
  dir.create(file.path(home, "datasets"))
  write_small_mnist(file.path(home, "datasets"))

  library(tandem.keras)   # keynote: library(keras)
  mnist <- dataset_mnist()
  x_train <- mnist$train$x
  y_train <- mnist$train$y
  x_test <- mnist$test$x
  y_test <- mnist$test$y

  # reshape
  x_train <- array_reshape(x_train, c(nrow(x_train), 784))
  x_test <- array_reshape(x_test, c(nrow(x_test), 784))
  # rescale
  x_train <- x_train / 255
  x_test <- x_test / 255

  y_train <- to_categorical(y_train, 10)
  y_test <- to_categorical(y_test, 10)
  expect_identical(dim(y_train), c(600L, 10L))
  expect_equal(unname(rowSums(y_train)), rep(1, 600))

  model <- keras_model_sequential()
  model %>%
    layer_dense(units = 256, activation = 'relu', input_shape = c(784)) %>%
    layer_dropout(rate = 0.4) %>%
    layer_dense(units = 128, activation = 'relu') %>%
    layer_dropout(rate = 0.3) %>%
    layer_dense(units = 10, activation = 'softmax')

  expect_output(summary(model), "Total params: 235,146")

  model %>% compile(
    loss = 'categorical_crossentropy',
    optimizer = optimizer_rmsprop(),
    metrics = c('accuracy')
  )

  expect_output(
    history <- model %>% fit(
      x_train, y_train,
      epochs = 30, batch_size = 128,
      validation_split = 0.2
    ),
    "Epoch 30/30"
  )
  expect_s3_class(history, "keras_training_history")
  expect_identical(history$params$epochs, 30L)
  expect_gt(tail(history$metrics$val_accuracy, 1), 0.9)

  pdf(NULL)
  p <- plot(history)
  if (requireNamespace("ggplot2", quietly = TRUE)) expect_s3_class(p, "ggplot")
  dev.off()

  scores <- model %>% evaluate(x_test, y_test, verbose = 0)
  expect_gt(scores[["accuracy"]], 0.9)

  classes <- max.col(model %>% predict(x_test)) - 1   # keynote: model %>% predict_classes(x_test)
  expect_gt(mean(classes == mnist$test$y), 0.9)
})
