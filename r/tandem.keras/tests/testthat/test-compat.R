# keras3 behaviours: Keras classes called through `$` with R numbers, merge layers with
# separate inputs, piping into layer instances, shapes, tensor conversions, Keras tensor
# operators, generators and strings as model data.

test_that("Keras classes called through `$` take whole doubles for integer parameters", {
  tf2 <- import("tensorflow")
  d <- tf2$keras$layers$Dense(32, "relu")
  expect_identical(d$units, 32L)
  expect_identical(d$get_config()$activation, "relu")
  conv <- keras$layers$Conv2D(filters = 4, kernel_size = c(3, 3), strides = 2)
  expect_identical(conv$filters, 4L)
  expect_identical(conv$get_config()$kernel_size, list(3L, 3L))
  emb <- keras$layers$Embedding(100, 8)
  expect_identical(c(emb$input_dim, emb$output_dim), c(100L, 8L))
  # float parameters stay floats, and fractional integers are still Keras' error
  expect_equal(keras$layers$Dropout(0.5)$rate, 0.5)
  expect_error(keras$layers$Dense(2.5), "units")
  # the configuration records ints, so the layer round-trips
  expect_identical(keras$layers$Dense$from_config(d$get_config())$units, 32L)
})

test_that("merge layers take inputs as separate arguments or a list", {
  a <- keras_input(shape = 3)
  b <- keras_input(shape = 3)
  c3 <- keras_input(shape = 3)
  for (f in list(layer_add, layer_subtract, layer_multiply, layer_average, layer_maximum,
                 layer_minimum)) {
    expect_identical(dim(f(a, b)), c(NA, 3L))
  }
  m <- keras_model(list(a, b, c3), layer_add(a, b, c3))
  x <- matrix(1, 1, 3)
  expect_equal(as.vector(predict(m, list(x, 2 * x, 3 * x))), c(6, 6, 6))
  expect_identical(dim(layer_add(list(a, b))), c(NA, 3L))
  expect_identical(dim(layer_concatenate(a, b)), c(NA, 6L))
  expect_identical(dim(layer_concatenate(a, b, c3, axis = -1)), c(NA, 9L))
  expect_identical(dim(layer_concatenate(list(a, b), axis = 2)), c(NA, 6L))  # 1-based
  expect_identical(dim(layer_dot(a, b, axes = 2)), c(NA, 1L))
  expect_identical(dim(layer_subtract(inputs = list(a, b))), c(NA, 3L))
  # the layer alone, to be called later
  add <- layer_add()
  expect_true(inherits(add, "keras.src.layers.merging.add.Add"))
  # non-tensor positional values are still an error
  expect_error(layer_add(a, b, 2), "must be named")
})

test_that("a Sequential model piped into a layer instance gets the layer added", {
  model <- keras_model_sequential(input_shape = 4)
  dense <- layer_dense(units = 2)
  out <- model %>% dense()
  expect_identical(out, model)
  expect_length(model$layers, 1L)
  expect_identical(dim(predict(model, matrix(1, 3, 4))), c(3L, 2L))
  # a layer instance still applies to tensors
  expect_identical(dim(dense(as_tensor(matrix(1, 1, 4), "float32"))), c(1L, 2L))
})

test_that("layer_lambda() takes an R function", {
  model <- keras_model_sequential(input_shape = 2) |>
    layer_lambda(function(x) x * 2 + 1)
  expect_equal(predict(model, matrix(c(1, 2), 1)), matrix(c(3, 5), 1), ignore_attr = TRUE)
  sq <- layer_lambda(f = function(x) x^2)
  expect_equal(as.array(sq(as_tensor(c(2, 3)))), array(c(4, 9)), ignore_attr = TRUE)
})

