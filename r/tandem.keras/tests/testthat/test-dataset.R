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

test_that("dataset_map() traces an R function once and passes tuple components as arguments", {
  calls <- 0L
  ds <- tensor_slices_dataset(list(matrix(1:6, 3), c(1, 0, 1)))
  mapped <- dataset_map(ds, function(x, y) {
    calls <<- calls + 1L
    expect_s3_class(x, "tensorflow.python.framework.tensor.Tensor")
    list(x * 2L, y + 1)
  })
  expect_identical(calls, 1L)          # traced when the dataset was built
  out <- as.array(mapped)
  expect_identical(out[[1]], matrix(1:6, 3) * 2L)
  expect_identical(out[[2]], array(c(2, 1, 2)))
  out2 <- as.array(mapped)             # reading again runs the graph, not R
  expect_identical(out2, out)
  expect_identical(calls, 1L)
})

test_that("dataset_map() takes formulas with .x/.y and ..1, dictionaries as named lists", {
  ds <- tensor_slices_dataset(list(c(1, 2, 3), c(10, 20, 30)))
  par <- ds |> dataset_map(~ list(.x * 2, .y), num_parallel_calls = tf$data$AUTOTUNE)
  expect_identical(as.array(par), list(array(c(2, 4, 6)), array(c(10, 20, 30))))
  summed <- ds |> dataset_map(~ ..1 + ..2, num_parallel_calls = 2)
  expect_identical(as.array(summed), array(c(11, 22, 33)))
  single <- range_dataset(0, 4) |> dataset_map(~ .x * .x)
  expect_identical(as.array(single), array(c(0, 1, 4, 9)))

  d <- tensor_slices_dataset(list(a = 1:3, b = c(2, 4, 6)))
  prod <- d |> dataset_map(function(el) {
    expect_identical(sort(names(el)), c("a", "b"))
    list(ab = tf$cast(el$a, "float64") * el$b, a = el$a)
  })
  out <- as.array(prod)
  expect_identical(sort(names(out)), c("a", "ab"))
  expect_identical(out$ab, array(c(2, 8, 18)))
  expect_identical(out$a, array(1:3))

  # Tensor methods inside the map: indexing, sums, comparisons.
  rows <- tensor_slices_dataset(matrix(1:12, 4)) |> dataset_map(function(r) sum(r[2:3]))
  expect_identical(as.array(rows), array(as.integer(rowSums(matrix(1:12, 4)[, 2:3]))))

  expect_error(dataset_map(range_dataset(0, 2), "x"), "`map_func` must be an R function or a formula")
  expect_error(dataset_map(range_dataset(0, 2), y ~ x), "one-sided formula")
  expect_error(dataset_map(1:3, ~ .x), "`dataset` must be a tf.data.Dataset")
  # An error in the R function is reported when the dataset is built.
  expect_error(dataset_map(range_dataset(0, 2), function(x) stop("bad map")), "bad map")
})

test_that("dataset_filter(), dataset_unbatch(), as.array() and as_array_iterator()", {
  evens <- range_dataset(0, 10) |> dataset_filter(~ .x %% 2L == 0L)
  expect_identical(as.array(evens), array(c(0, 2, 4, 6, 8)))
  pairs <- tensor_slices_dataset(list(1:6, letters[1:6])) |>
    dataset_filter(function(i, l) i > 3L)
  out <- as.array(pairs)
  expect_identical(out[[1]], array(4:6))

  un <- tensor_slices_dataset(matrix(1:6, 3)) |> dataset_batch(2) |> dataset_unbatch()
  expect_identical(as.array(un), matrix(1:6, 3))

  it <- as_array_iterator(tensor_slices_dataset(list(matrix(1:4, 2), c(5, 6))))
  first <- iter_next(it)
  expect_identical(first[[1]], array(c(1L, 3L)))  # 1-D NumPy arrays are 1-d R arrays
  expect_identical(first[[2]], 5)
  expect_identical(iter_next(it)[[2]], 6)
  expect_null(iter_next(it))

  expect_error(as.array(range_dataset(0, 3) |> dataset_repeat()), "infinite dataset")
  expect_error(as.array(range_dataset(0, 0)), "is empty")
  expect_error(as_array_iterator(1:3), "`x` must be a tf.data.Dataset")
})

test_that("named structures keep their names as keys, whatever variables share them", {
  # keras3's multi-output example: the targets' names are also the names of the
  # model's output tensors in the global environment.
  assign("score_output", keras_input(shape = 1), envir = globalenv())
  withr::defer(rm("score_output", envir = globalenv()))
  ds <- tensor_slices_dataset(list(list(a = matrix(1, 4, 2)), list(score_output = matrix(2, 4, 1))))
  spec <- ds$element_spec
  expect_identical(names(spec[[2]]), "score_output")
  expect_identical(names(spec[[1]]), "a")
})
