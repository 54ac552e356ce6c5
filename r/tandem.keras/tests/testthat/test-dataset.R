# tf.data from R: structure, batching, and use in fit().

test_that("tensor_slices_dataset() slices R arrays along the first dimension", {
  x <- matrix(1:12, 4)
  ds <- tensor_slices_dataset(list(x, c(10, 20, 30, 40)))
  it <- as_iterator(ds)
  first <- iter_next(it)
  expect_identical(as.array(first[[1]]), array(x[1, ]))
  expect_identical(as.array(first[[2]]), 10)
  batches <- iterate(dataset_batch(ds, 3), function(b) dim(b[[1]]))
  expect_identical(batches, list(c(3L, 3L), c(1L, 3L)))
  expect_identical(length(iterate(dataset_batch(ds, 3, drop_remainder = TRUE))), 1L)
  named <- iter_next(as_iterator(tensor_slices_dataset(list(a = 1:2, b = c(TRUE, FALSE)))))
  expect_identical(sort(names(named)), c("a", "b"))
})

test_that("range, take, repeat and shuffle compose", {
  values <- iterate(range_dataset(1, 6) |> dataset_repeat(2) |> dataset_take(7), as.array)
  expect_equal(values, c(1, 2, 3, 4, 5, 1, 2))
  shuffled <- iterate(range_dataset(0, 20) |> dataset_shuffle(20, seed = 1), as.array)
  expect_setequal(shuffled, 0:19)
  expect_false(identical(shuffled, as.numeric(0:19)))
  expect_error(dataset_batch(1:3, 2), "must be a tf.data.Dataset")
  expect_error(dataset_batch(range_dataset(0, 3), 2.5), "`batch_size` must be a whole number")
})

test_that("fit() trains on a dataset", {
  set.seed(3)
  x <- matrix(runif(512), ncol = 2)
  y <- x[, 1] - x[, 2]
  ds <- tensor_slices_dataset(list(x, y)) |> dataset_shuffle(256, seed = 1) |>
    dataset_batch(32) |> dataset_prefetch()
  model <- keras_model_sequential(input_shape = 2) |> layer_dense(units = 1)
  compile(model, optimizer = optimizer_adam(learning_rate = 0.05), loss = "mse")
  h <- fit(model, ds, epochs = 6, verbose = 0)
  expect_lt(h$metrics$loss[[6]], h$metrics$loss[[1]] / 2)
})
