# Seed post: "More flexible models with TensorFlow eager execution and Keras"
# (RStudio AI blog, 2018-10-02). Each snippet runs as written except for names that
# TensorFlow 2 / Keras 3 removed, marked `# post:` with the original:
#   tf$train$AdamOptimizer()                 -> optimizer_adam()
#   tf$train$get_or_create_global_step()     -> (dropped: apply_gradients() has no global_step)
#   tf$losses$mean_squared_error()           -> tf$losses$mse()
#   k_constant(), k_reshape(), k_ones_like() -> tf$constant(), tf$reshape(), tf$ones_like()
# The post's fragments (`# ...`) are completed with small models from the posts it links
# (eager guide, embeddings recommender, DCGAN, pix2pix) on small synthetic data.

test_that("eager execution: tf$matmul() on R matrices returns values", {
  m1 <- matrix(1:8, nrow = 2, ncol = 4)
  m2 <- matrix(1:8, nrow = 4, ncol = 2)
  res <- tf$matmul(m1, m2)
  expect_identical(as.array(res), matrix(c(50L, 60L, 114L, 140L), 2))
  expect_identical(format(res), "tf.Tensor(\n[[ 50 114]\n [ 60 140]], shape=(2, 2), dtype=int32)")
  expect_equal(as.array(res), m1 %*% m2)
})

# The eager guide's model, which the post's training loop trains.
iris_regression_model <- function(name = NULL) {
  keras_model_custom(name = name, function(self) {
    self$dense1 <- layer_dense(units = 32)
    self$dropout <- layer_dropout(rate = 0.5)
    self$dense2 <- layer_dense(units = 1)
    function(x, mask = NULL) {
      x %>%
        self$dense1() %>%
        self$dropout() %>%
        self$dense2()
    }
  })
}

test_that("eager execution: the GradientTape training loop trains a custom model", {
  x_train <- iris[1:120, c("Petal.Length", "Sepal.Length", "Petal.Width")] %>% as.matrix()
  y_train <- iris[1:120, c("Sepal.Width")] %>% as.matrix()
  x_train <- tf$constant(x_train, dtype = "float32")  # post: k_constant(x_train)
  y_train <- tf$constant(y_train, dtype = "float32")
  train_dataset <- tensor_slices_dataset(list(x_train, y_train)) %>%
    dataset_batch(10)

  model <- iris_regression_model()
  expect_identical(dim(model(tf$constant(matrix(1:6, nrow = 2, ncol = 3), dtype = "float32"))),
                   c(2L, 1L))
  mse_loss <- function(y_true, y_pred, x) {
    mse <- tf$reduce_mean(tf$losses$mse(y_true, y_pred))  # post: tf$losses$mean_squared_error
    mse
  }
  optimizer <- optimizer_adam()  # post: tf$train$AdamOptimizer()

  epoch_loss <- numeric()
  for (i in seq_len(6)) {
    iter <- as_iterator(train_dataset)  # post: make_iterator_one_shot() + until_out_of_range()
    total_loss <- 0
    while (!is.null(batch <- iter_next(iter))) {
      x <- batch[[1]]
      y <- batch[[2]]

      # --- the post's snippet ---
      with(tf$GradientTape() %as% tape, {

        # run model on current batch
        preds <- model(x)

        # compute the loss
        loss <- mse_loss(y, preds, x)

      })

      # get gradients of loss w.r.t. model weights
      gradients <- tape$gradient(loss, model$variables)

      # update model weights
      optimizer$apply_gradients(
        purrr::transpose(list(gradients, model$variables))
        # post: global_step = tf$train$get_or_create_global_step()
      )
      # --- end of snippet ---
      total_loss <- total_loss + loss
    }
    epoch_loss[[i]] <- as.numeric(total_loss)
  }
  expect_lt(epoch_loss[[6]], epoch_loss[[1]] / 2)
  # "add a line after the call to tape$gradient to print the gradients ... as a list":
  # the last step's gradients, one per variable (none for dropout's seed state)
  expect_output(print(gradients), "tf.Tensor", fixed = TRUE)
  expect_length(gradients, length(model$variables))
  grads <- Filter(Negate(is.null), gradients)
  expect_identical(lapply(grads, dim),
                   lapply(model$trainable_variables, function(v) unlist(v$shape$as_list())))
})

