# Generated wrappers: R arguments reach Keras coerced the R way (checked in get_config()).

config <- function(x) x$get_config()

test_that("layer wrappers round-trip their arguments into get_config()", {
  d <- layer_dense(units = 32, activation = "relu", use_bias = FALSE, name = "d1")
  cfg <- config(d)
  expect_identical(cfg$units, 32L)
  expect_identical(cfg$activation, "relu")
  expect_false(cfg$use_bias)
  expect_identical(cfg$name, "d1")

  c2 <- layer_conv_2d(filters = 8, kernel_size = 3, strides = c(2, 1), padding = "same")
  cfg <- config(c2)
  expect_identical(cfg$filters, 8L)
  expect_identical(unlist(cfg$kernel_size), c(3L, 3L))
  expect_identical(unlist(cfg$strides), c(2L, 1L))
  expect_identical(cfg$padding, "same")

  expect_identical(unlist(config(layer_max_pooling_2d(pool_size = c(2, 3)))$pool_size), c(2L, 3L))
  expect_identical(config(layer_dropout(rate = 0.25, seed = 7))$rate, 0.25)
  e <- config(layer_embedding(input_dim = 100, output_dim = 4))
  expect_identical(c(e$input_dim, e$output_dim), c(100L, 4L))
  expect_identical(config(layer_lstm(units = 5, return_sequences = TRUE))$units, 5L)
})

test_that("axis is 1-based, negative axes count from the end", {
  expect_identical(config(layer_batch_normalization(axis = 2))$axis, 1L)
  expect_identical(config(layer_batch_normalization(axis = -1))$axis, -1L)
  expect_identical(config(layer_concatenate(axis = 3))$axis, 2L)
  expect_error(layer_concatenate(axis = 0), "`axis` must be 1-based")
})

test_that("shapes take NA for unknown extents", {
  expect_identical(unlist(config(layer_reshape(target_shape = c(NA, 4)))$target_shape), c(-1L, 4L))
  x <- keras_input(shape = c(NA, 3))
  expect_identical(x$shape, list(NULL, NULL, 3L))
  expect_identical(layer_input(shape = 5, batch_size = 2)$shape, list(2L, 5L))
})

test_that("bad arguments are clear errors", {
  expect_error(layer_dense(units = 1.5), "`units` must be a whole number, not `1.5`.", fixed = TRUE)
  expect_error(layer_conv_2d(filters = "a", kernel_size = 3),
               "`filters` must be a whole number, not the string \"a\".", fixed = TRUE)
  expect_error(layer_dense(units = 2, input_shape = 1.5), "`input_shape` must be a whole number")
})

test_that("the first argument composes", {
  l <- layer_dense(units = 2)
  expect_true(inherits(l, "keras.src.layers.core.dense.Dense"))

  model <- keras_model_sequential(input_shape = 3)
  out <- model |> layer_dense(units = 4) |> layer_dense(units = 1)
  expect_identical(tandem::py_id(out), tandem::py_id(model))   # modified in place
  expect_identical(length(model$layers), 2L)
  # Pipe stages run in order, so Keras numbers the layers in order.
  num <- function(l) { m <- regmatches(l$name, regexpr("[0-9]+$", l$name)); if (length(m)) as.integer(m) else 0L }
  expect_lt(num(model$layers[[1]]), num(model$layers[[2]]))

  y <- layer_dense(matrix(1, 2, 3), units = 4, kernel_initializer = "ones", use_bias = FALSE)
  expect_true(inherits(y, "tensorflow.python.framework.tensor.Tensor"))
  expect_identical(as.array(y), matrix(3, 2, 4))

  inputs <- keras_input(shape = 3)
  sym <- inputs |> layer_dense(units = 6)
  expect_identical(sym$shape, list(NULL, 6L))
})

test_that("every public class of keras.layers has a wrapper", {
  layers <- tandem::import("keras.layers", convert = TRUE)
  b <- tandem::import_builtins()
  classes <- Filter(function(n) {
    o <- tandem::py_get_attr(layers, n)
    b$isinstance(o, b$type) && !startsWith(n, "_")
  }, names(layers))
  ns <- getNamespaceExports("tandem.keras")
  wrappers <- ns[startsWith(ns, "layer_")]
  expect_gt(length(wrappers), 130)
  expect_true(all(c("layer_dense", "layer_conv_2d", "layer_max_pooling_2d", "layer_flatten",
                    "layer_string_lookup", "layer_text_vectorization", "layer_normalization",
                    "layer_random_flip", "layer_activation_leaky_relu") %in% wrappers))
  expect_gt(length(classes), 130)
})

test_that("optimizer, loss, metric and callback wrappers round-trip", {
  expect_equal(config(optimizer_adam(learning_rate = 0.01))$learning_rate, 0.01, tolerance = 1e-6)
  expect_identical(config(optimizer_sgd(momentum = 0.9, nesterov = TRUE))$nesterov, TRUE)
  expect_true(config(loss_sparse_categorical_crossentropy(from_logits = TRUE))$from_logits)
  expect_identical(config(metric_top_k_categorical_accuracy(k = 3))$k, 3L)
  es <- callback_early_stopping(patience = 2, monitor = "val_loss")
  expect_identical(es$patience, 2L)
  expect_identical(es$monitor, "val_loss")
})

test_that("keras3's first arguments: inputs of merge layers and attention, layers of a pipeline", {
  q <- keras_input(c(4, 8)); v <- keras_input(c(6, 8))
  out <- layer_multi_head_attention(list(q, v), num_heads = 2, key_dim = 2)
  expect_equal(out$shape, list(NULL, 4L, 8L))
  out2 <- layer_multi_head_attention(inputs = list(q, v), num_heads = 2, key_dim = 2)
  expect_equal(out2$shape, list(NULL, 4L, 8L))
  a <- keras_input(3); b <- keras_input(3)
  expect_equal(layer_add(inputs = list(a, b))$shape, list(NULL, 3L))
  expect_equal(layer_concatenate(a, b)$shape, list(NULL, 6L))
  p <- layer_pipeline(list(layer_rescaling(scale = 2), layer_rescaling(scale = 3)))
  expect_equal(as.array(p(op_ones(c(1, 2)))), matrix(6, 1, 2))
  # A list of pairs is a tuple of tuples (cropping rows and columns differently).
  x <- op_ones(c(1, 8, 10, 1))
  expect_equal(dim(layer_cropping_2d(x, cropping = list(c(2, 2), c(4, 4)))), c(1L, 4L, 2L, 1L))
})
