# ops.R: what the generated function wrappers (op_*, activation_*, random_*, config_*,
# application_*) share: argument capture and keras3's conversions (1-based axes and
# indices, whole numbers as ints), and the ops keras3 gives R-specific behaviour.

# The arguments the caller gave (never the R defaults, so Keras keeps its own), coerced.
# `call` is the wrapper's match.call(expand.dots = FALSE); `positional` names formals that
# must reach Python positionally (those before Python's *args), and unnamed elements of
# `...` follow them positionally. Named elements of `...` are keywords.
fn_args <- function(env, call, coerce = NULL, rename = NULL, ignore = NULL,
                    positional = NULL, dots_coerce = NULL) {
  supplied <- setdiff(as.character(names(call)[-1]), c("...", ignore))
  args <- mget(supplied, envir = env)
  for (n in names(args)) {
    f <- coerce[[n]]
    if (!is.null(f)) args[n] <- list(f(args[[n]], n)) else args[n] <- list(as_operand(args[[n]]))
  }
  if (length(rename)) {
    hit <- names(args) %in% names(rename)
    names(args)[hit] <- rename[names(args)[hit]]
  }
  pos <- list()
  for (p in positional) {
    if (!p %in% names(args)) abort("`", p, "` is missing, with no default.")
    pos <- c(pos, list(args[[p]]))
    args[[p]] <- NULL
  }
  if (!is.null(call$...)) {
    dots <- eval(quote(dots_list(...)), env)
    nms <- names(dots) %||% rep("", length(dots))
    pos <- c(pos, lapply(unname(dots[!nzchar(nms)]), as_operand))
    named <- dots[nzchar(nms)]
    if (!is.null(dots_coerce)) named <- Map(dots_coerce, named, names(named))
    args <- c(args, named)
  }
  c(pos, args)
}

call_fn <- function(fn, args) {
  out <- do.call(fn, args)
  # A function called for its effect (config_set_floatx()) returns NULL invisibly, as in keras3.
  if (is.null(out)) return(invisible(NULL))
  # TensorFlow returns some results as namedtuples (top_k's TopKV2), which stay Python
  # objects in R as in reticulate: they become an R list of their parts, named by the
  # tuple's fields as keras3 names them (`$values`, `$indices`).
  if (inherits(out, "python.builtin.tuple")) {
    fields <- tandem::py_get_attr(out, "_fields", silent = TRUE)
    out <- tandem::import_builtins()$tuple(out)
    if (!is.null(fields)) {
      fields <- as.character(unlist(tandem::py_to_r(fields)))
      if (length(fields) == length(out)) names(out) <- fields
    }
  }
  out
}

# An R vector (no `dim`, length > 1) is a 1-d array for Keras (a Python list has no
# `shape`, which some ops need). keras3 passes it as a Python list, which TensorFlow makes
# float32 when it holds doubles: so a double vector is a float32 array, and
# op_cbrt(c(-8, 0, 8)) is float32 as in keras3 (R arrays, with `dim`, stay float64).
as_operand <- function(x) {
  if (is.atomic(x) && !is.object(x) && !is.character(x) && is.null(dim(x)) && length(x) > 1L) {
    if (is.double(x)) return(np_array(x, dtype = "float32"))
    return(array(x, length(x)))
  }
  x
}

# A whole number (or numbers), shape kept: R arrays of indices or counts reach Python as
# int32 arrays (tensors and NumPy arrays pass through).
as_int_array <- function(x, arg = "x") {
  if (is.null(x) || is_py_object(x) || is.integer(x)) return(x)
  if (is.list(x)) return(lapply(x, as_int_array, arg = arg))
  if (is.logical(x)) abort("`", arg, "` must be whole numbers, not a logical vector.")
  if (!is_whole(x) || any(abs(x) > .Machine$integer.max)) {
    abort("`", arg, "` must be whole numbers, not ", describe_value(x), ".")
  }
  storage.mode(x) <- "integer"
  x
}