test_that("eager execution: logging shapes inside a custom model's call function", {
  simple_dot <- function(embedding_dim, n_users, n_movies, name = "simple_dot") {
    keras_model_custom(name = name, function(self) {
      self$user_embedding <- layer_embedding(input_dim = n_users + 1, output_dim = embedding_dim,
                                             name = "user_embedding")
      self$movie_embedding <- layer_embedding(input_dim = n_movies + 1, output_dim = embedding_dim,
                                              name = "movie_embedding")
      self$dot <- layer_dot(axes = 2)  # the post used layer_lambda(k_batch_dot(axes = 2))

      # --- the post's snippet ---
      function(x, mask = NULL) {

        users <- x[, 1]
        movies <- x[, 2]

        user_embedding <- self$user_embedding(users)
        cat(dim(user_embedding), "\n")

        movie_embedding <- self$movie_embedding(movies)
        cat(dim(movie_embedding), "\n")

        dot <- self$dot(list(user_embedding, movie_embedding))
        cat(dim(dot), "\n")
        dot
      }
      # --- end of snippet ---
    })
  }
  model <- simple_dot(embedding_dim = 4, n_users = 10, n_movies = 20)
  x <- as_tensor(cbind(1:5, 11:15), "int32")
  expect_output(out <- model(x), "5 4 \n5 4 \n5 1 ", fixed = TRUE)
  u <- model$user_embedding$get_weights()[[1]]
  m <- model$movie_embedding$get_weights()[[1]]
  expect_equal(as.array(out)[, 1], rowSums(u[2:6, ] * m[12:16, ]), tolerance = 1e-6)
})

# DCGAN-style actors (the post's generator()/discriminator() with keras_model_custom()).
generator <- function(name = NULL) {
  keras_model_custom(name = name, function(self) {
    self$fc1 <- layer_dense(units = 7 * 7 * 8, use_bias = FALSE)
    self$batchnorm1 <- layer_batch_normalization()
    self$leaky_relu1 <- layer_activation_leaky_relu()
    self$conv1 <- layer_conv_2d_transpose(filters = 4, kernel_size = c(5, 5), strides = c(2, 2),
                                          padding = "same", use_bias = FALSE)
    self$conv2 <- layer_conv_2d_transpose(filters = 1, kernel_size = c(5, 5), strides = c(2, 2),
                                          padding = "same", use_bias = FALSE, activation = "tanh")
    function(inputs, mask = NULL, training = TRUE) {
      self$fc1(inputs) %>%
        self$batchnorm1(training = training) %>%
        self$leaky_relu1() %>%
        tf$reshape(shape = c(-1L, 7L, 7L, 8L)) %>%  # post: k_reshape(shape = c(-1, 7, 7, 64))
        self$conv1() %>%
        self$conv2()
    }
  })
}

discriminator <- function(name = NULL) {
  keras_model_custom(name = name, function(self) {
    self$conv1 <- layer_conv_2d(filters = 8, kernel_size = c(5, 5), strides = c(2, 2),
                                padding = "same")
    self$leaky_relu1 <- layer_activation_leaky_relu()
    self$dropout <- layer_dropout(rate = 0.3)
    self$flatten <- layer_flatten()
    self$fc1 <- layer_dense(units = 1)
    function(inputs, mask = NULL, training = TRUE) {
      inputs %>% self$conv1() %>%
        self$leaky_relu1() %>%
        self$dropout(training = training) %>%
        self$flatten() %>%
        self$fc1()
    }
  })
}

