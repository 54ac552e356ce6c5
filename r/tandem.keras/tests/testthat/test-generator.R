# fit() from an R generator: batches come from R's main thread through py_iterator()
# while Keras consumes them in tf.data's threads (the deadlock case of reticulate #986).

test_that("fit() trains from an R generator without deadlocking", {
  tandem::py_run_string("
def as_generator(it):
    for batch in it:
        yield tuple(batch)
")
  set.seed(2)
  calls <- 0L
  batch <- function() {
    calls <<- calls + 1L
    x <- matrix(rnorm(32 * 4), 32, 4)
    list(x, x %*% c(1, 2, 3, 4))
  }
  it <- tandem::py_iterator(batch, prefetch = 4L)
  model <- keras_model_sequential(input_shape = 4) |> layer_dense(1)
  compile(model, optimizer = optimizer_sgd(learning_rate = 0.05), loss = "mse")
  history <- fit(model, tandem::py$as_generator(it), steps_per_epoch = 10, epochs = 3, verbose = 0)
  losses <- as.data.frame(history)
  losses <- losses$value[losses$metric == "loss"]
  expect_length(losses, 3)
  expect_lt(losses[3], losses[1] / 2)
  expect_gte(calls, 30L)
})
