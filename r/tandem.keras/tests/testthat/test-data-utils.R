# keras3's data utilities: to_categorical(), normalize(), pad_sequences(), datasets from
# arrays and directories, zip_lists(), zip_datasets().

test_that("to_categorical() one-hot encodes labels and factors", {
  expect_equal(to_categorical(c(0, 2, 1)),
               matrix(c(1, 0, 0, 0, 0, 1, 0, 1, 0), 3, byrow = TRUE), ignore_attr = TRUE)
  expect_identical(dim(to_categorical(c(1, 3), num_classes = 5)), c(2L, 5L))
  f <- factor(c("b", "a", "b"), levels = c("a", "b", "c"))
  expect_equal(to_categorical(f),
               matrix(c(0, 1, 0, 1, 0, 0, 0, 1, 0), 3, byrow = TRUE), ignore_attr = TRUE)
  y <- to_categorical(matrix(c(0, 1, 2, 1), 2))
  expect_identical(dim(y), c(2L, 2L, 3L))
  expect_equal(y[2, 2, ], c(0, 1, 0))
  expect_error(to_categorical(c(0.5, 1)), "must be whole numbers from 0")
  expect_error(to_categorical(c(0, 3), num_classes = 3), "not less than `num_classes`")
})

test_that("normalize() scales to unit norm along a 1-based axis", {
  x <- matrix(c(3, 4, 6, 8), 2, byrow = TRUE)
  expect_equal(normalize(x), matrix(c(0.6, 0.8, 0.6, 0.8), 2, byrow = TRUE), ignore_attr = TRUE)
  a <- array(c(3, 0, 4, 0, 0, 6, 0, 8), c(2, 2, 2))   # a[1, , 1] = c(3, 4), a[2, , 2] = c(6, 8)
  n2 <- normalize(a, axis = 2)
  expect_equal(n2[1, , 1], c(0.6, 0.8))
  expect_equal(n2[2, , 2], c(0.6, 0.8))
  expect_equal(n2[2, , 1], c(0, 0))
  expect_equal(normalize(x, order = 1)[1, ], c(3, 4) / 7)
})

test_that("pad_sequences() pads and truncates as Keras does", {
  p <- pad_sequences(list(1:3, 1:5), maxlen = 4)
  expect_identical(dim(p), c(2L, 4L))
  expect_equal(p[1, ], c(0, 1, 2, 3))
  expect_equal(p[2, ], c(2, 3, 4, 5))
  p2 <- pad_sequences(list(1:3, 1:5), maxlen = 4, padding = "post", truncating = "post", value = -1)
  expect_equal(p2[1, ], c(1, 2, 3, -1))
  expect_equal(p2[2, ], c(1, 2, 3, 4))
  expect_identical(dim(pad_sequences(list(c(1, 2), 7))), c(2L, 2L))
  expect_error(pad_sequences(1:3), "must be a list")
})

test_that("timeseries_dataset_from_array() makes windows of rows", {
  data <- matrix(1:20, 10)
  ds <- timeseries_dataset_from_array(data, targets = 1:10, sequence_length = 3, batch_size = 8)
  batches <- iterate(as_array_iterator(ds))
  expect_length(batches, 1L)
  x <- batches[[1]][[1]]
  expect_identical(dim(x), c(8L, 3L, 2L))
  expect_equal(x[2, , 1], c(2, 3, 4))
  expect_equal(as.vector(batches[[1]][[2]]), 1:8)
})

test_that("text_dataset_from_directory() reads one class per subdirectory", {
  dir <- tempfile("texts")
  for (cls in c("neg", "pos")) {
    dir.create(file.path(dir, cls), recursive = TRUE)
    for (i in 1:2) cat(paste(cls, "text", i), file = file.path(dir, cls, paste0(i, ".txt")))
  }
  ds <- text_dataset_from_directory(dir, batch_size = 4, shuffle = FALSE, verbose = FALSE)
  batch <- iterate(ds)[[1]]
  texts <- as.character(batch[[1]])
  expect_setequal(texts, c("neg text 1", "neg text 2", "pos text 1", "pos text 2"))
  expect_equal(as.vector(as.array(batch[[2]])), c(0, 0, 1, 1))
  both <- text_dataset_from_directory(dir, validation_split = 0.5, subset = "both", seed = 1,
                                      verbose = FALSE)
  expect_length(both, 2L)
  expect_error(text_dataset_from_directory(file.path(dir, "nope")), "does not exist")
  unlink(dir, recursive = TRUE)
})

