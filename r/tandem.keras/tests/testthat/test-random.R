# random_*(): shapes as R vectors, seeds as ints, 1-based axes.

test_that("random draws have the requested shape, range and dtype", {
  x <- as.array(random_uniform(c(200, 3), minval = 2, maxval = 3, seed = 1))
  expect_equal(dim(x), c(200L, 3L))
  expect_true(all(x >= 2 & x < 3))
  i <- random_integer(c(100), minval = 1, maxval = 4, seed = 2)
  expect_equal(i$dtype$name, "int32")
  expect_true(all(as.array(i) %in% 1:3))
  n <- as.array(random_normal(shape(500), mean = 10, stddev = 0.1, seed = 3))
  expect_equal(mean(n), 10, tolerance = 0.01)
  expect_true(all(abs(as.array(random_truncated_normal(c(100), seed = 4))) <= 2))
})

test_that("seeds make draws reproducible; a seed generator advances", {
  a1 <- as.array(random_normal(c(5), seed = 42))
  a2 <- as.array(random_normal(c(5), seed = 42))
  expect_identical(a1, a2)
  gen <- random_seed_generator(seed = 1)
  d1 <- as.array(random_uniform(c(4), seed = gen))
  d2 <- as.array(random_uniform(c(4), seed = gen))
  expect_false(identical(d1, d2))
  gen2 <- random_seed_generator(seed = 1)
  expect_identical(as.array(random_uniform(c(4), seed = gen2)), d1)
})

test_that("shuffle permutes along a 1-based axis; dropout zeroes and rescales", {
  m <- matrix(1:12 + 0, 3)
  s <- as.array(random_shuffle(m, axis = 2, seed = 5))
  expect_equal(sort(s[1, ]), m[1, ])
  expect_equal(s[2, ] - s[1, ], rep(1, 4))   # columns move as a whole
  d <- as.vector(as.array(random_dropout(rep(1, 1000), rate = 0.5, seed = 6)))
  expect_true(all(d %in% c(0, 2)))
  expect_true(any(d == 0) && any(d == 2))
  cat_draws <- as.array(random_categorical(matrix(c(0, 1000), 1), num_samples = 5, seed = 7))
  expect_equal(as.vector(cat_draws), rep(2, 5))   # class 2 always wins (1-based, keras3)
})

test_that("random_categorical() returns 1-based classes unless zero_indexed = TRUE", {
  logits <- matrix(c(-100, 100, -100), nrow = 1)   # always the second class
  expect_equal(as.array(random_categorical(logits, num_samples = 4, seed = 1)), matrix(2L, 1, 4))
  expect_equal(as.array(random_categorical(logits, 4, seed = 1, zero_indexed = TRUE)), matrix(1L, 1, 4))
  x <- matrix(c(10, 20, 30), nrow = 1)
  expect_equal(as.array(op_take(x, random_categorical(logits, 2, seed = 1))), matrix(20, 1, 2))
})
