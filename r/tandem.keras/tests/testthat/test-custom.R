# Layers, models, metrics and losses defined in R; keras_model_custom(); R-defined RNN cells.

linear_data <- function(n = 200, seed = 7) {
  set.seed(seed)
  x <- matrix(runif(n * 4), ncol = 4)
  list(x = x, y = drop(x %*% c(1, -2, 3, 0.5)))
}

# A dense layer written in R, recording the `training` values Keras passes to call().
make_linear <- function(seen = new.env()) {
  seen$training <- list()
  new_layer_class("Linear",
    initialize = function(units = 32, ...) {
      super$initialize(...)
      self$units <- as.integer(units)
    },
    build = function(input_shape) {
      self$w <- self$add_weight(shape = shape(input_shape[[length(input_shape)]], self$units),
                                initializer = "random_normal", name = "w")
      self$b <- self$add_weight(shape = shape(self$units), initializer = "zeros", name = "b")
    },
    call = function(inputs, training = FALSE) {
      seen$training[[length(seen$training) + 1L]] <- training
      tf$add(tf$matmul(inputs, self$w), self$b)
    },
    get_config = function() {
      config <- super()$get_config()
      config$units <- self$units
      config
    }
  )
}

test_that("new_layer_class() makes a Keras layer whose generator composes", {
  layer_linear <- make_linear()
  expect_s3_class(layer_linear, "tandem_keras_class_generator")
  expect_identical(names(formals(layer_linear)), c("object", "units", "..."))
  expect_output(print(layer_linear), "R-defined Keras layer class `Linear`")
  cls <- r_to_py(layer_linear)
  expect_identical(py_to_r(py_get_attr(cls, "__name__")), "Linear")

  # missing object: the layer
  l <- layer_linear(units = 3)
  expect_true(inherits(l, "keras.src.layers.layer.Layer"))
  expect_true(inherits(l, "R.Linear"))
  expect_identical(l$units, 3L)
  expect_identical(l$get_config()$units, 3L)
  # Keras sees call()'s real signature (and so passes `training`)
  expect_identical(tandem::py_str(import("inspect")$signature(l$call)), "(inputs, training=False)")

  # a tensor (or R array): the layer is called on it
  x <- matrix(as.numeric(1:8), 2)
  y <- layer_linear(x, units = 2)
  expect_true(inherits(y, "tensorflow.python.framework.tensor.Tensor"))
  expect_identical(dim(y), c(2L, 2L))

  # a Sequential model: added in place
  model <- keras_model_sequential(input_shape = 4)
  out <- model %>% layer_linear(units = 2) %>% layer_dense(units = 1)
  expect_identical(tandem::py_id(out), tandem::py_id(model))
  expect_identical(length(model$layers), 2L)
  expect_true(inherits(model$layers[[1]], "R.Linear"))
  expect_identical(length(model$layers[[1]]$trainable_weights), 2L)
  expect_identical(dim(predict(model, matrix(0, 3, 4))), c(3L, 1L))

  # the weights compute what the layer says
  w <- model$layers[[1]]$get_weights()
  xx <- matrix(runif(12), 3)
  expect_equal(as.array(model$layers[[1]](xx)), xx %*% w[[1]] + rep(w[[2]], each = 3),
               tolerance = 1e-5)
})

test_that("weights made in build() train in fit() and call() sees `training`", {
  seen <- new.env()
  layer_linear <- make_linear(seen)
  d <- linear_data()
  model <- keras_model_sequential(input_shape = 4) %>% layer_linear(units = 1)
  compile(model, optimizer = optimizer_adam(learning_rate = 0.1), loss = "mse")
  before <- model$layers[[1]]$get_weights()[[1]]
  h <- fit(model, d$x, d$y, epochs = 10, batch_size = 20, verbose = 0)
  expect_lt(h$metrics$loss[[10]], h$metrics$loss[[1]] / 4)
  expect_false(isTRUE(all.equal(model$layers[[1]]$get_weights()[[1]], before)))
  # fit() traced call() with training = TRUE
  expect_true(any(vapply(seen$training, isTRUE, logical(1))))
  seen$training <- list()
  model(d$x[1:2, ])
  expect_identical(seen$training, list(FALSE))
  model(d$x[1:2, ], training = TRUE)
  expect_identical(seen$training[[2]], TRUE)
})