# 1-based R indices (negative ones count from the end) as 0-based Python indices.
# Tensors and NumPy arrays are shifted by Keras ops, elementwise.
as_index <- function(x, arg = "indices") {
  if (is.null(x)) return(x)
  if (is_py_object(x)) {
    ops <- keras$ops
    return(ops$where(ops$greater(x, 0L), ops$subtract(x, 1L), x))
  }
  if (is.list(x)) return(lapply(x, as_index, arg = arg))
  if (is.factor(x)) x <- unclass(x)
  x <- as_int_array(x, arg)
  if (any(x == 0L)) {
    abort("`", arg, "` is 1-based (negative values count from the end), so `0` is not an ",
          "index. Use `zero_indexed = TRUE` for 0-based indices where offered.")
  }
  x[x > 0L] <- x[x > 0L] - 1L
  if (length(x) > 1L && is.null(dim(x))) x <- array(x, length(x))
  x
}

# 0-based indices returned by Keras, made 1-based (keeping the tensor's dtype).
index_to_r <- function(x) {
  if (is.list(x) && !is_py_object(x)) return(lapply(x, index_to_r))
  if (is_py_object(x)) return(keras$ops$add(x, 1L))
  x + 1L
}

# A tuple of numbers (or whatever Python gave).
as_tuple <- function(x, arg = "x") {
  if (is.null(x) || is_py_object(x)) return(x)
  tuple(as.list(unlist(x)))
}

# A 1-d array, even of length one (Keras' digitize() needs `bins` with a shape).
as_1d_array <- function(x, arg = "x") {
  if (is.null(x) || is_py_object(x)) return(x)
  array(unlist(x), length(unlist(x)))
}

# R numbers as a NumPy array of Keras' float type (doubles) or their own type, as keras3
# gives both operands of op_searchsorted(): op_array() makes float32, so float64 queries
# would not match it.
as_floatx_array <- function(x, arg = "x") {
  if (is.null(x) || is_py_object(x) || !is.atomic(x)) return(x)
  np_array(x, dtype = if (is.double(x)) keras$config$floatx())
}

# op_switch()'s branch: 1-based as keras3's (a positive index counts from 1; 0 and negative
# ones are passed on, so 0 is the first branch too, as in keras3).
as_branch_index <- function(x, arg = "index") {
  if (is.null(x) || is_py_object(x)) return(as_index(x, arg))  # a tensor: as_index()'s rule
  x <- as_int_array(x, arg)
  ifelse(x > 0L, x - 1L, x)
}

# An R value as an array with a shape, even of length one.
as_array <- function(x, arg = "x") {
  if (is.null(x) || is_py_object(x) || !is.atomic(x)) return(x)
  array(x, dim(x) %||% length(x))
}

# tensordot's `axes`: a count of axes (a single number) or two lists of 1-based axes.
as_tensordot_axes <- function(x, arg = "axes") {
  if (is.null(x) || is_py_object(x)) return(x)
  if (!is.list(x) && length(x) == 1L) return(as_int(x, arg))
  x <- as.list(x)
  if (length(x) != 2L) {
    abort("`", arg, "` must be a number of axes or a list of two axis vectors, not ",
          describe_value(x), ".")
  }
  lapply(x, function(a) as.list(as_axis(as.list(a), arg)))
}

# reshape()'s new shape: NA (or -1) is the one extent Keras infers.
as_reshape_shape <- function(x, arg = "newshape") {
  if (is.null(x) || is_py_object(x)) return(x)
  if (inherits(x, "keras_shape")) x <- unclass(x)
  x <- unlist(lapply(as.list(x), function(d) if (is.null(d) || is.na(d)) -1L else d))
  tuple(as.list(as_int(x, arg)))
}

# split()'s `indices_or_sections`: a number of sections, or the 1-based positions where a
# new section starts (keras3 passes these positions to Python as they are).
as_split_sections <- function(x, arg = "indices_or_sections") {
  if (is.null(x) || is_py_object(x)) return(x)
  x <- as_int(unlist(x), arg)
  if (length(x) > 1L) as.list(x) else x
}

# map_coordinates()' coordinates: a list of arrays (one per input dimension) or an array.
as_coordinates <- function(x, arg = "coordinates") {
  if (is.list(x) && !is_py_object(x)) return(lapply(x, function(e) if (is_py_object(e)) e else array(e, dim(e) %||% length(e))))
  x
}

# norm()'s `ord`: a whole number becomes an int; "fro", "nuc", Inf stay.
as_norm_ord <- function(x, arg = "ord") {
  if (is.numeric(x) && length(x) == 1L && is.finite(x) && x == trunc(x)) return(as.integer(x))
  x
}

is_tensor_like <- function(x) {
  is_py_object(x) && (py_has_attr(x, "dtype") && py_has_attr(x, "shape"))
}

