# Seed post: "TensorFlow and Keras 2.9" (RStudio AI blog, 2022-06-09). Its one runnable
# example: a function written for R vectors works unchanged on 1-d tensors, because
# exp(), log(), `/` and sum() are R generics with tensor methods. (The post's
# `methods(class = "tensorflow.tensor")` listing names reticulate's class; tandem's tensors
# are `tensorflow.python.framework.tensor.Tensor`.)

test_that("TF 2.9: the same R function works on R vectors and on tensors", {
  reweight_distribution <-
    function(original_distribution, temperature = 0.5) {
      original_distribution %>%
        { exp(log(.) / temperature) } %>%
        { . / sum(.) }
    }

  p <- c(0.2, 0.3, 0.5)
  r_result <- reweight_distribution(p)
  expect_equal(r_result, p^2 / sum(p^2))
  t_result <- reweight_distribution(as_tensor(p, "float32"))
  expect_true(inherits(t_result, "tensorflow.python.framework.tensor.Tensor"))
  expect_identical(dim(t_result), 3L)
  expect_equal(as.numeric(t_result), r_result, tolerance = 1e-6)
  expect_equal(as.numeric(reweight_distribution(as_tensor(p, "float32"), temperature = 2)),
               sqrt(p) / sum(sqrt(p)), tolerance = 1e-6)
})

test_that("TF 2.9: base R generics with tensor methods", {
  generics <- sub("\\.tensorflow\\.python\\.framework\\.tensor\\.Tensor$", "",
                  format(methods(class = "tensorflow.python.framework.tensor.Tensor")))
  expect_true(all(c("[", "Ops", "Math", "Summary", "dim", "length", "mean", "print", "t") %in% generics))
  x <- as_tensor(c(1, 4, 9), "float32")
  expect_equal(as.numeric(sqrt(x) + 1), c(2, 3, 4))
  expect_equal(as.numeric(max(x)), 9)
  expect_equal(as.numeric(range(x)), c(1, 9))
  expect_equal(as.numeric(x[2:3]), c(4, 9))
})