test_that("call() receives Keras masks when it has a `mask` argument", {
  seen <- new.env()
  MaskedSum <- new_layer_class("MaskedSum",
    call = function(inputs, mask = NULL) {
      seen$mask <- mask
      if (is.null(mask)) return(tf$reduce_sum(inputs, axis = 1L))
      m <- tf$cast(tf$expand_dims(mask, -1L), inputs$dtype)
      tf$reduce_sum(tf$multiply(inputs, m), axis = 1L)
    },
    # a further method through `...`: the sum has no mask (and Keras sees masking support)
    compute_mask = function(inputs, mask = NULL) NULL
  )
  inputs <- keras_input(shape = 4, dtype = "int32")
  outputs <- inputs %>%
    layer_embedding(input_dim = 10, output_dim = 2, mask_zero = TRUE,
                    embeddings_initializer = "ones") %>%
    MaskedSum()
  model <- keras_model(inputs, outputs)
  res <- as.array(model(matrix(c(1L, 2L, 0L, 0L, 3L, 0L, 0L, 0L), 2, byrow = TRUE)))
  expect_equal(res, matrix(c(2, 2, 1, 1), 2, byrow = TRUE))
  expect_false(is.null(seen$mask))
  expect_identical(as.array(seen$mask),
                   matrix(c(TRUE, TRUE, FALSE, FALSE, TRUE, FALSE, FALSE, FALSE), 2, byrow = TRUE))
  expect_true(model$layers[[3]]$supports_masking)
  # without a mask (no masking layer before it) it sums everything
  expect_equal(as.array(MaskedSum()(array(1, c(2, 3, 2)))), matrix(3, 2, 2))
})

test_that("%py_class% and Layer() subclass keras$layers$Layer", {
  Scale(keras$layers$Layer) %py_class% {
    initialize <- function(factor = 2, ...) {
      super$initialize(...)
      self$factor <- factor
    }
    build <- function(input_shape) {
      self$alpha <- self$add_weight(shape = shape(), initializer = "ones", name = "alpha")
    }
    call <- function(inputs) tf$multiply(inputs, self$alpha) * self$factor
    get_config <- function() {
      config <- super()$get_config()
      config$factor <- self$factor
      config
    }
  }
  s <- Scale(factor = 3)
  expect_true(inherits(s, "R.Scale"))
  expect_equal(as.array(s(matrix(c(1, 2, 3, 4), 2))), matrix(c(3, 6, 9, 12), 2))
  expect_identical(s$get_config()$factor, 3)

  model <- keras_model_sequential(input_shape = 1)
  model$add(Scale(factor = 1))
  compile(model, optimizer = optimizer_sgd(learning_rate = 0.05), loss = "mse")
  x <- matrix(seq(-1, 1, length.out = 50))
  fit(model, x, 4 * x, epochs = 20, batch_size = 10, verbose = 0)
  expect_equal(drop(model$layers[[1]]$get_weights()[[1]]), 4, tolerance = 0.05)

  # Layer() is new_layer_class(); `inherit` takes a generator and super() reaches it
  layer_double <- Layer("Double", call = function(inputs) inputs * 2)
  layer_quad <- Layer("Quad", call = function(inputs) super()$call(inputs) * 2,
                      inherit = layer_double)
  q <- layer_quad()
  expect_true(inherits(q, "R.Double"))
  expect_equal(as.numeric(layer_quad(as_tensor(c(1, 2), "float32"))), c(4, 8))
})

test_that("%py_class% takes a generator made by new_layer_class() as the parent", {
  # The documented example: build() uses shape(tail(input_shape, 1), units).
  layer_linear <- new_layer_class("DocLinear",
    initialize = function(units = 32, ...) {
      super$initialize(...)
      self$units <- as.integer(units)
    },
    build = function(input_shape) {
      self$w <- self$add_weight(shape = shape(tail(input_shape, 1), self$units),
                                initializer = "ones", name = "w")
      self$b <- self$add_weight(shape = shape(self$units), initializer = "zeros", name = "b")
    },
    call = function(inputs) tf$matmul(inputs, self$w) + self$b
  )
  LinearPlusOne(layer_linear) %py_class% {
    call <- function(inputs) super()$call(inputs) + 1
  }
  l <- LinearPlusOne(units = 2L)
  expect_true(inherits(l, "R.DocLinear"))
  expect_true(inherits(l, "keras.src.layers.layer.Layer"))
  x <- matrix(c(1, 2, 3, 4, 5, 6), 2)
  out <- l(x)
  expect_identical(dim(l$w), c(3L, 2L))
  expect_equal(as.array(out), x %*% matrix(1, 3, 2) + 1)
  model <- keras_model_sequential(input_shape = 3)
  model$add(LinearPlusOne(units = 1L))
  expect_equal(predict(model, x, verbose = 0), x %*% matrix(1, 3, 1) + 1, tolerance = 1e-6)
})

