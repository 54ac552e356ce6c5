# application_*(): architectures without weights offline; "imagenet" weights only from
# Keras' cache, with an error naming the file when it is absent.

test_that("weights = NULL builds the architecture offline", {
  model <- application_mobilenet(weights = NULL, input_shape = c(32, 32, 3), include_top = FALSE,
                                 alpha = 0.25)
  out <- predict(model, array(runif(2 * 32 * 32 * 3), c(2, 32, 32, 3)), verbose = 0)
  expect_equal(dim(out), c(2L, 1L, 1L, 256L))
  # preprocess_input of MobileNet scales 0..255 to -1..1
  x <- array(c(0, 127.5, 255), c(1, 1, 3, 1))
  pre <- as.array(application_preprocess_inputs(model, x))
  expect_equal(as.vector(pre), c(-1, 0, 1))
  f <- application_preprocess_inputs(model)
  expect_equal(as.vector(as.array(f(x))), c(-1, 0, 1))
  expect_error(application_preprocess_inputs(keras_model_sequential(), x), "application_")
  expect_identical(application_nasnetmobile, application_nasnet_mobile)
})

test_that("imagenet weights come from the cache or a clear error, never a download", {
  file <- "mobilenet_1_0_224_tf_no_top.h5"
  cached <- file.exists(file.path("~", ".keras", "models", file))
  if (cached) {
    expect_s3_class(application_mobilenet(include_top = FALSE), "keras.src.models.model.Model")
  } else {
    expect_error(application_mobilenet(include_top = FALSE),
                 paste0(file, ".*not in Keras' cache.*weights = NULL"))
  }
  if (!file.exists(file.path("~", ".keras", "models", "imagenet_class_index.json"))) {
    expect_error(imagenet_decode_predictions(matrix(runif(1000), 1)),
                 "imagenet_class_index.json.*storage.googleapis.com")
  }
  pre <- imagenet_preprocess_input(array(c(0, 127.5, 255), c(1, 1, 1, 3)), mode = "tf")
  expect_equal(as.vector(as.array(pre)), c(-1, 0, 1))
})
