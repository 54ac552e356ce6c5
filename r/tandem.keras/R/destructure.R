# destructure.R: `%<-%` and `%->%`, multiple assignment with zeallot's (0.2) name
# structures, which keras3 re-exports and its examples use.

#' Multiple assignment
#'
#' `c(a, b) %<-% value` assigns the parts of `value` to names, as zeallot's operator (which
#' keras3 re-exports) does: `c(c(x_train, y_train), c(x_test, y_test)) %<-%
#' dataset_fashion_mnist()`. `value %->% c(a, b)` is the same with the sides swapped.
#'
#' The name structure is a name (plain assignment of the whole value) or a call to `c()`,
#' whose parts are matched to the parts of `value` in order:
#' * a name takes the next part; `c(x, y) %<-% list(1, 2)`.
#' * a nested `c()` unpacks the next part: `c(x, c(y, z)) %<-% list(1, list(2, 3))`.
#' * `.` skips one part; `..` skips any number of parts (`c(first, .., last)`).
#' * `..name` collects the parts that the other names leave, from the start, the middle or
#'   the end: one part as itself, several as a list, none as `NULL` (or the default given
#'   with `..name = value`). Only one collector may stand in a `c()`.
#' * `name = default` takes the next part, or `default` (evaluated in the calling
#'   environment) when there is none left or the part is `NULL`:
#'   `c(x, y = NULL, sample_weight = NULL) %<-% data` in a custom `train_step`.
#' * `name =` (nothing after `=`) takes the element of that name: `c(mpg=, hp=) %<-% mtcars`.
#' * `x[[i]]`, `x[i]` and `x$name` assign into an existing object.
#'
#' Parts left over after the last name are ignored, as in zeallot; a name with neither a
#' part nor a default is an error, and an error assigns nothing. `value` is split into
#' parts with `as.list()` (a data frame gives its columns, a `keras_shape` its extents, a
#' Python tuple or list its elements); define a method `destructure.<class>(x)` returning
#' a list to split other objects. The old collector spelling `...name` still works, with a
#' one-time warning.
#'
#' @param x A name structure (see Details).
#' @param value A list, vector, data frame, Python sequence or other object to unpack.
#' @return `value`, invisibly.
#' @export
#' @examples
#' c(a, c(b, d)) %<-% list(1, list(2, 3))
#' c(first, ..rest) %<-% list(1, 2, 3)
#' c(x, y = NULL) %<-% list(1)
#' c(mpg=, hp=) %<-% mtcars
#' list(1, 2, 3) %->% c(., ..tail)
`%<-%` <- function(x, value) {
  force(value)
  assign_parts(unpack_structure(substitute(x), value, parent.frame()), parent.frame())
  invisible(value)
}

#' @rdname grapes-set-grapes
#' @export
`%->%` <- function(value, x) {
  force(value)
  assign_parts(unpack_structure(substitute(x), value, parent.frame()), parent.frame())
  invisible(value)
}

# Splits a value into the list of parts that a c() structure is matched against.
destructure <- function(x) UseMethod("destructure")

#' @export
destructure.default <- function(x) {
  if (is_py_object(x)) x <- py_to_r(x)
  if (is.environment(x)) abort("Can't unpack an environment with `%<-%`; give a list.")
  as.list(x)
}

#' @export
destructure.keras_shape <- function(x) unclass(x)

