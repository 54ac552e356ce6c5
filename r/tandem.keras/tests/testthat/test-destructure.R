# `%<-%` assigns nested lists and Python tuples to names.

test_that("%<-% destructures nested lists and Python tuples", {
  c(a, c(b, d)) %<-% list(1, list("x", 3:4))
  expect_identical(list(a, b, d), list(1, "x", 3:4))
  c(p, q) %<-% tuple(1L, "two")
  expect_identical(list(p, q), list(1L, "two"))
  expect_error(c(u, v) %<-% list(1, 2, 3), "Can't assign 3 values to 2 names")
  expect_error(c(u, 1) %<-% list(1, 2), "must be a name")
})

test_that("%<-% reads Fashion-MNIST as in the keras examples", {
  skip_if_not(dir.exists("/usr/share/datasets/fashion-mnist"))
  c(c(x_train, y_train), c(x_test, y_test)) %<-% dataset_fashion_mnist()
  expect_identical(dim(x_train), c(60000L, 28L, 28L))
  expect_identical(length(y_test), 10000L)
})

test_that("`..name` collects the remaining values and `.` skips one (zeallot, as in keras3)", {
  c(first, ..rest) %<-% list(1, 2, 3)
  expect_identical(first, 1)
  expect_identical(rest, list(2, 3))
  c(., b, ..mid, z) %<-% list("a", "b", "c", "d", "e")
  expect_false(exists(".", inherits = FALSE))
  expect_identical(b, "b")
  expect_identical(mid, list("c", "d"))
  expect_identical(z, "e")
  c(only, ..none) %<-% list(7)
  expect_identical(none, list())
  expect_error(c(a, ..x, ..y) %<-% list(1, 2), "Only one")
  expect_error(c(a, b, ..x) %<-% list(1), "or more names")
  # An RNN's output and its states.
  rnn <- layer_rnn(cell = rnn_cell_lstm(4), return_sequences = TRUE, return_state = TRUE)
  c(seq_out, ..states) %<-% rnn(random_uniform(c(2, 5, 3)))
  expect_identical(dim(seq_out), c(2L, 5L, 4L))
  expect_length(states, 2)
})

test_that("`%<-active%` makes an active binding", {
  n <- 0
  x %<-active% function() n <<- n + 1
  x; x
  expect_identical(n, 2)
  expect_error(y %<-active% 3, "must be a function")
})