test_that("new_model_class() and new_metric_class()/new_loss_class() generators", {
  d <- linear_data()
  MyModel <- new_model_class("MyModel",
    initialize = function(hidden = 8, ...) {
      super$initialize(...)
      self$hidden <- as.integer(hidden)
      self$d1 <- layer_dense(units = self$hidden, activation = "relu")
      self$d2 <- layer_dense(units = 1)
    },
    call = function(inputs, training = FALSE) self$d2(self$d1(inputs))
  )
  expect_identical(names(formals(MyModel)), c("hidden", "..."))
  m <- MyModel(hidden = 6, name = "mine")
  expect_true(inherits(m, "keras.src.models.model.Model"))
  expect_identical(m$name, "mine")
  expect_identical(m$hidden, 6L)

  # A metric that counts the samples it saw: its value is the number of samples per epoch.
  SampleCount <- new_metric_class("SampleCount",
    initialize = function(name = "sample_count", ...) {
      super$initialize(name = name, ...)
      self$count <- self$add_variable(shape = shape(), initializer = "zeros", name = "count")
    },
    update_state = function(y_true, y_pred, sample_weight = NULL) {
      self$count$assign_add(tf$cast(tf$size(y_true), "float32"))
    },
    result = function() tf$identity(self$count),
    reset_state = function() self$count$assign(0)
  )
  # A loss: mean squared error written in R.
  MyMSE <- new_loss_class("MyMSE",
    call = function(y_true, y_pred) {
      y_true <- tf$reshape(tf$cast(y_true, y_pred$dtype), tf$shape(y_pred))
      tf$reduce_mean(tf$square(y_pred - y_true), axis = -1L)
    }
  )
  expect_equal(as.numeric(MyMSE()(matrix(c(1, 2, 3, 4), 2), matrix(c(1, 2, 3, 6), 2))), 1)

  compile(m, optimizer = optimizer_adam(learning_rate = 0.02), loss = MyMSE(name = "my_mse"),
          metrics = list(SampleCount(), "mse"))
  h <- fit(m, d$x, d$y, epochs = 6, batch_size = 25, verbose = 0)
  expect_identical(h$metrics$sample_count, rep(200, 6))
  expect_lt(h$metrics$loss[[6]], h$metrics$loss[[1]])
  # the R loss is the mean squared error
  ev <- evaluate(m, d$x, d$y, verbose = 0)
  expect_equal(ev[["loss"]], ev[["mse"]], tolerance = 1e-5)

  sc <- SampleCount()
  sc$update_state(c(1, 0, 1), c(1, 1, 1))
  expect_equal(as.numeric(sc$result()), 3)
  sc$reset_state()
  expect_equal(as.numeric(sc$result()), 0)
})

test_that("bad class definitions are clear errors", {
  expect_error(new_layer_class("not a name"), "`classname` must be a valid Python class name")
  expect_error(new_layer_class("X", call = 1), "`call` must be an R function or `NULL`, not `1`.",
               fixed = TRUE)
  expect_error(new_layer_class("X", NULL, NULL, NULL, NULL, function() 1), "must be named")
  expect_error(new_layer_class("X", initialize = function(object) NULL), "named `object`")
  # checked when the class is defined, without starting Python
  expect_error(new_layer_class("X", inherit = "Layer"), "`inherit` must be a Python class")
})

