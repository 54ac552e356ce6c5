# destructure.R: `%<-%`, multiple assignment as in the keras R package's examples.

#' Multiple assignment
#'
#' `c(a, b) %<-% value` assigns the elements of a list (or of a Python tuple or list)
#' to names, recursively: `c(c(x_train, y_train), c(x_test, y_test)) %<-%
#' dataset_fashion_mnist()`.
#'
#' @param x A name, or `c()` of names and nested `c()`.
#' @param value A list, vector, or Python sequence with as many elements as names.
#' @return `value`, invisibly.
#' @export
#' @examples
#' c(a, c(b, d)) %<-% list(1, list(2, 3))
`%<-%` <- function(x, value) {
  destructure(substitute(x), value, parent.frame())
  invisible(value)
}

destructure <- function(pattern, value, env) {
  if (is.name(pattern)) {
    assign(as.character(pattern), value, envir = env)
    return(invisible())
  }
  if (!is.call(pattern) || !identical(pattern[[1]], quote(c))) {
    abort("The left side of `%<-%` must be a name or `c()` of names, not `",
          paste(deparse(pattern), collapse = " "), "`.")
  }
  parts <- as.list(pattern)[-1]
  if (is_py_object(value)) value <- py_to_r(value)
  if (!is.list(value)) value <- as.list(value)
  if (length(parts) != length(value)) {
    abort("Can't assign ", length(value), " values to ", length(parts), " names in `",
          paste(deparse(pattern), collapse = " "), "`.")
  }
  for (k in seq_along(parts)) destructure(parts[[k]], value[[k]], env)
  invisible()
}