#' Compute the weighted average along the specified axis.
#'
#' Wraps the Python function `keras.ops.average`. Only the arguments you give are passed on (the others keep Keras' defaults); whole numbers become Python ints where Keras wants them, and axes and indices are 1-based. As in keras3, `weights` of a shape other than `x`'s need an `axis` (Keras would silently sum the averages along every axis).
#'
#' @family ops
#' @param x Input tensor.
#' @param axis Integer along which to average `x`. The default, `axis=None`, will average over all of the elements of the input tensor. If axis is negative it counts from the last to the first axis. (1-based in R; negative values count from the end.)
#' @param weights Tensor of weights associated with the values in `x`. Each value in `x` contributes to the average according to its associated weight. The weights array can either be 1-D (in which case its length must be the size of a along the given axis) or of the same shape as `x`. If `weights=None` (default), then all data in `x` are assumed to have a weight equal to one. The 1-D calculation is: `avg = sum(a * weights) / sum(weights)`. The only constraint on weights is that `sum(weights)` must not be 0.
#' @return Return the average along the specified axis.
#' @export
op_average <- function(x, axis = NULL, weights = NULL) {
  if (!is.null(weights) && is.null(axis) && !identical(dim(as_operand(weights)), dim(as_operand(x)))) {
    abort("Axis must be specified when shapes of x and weights differ.")
  }
  args <- fn_args(environment(), match.call(expand.dots = FALSE), list(axis = as_axis), NULL)
  call_fn(keras$ops$average, args)
}

#' Matrix product of two tensors
#'
#' Wraps `keras.ops.matmul`. When one operand is an R vector or array and the other a
#' tensor, the R value is first converted to the tensor's dtype (as keras3 does), so
#' `op_matmul(tensor_float32, r_matrix)` does not fail on mixed dtypes.
#'
#' @param x1,x2 Tensors, or R arrays.
#' @return A tensor.
#' @family ops
#' @export
op_matmul <- function(x1, x2) {
  to_dtype_of <- function(a, b) {
    if (is.atomic(a) && !is_py_object(a) && is_tensor_like(b)) {
      if (is.null(dim(a)) && length(a) > 1L) a <- array(a, length(a))
      a <- keras$ops$convert_to_tensor(a, dtype = keras$ops$dtype(b))
    }
    a
  }
  keras$ops$matmul(to_dtype_of(x1, x2), to_dtype_of(x2, x1))
}

#' Indices of the non-zero elements
#'
#' As in keras3, the result is one integer matrix with a row per non-zero element and a
#' column per dimension of `x`, holding 1-based indices (Keras' `keras.ops.nonzero`
#' returns a tuple of 0-based index vectors).
#'
#' @param x A tensor or R array.
#' @param zero_indexed If `TRUE`, the indices are 0-based, as in Python.
#' @return A tensor of shape `(number of non-zero elements, rank of x)`.
#' @family ops
#' @export
op_nonzero <- function(x, zero_indexed = FALSE) {
  idx <- keras$ops$nonzero(x)
  if (is_py_object(idx)) idx <- py_to_r(idx)
  if (!zero_indexed) idx <- lapply(idx, index_to_r)
  keras$ops$stack(unname(idx), axis = -1L)
}

#' Convert a value to a tensor
#'
#' Wraps `keras.ops.convert_to_tensor`. As in keras3, an R double vector asked to become
#' an integer dtype (`dtype = "int32"`) is converted to integers first; an R vector of
#' length more than one becomes a 1-d tensor.
#'
#' @param x An R value (vector, array), NumPy array or tensor.
#' @param dtype The target dtype (e.g. `"float32"`, `"int64"`); `NULL` keeps `x`'s.
#' @param sparse,ragged Whether to keep (or allow) sparse and ragged tensors.
#' @return A tensor.
#' @family ops
#' @export
op_convert_to_tensor <- function(x, dtype = NULL, sparse = NULL, ragged = NULL) {
  if (is.character(dtype) && length(dtype) == 1L && is.double(x) && grepl("int", dtype, fixed = TRUE)) {
    x <- as_int_array(x, "x")
  }
  if (is.atomic(x) && !is_py_object(x) && is.null(dim(x)) && length(x) > 1L) {
    x <- array(x, length(x))
  }
  args <- list(x, dtype = dtype)
  if (!is.null(sparse)) args$sparse <- sparse
  if (!is.null(ragged)) args$ragged <- ragged
  do.call(keras$ops$convert_to_tensor, args)
}