test_that("keras_model_custom() builds models as in the eager-execution post", {
  seen <- new.env()
  model <- keras_model_custom(name = "mymodel", function(self) {
    self$dense1 <- layer_dense(units = 16, activation = "relu")
    self$dropout <- layer_dropout(rate = 0.5)
    self$dense2 <- layer_dense(units = 1)
    function(inputs, mask = NULL, training = FALSE) {
      seen$training <- c(seen$training, training)
      inputs %>%
        self$dense1() %>%
        self$dropout(training = training) %>%
        self$dense2()
    }
  })
  expect_true(inherits(model, "keras.src.models.model.Model"))
  expect_identical(model$name, "mymodel")
  x <- matrix(runif(6), 2)
  expect_identical(dim(model(x)), c(2L, 1L))
  expect_identical(length(model$layers), 3L)
  expect_identical(length(model$trainable_weights), 4L)
  # inference is deterministic (dropout off); training = TRUE reaches the function
  expect_equal(as.array(model(x)), as.array(model(x)))
  expect_gte(length(seen$training), 3L)
  expect_false(any(seen$training))
  big <- matrix(1, 1, 3)
  outs <- replicate(20, as.array(model(big, training = TRUE)))
  expect_gt(length(unique(round(outs, 6))), 1)
  expect_true(isTRUE(seen$training[[length(seen$training)]]))

  # without mask/training arguments it is called with the inputs only
  m2 <- keras_model_custom(function(self) {
    self$d <- layer_dense(units = 2, kernel_initializer = "ones", use_bias = FALSE)
    function(x) self$d(x)
  })
  expect_equal(as.array(m2(matrix(1, 1, 3), training = TRUE)), matrix(3, 1, 2))

  expect_error(keras_model_custom(1), "`model_fn` must be a function of `self`")
  expect_error(keras_model_custom(function(self) 1), "must return the model's call function")
})

test_that("keras_model_custom() models train with fit() and with a GradientTape loop", {
  d <- linear_data()
  model <- keras_model_custom(function(self) {
    self$dense1 <- layer_dense(units = 16, activation = "relu")
    self$dense2 <- layer_dense(units = 1)
    function(x, mask = NULL) self$dense2(self$dense1(x))
  })
  xt <- as_tensor(d$x, "float32")
  yt <- as_tensor(matrix(d$y), "float32")
  optimizer <- optimizer_adam(learning_rate = 0.02)
  losses <- numeric()
  for (i in 1:40) {
    with(tf$GradientTape() %as% tape, {
      preds <- model(xt)
      loss <- tf$reduce_mean(tf$square(yt - preds))
    })
    gradients <- tape$gradient(loss, model$trainable_variables)
    optimizer$apply_gradients(purrr::transpose(list(gradients, model$trainable_variables)))
    losses[[i]] <- as.numeric(loss)
  }
  expect_lt(losses[[40]], losses[[1]] / 5)

  compile(model, optimizer = optimizer_adam(learning_rate = 0.01), loss = "mse")
  before <- evaluate(model, d$x, d$y, verbose = 0)[["loss"]]
  fit(model, d$x, d$y, epochs = 5, verbose = 0)
  expect_lt(evaluate(model, d$x, d$y, verbose = 0)[["loss"]], before)
})

# A minimal RNN cell in R: h_t = tanh(x_t W + h_{t-1} U).
make_rnn_cell <- function() {
  new_layer_class("MinimalRNNCell",
    initialize = function(units, ...) {
      super$initialize(...)
      self$units <- as.integer(units)
      self$state_size <- as.integer(units)
    },
    build = function(input_shape) {
      self$kernel <- self$add_weight(shape = shape(input_shape[[length(input_shape)]], self$units),
                                     initializer = "glorot_uniform", name = "kernel")
      self$recurrent_kernel <- self$add_weight(shape = shape(self$units, self$units),
                                               initializer = "orthogonal", name = "recurrent_kernel")
    },
    call = function(inputs, states) {
      prev_output <- states[[1]]
      output <- tf$tanh(tf$matmul(inputs, self$kernel) + tf$matmul(prev_output, self$recurrent_kernel))
      list(output, list(output))
    },
    get_config = function() {
      config <- super()$get_config()
      config$units <- self$units
      config
    }
  )
}

