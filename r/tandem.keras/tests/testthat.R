library(testthat)
library(tandem.keras)
test_check("tandem.keras")
