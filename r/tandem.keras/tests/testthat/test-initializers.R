# initializer_*, regularizer_*, constraint_*, learning_rate_schedule_*, rnn_cell_*.

test_that("initializers produce the known values", {
  expect_equal(as.array(initializer_constant(3)(shape(2, 2))), matrix(3, 2, 2), ignore_attr = TRUE)
  expect_equal(as.array(initializer_identity()(shape(3, 3))), diag(3), ignore_attr = TRUE)
  expect_equal(as.array(initializer_zeros()(shape(2))), c(0, 0), ignore_attr = TRUE)
  a1 <- as.array(initializer_random_normal(seed = 1)(shape(4, 4)))
  a2 <- as.array(initializer_random_normal(seed = 1)(shape(4, 4)))
  expect_identical(a1, a2)
  expect_identical(initializer_glorot_uniform(seed = 3)$get_config()$seed, 3L)
  o <- as.array(initializer_orthogonal(seed = 2)(shape(4, 4)))
  expect_equal(crossprod(o), diag(4), tolerance = 1e-5, ignore_attr = TRUE)
  layer <- layer_dense(units = 2, kernel_initializer = initializer_ones())
  layer$build(shape(NA, 3))
  expect_equal(as.array(layer$kernel), matrix(1, 3, 2), ignore_attr = TRUE)
})

test_that("regularizers and constraints compute their penalties and projections", {
  w <- matrix(c(1, -2, 3, -4), 2)
  expect_equal(as.numeric(as.array(regularizer_l2(0.1)(w))), 0.1 * sum(w^2), tolerance = 1e-6)
  expect_equal(as.numeric(as.array(regularizer_l1(0.5)(w))), 0.5 * sum(abs(w)), tolerance = 1e-6)
  expect_equal(as.numeric(as.array(regularizer_l1_l2(l1 = 0.1, l2 = 0.2)(w))),
               0.1 * sum(abs(w)) + 0.2 * sum(w^2), tolerance = 1e-6)
  expect_equal(as.array(constraint_nonneg()(w)), pmax(w, 0), ignore_attr = TRUE)
  u <- as.array(constraint_unitnorm(axis = 1)(w))
  expect_equal(colSums(u^2), c(1, 1), tolerance = 1e-6)
  # axis is 1-based: Python's default 0 (norms over rows of each column) is axis = 1
  expect_identical(constraint_maxnorm(max_value = 1)$get_config()$axis, 0L)
  expect_identical(constraint_maxnorm(max_value = 1, axis = 2)$get_config()$axis, 1L)
  mm <- as.array(constraint_minmaxnorm(min_value = 0, max_value = 1, axis = 1)(w))
  expect_true(all(sqrt(colSums(mm^2)) <= 1 + 1e-6))
})

test_that("learning-rate schedules follow their formulas", {
  ed <- learning_rate_schedule_exponential_decay(0.1, decay_steps = 10, decay_rate = 0.5)
  expect_equal(as.numeric(as.array(ed(10))), 0.05, tolerance = 1e-6)
  expect_equal(as.numeric(as.array(ed(20))), 0.025, tolerance = 1e-6)
  pc <- learning_rate_schedule_piecewise_constant_decay(boundaries = 5, values = c(1, 0.5))
  expect_equal(as.numeric(as.array(pc(3))), 1)
  expect_equal(as.numeric(as.array(pc(7))), 0.5)
  it <- learning_rate_schedule_inverse_time_decay(1, decay_steps = 1, decay_rate = 1)
  expect_equal(as.numeric(as.array(it(3))), 1 / 4, tolerance = 1e-6)
  cd <- learning_rate_schedule_cosine_decay(1, decay_steps = 10)
  expect_equal(as.numeric(as.array(cd(10))), 0, tolerance = 1e-6)
  opt <- optimizer_sgd(learning_rate = ed)
  expect_s3_class(opt$learning_rate, "python.builtin.object")
})

test_that("rnn cells make recurrent layers", {
  x <- array(runif(2 * 5 * 3), c(2, 5, 3))
  out <- layer_rnn(x, cell = rnn_cell_lstm(units = 4))
  expect_equal(dim(as.array(out)), c(2L, 4L))
  stacked <- rnn_cells_stack(list(rnn_cell_simple(units = 3), rnn_cell_gru(units = 2)))
  out2 <- layer_rnn(x, cell = stacked, return_sequences = TRUE)
  expect_equal(dim(as.array(out2)), c(2L, 5L, 2L))
  expect_identical(rnn_cell_gru(units = 7)$units, 7L)
})