test_that("image_dataset_from_directory(), image_load() and image_to_array() read images", {
  dir <- tempfile("images")
  for (cls in c("a", "b")) {
    dir.create(file.path(dir, cls), recursive = TRUE)
    px <- tf$fill(c(4L, 6L, 3L), tf$constant(if (cls == "a") 10L else 200L, dtype = "uint8"))
    tf$io$write_file(file.path(dir, cls, "img.png"), tf$io$encode_png(px))
  }
  ds <- image_dataset_from_directory(dir, image_size = c(4, 6), batch_size = 2, shuffle = FALSE,
                                     verbose = FALSE)
  batch <- iterate(ds)[[1]]
  expect_identical(dim(batch[[1]]), c(2L, 4L, 6L, 3L))
  expect_equal(as.vector(as.array(batch[[2]])), c(0, 1))
  expect_equal(as.array(batch[[1]])[2, 1, 1, 1], 200)
  # Pillow (which Keras' load_img() needs) is among the pinned packages
  arr <- image_to_array(image_load(file.path(dir, "b", "img.png")))
  expect_identical(dim(arr), c(4L, 6L, 3L))
  expect_true(all(arr == 200))
  small <- image_to_array(image_load(file.path(dir, "a", "img.png"), target_size = c(2, 3)))
  expect_identical(dim(small), c(2L, 3L, 3L))
  expect_error(image_load(file.path(dir, "missing.png")), "does not exist")
  unlink(dir, recursive = TRUE)
})

test_that("zip_lists() pairs elements, by name when named", {
  z <- zip_lists(1:3, c("a", "b", "c"))
  expect_length(z, 3L)
  expect_identical(z[[2]], list(2L, "b"))
  zn <- zip_lists(a = 1:2, b = c("x", "y"))
  expect_identical(zn[[1]], list(a = 1L, b = "x"))
  zm <- zip_lists(list(x = 1, y = 2), list(y = "b", x = "a"))
  expect_identical(zm$y, list(2, "b"))
  expect_error(zip_lists(1:2, 1:3), "same length")
  expect_error(zip_lists(list(x = 1), list(z = 2)), "same names")
})

test_that("zip_datasets() zips datasets into tuples", {
  a <- range_dataset(0, 3)
  b <- range_dataset(10, 13)
  z <- zip_datasets(a, b)
  elements <- iterate(as_array_iterator(z))
  expect_length(elements, 3L)
  expect_equal(unlist(elements[[3]]), c(2, 12))
  expect_error(zip_datasets(a, 1), "must be a tf.data.Dataset")
})

test_that("split_dataset() splits arrays and datasets; pack/unpack batches", {
  parts <- split_dataset(matrix(1:20, 10), left_size = 0.8)
  expect_length(parts, 2L)
  expect_identical(as.integer(parts[[1]]$cardinality()), 8L)
  expect_identical(as.integer(parts[[2]]$cardinality()), 2L)
  first <- iterate(as_array_iterator(parts[[1]]))[[1]]
  expect_equal(as.vector(first), c(1, 11))
  parts2 <- split_dataset(range_dataset(0, 10), left_size = 3)
  expect_identical(as.integer(parts2[[2]]$cardinality()), 7L)
  packed <- pack_x_y_sample_weight(as_tensor(1), as_tensor(2))
  un <- unpack_x_y_sample_weight(packed)
  expect_length(un, 3L)
  expect_equal(as.numeric(un[[2]]), 2)
  expect_null(un[[3]])
})

test_that("audio_dataset_from_directory() reads WAV files, one class per subdirectory", {
  dir <- tempfile("audio")
  for (k in 1:2) {
    dir.create(file.path(dir, paste0("c", k)), recursive = TRUE)
    samples <- tf$constant(array(rep(k / 10, 8), c(8, 1)), dtype = "float32")
    tf$io$write_file(file.path(dir, paste0("c", k), "a.wav"),
                     tf$audio$encode_wav(samples, sample_rate = 100L))
  }
  ds <- audio_dataset_from_directory(dir, batch_size = 2, shuffle = FALSE, verbose = FALSE)
  batch <- iterate(ds)[[1]]
  expect_identical(dim(batch[[1]]), c(2L, 8L, 1L))
  expect_equal(as.array(batch[[1]])[, 1, 1], c(0.1, 0.2), tolerance = 1e-3)
  expect_equal(as.vector(as.array(batch[[2]])), c(0, 1))
  unlink(dir, recursive = TRUE)
})
