# destructure.R: `%<-%`, multiple assignment as in the keras R package's examples.

#' Multiple assignment
#'
#' `c(a, b) %<-% value` assigns the elements of a list (or of a Python tuple or list)
#' to names, recursively: `c(c(x_train, y_train), c(x_test, y_test)) %<-%
#' dataset_fashion_mnist()`. As in zeallot (which keras3 re-exports), a name starting with
#' `..` collects the remaining elements as a list (`c(output, ..states) %<-% rnn(x)`; it
#' may stand anywhere, once), and `.` skips an element.
#'
#' @param x A name, or `c()` of names and nested `c()`.
#' @param value A list, vector, or Python sequence with as many elements as names.
#' @return `value`, invisibly.
#' @export
#' @examples
#' c(a, c(b, d)) %<-% list(1, list(2, 3))
#' c(first, ..rest) %<-% list(1, 2, 3)
`%<-%` <- function(x, value) {
  destructure(substitute(x), value, parent.frame())
  invisible(value)
}

destructure <- function(pattern, value, env) {
  if (is.name(pattern)) {
    name <- as.character(pattern)
    if (name != ".") assign(sub("^\\.\\.", "", name), value, envir = env)
    return(invisible())
  }
  if (!is.call(pattern) || !identical(pattern[[1]], quote(c))) {
    abort("The left side of `%<-%` must be a name or `c()` of names, not `",
          paste(deparse(pattern), collapse = " "), "`.")
  }
  parts <- as.list(pattern)[-1]
  if (is_py_object(value)) value <- py_to_r(value)
  if (!is.list(value)) value <- as.list(value)
  rest <- which(vapply(parts, function(p) is.name(p) && grepl("^\\.\\.[A-Za-z._]", as.character(p)),
                       logical(1)))
  if (length(rest) > 1L) {
    abort("Only one `..name` can collect the rest in `", paste(deparse(pattern), collapse = " "), "`.")
  }
  if (length(rest)) {
    n_after <- length(parts) - rest
    if (length(value) < length(parts) - 1L) {
      abort("Can't assign ", length(value), " values to ", length(parts) - 1L, " or more names in `",
            paste(deparse(pattern), collapse = " "), "`.")
    }
    span <- seq.int(rest, length.out = length(value) - (length(parts) - 1L))
    before <- value[seq_len(rest - 1L)]
    after <- value[seq.int(length(value) - n_after + 1L, length.out = n_after)]
    value <- c(before, list(unname(value[span])), after)
  }
  if (length(parts) != length(value)) {
    abort("Can't assign ", length(value), " values to ", length(parts), " names in `",
          paste(deparse(pattern), collapse = " "), "`.")
  }
  for (k in seq_along(parts)) destructure(parts[[k]], value[[k]], env)
  invisible()
}

#' Make an active binding
#'
#' `x %<-active% function() value` makes `x` an active binding in the calling environment
#' (`makeActiveBinding()`): reading `x` calls the function, assigning to it calls the
#' function with the new value (as keras3's operator).
#'
#' @param sym A name.
#' @param value A function of zero arguments, or of one (the assigned value).
#' @return `value`, invisibly.
#' @export
#' @examples
#' counter <- 0
#' x %<-active% function() counter <<- counter + 1
#' x; x
`%<-active%` <- function(sym, value) {
  if (!is.function(value)) abort("The right side of `%<-active%` must be a function.")
  makeActiveBinding(substitute(sym), value, parent.frame())
  invisible(value)
}
