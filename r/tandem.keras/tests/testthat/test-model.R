# Models from R: build, compile, fit (learns), evaluate, predict, history.

toy <- function(n = 256) {
  set.seed(42)
  x <- matrix(runif(n * 4), ncol = 4)
  list(x = x, y = drop(x %*% c(1, -2, 3, 0.5)) + 0.1)
}

test_that("fit() on R arrays learns and returns a training history", {
  d <- toy()
  model <- keras_model_sequential(input_shape = 4) |>
    layer_dense(units = 16, activation = "relu") |>
    layer_dense(units = 1)
  compiled <- compile(model, optimizer = optimizer_adam(learning_rate = 0.02), loss = "mse",
                      metrics = "mae")
  expect_identical(tandem::py_id(compiled), tandem::py_id(model))
  before <- evaluate(model, d$x, d$y, verbose = 0)
  expect_named(before, c("loss", "mae"))
  h <- fit(model, d$x, d$y, epochs = 8, batch_size = 32, validation_split = 0.25, verbose = 0)
  expect_s3_class(h, "keras_training_history")
  expect_identical(h$epochs, 8L)
  expect_named(h$metrics, c("loss", "mae", "val_loss", "val_mae"), ignore.order = TRUE)
  expect_lt(h$metrics$loss[[8]], h$metrics$loss[[1]] / 2)
  after <- evaluate(model, d$x, d$y, verbose = 0)
  expect_lt(after[["loss"]], before[["loss"]] / 2)

  df <- as.data.frame(h)
  expect_identical(names(df), c("epoch", "value", "metric", "data"))
  expect_identical(nrow(df), 32L)
  expect_identical(levels(df$metric), c("loss", "mae"))
  expect_equal(df$value[df$metric == "loss" & df$data == "validation"], h$metrics$val_loss)
  expect_output(print(h), "Final epoch")

  p <- predict(model, d$x[1:5, ])
  expect_identical(dim(p), c(5L, 1L))
  expect_equal(p[, 1], as.numeric(as.array(model(d$x[1:5, ])))[1:5], tolerance = 1e-5)

  png <- withr::local_tempfile(fileext = ".png")
  plot(h, filename = png)
  expect_true(file.exists(png))
  expect_identical(readBin(png, "raw", 4L), as.raw(c(0x89, 0x50, 0x4e, 0x47)))
})

test_that("factor labels, data frames and functional models work", {
  set.seed(1)
  x <- data.frame(a = c(rnorm(60, -2), rnorm(60, 2)), b = rnorm(120))
  y <- factor(rep(c("neg", "pos"), each = 60))
  inputs <- keras_input(shape = 2)
  outputs <- inputs |> layer_dense(units = 2, activation = "softmax")
  model <- keras_model(inputs, outputs)
  compile(model, optimizer = optimizer_adam(learning_rate = 0.1),
          loss = "sparse_categorical_crossentropy", metrics = "accuracy")
  h <- fit(model, x, y, epochs = 15, batch_size = 16, verbose = 0)
  expect_gt(h$metrics$accuracy[[15]], 0.9)
  expect_error(fit(model, data.frame(a = letters[1:3]), y[1:3]), "numeric columns")
})

test_that("summary and print show Keras' summary", {
  model <- keras_model_sequential(input_shape = 3, name = "tiny") |> layer_dense(units = 2)
  expect_output(print(model), "tiny")
  expect_output(summary(model), "Total params: 8")
  expect_error(keras_model_sequential(batch_size = 2), "give `input_shape` too")
})

test_that("GradientTape works with with() and %as%", {
  w <- tf$Variable(2)
  with(tf$GradientTape() %as% tape, {
    loss <- w * w
  })
  g <- tape$gradient(loss, w)
  expect_equal(as.array(g), 4)
})

