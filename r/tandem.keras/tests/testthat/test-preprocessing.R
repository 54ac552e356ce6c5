# Preprocessing layers: adapt(), vocabularies, the layer_* wrappers on R data, and the R
# snippets of the post "Pre-processing layers in keras: What they are and how to use them"
# (AI blog, 2021-12-09), run as written except for names Keras 3 removed (noted inline).

test_that("post: a string lookup adapted to colors has Keras' vocabulary order", {
  colors <- c("cyan", "turquoise", "celeste");

  layer <- layer_string_lookup()
  layer %>% adapt(colors)

  # Keras orders by frequency, ties in reverse order of appearance (as the post shows).
  expect_identical(layer$get_vocabulary(), c("[UNK]", "turquoise", "cyan", "celeste"))
  expect_identical(get_vocabulary(layer), c("[UNK]", "turquoise", "cyan", "celeste"))
  expect_identical(get_vocabulary(layer, include_special_tokens = FALSE),
                   c("turquoise", "cyan", "celeste"))

  out <- layer(c("azure", "cyan"))
  expect_match(format(out), "tf.Tensor([0 2], shape=(2), dtype=int64)", fixed = TRUE)
  expect_identical(as.integer(out), c(0L, 2L))
})

test_that("post: a random rotation layer is called like a function", {
  aug_layer <- layer_random_rotation(factor = 0.125)
  # k_eye() and k_reshape() are gone from Keras 3's R API: tf$eye() and tf$reshape().
  img <- tf$eye(5L) %>% tf$reshape(c(5L, 5L, 1L))
  expect_identical(as.array(img[, , 1]), diag(5) * 1)
  rotated <- aug_layer(img, training = TRUE)[, , 1]
  expect_identical(dim(rotated), c(5L, 5L))
  # Rotation about the centre keeps the centre pixel and the point symmetry of eye(5).
  r <- as.array(rotated)
  expect_equal(r[3, 3], 1, tolerance = 1e-6)
  expect_equal(r, r[5:1, 5:1], tolerance = 1e-5)
  # Keras 3's random layers default to `training = TRUE` when called; FALSE is the identity.
  expect_identical(as.array(aug_layer(img, training = FALSE)[, , 1]), diag(5) * 1)
})

test_that("post, example 1: augmentation layers inside a model train on a dataset", {
  # The post uses CIFAR-10 (a download) and an untrained ResNet-50; Keras 3 has no
  # dataset download here, so the same pipeline runs on small random images and a small CNN.
  set.seed(1)
  x_train <- array(runif(800 * 8 * 8 * 3, 0, 255), c(800, 8, 8, 3))
  y_train <- sample(0:9, 800, replace = TRUE)
  input_shape <- dim(x_train)[-1] # drop batch dim
  classes <- 10

  train_dataset <- tensor_slices_dataset(list(x_train, y_train)) %>%
    dataset_batch(16)

  resnet <- keras_model_sequential(input_shape = input_shape) %>%
    layer_conv_2d(4, 3, activation = "relu") %>%
    layer_global_average_pooling_2d() %>%
    layer_dense(classes, activation = "softmax")

  data_augmentation <-
    keras_model_sequential() %>%
    layer_random_flip("horizontal") %>%
    layer_random_rotation(0.1) %>%
    layer_random_zoom(0.1)

  input <- layer_input(shape = input_shape)

  output <- input %>%
    layer_rescaling(1 / 255) %>%   # rescale inputs
    data_augmentation() %>%
    resnet()

  out <- capture.output(
    model <- keras_model(input, output) %>%
      compile(optimizer = "rmsprop", loss = "sparse_categorical_crossentropy") %>%
      fit(train_dataset, steps_per_epoch = 5)
  )
  expect_s3_class(model, "keras_training_history")
  expect_identical(model$epochs, 10L)
  expect_true(all(is.finite(model$metrics$loss)))
  expect_identical(length(grep("^Epoch [0-9]+/10 ", out)), 10L)
})

