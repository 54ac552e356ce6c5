# Custom objects, registered names, serialize/deserialize, state trees, quantization.

test_that("serialize_keras_object() and deserialize_keras_object() round-trip", {
  cfg <- serialize_keras_object(optimizer_adam(learning_rate = 0.01))
  expect_identical(cfg$class_name, "Adam")
  opt <- deserialize_keras_object(cfg)
  expect_s3_class(opt, "keras.src.optimizers.adam.Adam")
  expect_equal(as.numeric(opt$learning_rate), 0.01, tolerance = 1e-6)
  cfg2 <- list(class_name = "Adam", config = list(learning_rate = 0.002, name = "Adam"),
               module = "keras.optimizers", registered_name = NULL)
  expect_equal(as.numeric(deserialize_keras_object(cfg2)$learning_rate), 0.002, tolerance = 1e-6)
})

test_that("custom objects: register, look up by name, set and restore", {
  old <- set_custom_objects(clear = TRUE)
  on.exit(set_custom_objects(old, clear = TRUE))
  loss_mod <- Loss("ModifiedMSE2", inherit = loss_mean_squared_error)
  register_keras_serializable(loss_mod, package = "tk")
  expect_identical(get_registered_name(loss_mod), "tk>ModifiedMSE2")
  expect_true("tk>ModifiedMSE2" %in% names(get_custom_objects()))
  obj <- get_registered_object("tk>ModifiedMSE2")
  expect_identical(tandem::py_id(obj), tandem::py_id(r_to_py(loss_mod)))
  full <- serialize_keras_object(loss_mod())
  back <- deserialize_keras_object(full)
  expect_true(inherits(back, "keras.src.losses.losses.MeanSquaredError"))
  expect_identical(get_registered_name(layer_dense), "Dense")
  set_custom_objects(clear = TRUE)
  expect_length(get_custom_objects(), 0)
  expect_null(get_registered_object("tk>ModifiedMSE2"))
  # Scoped registration.
  layer_sc <- Layer("ScopedLayer", call = function(x) x * 2)
  got <- with_custom_object_scope(list(ScopedLayer = layer_sc),
                                  get_registered_object("ScopedLayer"))
  expect_false(is.null(got))
  expect_null(get_registered_object("ScopedLayer"))
})

test_that("get_state_tree() and set_state_tree() read and write a model's variables", {
  model <- keras_model_sequential(input_shape = 2, name = "st") |>
    layer_dense(1, name = "d", kernel_initializer = "ones")
  compile(model, optimizer = "sgd", loss = "mse")
  tree <- get_state_tree(model, "r_array")
  expect_true("trainable_variables" %in% names(tree))
  k <- tree$trainable_variables$st$d$kernel
  expect_equal(k, matrix(1, 2, 1))
  tree$trainable_variables$st$d$kernel <- matrix(3, 2, 1)
  set_state_tree(model, tree)
  expect_equal(as.array(model$layers[[1]]$kernel), matrix(3, 2, 1))
  expect_true(inherits(get_state_tree(model, "numpy_array")$trainable_variables, "python.builtin.dict") ||
                is.list(get_state_tree(model, "numpy_array")$trainable_variables))
})

test_that("quantize_weights() switches a Dense layer to int8", {
  model <- keras_model_sequential(input_shape = 4) |> layer_dense(3)
  x <- matrix(runif(8), 2)
  before <- predict(model, x, verbose = 0)
  quantize_weights(model, "int8")
  expect_identical(model$layers[[1]]$quantization_mode, "int8")
  expect_equal(predict(model, x, verbose = 0), before, tolerance = 0.05)
})

test_that("a generator's environment holds its Python class as `__class__` (keras3)", {
  old <- set_custom_objects(clear = FALSE)
  on.exit(set_custom_objects(old, clear = TRUE))
  layer_my_dense <- Layer("MyDenseReg")
  layer_my_dense <- register_keras_serializable(layer_my_dense, package = "my_package")
  MyDense <- environment(layer_my_dense)$`__class__`
  expect_true(get_registered_object("my_package>MyDenseReg") == MyDense)
  expect_identical(get_registered_name(MyDense), "my_package>MyDenseReg")
})