test_that("save_model() and load_model() round-trip predictions", {
  model <- keras_model_sequential(input_shape = 3) |>
    layer_dense(units = 4, activation = "relu") |>
    layer_dense(units = 2)
  compile(model, optimizer = "adam", loss = "mse")
  f <- withr::local_tempfile(fileext = ".keras")
  expect_identical(save_model(model, f), model)
  reloaded <- load_model(f)
  x <- matrix(seq(-1, 1, length.out = 12), 4)
  expect_identical(predict(reloaded, x), predict(model, x))
  expect_match(reloaded$optimizer$name, "^adam")
  expect_error(save_model(model, "m.h5"), "must end in `.keras`")
  expect_error(load_model(tempfile(fileext = ".keras")), "does not exist")
})

# Runs `code` (after library(tandem.keras) and a tiny model) in a new R process:
# Rscript (non-interactive), or R reading stdin with --interactive.
run_fit_script <- function(fit_call, interactive = FALSE) {
  script <- withr::local_tempfile(fileext = ".R")
  writeLines(c(
    "suppressPackageStartupMessages(library(tandem.keras))",
    "set.seed(1); x <- matrix(runif(40), ncol = 2); y <- x[, 1] + x[, 2]",
    "model <- keras_model_sequential(input_shape = 2) |> layer_dense(units = 1)",
    "compile(model, optimizer = 'sgd', loss = 'mse', metrics = 'mae')",
    "cat('BEGIN\\n')",
    paste0("h <- ", fit_call),
    "cat('END\\n')"
  ), script)
  out <- if (interactive) {
    system2(file.path(R.home("bin"), "R"), c("--no-echo", "--no-save", "--no-restore", "--interactive"),
            stdin = script, stdout = TRUE, stderr = FALSE)
  } else {
    system2(file.path(R.home("bin"), "Rscript"), script, stdout = TRUE, stderr = FALSE)
  }
  expect_null(attr(out, "status"))
  text <- paste(out, collapse = "\n")
  sub("(?s).*BEGIN\n(.*)END.*", "\\1", text, perl = TRUE)
}

test_that("fit(verbose = \"auto\") prints one line per epoch under Rscript", {
  out <- run_fit_script("fit(model, x, y, epochs = 3, batch_size = 5, validation_split = 0.2)")
  lines <- strsplit(out, "\n")[[1]]
  expect_length(lines, 3L)
  expect_match(lines, "^Epoch [1-3]/3 - [0-9]+s - loss: [0-9.e-]+ - mae: [0-9.e-]+ - val_loss: [0-9.e-]+ - val_mae: [0-9.e-]+$")
  expect_identical(sub(" .*", "", sub("^Epoch ", "", lines)), c("1/3", "2/3", "3/3"))
  expect_false(grepl("\r", out, fixed = TRUE))
})

test_that("fit(verbose = 0) is silent and verbose = 2 prints Keras' lines", {
  silent <- run_fit_script("fit(model, x, y, epochs = 2, verbose = 0)")
  expect_identical(silent, "")
  d <- toy(40)
  model <- keras_model_sequential(input_shape = 4) |> layer_dense(units = 1)
  compile(model, optimizer = "sgd", loss = "mse")
  expect_identical(capture.output(h <- fit(model, d$x, d$y, epochs = 2, verbose = 0)), character())
  keras2 <- capture.output(fit(model, d$x, d$y, epochs = 2, batch_size = 20, verbose = 2))
  expect_identical(keras2[c(1, 3)], c("Epoch 1/2", "Epoch 2/2"))
  expect_match(keras2[c(2, 4)], "^2/2 - .*loss: ")
})

test_that("fit(verbose = \"auto\") in an interactive session redraws Keras' progress bar", {
  out <- run_fit_script("fit(model, x, y, epochs = 2, batch_size = 5)", interactive = TRUE)
  expect_match(out, "Epoch 1/2\n", fixed = TRUE)
  expect_match(out, "Epoch 2/2\n", fixed = TRUE)
  # Each epoch's bar is redrawn in place: carriage returns, one per update at least.
  bars <- strsplit(out, "Epoch [12]/2\n")[[1]][-1]
  expect_length(bars, 2L)
  for (b in bars) {
    expect_gte(lengths(regmatches(b, gregexpr("\r", b, fixed = TRUE))), 1L)
    expect_match(b, "4/4", fixed = TRUE)
    expect_match(b, "loss: [0-9.]+")
  }
})