test_that("shape() is keras3's keras_shape", {
  s <- shape(NA, 28, 28)
  expect_s3_class(s, "keras_shape")
  expect_output(print(s), "shape(NA, 28, 28)", fixed = TRUE)
  expect_identical(format(shape()), "shape()")
  expect_identical(length(s), 3L)
  expect_identical(s[[2]], 28L)
  expect_null(s[[1]])
  expect_identical(as.integer(s), c(NA, 28L, 28L))
  expect_identical(as.integer(s[2:3]), c(28L, 28L))
  expect_identical(as.integer(shape(-1, 2)), c(NA, 2L))
  expect_true(shape(NA, 3) == shape(NULL, 3))
  expect_false(shape(2, 3) == shape(3, 2))
  expect_identical(max(shape(2, 7)), 7L)
  # from tensors, Keras tensors, arrays and build()'s input_shape
  expect_identical(as.integer(shape(as_tensor(matrix(1:6, 2)))), c(2L, 3L))
  expect_identical(as.integer(shape(keras_input(shape = c(5, 2)))), c(NA, 5L, 2L))
  expect_identical(as.integer(shape(array(0, c(2, 4)))), c(2L, 4L))
  expect_identical(as.integer(shape(list(NULL, 4L), 8)), c(NA, 4L, 8L))
  # to Python: a tuple, which Keras and TensorFlow take as a shape
  expect_identical(tandem::py_str(r_to_py(s)), "(None, 28, 28)")
  expect_identical(dim(tf$zeros(shape(2, 3))), c(2L, 3L))
  expect_identical(dim(keras_input(shape = shape(4))), c(NA, 4L))
  expect_error(shape(1.5), "whole number")
})

test_that("tensors convert with as.matrix(), as.vector() and the other as.*() functions", {
  t <- as_tensor(matrix(1:6, 2))
  expect_identical(as.matrix(t), matrix(1:6, 2))
  expect_identical(as.vector(t), 1:6)
  expect_identical(as.vector(t, "double"), as.numeric(1:6))
  expect_identical(as.numeric(t), as.numeric(1:6))
  expect_identical(as.integer(as_tensor(c(1.7, 2.2))), c(1L, 2L))
  expect_identical(as.logical(as_tensor(c(0, 2))), c(FALSE, TRUE))
  expect_identical(as.matrix(as_tensor(c(1, 2))), matrix(c(1, 2), 2))
  expect_identical(as.vector(tf$constant(c("a", "bc"))), c("a", "bc"))
  expect_identical(as.matrix(tf$constant(matrix(c("a", "b", "c", "d"), 2))),
                   matrix(c("a", "b", "c", "d"), 2))
})

test_that("operators on Keras tensors give Keras tensors, unary + included", {
  x <- keras_input(shape = 3)
  kt <- "keras.src.backend.common.keras_tensor.KerasTensor"
  expect_identical(+x, x)
  for (y in list(-x, x + 1, 2 * x, x / 2, x^2, x %% 2, x %/% 2, x > 0, x == 1, !(x > 0),
                 (x > 0) & (x < 1), 1 - x)) {
    expect_true(inherits(y, kt))
    expect_identical(dim(y), c(NA, 3L))
  }
  m <- keras_model(x, list(-x, 2 * x + 1, x %/% 2))
  out <- predict(m, matrix(c(1, 2, 3), 1))
  expect_equal(as.vector(out[[1]]), c(-1, -2, -3))
  expect_equal(as.vector(out[[2]]), c(3, 5, 7))
  expect_equal(as.vector(out[[3]]), c(0, 1, 1))
})

test_that("R generator functions feed fit(), evaluate() and predict()", {
  set.seed(3)
  model <- keras_model_sequential(input_shape = 2) |> layer_dense(1)
  compile(model, optimizer = optimizer_sgd(learning_rate = 0.1), loss = "mse")
  calls <- 0L
  gen <- function() {
    calls <<- calls + 1L
    x <- matrix(runif(16), 8)
    list(x, x[, 1] - x[, 2])
  }
  h <- fit(model, gen, steps_per_epoch = 5, epochs = 4, verbose = 0,
           validation_data = gen, validation_steps = 2)
  expect_setequal(names(h$metrics), c("loss", "val_loss"))
  expect_gte(calls, 4L * (5L + 2L))
  loss <- evaluate(model, gen, steps = 3, verbose = 0)
  expect_named(loss, "loss")
  p <- predict(model, function() matrix(runif(6), 3), steps = 2)
  expect_identical(dim(p), c(6L, 1L))
  expect_error(fit(model, gen, batch_size = 8, steps_per_epoch = 1, verbose = 0),
               "`batch_size` must be `NULL`")
})

