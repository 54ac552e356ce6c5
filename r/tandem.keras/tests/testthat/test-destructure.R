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
