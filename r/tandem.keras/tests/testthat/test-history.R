# Training histories: plot() with ggplot2 (installed here) and with base graphics.

small_history <- function() {
  set.seed(2)
  x <- matrix(runif(120), ncol = 2)
  model <- keras_model_sequential(input_shape = 2) |> layer_dense(units = 1)
  compile(model, optimizer = optimizer_adam(learning_rate = 0.05), loss = "mse", metrics = "mae")
  fit(model, x, x[, 1] - x[, 2], epochs = 4, batch_size = 20, validation_split = 0.25, verbose = 0)
}

is_png <- function(path) identical(readBin(path, "raw", 8L),
                                   as.raw(c(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)))

test_that("plot() uses ggplot2 when installed: one panel per metric, both data sets", {
  h <- small_history()
  p <- plot(h)
  expect_s3_class(p, "ggplot")
  expect_identical(nrow(p$data), 16L)   # 4 epochs x (loss, mae) x (training, validation)
  expect_identical(levels(p$data$metric), c("loss", "mae"))
  expect_setequal(as.character(unique(p$data$data)), c("training", "validation"))
  expect_equal(p$data$value[p$data$metric == "mae" & p$data$data == "validation"],
               h$metrics$val_mae)
  built <- ggplot2::ggplot_build(p)
  expect_identical(length(unique(built$layout$layout$PANEL)), 2L)

  only_loss <- plot(h, metrics = "loss")
  expect_identical(levels(only_loss$data$metric), "loss")
  expect_identical(nrow(only_loss$data), 8L)

  png <- withr::local_tempfile(fileext = ".png")
  out <- plot(h, filename = png, width = 300, height = 200)
  expect_s3_class(out, "ggplot")
  expect_true(is_png(png))
  expect_identical(grDevices::dev.cur()[[1]], 1L)   # the PNG device was closed
  expect_error(plot(h, metrics = "accuracy"), "must name recorded metrics")
})

test_that("the history of a single epoch plots points without ggplot2's line message", {
  set.seed(2)
  x <- matrix(runif(40), ncol = 2)
  model <- keras_model_sequential(input_shape = 2) |> layer_dense(units = 1)
  compile(model, optimizer = "adam", loss = "mse")
  h <- fit(model, x, x[, 1], epochs = 1, batch_size = 10, validation_split = 0.25, verbose = 0)
  p <- plot(h)
  geoms <- vapply(p$layers, function(l) class(l$geom)[[1]], character(1))
  expect_identical(geoms, "GeomPoint")
  expect_identical(nrow(p$data), 2L)   # loss and val_loss of epoch 1
  png <- withr::local_tempfile(fileext = ".png")
  expect_no_message(plot(h, filename = png))
  expect_true(is_png(png))
  expect_s3_class(plot(small_history()), "ggplot")
  expect_identical(vapply(plot(small_history())$layers, function(l) class(l$geom)[[1]], character(1)),
                   c("GeomLine", "GeomPoint"))
})

test_that("plot(method = \"base\") draws with base graphics and writes a PNG", {
  h <- small_history()
  png <- withr::local_tempfile(fileext = ".png")
  expect_identical(plot(h, method = "base", filename = png), h)
  expect_true(is_png(png))
  expect_gt(file.size(png), 1000)
  # On a device: base graphics record one plot per metric (a 2 x 1 layout).
  pdf_file <- withr::local_tempfile(fileext = ".pdf")
  grDevices::pdf(pdf_file)
  plot(h, method = "base")
  expect_identical(graphics::par("mfrow"), c(1L, 1L))   # restored afterwards
  grDevices::dev.off()
  expect_gt(file.size(pdf_file), 1000)
  expect_error(plot(h, method = "lattice"), "should be one of")
})
