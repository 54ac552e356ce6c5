# pipe.R: magrittr's pipe, re-exported because the seed posts' code uses `%>%` (keras does
# the same), including `x %>% self$dense()` and `{ . / sum(.) }` blocks.

#' The magrittr pipe
#'
#' Re-exported from magrittr: `model %>% layer_dense(units = 32)` composes as
#' `layer_dense(model, units = 32)`. See [magrittr::%>%].
#'
#' @name %>%
#' @rdname pipe
#' @keywords internal
#' @importFrom magrittr %>%
#' @export %>%
#' @usage lhs \%>\% rhs
#' @param lhs A value.
#' @param rhs A function call using the magrittr semantics.
#' @return The result of calling `rhs(lhs)`.
NULL

#' The magrittr assignment pipe
#'
#' Re-exported from magrittr (as keras3 does): `x %<>% f()` is `x <- x %>% f()`.
#'
#' @name %<>%
#' @rdname assignment-pipe
#' @keywords internal
#' @importFrom magrittr %<>%
#' @export %<>%
#' @usage lhs \%<>\% rhs
#' @param lhs A variable.
#' @param rhs A function call using the magrittr semantics.
#' @return The new value of `lhs`, invisibly.
NULL