test_that("fit() on a dataset with batch_size is an error, as in keras3", {
  model <- keras_model_sequential(input_shape = 2) |> layer_dense(1)
  compile(model, loss = "mse")
  ds <- tensor_slices_dataset(list(matrix(runif(8), 4), runif(4))) |> dataset_batch(2)
  expect_error(fit(model, ds, batch_size = 2, verbose = 0), "`batch_size` must be `NULL`")
  expect_error(evaluate(model, ds, batch_size = 2, verbose = 0), "`batch_size` must be `NULL`")
  expect_error(predict(model, ds, batch_size = 2), "`batch_size` must be `NULL`")
  res <- evaluate(model, ds, verbose = 0)
  expect_type(res, "list")   # keras3: a named list
  expect_named(res, "loss")
  expect_s3_class(fit(model, ds, epochs = 1, verbose = 0), "keras_training_history")
})

test_that("character vectors and matrices are model inputs", {
  vectorize <- layer_text_vectorization(output_mode = "int", output_sequence_length = 3)
  adapt(vectorize, c("red green", "green blue", "blue red yellow"))
  make_model <- function() {
    keras_model_sequential() |>
      (\(m) { m$add(keras_input(shape = 1, dtype = "string")); m })() |>
      vectorize() |>
      layer_embedding(10, 2) |>
      layer_flatten() |>
      layer_dense(1)
  }
  m1 <- make_model()
  compile(m1, optimizer = "sgd", loss = "mse")
  x <- c("red green", "blue", "yellow red")
  expect_s3_class(fit(m1, x, c(1, 2, 3), epochs = 2, verbose = 0), "keras_training_history")
  expect_identical(dim(predict(m1, x)), c(3L, 1L))
  expect_named(evaluate(m1, x, c(1, 2, 3), verbose = 0), "loss")
  m2 <- make_model()
  compile(m2, optimizer = "sgd", loss = "mse")
  xm <- matrix(x, ncol = 1)
  fit(m2, xm, c(1, 2, 3), epochs = 1, verbose = 0)
  expect_identical(dim(predict(m2, xm)), c(3L, 1L))
  expect_error(predict(m1, c("a", NA)), "must not contain `NA`")
  # a StringLookup model
  lookup <- layer_string_lookup(vocabulary = c("a", "b", "c"))
  inp <- keras_input(shape = 1, dtype = "string")
  m3 <- keras_model(inp, lookup(inp))
  expect_equal(as.vector(predict(m3, c("b", "z", "c"))), c(2, 0, 3))
})

test_that("get_vocabulary() of an integer lookup layer is keras3's list", {
  il <- layer_integer_lookup(vocabulary = c(12L, 36L, 1138L))
  v <- get_vocabulary(il)
  expect_type(v, "list")
  expect_identical(v[[1]], -1L)
  expect_identical(unlist(v[-1]), c(12, 36, 1138))
  expect_identical(get_vocabulary(il, include_special_tokens = FALSE), list(12, 36, 1138))
})

test_that("predict() on a 1-d input gives one row per sample", {
  model <- keras_model_sequential(input_shape = 1) |> layer_dense(1, kernel_initializer = "ones")
  p <- predict(model, c(1, 2, 3))
  expect_identical(dim(p), c(3L, 1L))
  expect_equal(as.vector(p), c(1, 2, 3))
})

test_that("print(model) goes through R's console, so capture.output() sees it", {
  model <- keras_model_sequential(input_shape = 2, name = "printed") |> layer_dense(1)
  out <- capture.output(print(model))
  expect_true(any(grepl("printed", out)))
  expect_true(any(grepl("Total params: 3", out)))
  out2 <- capture.output(summary(model))
  expect_true(any(grepl("Dense", out2)))
})

test_that("layer wrappers coerce dims to a tuple and salt to an int", {
  p <- layer_permute(dims = c(2, 1))
  expect_identical(p$get_config()$dims, list(2L, 1L))
  h <- layer_hashing(num_bins = 3, salt = 7)
  expect_identical(unlist(h$get_config()$salt), c(7L, 7L))
})