# The assignments a structure asks for: a list of list(target, value), where a target is a
# name or an x[[i]] / x[i] / x$name call. Nothing is assigned until every part matched.
unpack_structure <- function(structure, value, env) {
  if (is.name(structure) || is_extract_call(structure)) return(list(list(structure, value)))
  if (!is.call(structure) || !identical(structure[[1]], quote(c))) {
    abort("The left side of `%<-%` must be a name or `c()` of names, not `",
          deparse_one(structure), "`.")
  }
  parts <- destructure(value)
  if (!is.list(parts)) abort("`destructure()` must return a list, not ", describe_value(parts), ".")
  vars <- as.list(structure)[-1]
  labels <- names(vars) %||% character(length(vars))
  kinds <- character(length(vars))
  for (k in seq_along(vars)) kinds[[k]] <- structure_kind(vars[[k]], labels[[k]], structure)
  collectors <- which(kinds %in% c("collect", "skip_many"))
  if (length(collectors) > 1L) {
    abort("Only one collector (`..` or `..name`) can stand in `", deparse_one(structure), "`.")
  }
  out <- list()
  pos <- 1L
  for (k in seq_along(vars)) {
    kind <- kinds[[k]]
    if (kind %in% c("collect", "skip_many")) {
      take <- max(0L, length(parts) - pos + 1L - (length(vars) - k))
      if (kind == "collect") {
        got <- if (take == 0L) {
          if (nzchar(labels[[k]])) eval(vars[[k]], env) else NULL
        } else if (take == 1L) parts[[pos]] else parts[seq.int(pos, length.out = take)]
        out <- c(out, list(list(as.name(collector_name(labels[[k]], vars[[k]])), got)))
      }
      pos <- pos + take
      next
    }
    have <- pos <= length(parts)
    part <- if (have) parts[[pos]]
    pos <- pos + 1L
    switch(kind,
      skip = NULL,
      by_name = {
        out <- c(out, list(list(as.name(labels[[k]]), element_named(value, labels[[k]]))))
      },
      default = {
        got <- if (is.null(part)) eval(vars[[k]], env) else part
        out <- c(out, list(list(as.name(labels[[k]]), got)))
      },
      {
        if (!have) {
          abort("missing value for variable `", deparse_one(vars[[k]]), "` in `",
                deparse_one(structure), "`: `value` has ", length(parts), " part",
                if (length(parts) != 1L) "s", ".")
        }
        out <- c(out, unpack_structure(vars[[k]], part, env))
      }
    )
  }
  out
}

# What one part of a c() structure is: "skip" (.), "skip_many" (..), "collect" (..name,
# or ..name = default), "by_name" (name =), "default" (name = value) or "part" (a name,
# an extract call or a nested c(), matched by position).
structure_kind <- function(var, label, whole) {
  if (nzchar(label)) {
    if (is_collector_name(label)) return("collect")
    if (identical(var, quote(expr = ))) return("by_name")
    return("default")
  }
  if (is.name(var)) {
    name <- as.character(var)
    if (name == ".") return("skip")
    if (!nzchar(name)) abort("An empty name stands in `", deparse_one(whole), "`.")
    if (name %in% c("..", "...")) {
      if (name == "...") warn_old_collector()
      return("skip_many")
    }
    if (is_collector_name(name)) return("collect")
    return("part")
  }
  if (is_extract_call(var) || (is.call(var) && identical(var[[1]], quote(c)))) return("part")
  abort("The left side of `%<-%` must be a name or `c()` of names, not `", deparse_one(var),
        "` in `", deparse_one(whole), "`.")
}

is_collector_name <- function(name) grepl("^\\.\\.\\.?[A-Za-z._]", name) && !name %in% c("..", "...")

# The name a collector assigns: `..rest` (or the old `...rest`) assigns `rest`.
collector_name <- function(label, var) {
  name <- if (nzchar(label)) label else as.character(var)
  if (startsWith(name, "...")) {
    warn_old_collector()
    return(substring(name, 4L))
  }
  substring(name, 3L)
}

destructure_state <- new.env(parent = emptyenv())

warn_old_collector <- function() {
  if (isTRUE(destructure_state$warned)) return(invisible())
  destructure_state$warned <- TRUE
  warning("`%<-%`: the collector syntax is `..name` (zeallot 0.2); `...name` still works.",
          call. = FALSE)
}

is_extract_call <- function(x) {
  is.call(x) && (identical(x[[1]], quote(`[[`)) || identical(x[[1]], quote(`[`)) ||
                   identical(x[[1]], quote(`$`)))
}

# `name =` in a structure: the element of that name of the (whole) value.
element_named <- function(value, name) {
  if (is_py_object(value)) value <- py_to_r(value)
  if (is.list(value) || is.environment(value)) return(value[[name]])
  if (!is.null(names(value)) && name %in% names(value)) return(value[[name]])
  abort("Can't assign `", name, "=` by name: `value` has no element named `", name, "`.")
}

assign_parts <- function(pairs, env) {
  for (p in pairs) {
    if (is.name(p[[1]])) {
      assign(as.character(p[[1]]), p[[2]], envir = env)
    } else {
      eval(call("<-", p[[1]], call("quote", p[[2]])), env)
    }
  }
  invisible()
}

deparse_one <- function(x) paste(deparse(x, width.cutoff = 500L), collapse = " ")

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
