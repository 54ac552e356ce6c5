# `%<-%` assigns nested lists and Python tuples to names.

test_that("%<-% destructures nested lists and Python tuples", {
  c(a, c(b, d)) %<-% list(1, list("x", 3:4))
  expect_identical(list(a, b, d), list(1, "x", 3:4))
  c(p, q) %<-% tuple(1L, "two")
  expect_identical(list(p, q), list(1L, "two"))
  expect_error(c(u, 1) %<-% list(1, 2), "must be a name")
  # Too few parts: an error that names the variable, and nothing is assigned.
  expect_error(c(u1, u2, u3) %<-% list(1, 2), "missing value for variable `u3`")
  expect_false(exists("u1", inherits = FALSE))
  # Parts left over are ignored (zeallot 0.2).
  c(u, v) %<-% list(1, 2, 3)
  expect_identical(list(u, v), list(1, 2))
})

test_that("%<-% takes zeallot's defaults, names, skips and in-place targets (keras3 train_step)", {
  # A custom train_step's data: (x, y) or (x, y, sample_weight), y possibly None.
  c(x, y = NULL, sample_weight = NULL) %<-% list("x", "y")
  expect_identical(list(x, y, sample_weight), list("x", "y", NULL))
  c(x, y = NULL, sample_weight = NULL) %<-% tuple("x2", NULL, 3)
  expect_identical(list(x, y, sample_weight), list("x2", NULL, 3))
  c(p, q = 3, r = 4) %<-% list(2)
  expect_identical(c(p, q, r), c(2, 3, 4))
  c(p = 3, q = 4) %<-% list(1, 2)
  expect_identical(c(p, q), c(1, 2))
  c(p, q = seq_len(2)) %<-% list(1)
  expect_identical(q, 1:2)
  # By name: the element of that name, and the position still counts.
  c(mpg=, hp=) %<-% mtcars
  expect_identical(list(mpg, hp), list(mtcars$mpg, mtcars$hp))
  c(a=, b) %<-% list(b = 4, a = 2)
  expect_identical(c(a, b), c(2, 2))
  # A data frame unpacks into columns.
  c(eruptions, .., last) %<-% faithful
  expect_identical(eruptions, faithful$eruptions)
  expect_identical(last, faithful$waiting)
  # `..` skips any number, `.` one; neither is assigned.
  c(.., z) %<-% 1:5
  expect_identical(z, 5L)
  c(w, .) %<-% list(1)
  expect_identical(w, 1)
  expect_false(exists("..", inherits = FALSE))
  # In place, into existing objects.
  l <- list()
  e <- new.env()
  c(l[[1]], l$b, e$hello) %<-% list(3, 4, "world")
  expect_identical(l, list(3, b = 4))
  expect_identical(e$hello, "world")
  # The right-hand operator.
  list(1, 2, "a", "b") %->% c(x1, ..rest)
  expect_identical(x1, 1)
  expect_identical(rest, list(2, "a", "b"))
  # A plain name takes the whole value; the value is returned invisibly.
  whole %<-% list(1, 2)
  expect_identical(whole, list(1, 2))
  expect_identical(withVisible(c(x, y) %<-% c(1, 2)), list(value = c(1, 2), visible = FALSE))
  # Other objects split with a destructure() method.
  # (defined where a user defines it: the global environment)
  assign("destructure.tandem_test_date", envir = globalenv(),
         function(x) as.list(as.numeric(strsplit(unclass(x), "-")[[1]])))
  withr::defer(rm("destructure.tandem_test_date", envir = globalenv()))
  c(year, month, day) %<-% structure("2000-01-10", class = "tandem_test_date")
  expect_identical(c(year, month, day), c(2000, 1, 10))
  expect_error(c(a, c(b, d)) %<-% list(1), "missing value for variable `c\\(b, d\\)`")
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
  # One part is collected as itself, none as NULL or the collector's default.
  c(only, ..one) %<-% list(7, 8)
  expect_identical(one, 8)
  c(only, ..none) %<-% list(7)
  expect_null(none)
  c(only, ..none = NA) %<-% list(7)
  expect_identical(none, NA)
  c(..front, last) %<-% 1:3
  expect_identical(front, list(1L, 2L))
  expect_error(c(a, ..x, ..y) %<-% list(1, 2), "Only one")
  expect_error(c(a, b, ..x) %<-% list(1), "missing value for variable `b`")
  # The old spelling of a collector still works, with a warning.
  expect_warning(c(a, ...old) %<-% list(1, 2, 3), "collector syntax")
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

test_that("`.[a, b] <- value` destructures as keras3's `.` (dotty)", {
  .[nr, nc] <- dim(mtcars)
  expect_identical(c(nr, nc), c(32L, 11L))
  .[first, .., last] <- c(1, 2, 3, 4, 5)
  expect_identical(c(first, last), c(1, 5))
  .[.., y, z] <- letters
  expect_identical(c(y, z), c("y", "z"))
  .[a, ..] <- letters
  expect_identical(a, "a")
  expect_false(exists("..", inherits = FALSE))
  .[beta = beta] <- list(alpha = 1, beta = 2, gamma = 3)
  expect_identical(beta, 2)
  .[twice = mpg * 2] <- mtcars
  expect_identical(twice, mtcars$mpg * 2)
  .[x, .[y2, .[z2]]] <- list(1, list(2, list(3)))
  expect_identical(c(x, y2, z2), c(1, 2, 3))
  .[major, minor, patch] <- numeric_version("4.2.2")
  expect_identical(c(major, minor, patch), c(4L, 2L, 2L))
  # A train_step's results (a list), a Python tuple, and `.` to skip one.
  .[d_loss, ., images] <- list(0.5, 0.7, "imgs")
  expect_identical(list(d_loss, images), list(0.5, "imgs"))
  .[p, q] <- tuple(1L, "two")
  expect_identical(list(p, q), list(1L, "two"))
  expect_error(.[u1, u2, u3] <- list(1, 2), "3 names")
  expect_error(.[apple = x, banana] <- list(x = 1, y = 2), "either all parts named or none")
  expect_output(print(.), "<dotty>")
})