test_that("tensors also have the class tensorflow.tensor", {
  t <- tf$constant(c(1, 2))
  expect_true(inherits(t, "tensorflow.tensor"))
  expect_true(inherits(t, "tensorflow.python.framework.tensor.Tensor"))
  expect_identical(class(t)[[1]], "tensorflow.python.framework.ops.EagerTensor")
  expect_identical(tail(class(t), 2), c("tensorflow.tensor", "python.builtin.object"))
  expect_true(inherits(as_tensor(1:3) * 2L, "tensorflow.tensor"))
  expect_true(inherits(tf$Variable(1), "tensorflow.tensor"))
  # methods still dispatch on the Python classes
  expect_identical(as.vector(t + 1), c(2, 3))
  seen <- NULL
  f <- tf_function(function(x) {
    seen <<- inherits(x, "tensorflow.tensor")
    x * 2
  })
  f(t)
  expect_true(seen)
})

test_that("whole doubles reach Keras as ints beyond layer constructors (calls through `$`)", {
  init <- initializer_ones()
  expect_equal(dim(init(shape = c(2, 3))), c(2L, 3L))
  stft <- initializer_stft("real", "hann", "density", FALSE)
  expect_equal(dim(stft(shape = c(16, 1, 9))), c(16L, 1L, 9L))
  expect_equal(keras$Input(shape = c(28, 28))$shape, list(NULL, 28L, 28L))
  expect_equal(keras$Input(shape = 3)$shape, list(NULL, 3L))
  v <- keras$Variable(initializer = "ones", shape = c(2, 2))
  expect_equal(dim(as.array(v)), c(2L, 2L))
  g1 <- keras$random$SeedGenerator(42)
  g2 <- keras$random$SeedGenerator(42L)
  expect_identical(as.array(random_uniform(3, seed = g1)), as.array(random_uniform(3, seed = g2)))
  m <- keras$Sequential(list(keras$Input(shape = 2), keras$layers$Dense(1)))
  m$compile(loss = "mse", optimizer = "sgd")
  h <- m$fit(matrix(1, 4, 2), matrix(1, 4, 1), epochs = 3, batch_size = 2, verbose = 0)
  expect_length(h$history$loss, 3)
  # Non-whole values are not changed (Keras' own error).
  expect_error(keras$layers$Dense(2.5), "units|int")
})

test_that("R vectors reach a loss object as arrays", {
  mse <- keras$losses$MeanSquaredError()
  expect_equal(as.numeric(mse(c(1, 2, 3), c(1, 2, 5))), 4 / 3, tolerance = 1e-6)
})

test_that("Keras' API functions reached through `$` take whole doubles for integer arguments", {
  y <- keras$utils$to_categorical(c(0, 2, 1), 3)
  expect_equal(dim(y), c(3L, 3L))
  expect_equal(y[2, ], c(0, 0, 1))
  expect_equal(dim(as.array(keras$ops$one_hot(c(0L, 1L), 4))), c(2L, 4L))
  expect_equal(dim(as.array(keras$random$normal(c(2, 3), seed = 1))), c(2L, 3L))
  m <- keras_model_sequential(input_shape = 2) |> layer_dense(1)
  m$compile(loss = "mse", optimizer = "sgd", steps_per_execution = 2)
  expect_identical(m$steps_per_execution, 2L)
})

test_that("Keras' tracked containers convert to R lists, as with keras3", {
  l <- layer_dense(units = 2)
  l$tracked_list <- list(1L, "a")
  l$tracked_dict <- list(a = 1L, b = c(2L, 3L))
  l$tracked_set <- tandem::import_builtins(convert = FALSE)$set(list(5L))
  expect_identical(l$tracked_list, list(1L, "a"))
  expect_identical(l$tracked_dict, list(a = 1L, b = c(2L, 3L)))
  expect_identical(l$tracked_set, 5L)
  raw <- tandem::py_get_attr(l, "tracked_dict")  # they are Keras' own classes in Python
  expect_true(inherits(raw, "keras.src.utils.tracking.TrackedDict"))
})