test_that("layer_rnn() runs an RNN cell defined in R and trains it in fit()", {
  MinimalRNNCell <- make_rnn_cell()
  set.seed(11)
  x <- array(runif(96 * 5 * 3), c(96, 5, 3))
  y <- apply(x, 1, function(s) mean(s[, 1]) - mean(s[, 2]))
  cell <- MinimalRNNCell(units = 8)
  rnn <- layer_rnn(cell = cell)
  expect_true(inherits(rnn, "keras.src.layers.rnn.rnn.RNN"))
  out <- rnn(as_tensor(x[1:4, , ], "float32"))
  expect_identical(dim(out), c(4L, 8L))
  expect_true(all(abs(as.array(out)) <= 1))
  seq_out <- layer_rnn(as_tensor(x[1:4, , ], "float32"), cell = MinimalRNNCell(units = 6),
                       return_sequences = TRUE)
  expect_identical(dim(seq_out), c(4L, 5L, 6L))

  model <- keras_model_sequential(input_shape = c(5, 3)) %>%
    layer_rnn(cell = MinimalRNNCell(units = 8)) %>%
    layer_dense(units = 1)
  expect_identical(length(model$trainable_weights), 4L)
  compile(model, optimizer = optimizer_adam(learning_rate = 0.02), loss = "mse")
  h <- fit(model, x, y, epochs = 10, batch_size = 16, verbose = 0)
  expect_lt(h$metrics$loss[[10]], h$metrics$loss[[1]] / 2)
})

test_that("R6 classes inheriting Keras classes become Keras subclasses via r_to_py()", {
  Scale <- R6::R6Class("Scale", inherit = keras$layers$Layer,
    public = list(
      initialize = function(factor, ...) {
        super$initialize(...)
        private$factor <- factor
      },
      call = function(x) x * private$factor
    ),
    private = list(factor = NULL)
  )
  ScalePy <- r_to_py(Scale, convert = TRUE)
  expect_true(py_to_r(tandem::import_builtins()$issubclass(ScalePy, keras$layers$Layer)))
  layer <- ScalePy(3, name = "times3")
  expect_identical(layer$name, "times3")
  model <- keras_model_sequential(input_shape = 2) |> layer()
  expect_equal(predict(model, matrix(c(1, 2), 1)), matrix(c(3, 6), 1), ignore_attr = TRUE)
  expect_identical(ScalePy(10)(as_tensor(c(1, 2), "float32")) |> as.vector(), c(10, 20))

  Recorder <- R6::R6Class("Recorder", inherit = keras$callbacks$Callback,
    public = list(
      initialize = function() {
        super$initialize()
        private$losses <- numeric()
      },
      on_epoch_end = function(epoch, logs = NULL) {
        private$losses <- c(private$losses, logs$loss)
      },
      get_losses = function() private$losses
    ),
    private = list(losses = NULL)
  )
  rec <- r_to_py(Recorder, convert = TRUE)()
  expect_true(inherits(rec, "keras.src.callbacks.callback.Callback"))
  m <- keras_model_sequential(input_shape = 2) |> layer_dense(1)
  compile(m, loss = "mse")
  fit(m, matrix(runif(20), 10), runif(10), epochs = 3, verbose = 0, callbacks = list(rec))
  expect_length(rec$get_losses(), 3L)
  expect_true(all(rec$get_losses() > 0))
})

test_that("new_layer_class() has `private` and makes its class only at the first instance", {
  calls <- 0L
  layer_offset <- new_layer_class("Offset",
    initialize = function(offset = 1, ...) {
      super$initialize(...)
      private$offset <- offset
    },
    call = function(x) x + private$shift(),
    private = list(shift = function() {
      calls <<- calls + 1L
      private$offset
    })
  )
  a <- layer_offset(offset = 2)
  b <- layer_offset(offset = 5)
  expect_equal(as.vector(a(as_tensor(c(1, 2), "float32"))), c(3, 4))
  expect_equal(as.vector(b(as_tensor(c(1, 2), "float32"))), c(6, 7))
  expect_identical(calls, 2L)
  expect_error(new_layer_class("Bad", private = list(1)), "`private` must be a named list")
})

test_that("defining classes does not start Python", {
  script <- tempfile(fileext = ".R")
  writeLines(c(
    "library(tandem.keras)",
    "g <- new_layer_class('Lazy', call = function(x) x)",
    "m <- new_model_class('LazyModel', call = function(x) x)",
    "l <- Layer('LazyToo', call = function(x) x)",
    "cat(tandem::py_available(), '\\n')",
    "x <- g()",
    "cat(tandem::py_available(), inherits(x, 'keras.src.layers.layer.Layer'), '\\n')"
  ), script)
  out <- system2(file.path(R.home("bin"), "Rscript"), script, stdout = TRUE, stderr = FALSE)
  expect_identical(trimws(out), c("FALSE", "TRUE TRUE"))
})