test_that("post, example 2: text vectorization in the pipeline, then an end-to-end model", {
  # Example data
  text <- as_tensor(c(
    "From each according to his ability, to each according to his needs!",
    "Act that you use humanity, whether in your own person or in the person of any other, always at the same time as an end, never merely as a means.",
    "Reason is, and ought only to be the slave of the passions, and can never pretend to any other office than to serve and obey them."
  ))

  # Create and adapt layer
  text_vectorizer <- layer_text_vectorization(output_mode="int")
  text_vectorizer %>% adapt(text)

  # Check
  checked <- as.array(text_vectorizer("To each according to his needs"))
  vocab <- get_vocabulary(text_vectorizer)
  expect_identical(vocab[1:2], c("", "[UNK]"))
  expect_identical(vocab[checked + 1], c("to", "each", "according", "to", "his", "needs"))
  expect_identical(vocab[2:3], c("[UNK]", "to"))   # "to" is the most frequent word

  # Create a simple classification model
  input <- layer_input(shape(NULL), dtype="int64")

  output <- input %>%
    layer_embedding(input_dim = text_vectorizer$vocabulary_size(),
                    output_dim = 16) %>%
    layer_gru(8) %>%
    layer_dense(1, activation = "sigmoid")

  model <- keras_model(input, output)

  # Create a labeled dataset (which includes unknown tokens)
  train_dataset <- tensor_slices_dataset(list(
      c("From each according to his ability", "There is nothing higher than reason."),
      c(1L, 0L)
  ))

  # Preprocess the string inputs
  train_dataset <- train_dataset %>%
    dataset_batch(2) %>%
    dataset_map(~list(text_vectorizer(.x), .y),
                num_parallel_calls = tf$data$AUTOTUNE)

  batch <- iter_next(as_iterator(train_dataset))
  tokens <- as.array(batch[[1]])
  expect_identical(dim(tokens), c(2L, 6L))
  # "There is nothing higher than reason": there, nothing, higher are unknown ([UNK] = 1).
  expect_identical(vocab[tokens[2, ] + 1],
                   c("[UNK]", "is", "[UNK]", "[UNK]", "than", "reason"))
  expect_identical(as.vector(as.array(batch[[2]])), c(1L, 0L))

  # Train the model
  out <- capture.output(
    model %>%
      compile(optimizer = "adam", loss = "binary_crossentropy") %>%
      fit(train_dataset)
  )
  expect_identical(length(grep("^Epoch [0-9]+/10 - ", out)), 10L)

  # export inference model that accepts strings as input
  input <- layer_input(shape = 1, dtype="string")
  output <- input %>%
    text_vectorizer() %>%
    model()

  end_to_end_model <- keras_model(input, output)

  # Test inference model
  test_data <- as_tensor(c(
    "To each according to his needs!",
    "Reason is, and ought only to be the slave of the passions."
  ))
  test_output <- end_to_end_model(test_data)
  probs <- as.array(test_output)
  expect_identical(dim(probs), c(2L, 1L))
  expect_true(all(probs > 0 & probs < 1))
  # The end-to-end model is the vectorizer followed by the trained model.
  direct <- as.array(model(text_vectorizer(test_data)))
  expect_equal(probs, direct, tolerance = 1e-6)
})

