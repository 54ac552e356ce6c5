# save_model()/load_model() with `.keras` files, including models with R-defined classes.

layer_affine <- new_layer_class("Affine",
  initialize = function(units = 4, scale = 1, ...) {
    super$initialize(...)
    self$units <- as.integer(units)
    self$scale <- scale
  },
  build = function(input_shape) {
    self$w <- self$add_weight(shape = shape(input_shape[[length(input_shape)]], self$units),
                              initializer = "random_normal", name = "w")
  },
  call = function(inputs) tf$matmul(inputs, self$w) * self$scale,
  get_config = function() {
    config <- super()$get_config()
    config$units <- self$units
    config$scale <- self$scale
    config
  }
)

toy_xy <- function(n = 64) {
  set.seed(5)
  x <- matrix(runif(n * 3), ncol = 3)
  list(x = x, y = drop(x %*% c(2, -1, 0.5)))
}

test_that("models round-trip through .keras files", {
  d <- toy_xy()
  model <- keras_model_sequential(input_shape = 3) %>%
    layer_dense(units = 8, activation = "relu") %>%
    layer_dense(units = 1)
  compile(model, optimizer = "adam", loss = "mse")
  fit(model, d$x, d$y, epochs = 2, verbose = 0)
  f <- withr::local_tempfile(fileext = ".keras")
  expect_identical(tandem::py_id(save_model(model, f)), tandem::py_id(model))
  expect_true(file.exists(f))
  loaded <- load_model(f)
  expect_equal(predict(loaded, d$x), predict(model, d$x))
  expect_identical(loaded$optimizer$`__class__`$`__name__`, "Adam")
  expect_identical(load_model(f, compile = FALSE)$compiled, FALSE)
})

test_that("functional models with R-defined layers reload with custom_objects", {
  d <- toy_xy()
  inputs <- keras_input(shape = 3)
  outputs <- inputs %>% layer_affine(units = 2, scale = 0.5, name = "affine") %>% layer_dense(units = 1)
  model <- keras_model(inputs, outputs)
  compile(model, optimizer = "adam", loss = "mse")
  fit(model, d$x, d$y, epochs = 2, verbose = 0)
  f <- withr::local_tempfile(fileext = ".keras")
  save_model(model, f)

  for (objs in list(list(Affine = layer_affine), list(layer_affine), layer_affine,
                    list(Affine = r_to_py(layer_affine)))) {
    loaded <- load_model(f, custom_objects = objs)
    expect_equal(predict(loaded, d$x), predict(model, d$x))
    layer <- loaded$get_layer("affine")
    expect_true(inherits(layer, "R.Affine"))
    cfg <- layer$get_config()
    # the constructor arguments round-trip
    expect_identical(cfg$units, 2L)
    expect_identical(cfg$scale, 0.5)
    expect_identical(cfg$name, "affine")
    expect_identical(layer$units, 2L)
  }
  # Keras does not know the class without custom_objects
  expect_error(load_model(f), "Affine", class = "python.builtin.Exception")
})