test_that("keras_model_sequential() takes keras3's input_* arguments", {
  m <- keras_model_sequential(input_shape = 3, input_batch_size = 8, input_dtype = "float64",
                              input_name = "feats", name = "seq") |> layer_dense(2)
  expect_identical(m$name, "seq")
  inp <- m$inputs[[1]]
  expect_equal(inp$shape, list(8L, 3L))
  expect_identical(inp$dtype, "float64")
  m2 <- keras_model_sequential(input_batch_shape = c(NA, 5)) |> layer_dense(2)
  expect_equal(m2$output_shape, list(NULL, 2L))
  expect_error(keras_model_sequential(list(layer_dense(units = 2))), "layers")
  expect_error(keras_model_sequential(input_dtype = "int32"), "input_shape")
})

test_that("a trailing comma is ignored, as keras3's dynamic dots ignore it", {
  inputs <- layer_input(shape = 4, dtype = "float32", )
  outputs <- inputs |> layer_dense(units = 3, activation = "relu", ) |> layer_dense(2, )
  model <- keras_model(inputs = inputs, outputs = outputs, )
  expect_identical(dim(model$output), c(NA, 2L))
  model |> compile(
    loss = loss_mean_squared_error(),
    optimizer = optimizer_adam(learning_rate = 1e-3, ),
    metrics = list(metric_mean_absolute_error()),
  )
  expect_true(model$compiled)
  seq_model <- keras_model_sequential(input_shape = 4, name = "trailing", ) |> layer_dense(1)
  expect_identical(seq_model$name, "trailing")
  expect_identical(as.numeric(loss_mean_squared_error(c(1, 2), c(1, 4), )), 2)
  # An empty argument elsewhere in the dots stays R's error.
  expect_error(keras_model(inputs = inputs, outputs = outputs, name = "a", , trainable = TRUE),
               "missing")
})

test_that("plot() of a model draws its layers (keras.utils.model_to_dot, pydot and Graphviz)", {
  model <- keras_model_sequential(input_shape = 4, name = "plotted") |>
    layer_dense(8, name = "hidden") |> layer_dense(1, name = "out")
  # To a file: a PNG (its magic number) and an SVG that names the layers.
  png_file <- withr::local_tempfile(fileext = ".png")
  expect_null(plot(model, show_shapes = TRUE, show_layer_names = TRUE, to_file = png_file))
  expect_identical(readBin(png_file, "raw", 8L), as.raw(c(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)))
  svg_file <- withr::local_tempfile(fileext = ".svg")
  plot(model, show_layer_names = TRUE, rankdir = "LR", to_file = svg_file)
  svg <- paste(readLines(svg_file, warn = FALSE), collapse = "\n")
  expect_match(svg, "hidden")
  expect_match(svg, "out")
  # On a graphics device: one page drawn.
  device_file <- withr::local_tempfile(fileext = ".png")
  grDevices::png(device_file)
  plot(model)
  grDevices::dev.off()
  expect_gt(file.size(device_file), 0)
  expect_error(plot(model, to_file = withr::local_tempfile()), "image extension")
})

test_that("fit(class_weight =) takes keras3's named vector of class numbers", {
  set.seed(3)
  x <- matrix(runif(40), 20)
  y <- rep(0:1, 10)
  model <- keras_model_sequential(input_shape = 2) |> layer_dense(2, activation = "softmax")
  compile(model, optimizer = "sgd", loss = "sparse_categorical_crossentropy")
  h <- fit(model, x, y, class_weight = c("0" = 1.0, "1" = 2.0), epochs = 1, verbose = 0)
  expect_length(h$metrics$loss, 1L)
  cw <- tandem.keras:::as_class_weight(c("0" = 1, "5" = 2))
  expect_identical(py_to_r(tandem::py_get_item(cw, 5L)), 2)
  expect_identical(py_to_r(tandem::py_get_item(tandem.keras:::as_class_weight(c(0.5, 3)), 1L)), 3)
  expect_error(fit(model, x, y, class_weight = c(a = 1), epochs = 1, verbose = 0), "class numbers")
})