test_that("adapt() takes R character vectors, matrices, data frames, tensors and datasets", {
  fruit <- c("apple", "pear", "apple", "fig", "apple", "pear")
  l1 <- layer_string_lookup() |> adapt(fruit)
  expect_identical(get_vocabulary(l1), c("[UNK]", "apple", "pear", "fig"))
  expect_identical(as.integer(l1(c("fig", "kiwi", "apple"))), c(3L, 0L, 1L))
  # A character matrix is a 2-d string tensor; the vocabulary counts every cell.
  l2 <- layer_string_lookup()
  adapt(l2, matrix(fruit, 3))
  expect_identical(get_vocabulary(l2), get_vocabulary(l1))
  expect_identical(dim(l2(matrix(c("fig", "apple"), 1))), c(1L, 2L))
  # A dataset, read in batches; `steps` limits how many.
  l3 <- layer_string_lookup()
  adapt(l3, tensor_slices_dataset(fruit) |> dataset_batch(2), steps = 1)
  expect_identical(get_vocabulary(l3), c("[UNK]", "pear", "apple"))
  l4 <- layer_string_lookup()
  adapt(l4, fruit, batch_size = 4)
  expect_identical(get_vocabulary(l4), get_vocabulary(l1))

  # Numeric: a vector is one feature; matrices and data frames keep their columns.
  n1 <- layer_normalization()
  expect_identical(adapt(n1, c(1, 2, 3, 6)), n1)
  expect_equal(as.numeric(n1$mean), 3)
  expect_equal(as.numeric(n1$variance), 3.5)
  m <- cbind(a = c(1, 2, 3), b = c(10, 20, 60))
  n2 <- layer_normalization()
  adapt(n2, as.data.frame(m))
  expect_equal(as.numeric(n2$mean), c(2, 30))
  z <- as.array(n2(m))
  expect_equal(colMeans(z), c(0, 0), tolerance = 1e-6)
  expect_equal(apply(z, 2, function(v) mean(v^2)), c(1, 1), tolerance = 1e-5)
  n3 <- layer_normalization()
  adapt(n3, as_tensor(m))
  expect_equal(as.numeric(n3$mean), c(2, 30))

  # Integer lookups take whole-number doubles as integers.
  il <- layer_integer_lookup()
  adapt(il, c(7, 3, 3, 9, 3, 7))
  expect_identical(get_vocabulary(il), list(-1L, 3, 7, 9))   # keras3's list
  expect_identical(as.integer(il(c(9L, 3L, 42L))), c(3L, 1L, 0L))

  # Discretization learns quantile boundaries.
  d <- layer_discretization(num_bins = 2)
  adapt(d, c(1, 2, 3, 4, 5, 6, 7, 8))
  expect_identical(as.integer(d(c(1, 8))), c(0L, 1L))

  expect_error(adapt(layer_dense(units = 2), fruit), "must be a preprocessing layer")
  expect_error(adapt(layer_string_lookup()), "`data` is missing")
  expect_error(adapt(layer_string_lookup(), list(1, "a")), "`data` must be a character or numeric")
  expect_error(adapt(layer_string_lookup(), c("a", NA)), "must not contain `NA`")
  expect_error(adapt(layer_string_lookup(), fruit, batch_size = 1.5),
               "`batch_size` must be a whole number, not `1.5`.", fixed = TRUE)
  expect_error(adapt(layer_string_lookup(), fruit, steps = 1), "`steps` needs `data` to be a dataset")
})

test_that("set_vocabulary() and vocabulary arguments take R vectors, even of length one", {
  l <- layer_string_lookup(vocabulary = c("a", "b"))
  expect_identical(get_vocabulary(l), c("[UNK]", "a", "b"))
  one <- layer_string_lookup(vocabulary = "only")   # one token, not a file path
  expect_identical(get_vocabulary(one), c("[UNK]", "only"))
  set_vocabulary(l, c("x", "y", "z"))
  expect_identical(get_vocabulary(l, include_special_tokens = FALSE), c("x", "y", "z"))
  expect_identical(as.integer(l(c("z", "a"))), c(3L, 0L))
  set_vocabulary(l, "w")
  expect_identical(get_vocabulary(l), c("[UNK]", "w"))
  path <- withr::local_tempfile(lines = c("red", "green"))
  set_vocabulary(l, path)
  expect_identical(get_vocabulary(l), c("[UNK]", "red", "green"))

  il <- layer_integer_lookup(vocabulary = c(10, 20))
  expect_identical(as.integer(il(c(20L, 10L, 5L))), c(2L, 1L, 0L))
  tv <- layer_text_vectorization(vocabulary = c("to", "be"))
  expect_identical(get_vocabulary(tv), c("", "[UNK]", "to", "be"))
  expect_identical(as.integer(tv("To be or not to be")), c(2L, 3L, 1L, 1L, 2L, 3L))

  expect_error(set_vocabulary(l, c("a", NA)), "`vocabulary` must be a vector without `NA`")
  expect_error(get_vocabulary(layer_dense(units = 1)), "must be a lookup or text vectorization layer")
})