test_that("eager execution: two custom models train in sync under nested GradientTapes", {
  generator <- generator()
  discriminator <- discriminator()
  bce <- loss_binary_crossentropy(from_logits = TRUE)
  generator_loss <- function(generated_output) bce(tf$ones_like(generated_output), generated_output)
  discriminator_loss <- function(real_output, generated_output) {
    bce(tf$ones_like(real_output), real_output) + bce(tf$zeros_like(generated_output), generated_output)
  }
  generator_optimizer <- optimizer_adam(1e-3)      # post: tf$train$AdamOptimizer(1e-4)
  discriminator_optimizer <- optimizer_adam(1e-3)
  batch_size <- 8L
  noise_dim <- 16L
  set.seed(4)
  real <- array(0, c(batch_size, 28, 28, 1))
  real[, 12:16, , 1] <- 1  # a horizontal bar
  batch <- tf$constant(real * 2 - 1, dtype = "float32")

  g_before <- generator(tf$random$normal(c(2L, 16L)), training = FALSE)
  expect_identical(dim(g_before), c(2L, 28L, 28L, 1L))
  d_losses <- numeric()
  for (step in 1:6) {
    noise <- tf$random$normal(c(batch_size, noise_dim))  # post: k_random_normal()
    # --- the post's snippet ---
    with(tf$GradientTape() %as% gen_tape, { with(tf$GradientTape() %as% disc_tape, {

      # generator action
      generated_images <- generator(noise)

      # discriminator assessments
      disc_real_output <- discriminator(batch, training = TRUE)
      disc_generated_output <- discriminator(generated_images, training = TRUE)

      # generator loss
      gen_loss <- generator_loss(disc_generated_output)
      # discriminator loss
      disc_loss <- discriminator_loss(disc_real_output, disc_generated_output)

    })})

    # calcucate generator gradients
    gradients_of_generator <- gen_tape$gradient(gen_loss, generator$trainable_variables)

    # calcucate discriminator gradients
    gradients_of_discriminator <- disc_tape$gradient(disc_loss, discriminator$trainable_variables)

    # apply generator gradients to model weights
    generator_optimizer$apply_gradients(purrr::transpose(
      list(gradients_of_generator, generator$trainable_variables)))

    # apply discriminator gradients to model weights
    discriminator_optimizer$apply_gradients(purrr::transpose(
      list(gradients_of_discriminator, discriminator$trainable_variables)))
    # --- end of snippet ---
    d_losses[[step]] <- as.numeric(disc_loss)
  }
  expect_identical(dim(generated_images), c(8L, 28L, 28L, 1L))
  expect_false(any(vapply(gradients_of_generator, is.null, logical(1))))
  expect_identical(length(gradients_of_discriminator), length(discriminator$trainable_variables))
  expect_true(all(is.finite(d_losses)))
  expect_lt(d_losses[[6]], d_losses[[1]])  # the discriminator learns to tell the bar
  expect_identical(as.integer(generator_optimizer$iterations$numpy()), 6L)
  expect_false(isTRUE(all.equal(as.array(generator(tf$random$normal(c(2L, 16L)), training = FALSE)),
                                as.array(g_before))))
})

test_that("eager execution: models composed from models, passing `training` down", {
  downsample <- function(filters, size, apply_batchnorm = TRUE) {
    keras_model_custom(name = NULL, function(self) {
      self$apply_batchnorm <- apply_batchnorm
      self$conv1 <- layer_conv_2d(filters = filters, kernel_size = size, strides = 2,
                                  padding = "same", use_bias = FALSE)
      if (apply_batchnorm) self$batchnorm <- layer_batch_normalization()
      function(x, mask = NULL, training = TRUE) {
        x <- self$conv1(x)
        if (self$apply_batchnorm) x <- self$batchnorm(x, training = training)
        tf$nn$leaky_relu(x)
      }
    })
  }
  gen <- keras_model_custom(function(self) {
    # model fields
    self$down1 <- downsample(4, 3, apply_batchnorm = FALSE)
    self$down2 <- downsample(8, 3)

    # call method
    function(x, mask = NULL, training = TRUE) {

      x1 <- x %>% self$down1(training = training)
      x2 <- self$down2(x1, training = training)
      x2
    }
  })
  x <- tf$random$normal(c(2L, 16L, 16L, 3L))
  out <- gen(x, training = FALSE)
  expect_identical(dim(out), c(2L, 4L, 4L, 8L))
  bn <- gen$down2$batchnorm
  mean_of <- function() bn$moving_mean$numpy()
  before <- mean_of()
  gen(x, training = FALSE)
  expect_identical(mean_of(), before)       # inference: moving statistics unchanged
  gen(x, training = TRUE)
  expect_false(identical(mean_of(), before)) # training reached the nested batch norm
  gen(x)                                     # the call function's default is TRUE
  expect_identical(length(gen$trainable_weights), 4L)
})