test_that("subclassed models, %py_class% layers and RNN cells from R reload", {
  d <- toy_xy()
  TwoLayer <- new_model_class("TwoLayer",
    initialize = function(hidden = 8, ...) {
      super$initialize(...)
      self$hidden <- as.integer(hidden)
      self$d1 <- layer_dense(units = self$hidden, activation = "relu")
      self$d2 <- layer_dense(units = 1)
    },
    call = function(inputs) self$d2(self$d1(inputs)),
    get_config = function() list(hidden = self$hidden, name = self$name)
  )
  m <- TwoLayer(hidden = 5, name = "two")
  compile(m, optimizer = "adam", loss = "mse")
  fit(m, d$x, d$y, epochs = 1, verbose = 0)
  f <- withr::local_tempfile(fileext = ".keras")
  save_model(m, f)
  m2 <- load_model(f, custom_objects = list(TwoLayer = TwoLayer))
  expect_true(inherits(m2, "R.TwoLayer"))
  expect_identical(m2$hidden, 5L)
  expect_identical(m2$name, "two")
  expect_equal(predict(m2, d$x), predict(m, d$x))

  Shift(keras$layers$Layer) %py_class% {
    initialize <- function(by = 1, ...) {
      super$initialize(...)
      self$by <- by
    }
    call <- function(inputs) inputs + self$by
    get_config <- function() {
      config <- super()$get_config()
      config$by <- self$by
      config
    }
  }
  model <- keras_model_sequential(input_shape = 3) %>% layer_dense(units = 1)
  model$add(Shift(by = 10))
  f2 <- withr::local_tempfile(fileext = ".keras")
  save_model(model, f2)
  loaded <- load_model(f2, custom_objects = list(Shift = Shift))
  expect_identical(loaded$layers[[2]]$by, 10)
  expect_equal(predict(loaded, d$x), predict(model, d$x))

  Cell <- new_layer_class("SumCell",
    initialize = function(units, ...) {
      super$initialize(...)
      self$units <- as.integer(units)
      self$state_size <- as.integer(units)
    },
    build = function(input_shape) {
      self$kernel <- self$add_weight(shape = shape(input_shape[[length(input_shape)]], self$units),
                                     name = "kernel")
    },
    call = function(inputs, states) {
      out <- tf$matmul(inputs, self$kernel) + states[[1]]
      list(out, list(out))
    },
    get_config = function() {
      config <- super()$get_config()
      config$units <- self$units
      config
    }
  )
  x <- array(runif(8 * 4 * 3), c(8, 4, 3))
  rnn_model <- keras_model_sequential(input_shape = c(4, 3)) %>% layer_rnn(cell = Cell(units = 2))
  f3 <- withr::local_tempfile(fileext = ".keras")
  save_model(rnn_model, f3)
  loaded <- load_model(f3, custom_objects = list(Cell))
  expect_identical(loaded$layers[[1]]$cell$units, 2L)
  expect_equal(predict(loaded, x), predict(rnn_model, x))
})

test_that("register_keras_serializable() makes custom_objects unnecessary", {
  d <- toy_xy()
  layer_scaled <- new_layer_class("ScaledIdentity",
    initialize = function(scale = 1, ...) {
      super$initialize(...)
      self$scale <- scale
    },
    call = function(inputs) inputs * self$scale,
    get_config = function() {
      config <- super()$get_config()
      config$scale <- self$scale
      config
    }
  )
  expect_identical(register_keras_serializable(layer_scaled, package = "tandemtest"), layer_scaled)
  registered <- keras$utils$get_registered_name(r_to_py(layer_scaled))
  expect_identical(registered, "tandemtest>ScaledIdentity")

  abs_error <- function(y_true, y_pred) tf$reduce_mean(tf$abs(y_pred - tf$reshape(y_true, tf$shape(y_pred))))
  abs_error_py <- register_keras_serializable(abs_error, name = "abs_error", package = "tandemtest")
  expect_true(is_py_object(abs_error_py))

  model <- keras_model_sequential(input_shape = 3) %>%
    layer_dense(units = 1) %>%
    layer_scaled(scale = 3)
  compile(model, optimizer = "sgd", loss = abs_error_py)
  f <- withr::local_tempfile(fileext = ".keras")
  save_model(model, f)
  loaded <- load_model(f)
  expect_identical(loaded$layers[[2]]$scale, 3)
  expect_equal(predict(loaded, d$x), predict(model, d$x))
  expect_equal(evaluate(loaded, d$x, d$y, verbose = 0), evaluate(model, d$x, d$y, verbose = 0))

  # keras3: a function's name defaults to its expression, the package to "Custom" (global env)
  abs_error2 <- abs_error
  reg <- register_keras_serializable(abs_error2)
  pkg <- environmentName(topenv())  # keras3: the calling package, "Custom" from the global env
  if (pkg %in% c("", "base", "R_GlobalEnv")) pkg <- "Custom"
  expect_identical(keras$saving$get_registered_name(reg), paste0(pkg, ">abs_error2"))
  reg2 <- evalq(register_keras_serializable(abs_error2), list2env(list(abs_error2 = abs_error), parent = globalenv()))
  expect_identical(keras$saving$get_registered_name(reg2), "Custom>abs_error2")
  expect_error(register_keras_serializable(function(y_true, y_pred) y_pred), "`name` is required")
  expect_error(register_keras_serializable(1), "`object` must be a class")
  expect_error(register_keras_serializable(layer_scaled, package = NA), "`package` must be a single string")
})