test_that("numeric and categorical preprocessing wrappers compute what Keras documents", {
  # Discretization: one boundary still is a list for Keras (bins: < 0.5, >= 0.5).
  expect_identical(as.integer(layer_discretization(bin_boundaries = 0.5)(c(0.1, 0.9))), c(0L, 1L))
  d <- layer_discretization(bin_boundaries = c(0, 1))
  expect_identical(as.integer(d(c(-1, 0.5, 2))), c(0L, 1L, 2L))
  expect_equal(py_to_r(d$get_config()$bin_boundaries), c(0, 1))

  # Normalization with given mean and variance, and an R (1-based) axis.
  n <- layer_normalization(mean = 2, variance = 4)
  expect_equal(as.numeric(c(0, 2, 6) |> layer_normalization(mean = 2, variance = 4)), c(-1, 0, 2))
  expect_equal(as.numeric(n(array(c(0, 2, 6)))), c(-1, 0, 2))
  n_axis <- layer_normalization(axis = 2)
  expect_identical(py_to_r(n_axis$get_config()$axis), list(1L))
  adapt(n_axis, matrix(c(1, 3, 10, 30), 2))
  expect_equal(as.numeric(n_axis$mean), c(2, 20))

  # Hashing: values land in [0, num_bins), equal inputs in equal bins.
  h <- as.integer(layer_hashing(num_bins = 3)(c("a", "b", "a")))
  expect_true(all(h >= 0 & h < 3))
  expect_identical(h[[1]], h[[3]])

  # Category encoding.
  oh <- layer_category_encoding(num_tokens = 4, output_mode = "one_hot")(c(3L, 0L))
  expect_identical(as.array(oh), rbind(c(0, 0, 0, 1), c(1, 0, 0, 0)))
  mh <- layer_category_encoding(num_tokens = 3, output_mode = "multi_hot")(matrix(c(0L, 1L, 2L, 2L), 2))
  expect_identical(as.array(mh), rbind(c(1, 0, 1), c(0, 1, 1)))
  cnt <- layer_category_encoding(num_tokens = 3, output_mode = "count")(matrix(c(2L, 2L), 1))
  expect_identical(as.array(cnt), matrix(c(0, 0, 2), 1))

  # String lookup with one-hot output and an inverse lookup back to strings.
  sl <- layer_string_lookup(vocabulary = c("a", "b"), output_mode = "one_hot")
  expect_identical(as.array(sl(c("b", "q"))), rbind(c(0, 0, 1), c(1, 0, 0)))
  inv <- layer_string_lookup(vocabulary = c("a", "b"), invert = TRUE)
  expect_identical(as.character(inv(c(2L, 1L, 0L))), c("b", "a", "[UNK]"))
})

test_that("image preprocessing wrappers keep R's shapes (batch, height, width, channels)", {
  img <- array(as.numeric(seq_len(2 * 4 * 6 * 3)), c(2, 4, 6, 3))
  r <- layer_rescaling(scale = 1 / 2, offset = 1)(img)
  expect_equal(as.array(r), img / 2 + 1)
  rs <- layer_resizing(height = 2, width = 3)(img)
  expect_identical(dim(rs), c(2L, 2L, 3L, 3L))
  cc <- layer_center_crop(height = 2, width = 2)(img)
  expect_identical(dim(cc), c(2L, 2L, 2L, 3L))
  expect_equal(as.array(cc), img[, 2:3, 3:4, , drop = FALSE])

  # Random layers: identity with `training = FALSE`, shape-preserving in training.
  flip <- layer_random_flip(mode = "horizontal", seed = 3)
  expect_identical(as.vector(as.array(flip(img, training = FALSE))), as.vector(img))
  flipped <- as.array(flip(img, training = TRUE))
  expect_identical(dim(flipped), dim(img))
  for (b in 1:2) {
    same <- isTRUE(all.equal(flipped[b, , , ], img[b, , , ]))
    mirrored <- isTRUE(all.equal(flipped[b, , , ], img[b, , 6:1, ]))
    expect_true(same || mirrored)
  }
  crop <- layer_random_crop(height = 3, width = 5, seed = 1)(img, training = TRUE)
  expect_identical(dim(crop), c(2L, 3L, 5L, 3L))
  for (cls in c("random_translation", "random_zoom", "random_contrast", "random_brightness")) {
    layer <- switch(cls,
      random_translation = layer_random_translation(height_factor = 0.2, width_factor = 0.2),
      random_zoom = layer_random_zoom(height_factor = 0.2),
      random_contrast = layer_random_contrast(factor = 0.5),
      random_brightness = layer_random_brightness(factor = 0.2)
    )
    expect_identical(dim(layer(img, training = TRUE)), dim(img), info = cls)
  }
})
