# dotty.R: `.[a, b] <- value`, the destructuring assignment keras3 re-exports (from dotty)
# and its examples use (`.[d_loss, g_loss, images] <- train_step(batch)`).

#' Destructuring assignment with `.`
#'
#' `.[a, b] <- value` assigns the elements of `value` to `a` and `b` in the calling
#' environment, as the `.` that keras3 re-exports (from the dotty package):
#' * `.[a, b, c] <- value` takes the first elements by position (more elements than names
#'   are left alone; fewer are an error).
#' * `..` skips any number of elements: `.[first, .., last] <- 1:10`, `.[.., last]`.
#' * `.[name = expression]` evaluates the expression with the elements of `value` as
#'   variables: `.[beta = beta] <- list(alpha = 1, beta = 2)`, `.[x = mpg * 2] <- mtcars`.
#'   A `.[]` has either all parts named or none.
#' * `.[a, .[b, c]] <- list(1, list(2, 3))` unpacks nested values.
#' * A `.` part skips one element.
#'
#' Python sequences are converted first; an R version (`getRversion()`) gives its
#' components. For zeallot's `c(a, b) %<-% value`, see [`%<-%`].
#'
#' @format An object of class `dotty`.
#' @name dot
#' @aliases .
#' @export
#' @examples
#' .[nr, nc] <- dim(mtcars)
#' .[first, .., last] <- c(1, 2, 3, 4, 5)
#' .[beta = beta] <- list(alpha = 1, beta = 2, gamma = 3)
#' .[x, .[y, z]] <- list(1, list(2, 3))
. <- structure(list(), class = "dotty")

#' @export
format.dotty <- function(x, ...) "<dotty>"

#' @export
print.dotty <- function(x, ...) {
  writeLines(format(x, ...))
  invisible(x)
}

#' @export
`[<-.dotty` <- function(x, ..., value) {
  parts <- as.list(substitute(list(...)))[-1L]
  dot_assign(parts, value, parent.frame())
  x
}

dot_values <- function(value) {
  if (is_py_object(value)) value <- py_to_r(value)
  if (inherits(value, "numeric_version")) value <- unclass(value)[[1L]]
  value
}

dot_assign <- function(parts, value, env) {
  value <- dot_values(value)
  skip <- vapply(parts, function(p) identical(p, quote(..)), logical(1))
  if (sum(skip) > 1L) abort("`..` can stand only once in a `.[]`.")
  if (any(skip)) {
    k <- which(skip)
    n <- length(value)
    left <- parts[seq_len(k - 1L)]
    right <- parts[-seq_len(k)]
    if (length(left) + length(right) > n) {
      abort("`.[]` has ", length(left) + length(right), " names but `value` has ", n, " elements.")
    }
    dot_assign_parts(left, value[seq_len(length(left))], env)
    dot_assign_parts(right, value[seq.int(n - length(right) + 1L, length.out = length(right))], env)
  } else {
    dot_assign_parts(parts, value, env)
  }
  invisible()
}

dot_assign_parts <- function(parts, value, env) {
  labels <- names(parts) %||% character(length(parts))
  named <- nzchar(labels)
  if (any(named) && !all(named)) abort("A `.[]` has either all parts named or none (cannot mix them).")
  if (all(named) && length(parts)) {
    data <- as.list(value)
    for (i in seq_along(parts)) assign(labels[[i]], eval(parts[[i]], data, env), envir = env)
    return(invisible())
  }
  if (length(parts) > length(value)) {
    abort("`.[]` has ", length(parts), " names but `value` has ", length(value), " element",
          if (length(value) != 1L) "s", ".")
  }
  for (i in seq_along(parts)) {
    part <- parts[[i]]
    if (identical(part, quote(.))) next
    if (is.call(part) && identical(part[[1L]], quote(`[`)) && identical(part[[2L]], quote(.))) {
      dot_assign(as.list(part)[-(1:2)], value[[i]], env)
    } else if (is.name(part)) {
      assign(as.character(part), value[[i]], envir = env)
    } else {
      abort("A part of `.[]` must be a name, `..`, `.` or a nested `.[]`, not `",
            paste(deparse(part), collapse = " "), "`.")
    }
  }
  invisible()
}