test_that("bad paths and custom_objects are clear errors", {
  model <- keras_model_sequential(input_shape = 1) %>% layer_dense(units = 1)
  expect_error(save_model(model, "model.h5"), "`filepath` must end in `.keras`")
  expect_error(save_model(model, 1), "`filepath` must be a single string, not `1`.", fixed = TRUE)
  expect_error(load_model(file.path(tempdir(), "nope.keras")), "`filepath` does not exist")
  f <- withr::local_tempfile(fileext = ".keras")
  save_model(model, f)
  expect_error(load_model(f, custom_objects = list("x")), "`custom_objects` must hold classes and functions")
  expect_error(load_model(f, custom_objects = list(function(x) x)), "R functions in `custom_objects` must be named")
  expect_error(load_model(f, custom_objects = 1), "must be a list of classes and functions")
})

test_that("keras3's save_model(): no silent overwrite, raw serialization, zipped, load_model(raw)", {
  model <- keras_model_sequential(input_shape = 2) %>% layer_dense(units = 1)
  x <- matrix(c(1, 2, 3, 4), 2)
  f <- withr::local_tempfile(fileext = ".keras")
  save_model(model, f)
  expect_error(save_model(model, f), "already exists \\(pass overwrite = TRUE")
  expect_identical(tandem::py_id(save_model(model, f, overwrite = TRUE)), tandem::py_id(model))
  bytes <- save_model(model)   # filepath = NULL: the .keras file's bytes
  expect_type(bytes, "raw")
  expect_identical(bytes[1:2], as.raw(c(0x50, 0x4b)))  # a zip archive
  expect_equal(predict(load_model(bytes), x, verbose = 0), predict(model, x, verbose = 0))
  expect_equal(predict(load_model(model = f), x, verbose = 0), predict(model, x, verbose = 0))
  expect_error(load_model(f, safe_mode = NA), "`safe_mode` must be `TRUE` or `FALSE`")
  d <- withr::local_tempfile()  # unzipped: a directory, named without .keras
  save_model(model, d, zipped = FALSE)
  expect_true(dir.exists(d))
  expect_equal(predict(load_model(d), x, verbose = 0), predict(model, x, verbose = 0))
})

test_that("load_model() keeps safe_mode: a saved Lambda layer's code is refused unless asked", {
  inp <- keras_input(shape = 2)
  out <- layer_lambda(inp, f = tandem::py_eval("lambda t: t * 2"))
  model <- keras_model(inp, out)
  f <- withr::local_tempfile(fileext = ".keras")
  save_model(model, f)
  expect_error(load_model(f), "safe_mode")
  loaded <- load_model(f, safe_mode = FALSE)
  expect_equal(predict(loaded, matrix(1:2, 1), verbose = 0), matrix(c(2, 4), 1))
})

test_that("active_property() makes a read-only property of a custom layer (keras3)", {
  layer_scaled2 <- new_layer_class("Scaled2",
    initialize = function(scale, ...) { super$initialize(...); self$scale <- scale },
    doubled = active_property(function() self$scale * 2),
    call = function(x) x * self$scale)
  l <- layer_scaled2(scale = 3)
  expect_identical(l$doubled, 6)
  expect_identical(mark_active, active_property)
  expect_error(active_property(1), "Only functions can be active properties")
})