stack_op <- function(fn, xs, dots) {
  if (!is.list(xs) || is.object(xs)) xs <- list(xs)
  xs <- lapply(c(xs, dots), as_operand)
  fn(unname(xs))
}

#' Stack tensors horizontally, vertically or depth-wise
#'
#' Wrap `keras.ops.hstack`, `keras.ops.vstack` and `keras.ops.dstack`. The tensors are
#' given as a list, or as separate arguments (as keras3 accepts).
#'
#' @param xs A list of tensors (or the first tensor).
#' @param ... Further tensors.
#' @return A tensor.
#' @family ops
#' @export
op_hstack <- function(xs, ...) stack_op(keras$ops$hstack, xs, dots_list(...))

#' @rdname op_hstack
#' @export
op_vstack <- function(xs, ...) stack_op(keras$ops$vstack, xs, dots_list(...))

#' @rdname op_hstack
#' @export
op_dstack <- function(xs, ...) stack_op(keras$ops$dstack, xs, dots_list(...))

#' Subset a tensor with R's `[` rules
#'
#' `op_subset(x, ...)` is `x[...]` for tensors (1-based, inclusive ranges, negative
#' numbers count from the end as in the tensor `[` method); `op_subset(x, ...) <- value`
#' (also `op_subset_set()`) returns a new tensor with those elements replaced. Non-tensor
#' inputs are converted with [op_convert_to_tensor()] first.
#'
#' @param x A tensor or R array.
#' @param ... Indices, one per dimension, as for `[`.
#' @param value The replacement values.
#' @return A tensor.
#' @family ops
#' @export
op_subset <- function(x, ...) {
  if (!is_py_object(x)) x <- op_convert_to_tensor(x)
  x[...]
}

#' @rdname op_subset
#' @export
`op_subset<-` <- function(x, ..., value) {
  if (!is_py_object(x)) x <- op_convert_to_tensor(x)
  x[...] <- value
  x
}

#' @rdname op_subset
#' @export
op_subset_set <- function(x, ..., value) {
  op_subset(x, ...) <- value
  x
}

# activation_*() functions are classed (c("tandem_keras_activation", "function")) so that r_to_py() gives Keras' own activation
# (by name), which layers serialize; called from R they run as usual.


#' @method r_to_py tandem_keras_activation
#' @export
r_to_py.tandem_keras_activation <- function(x, convert = FALSE) {
  py_set_convert(keras$activations[[attr(x, "py_name", exact = TRUE)]], isTRUE(convert))
}

#' @export
print.tandem_keras_activation <- function(x, ...) {
  cat("<Keras activation `", attr(x, "py_name", exact = TRUE), "`>\n", sep = "")
  print(unclass(`attributes<-`(x, NULL)), ...)
  invisible(x)
}

#' Evenly spaced values, R style
#'
#' keras3's `op_arange()`: like R's `seq()`, `op_arange(5)` is 1, 2, ..., 5 and the `end`
#' is included (`include_end = FALSE` gives Python's half-open range). With an integer
#' `dtype`, whole doubles become integers first.
#'
#' @param start The first value; alone, the end of a range starting at 1.
#' @param end The last value (included unless `include_end = FALSE`).
#' @param step The spacing.
#' @param dtype The dtype of the result.
#' @param include_end Whether `end` is part of the range.
#' @return A 1-d tensor.
#' @family ops
#' @export
op_arange <- function(start, end, step = 1L, dtype = NULL, include_end = TRUE) {
  if (missing(end)) {
    end <- start
    start <- if (is.double(end)) 1 else 1L
  }
  if (!is.null(dtype) && is.character(dtype) && grepl("int", dtype, fixed = TRUE)) {
    start <- as_int(start, "start")
    end <- as_int(end, "end")
    step <- as_int(step, "step")
  }
  if (include_end) end <- end + step
  args <- list(start, end, step)
  if (!is.null(dtype)) args$dtype <- dtype
  do.call(keras$ops$arange, args)
}

#' The shape of a tensor
#'
#' Wraps `keras.ops.shape` and returns the result as [shape()] does (unknown extents are
#' `NA`), as keras3's `op_shape()` returns a shape object.
#'
#' @param x A tensor or R array.
#' @return A shape, as made by [shape()].
#' @family ops
#' @export
op_shape <- function(x) shape(keras$ops$shape(x))
