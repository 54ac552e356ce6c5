# tensor.R: R methods for TensorFlow tensors (print, operators, math, summaries, `[`,
# `[<-`, binding, sorting).

#' TensorFlow tensors in R
#'
#' Tensors (`tf.Tensor`, including eager tensors) behave like R arrays:
#' * `print()`/`format()` show TensorFlow's text (`tf.Tensor(..., shape=(2, 2), dtype=int32)`),
#'   a 1-d shape without Python's trailing comma (`shape=(3)`), as keras3 prints it.
#' * The `Ops` group (`+ - * / ^ %% %/% == != < <= > >= & | !`) works in both operand
#'   orders; an R number or array meets the tensor in the tensor's dtype (a fractional
#'   number is an error with an integer tensor). `%%` and `%/%` follow R (floored).
#' * The `Math` group: `abs`, `sign`, `sqrt`, `floor`, `ceiling`, `trunc`,
#'   `round` (with `digits`; halves to even, as R does), `exp`, `log` (with `base`),
#'   `log2`, `log10`, `log1p`, `expm1`, trigonometric and hyperbolic functions, `cospi`,
#'   `sinpi`, `tanpi` (computed as `cos(pi * x)`, ...), `lgamma`, `digamma`, and
#'   `cumsum`, `cumprod`, `cummax`, `cummin` (which, as in R, run along the elements in
#'   R's order and return a 1-d tensor). Integer and logical tensors give float64 where
#'   R gives doubles (`sqrt()`, `exp()`, ...).
#' * The `Complex` group (`Re`, `Im`, `Mod`, `Arg`, `Conj`), for complex and real tensors.
#' * The `Summary` group (`sum`, `prod`, `max`, `min`, `range`, `all`, `any`, also with
#'   several tensors or R values) and `mean()` reduce over all elements and return
#'   tensors (`mean()` of an integer tensor is float64).
#' * `is.finite()`, `is.infinite()`, `is.nan()` give boolean tensors.
#' * `dim()` (`NA` for unknown extents), `length()` (number of elements), `as.array()`,
#'   `as.numeric()`, `as.integer()`, `as.logical()`, `as.character()`, `t()` and
#'   `aperm()` (1-based `perm`).
#' * `rbind()` and `cbind()` of tensors, R vectors and matrices (vectors are recycled to
#'   the rows or columns, as in R); `rep()` and `sort()` work on the elements in R's
#'   order and return 1-d tensors.
#' * `x[i, j, ...]` indexes as R does: 1-based, inclusive ranges, negative indices
#'   exclude, logical indices select, missing indices take everything, out-of-bounds
#'   indices are errors. As in the tensorflow R package (which keras3 code is written
#'   against), `drop = TRUE` drops only the axes indexed by a scalar: one number (or a
#'   scalar tensor) not written as a `:` range (`x[, 3, ]`, `x[, i, ]`, `x[, c(2), ]`); missing
#'   indices, ranges (even `2:2`), logical indices and vectors keep their axes, even of
#'   length one, so `x[, 3, ]` of a tensor of shape (1, 10, 5) has shape (1, 5).
#'   `drop = FALSE` keeps every axis. A `NULL` index inserts an axis of length one
#'   (`x[, NULL, ]` of shape (2, 7) has shape (2, 1, 7)), as `tf$newaxis` does. A
#'   single index into a tensor of rank > 1 counts the elements in R's (column-major)
#'   order, or is a logical mask of the tensor's shape (`x[x > 0]`). On an axis whose
#'   extent is unknown (the batch axis in a traced function), positive indices are not
#'   checked against the extent, and negative or logical ones are errors.
#' * `x[i, j, ...] <- value` (the same indices) returns a modified copy, as in R (tensors
#'   are immutable): `value` is an R vector or a tensor, recycled as R recycles it.
#'
#' Keras variables (from `self$add_weight()` or `layer$kernel`) and TensorFlow variables
#' (`tf$Variable()`) have the same methods, which use their current value; they print
#' as Python shows them. `v[i] <- value` on a variable assigns into it in place (with
#' `v$assign()`), since a variable is a reference, like other Python objects.
#'
#' @param x,e1,e2 Tensors (or, for the other operand, R values).
#' @param ... Indices (for `[` and `[<-`); `digits` for `round()`, `base` for `log()`;
#'   tensors or R values for `Summary`, `rbind()` and `cbind()`; `times`, `each` and
#'   `length.out` for `rep()`; otherwise unused.
#' @param drop For `[`: drop the axes indexed by a scalar (a single number, not a `:`
#'   range).
#' @param na.rm Unused (tensors have no `NA`).
#' @return A tensor, except `dim()`, `length()` and the `as.*()` conversions.
#' @name tensor-methods
#' @examples
#' \dontrun{
#' x <- as_tensor(matrix(1:6, 2))
#' x + 1L
#' 2 * x
#' x[2, 2:3]
#' sum(x)
#' as.array(t(x))
#' }
NULL

TENSOR <- "tensorflow.python.framework.tensor.Tensor"
# Variables: Keras 3's (what `add_weight()` and `layer$kernel` give) and TensorFlow's
# (`tf$Variable()`, a ResourceVariable). Neither is a subclass of Tensor; variable.R
# registers the tensor methods for them too, and the methods read their value first.
VARIABLE_CLASSES <- c("keras.src.backend.common.variables.Variable",
                      "tensorflow.python.ops.variables.Variable")

is_tensor <- function(x) inherits(x, TENSOR)

is_variable <- function(x) inherits(x, VARIABLE_CLASSES)

# A variable as a tensor of its current value; anything else unchanged.
as_tensor_value <- function(x) if (is_variable(x)) tf$convert_to_tensor(x) else x

tensor_dtype <- function(x) py_to_r(py_get_attr(py_get_attr(x, "dtype"), "name"))

is_int_dtype <- function(dtype) grepl("^u?int", dtype)

# An R value (or tensor) as a tensor of `dtype`.
tensor_like <- function(value, dtype) {
  value <- as_tensor_value(value)
  if (is_tensor(value)) {
    if (identical(tensor_dtype(value), dtype)) return(value)
    return(tf$cast(value, dtype))
  }
  if (is.numeric(value) && is_int_dtype(dtype) && !is_whole(value)) {
    abort("Can't use ", describe_value(value), " with a tensor of dtype ", dtype,
          ": it is not a whole number.")
  }
  if (is.numeric(value) || is.logical(value)) {
    mode <- if (is_int_dtype(dtype)) "integer" else if (dtype == "bool") "logical" else "double"
    if (mode == "integer" && any(abs(value) > .Machine$integer.max)) mode <- "double"
    storage.mode(value) <- mode
  }
  tf$constant(value, dtype = dtype)
}

#' @rdname tensor-methods
#' @export
print.tensorflow.python.framework.tensor.Tensor <- function(x, ...) {
  cat(format(x), "\n", sep = "")
  invisible(x)
}

#' @rdname tensor-methods
#' @export
format.tensorflow.python.framework.tensor.Tensor <- function(x, ...) {
  # As keras3 (the tensorflow R package) prints them: a 1-d shape without Python's
  # trailing comma, `shape=(3)`.
  without_1d_comma(tandem::py_str(x))
}

# Python's `shape=(3,)` as keras3 (the tensorflow R package) prints it: `shape=(3)`.
without_1d_comma <- function(text) gsub("shape=\\((None|[[:digit:]]+),\\)", "shape=(\\1)", text)

#' @rdname tensor-methods
#' @param object For `str()`: a tensor.
#' @export
str.tensorflow.python.framework.tensor.Tensor <- function(object, ...) {
  # As keras3 (the tensorflow R package): the first line of Python's repr.
  text <- strsplit(tandem::py_repr(object), "\n", fixed = TRUE)[[1L]]
  if (length(text) > 1L) text <- paste0(text[[1L]], "\u2026>")
  writeLines(without_1d_comma(text))
  invisible()
}

ops_table <- list(
  "+" = "add", "-" = "subtract", "*" = "multiply", "/" = "truediv", "^" = "pow",
  "%%" = "floormod", "%/%" = "floordiv", "==" = "equal", "!=" = "not_equal",
  "<" = "less", "<=" = "less_equal", ">" = "greater", ">=" = "greater_equal",
  "&" = "logical_and", "|" = "logical_or"
)

#' @rdname tensor-methods
#' @export
Ops.tensorflow.python.framework.tensor.Tensor <- function(e1, e2) {
  e1 <- as_tensor_value(e1)
  if (missing(e2)) {
    switch(.Generic,
      "-" = return(tf$negative(e1)),
      "+" = return(e1),
      "!" = return(tf$logical_not(tensor_like(e1, "bool"))),
      abort("`", .Generic, "` is not a unary operator.")
    )
  }
  e2 <- as_tensor_value(e2)
  fun <- ops_table[[.Generic]]
  if (is.null(fun)) abort("`", .Generic, "` is not supported for tensors.")
  if (.Generic %in% c("&", "|")) {
    e1 <- tensor_like(e1, "bool")
    e2 <- tensor_like(e2, "bool")
  } else if (is_tensor(e1)) {
    e2 <- tensor_like(e2, tensor_dtype(e1))
  } else {
    e1 <- tensor_like(e1, tensor_dtype(e2))
  }
  if (.Generic == "/" && is_int_dtype(tensor_dtype(e1))) {
    # R's `/` gives doubles for integers; TensorFlow's truediv does the same (float64).
    return(tf$math$truediv(e1, e2))
  }
  tf$math[[fun]](e1, e2)
}

math_table <- list(
  abs = "abs", sign = "sign", sqrt = "sqrt", floor = "floor", ceiling = "ceil",
  exp = "exp", expm1 = "expm1", log1p = "log1p", cos = "cos",
  sin = "sin", tan = "tan", acos = "acos", asin = "asin", atan = "atan", cosh = "cosh",
  sinh = "sinh", tanh = "tanh", acosh = "acosh", asinh = "asinh", atanh = "atanh",
  lgamma = "lgamma", digamma = "digamma", cumsum = "cumsum", cumprod = "cumprod"
)

# Functions that keep integers integers; the others give doubles, as in R.
math_integer <- c("abs", "sign", "floor", "ceiling", "trunc", "round", "cumsum", "cumprod",
                  "cummax", "cummin")

#' @rdname tensor-methods
#' @export
Math.tensorflow.python.framework.tensor.Tensor <- function(x, ...) {
  x <- as_tensor_value(x)
  g <- .Generic
  args <- list(...)
  dtype <- tensor_dtype(x)
  # Logicals count as integers, integers become doubles where R's results are doubles.
  if (dtype == "bool") x <- tf$cast(x, dtype <- "int32")
  if (is_int_dtype(dtype) && !g %in% math_integer) x <- tf$cast(x, dtype <- "float64")
  # The cumulative functions work along R's element order and drop the dimensions.
  if (g %in% c("cumsum", "cumprod", "cummax", "cummin")) x <- flatten_colmajor(x)
  switch(g,
    log = {
      out <- tf$math$log(x)
      if (length(args)) out <- out / log(args[[1]])
      return(out)
    },
    log2 = return(tf$math$log(x) / log(2)),
    log10 = return(tf$math$log(x) / log(10)),
    cospi = return(tf$math$cos(x * pi)),
    sinpi = return(tf$math$sin(x * pi)),
    tanpi = return(tf$math$tan(x * pi)),
    cummax = return(tf$scan(tf$math$maximum, x)),
    cummin = return(tf$scan(tf$math$minimum, x)),
    trunc = return(if (is_int_dtype(dtype)) x else tf$math$sign(x) * tf$math$floor(tf$math$abs(x))),
    round = {
      digits <- if (length(args)) args[[1]] else 0
      if (!is.numeric(digits) || length(digits) != 1L || is.na(digits) || digits != trunc(digits)) {
        abort("`digits` must be a whole number, not ", describe_value(digits), ".")
      }
      if (digits >= 0 && is_int_dtype(dtype)) return(x)
      if (is_int_dtype(dtype)) x <- tf$cast(x, "float64")
      if (digits == 0) return(tf$math$round(x))
      # Half to even, as R rounds.
      return(tf$math$round(x * 10^digits) / 10^digits)
    }
  )
  if (g %in% c("floor", "ceiling") && is_int_dtype(dtype)) return(x)
  fun <- math_table[[g]]
  if (is.null(fun)) abort("`", g, "()` is not supported for tensors.")
  tf$math[[fun]](x)
}

#' @rdname tensor-methods
#' @param z For the `Complex` group: a tensor.
#' @export
Complex.tensorflow.python.framework.tensor.Tensor <- function(z) {
  z <- as_tensor_value(z)
  dtype <- tensor_dtype(z)
  if (dtype == "bool" || is_int_dtype(dtype)) z <- tf$cast(z, dtype <- "float64")
  complex <- startsWith(dtype, "complex")
  switch(.Generic,
    Re = if (complex) tf$math$real(z) else z,
    Im = if (complex) tf$math$imag(z) else tf$zeros_like(z),
    Mod = tf$math$abs(z),
    Arg = tf$math$angle(z),
    Conj = if (complex) tf$math$conj(z) else z,
    abort("`", .Generic, "()` is not supported for tensors.")
  )
}

summary_table <- list(sum = "reduce_sum", prod = "reduce_prod", max = "reduce_max",
                      min = "reduce_min", all = "reduce_all", any = "reduce_any")

#' @rdname tensor-methods
#' @export
Summary.tensorflow.python.framework.tensor.Tensor <- function(..., na.rm = FALSE) {
  xs <- lapply(list(...), as_tensor_value)
  g <- .Generic
  if (g == "range") {
    return(tf$stack(list(do.call(min, xs), do.call(max, xs))))
  }
  fun <- summary_table[[g]]
  dtype <- NULL
  for (x in xs) if (is_tensor(x)) { dtype <- tensor_dtype(x); break }
  if (g %in% c("all", "any")) dtype <- "bool"
  else if (identical(dtype, "bool")) dtype <- "int32"   # sum() of logicals counts them
  parts <- lapply(xs, function(x) tf[[fun]](tensor_like(x, dtype)))
  if (length(parts) == 1L) return(parts[[1]])
  tf[[fun]](tf$stack(parts))
}

#' @rdname tensor-methods
#' @export
mean.tensorflow.python.framework.tensor.Tensor <- function(x, ...) {
  x <- as_tensor_value(x)
  if (is_int_dtype(tensor_dtype(x)) || tensor_dtype(x) == "bool") x <- tf$cast(x, "float64")
  tf$reduce_mean(x)
}

#' @rdname tensor-methods
#' @export
dim.tensorflow.python.framework.tensor.Tensor <- function(x) {
  x <- as_tensor_value(x)
  shp <- py_get_attr(x, "shape")
  if (is.null(py_to_r(py_get_attr(shp, "rank")))) return(NULL)
  d <- py_to_r(py_call(py_get_attr(shp, "as_list")))
  if (!length(d)) return(integer())
  as.integer(unlist(lapply(d, function(v) if (is.null(v)) NA_integer_ else v)))
}

#' @rdname tensor-methods
#' @export
length.tensorflow.python.framework.tensor.Tensor <- function(x) {
  d <- dim(x)
  if (is.null(d)) return(NA_integer_)
  as.integer(prod(d))
}

#' @rdname tensor-methods
#' @export
as.array.tensorflow.python.framework.tensor.Tensor <- function(x, ...) {
  x <- as_tensor_value(x)
  a <- py_to_r(py_call(py_get_attr(x, "numpy")))
  d <- dim(x)
  if (length(d) >= 1L && is.null(dim(a))) dim(a) <- d
  a
}

#' @rdname tensor-methods
#' @param mode For `as.vector()`: the mode of the result (as in base R).
#' @export
as.vector.tensorflow.python.framework.tensor.Tensor <- function(x, mode = "any") {
  as.vector(tensor_values(x), mode)
}

#' @rdname tensor-methods
#' @export
as.matrix.tensorflow.python.framework.tensor.Tensor <- function(x, ...) as.matrix(tensor_values(x), ...)

# as.array(), with string tensors as character arrays (not lists of raw bytes).
tensor_values <- function(x) {
  a <- as.array(x)
  if (is.list(a)) {
    d <- dim(a)
    a <- vapply(a, function(v) rawToChar(as.raw(v)), character(1))
    if (length(d)) dim(a) <- d
  }
  a
}

#' @rdname tensor-methods
#' @export
as.double.tensorflow.python.framework.tensor.Tensor <- function(x, ...) as.double(as.array(x))

#' @rdname tensor-methods
#' @export
as.integer.tensorflow.python.framework.tensor.Tensor <- function(x, ...) as.integer(as.array(x))

#' @rdname tensor-methods
#' @export
as.logical.tensorflow.python.framework.tensor.Tensor <- function(x, ...) as.logical(as.array(x))

#' @rdname tensor-methods
#' @export
as.character.tensorflow.python.framework.tensor.Tensor <- function(x, ...) {
  a <- as.array(x)
  if (is.list(a)) a <- vapply(a, function(v) rawToChar(as.raw(v)), character(1))
  as.character(a)
}

#' @rdname tensor-methods
#' @export
t.tensorflow.python.framework.tensor.Tensor <- function(x) {
  x <- as_tensor_value(x)
  d <- dim(x)
  if (length(d) == 1L) return(tf$reshape(x, c(1L, d)))
  if (length(d) != 2L) abort("`t()` needs a tensor with 1 or 2 dimensions, not ", length(d), ".")
  tf$transpose(x)
}

#' @rdname tensor-methods
#' @export
is.finite.tensorflow.python.framework.tensor.Tensor <- function(x) {
  float_test(x, tf$math$is_finite, TRUE)
}

#' @rdname tensor-methods
#' @export
is.infinite.tensorflow.python.framework.tensor.Tensor <- function(x) {
  float_test(x, tf$math$is_inf, FALSE)
}

#' @rdname tensor-methods
#' @export
is.nan.tensorflow.python.framework.tensor.Tensor <- function(x) {
  float_test(x, tf$math$is_nan, FALSE)
}

# A boolean tensor from `test` on float tensors (real and imaginary parts of complex
# ones); integers and logicals are always finite (`other` everywhere).
float_test <- function(x, test, other) {
  x <- as_tensor_value(x)
  dtype <- tensor_dtype(x)
  if (startsWith(dtype, "complex")) {
    a <- test(tf$math$real(x))
    b <- test(tf$math$imag(x))
    return(if (isTRUE(other)) tf$logical_and(a, b) else tf$logical_or(a, b))
  }
  if (grepl("^(b?float|half|double)", dtype)) return(test(x))
  if (dtype == "string") other <- FALSE
  tf$fill(tf$shape(x), other)
}

#' @rdname tensor-methods
#' @param a,perm For `aperm()`: a tensor and the 1-based permutation of its axes (by
#'   default reversed).
#' @export
aperm.tensorflow.python.framework.tensor.Tensor <- function(a, perm = NULL, ...) {
  a <- as_tensor_value(a)
  r <- length(dim(a))
  if (is.null(perm)) perm <- rev(seq_len(r))
  if (!is.numeric(perm) || length(perm) != r || !is_whole(perm) ||
      !setequal(perm, seq_len(r))) {
    abort("`perm` must be a permutation of 1:", r, ", not ", describe_value(perm), ".")
  }
  tf$transpose(a, array(as.integer(perm) - 1L, r))
}

#' @rdname tensor-methods
#' @param deparse.level Unused (tensors have no dimnames).
#' @export
rbind.tensorflow.python.framework.tensor.Tensor <- function(..., deparse.level = 1) {
  bind_tensors(list(...), 1L)
}

#' @rdname tensor-methods
#' @export
cbind.tensorflow.python.framework.tensor.Tensor <- function(..., deparse.level = 1) {
  bind_tensors(list(...), 2L)
}

# rbind() (along = 1) and cbind() (along = 2) of tensors and R values: matrices must
# agree in the other extent, vectors are rows (columns) recycled to it, as in R.
bind_tensors <- function(args, along) {
  fn <- if (along == 1L) "rbind" else "cbind"
  args <- lapply(args, as_tensor_value)
  args <- args[!vapply(args, function(a) is.null(a) || identical(length(a), 0L), logical(1))]
  dtype <- NULL
  for (a in args) if (is_tensor(a)) { dtype <- tensor_dtype(a); break }
  ts <- lapply(args, function(a) {
    if (!is_tensor(a) && is.null(dim(a)) && length(a) != 1L) a <- array(a, length(a))
    tensor_like(a, dtype)
  })
  ranks <- vapply(ts, function(t) length(dim(t)), integer(1))
  if (any(ranks > 2L)) {
    abort("`", fn, "()` needs tensors with at most 2 dimensions, not ", max(ranks), ".")
  }
  other <- 3L - along
  extents <- vapply(ts[ranks == 2L], function(t) dim(t)[[other]], integer(1))
  if (length(unique(extents)) > 1L) {
    abort("`", fn, "()`: the number of ", if (along == 1L) "columns" else "rows",
          " of matrices must match (", paste(extents, collapse = ", "), ").")
  }
  k <- if (length(extents)) extents[[1]] else max(vapply(ts, length, integer(1)))
  parts <- lapply(ts, function(t) {
    if (length(dim(t)) == 2L) return(t)
    len <- length(t)
    if (k %% len != 0L) {
      abort("`", fn, "()`: a vector of length ", len, " does not fit ", k, " ",
            if (along == 1L) "columns" else "rows", ".")
    }
    t <- tf$reshape(t, array(-1L, 1L))
    if (len != k) t <- tf$tile(t, array(as.integer(k %/% len), 1L))
    tf$reshape(t, if (along == 1L) c(1L, k) else c(k, 1L))
  })
  tf$concat(parts, axis = along - 1L)
}

#' @rdname tensor-methods
#' @export
rep.tensorflow.python.framework.tensor.Tensor <- function(x, ...) {
  x <- as_tensor_value(x)
  # Repeat the positions the R way, then gather: the result is 1-d, as in R.
  pos <- rep(seq_len(length(x)) - 1L, ...)
  tf$gather(flatten_colmajor(x), array(as.integer(pos), length(pos)))
}

#' @rdname tensor-methods
#' @param decreasing For `sort()`: sort in decreasing order.
#' @param na.last For `sort()`: `NA` drops NaN values (the default, as in R), `TRUE`
#'   puts them last and `FALSE` first.
#' @export
sort.tensorflow.python.framework.tensor.Tensor <- function(x, decreasing = FALSE, na.last = NA, ...) {
  x <- flatten_colmajor(as_tensor_value(x))
  dtype <- tensor_dtype(x)
  if (dtype == "bool") {
    return(tf$cast(sort(tf$cast(x, "int32"), decreasing = decreasing), "bool"))
  }
  direction <- if (isTRUE(decreasing)) "DESCENDING" else "ASCENDING"
  if (!grepl("^(b?float|half|double)", dtype)) return(tf$sort(x, direction = direction))
  nan <- tf$math$is_nan(x)
  out <- tf$sort(tf$boolean_mask(x, tf$logical_not(nan)), direction = direction)
  if (is.na(na.last)) return(out)
  nans <- tf$boolean_mask(x, nan)
  tf$concat(if (isTRUE(na.last)) list(out, nans) else list(nans, out), axis = 0L)
}

# One R index for an axis of extent `n` (NA when unknown until the graph runs), as
# 0-based positions (NULL: take all).
axis_positions <- function(i, n, axis) {
  if (is.null(i)) return(NULL)
  if (is_tensor(i) || is_variable(i)) i <- as.array(i)
  unknown <- is.na(n)
  if (is.logical(i)) {
    if (anyNA(i)) abort("Logical indices of tensors must not be `NA`.")
    if (unknown) abort("Can't use a logical index for axis ", axis, ", whose extent is unknown.")
    if (length(i) > n) abort("Logical index for axis ", axis, " has length ", length(i),
                             ", longer than the extent ", n, ".")
    return(which(rep_len(i, n)) - 1L)
  }
  if (!is.numeric(i)) abort("Indices of tensors must be numeric or logical, not ", describe_value(i), ".")
  if (anyNA(i)) abort("Indices of tensors must not be `NA`.")
  if (!is_whole(i)) abort("Indices must be whole numbers, not ", describe_value(i[i != trunc(i)][1]), ".")
  i <- i[i != 0]
  if (length(i) && all(i < 0)) {
    if (unknown) abort("Can't use negative indices for axis ", axis, ", whose extent is unknown.")
    if (any(-i > n)) abort("Index ", i[-i > n][1], " is out of bounds for axis ", axis,
                           " of extent ", n, ".")
    return(setdiff(seq_len(n), -i) - 1L)
  }
  if (any(i < 0)) abort("Can't mix positive and negative indices (axis ", axis, ").")
  if (!unknown && any(i > n)) abort("Index ", i[i > n][1], " is out of bounds for axis ", axis,
                                    " of extent ", n, ".")
  as.integer(i) - 1L
}

# Whether an index is a scalar, which `[` drops (as the tensorflow R package does): one
# number (or a scalar tensor) not written as a `:` range. Missing indices, ranges,
# logical indices and vectors keep their axis.
is_scalar_index <- function(i, colon) {
  if (colon || is.null(i)) return(FALSE)
  if (is_tensor(i) || is_variable(i)) {
    return(identical(dim(i), integer()) && tensor_dtype(as_tensor_value(i)) != "bool")
  }
  is.numeric(i) && length(i) == 1L
}

# Whether an unevaluated index was written as a `:` range (`1:1`, `i:j`).
is_colon_call <- function(e) is.call(e) && identical(e[[1]], as.name(":"))

# The indices given to `[` or `[<-` (the `...` of the method, `drop` and `value` apart),
# as 0-based positions. `frame` is the method's frame: missing indices are recognised
# there with missing(..i), so that nothing is evaluated twice. `exprs` are the indices
# as written (for `[`: a `:` range is not a scalar), `new_axes` whether a `NULL` index
# inserts an axis of length one (for `[`; for `[<-` it takes everything, as before).
# The result is list(linear = <positions>, scalar = <lgl>) for a single index into a
# tensor of rank > 1 (counted in R's column-major order), else list(axes = <positions or
# NULL for all, one per axis>, scalar = <lgl per axis>, count = <selected extents, NA
# when unknown>, new = <lgl per index after all_dims() is expanded: a new axis?>).
tensor_index <- function(x, n, frame, exprs = NULL, new_axes = FALSE) {
  d <- dim(x)
  if (is.null(d)) abort("Can't index a tensor of unknown rank.")
  idx <- vector("list", n)
  for (i in seq_len(n)) {
    if (!eval(call("missing", as.name(paste0("..", i))), frame)) {
      idx[i] <- list(list(eval(as.name(paste0("..", i)), frame)))
    }
  }
  colon <- if (length(exprs) == n) vapply(exprs, is_colon_call, logical(1)) else rep(FALSE, n)
  given_null <- vapply(idx, function(v) !is.null(v) && is.null(v[[1]]), logical(1))
  new <- new_axes & given_null
  if (!new_axes) idx[given_null] <- list(NULL)
  # `x[]` (or only new axes) takes everything.
  if (sum(!new) == 0L || (sum(!new) == 1L && is.null(idx[!new][[1]]))) {
    idx <- c(idx[new], rep(list(NULL), length(d)))
    colon <- c(colon[new], rep(FALSE, length(d)))
    new <- c(new[new], rep(FALSE, length(d)))
  }
  # One index into a tensor of rank > 1: a logical mask of the same shape, or positions
  # in column-major order (as for an R array).
  if (length(idx) == 1L && length(d) != 1L && !inherits(idx[[1]][[1]], "tandem_keras_all_dims")) {
    i <- idx[[1]][[1]]
    scalar <- is_scalar_index(i, colon[[1]])
    if (is_tensor(i) || is_variable(i)) i <- as.array(i)
    if (anyNA(d)) abort("Can't index a tensor of unknown shape (", paste(d, collapse = ", "),
                        ") by a single index.")
    total <- prod(d)
    if (is.logical(i) && length(dim(i)) && !identical(as.integer(dim(i)), d)) {
      abort("A logical index must have the tensor's shape (", paste(d, collapse = ", "),
            "), not (", paste(dim(i), collapse = ", "), ").")
    }
    return(list(linear = axis_positions(as.vector(i), total, 1L), scalar = scalar))
  }
  # all_dims() stands for as many missing indices as the other indices leave.
  ad <- vapply(idx, function(v) !is.null(v) && inherits(v[[1]], "tandem_keras_all_dims"), logical(1))
  if (sum(ad) > 1L) abort("`all_dims()` can be used only once in an index.")
  if (any(ad)) {
    k <- which(ad)
    nfill <- max(0L, length(d) - sum(!new) + 1L)
    keep <- function(v, fill) c(v[seq_len(k - 1L)], fill, v[-seq_len(k)])
    idx <- keep(idx, rep(list(NULL), nfill))
    colon <- keep(colon, rep(FALSE, nfill))
    new <- keep(new, rep(FALSE, nfill))
  }
  if (sum(!new) != length(d)) {
    m <- sum(!new)
    abort("Can't index a tensor with ", length(d), " dimension", if (length(d) != 1L) "s",
          " by ", m, " ind", if (m == 1L) "ex" else "ices", ".")
  }
  idx <- idx[!new]
  colon <- colon[!new]
  axes <- lapply(seq_along(d), function(k) {
    pos <- axis_positions(idx[[k]][[1]], d[[k]], k)
    if (is.null(pos) || (!is.na(d[[k]]) && identical(pos, seq_len(d[[k]]) - 1L))) NULL else pos
  })
  list(
    axes = axes,
    scalar = vapply(seq_along(d), function(k) is_scalar_index(idx[[k]][[1]], colon[[k]]), logical(1)),
    count = vapply(seq_along(d), function(k) {
      if (is.null(axes[[k]])) d[[k]] else length(axes[[k]])
    }, integer(1)),
    new = new
  )
}

# A tensor flattened in R's element order (column-major), as a 1-d tensor.
flatten_colmajor <- function(x) {
  if (length(dim(x)) > 1L) x <- tf$transpose(x)
  tf$reshape(x, array(-1L, 1L))
}

#' @rdname tensor-methods
#' @export
`[.tensorflow.python.framework.tensor.Tensor` <- function(x, ..., drop = TRUE) {
  # The indices as written (before anything is evaluated): a `:` range is not a scalar.
  exprs <- eval(substitute(alist(...)))
  x <- as_tensor_value(x)
  index <- tensor_index(x, ...length(), environment(), exprs, new_axes = TRUE)
  drop <- isTRUE(drop)
  if (!is.null(index$linear)) {
    out <- tf$gather(flatten_colmajor(x), array(index$linear))
    if (drop && index$scalar && length(index$linear) == 1L) out <- tf$reshape(out, array(integer(), 0L))
    return(out)
  }
  out <- x
  for (k in seq_along(index$axes)) {
    pos <- index$axes[[k]]
    if (!is.null(pos)) out <- tf$gather(out, array(pos), axis = k - 1L)
  }
  # Scalar indices drop their axis (when they select one position); other indices keep
  # theirs, even of length one, as the tensorflow R package does.
  dropped <- drop & index$scalar & index$count %in% 1L
  if (any(dropped)) out <- tf$squeeze(out, axis = as.list(which(dropped) - 1L))
  # NULL indices insert axes of length one (tf$newaxis), where they stand.
  if (any(index$new)) {
    at <- 0L
    k <- 0L
    for (e in index$new) {
      if (e) {
        out <- tf$expand_dims(out, at)
        at <- at + 1L
      } else {
        k <- k + 1L
        if (!dropped[[k]]) at <- at + 1L
      }
    }
  }
  out
}

#' @rdname tensor-methods
#' @param value For `[<-`: the new values (an R vector or array, or a tensor), recycled
#'   as in R.
#' @export
`[<-.tensorflow.python.framework.tensor.Tensor` <- function(x, ..., value) {
  target <- x
  x <- as_tensor_value(x)
  index <- tensor_index(x, ...length(), environment())
  d <- dim(x)
  # The selected elements as rows of 0-based multi-indices, in R's order.
  at <- if (!is.null(index$linear)) {
    arrayInd(index$linear + 1L, d) - 1L
  } else {
    pos <- lapply(seq_along(d), function(k) index$axes[[k]] %||% (seq_len(d[[k]]) - 1L))
    as.matrix(do.call(expand.grid, unname(pos)))
  }
  n <- nrow(at)
  if (n == 0L) return(target)
  updates <- replacement_values(value, n, tensor_dtype(x))
  # As in R, the last of repeated positions wins.
  last <- !duplicated(at, fromLast = TRUE)
  if (!all(last)) {
    at <- at[last, , drop = FALSE]
    updates <- tf$gather(updates, array(which(last) - 1L))
  }
  storage.mode(at) <- "integer"
  out <- tf$tensor_scatter_nd_update(x, at, updates)
  if (is_variable(target)) {
    # A variable is updated in place (it is a reference, like other Python objects).
    target$assign(out)
    return(target)
  }
  out
}

# `n` replacement values of `dtype` as a 1-d tensor: R values and tensors are taken in
# R's element order and recycled as R recycles them.
replacement_values <- function(value, n, dtype) {
  value <- as_tensor_value(value)
  if (is.null(value) || (!is_tensor(value) && !is.atomic(value))) {
    abort("Can't assign ", describe_value(value), " into a tensor.")
  }
  len <- if (is_tensor(value)) length(value) else length(value)
  if (is.na(len) || len == 0L) abort("Replacement has length zero.")
  if (n %% len != 0L) {
    abort("Number of items to replace (", n, ") is not a multiple of the replacement length (",
          len, ").")
  }
  if (is_tensor(value)) {
    v <- tensor_like(flatten_colmajor(value), dtype)
    if (len != n) v <- tf$tile(v, array(as.integer(n %/% len), 1L))
    return(v)
  }
  tensor_like(array(rep_len(as.vector(value), n), n), dtype)
}

#' All remaining dimensions
#'
#' In a tensor index, `all_dims()` stands for as many missing indices as needed:
#' `x[all_dims(), 1]` is the first element along the last axis, whatever the rank.
#' @return A marker object for `[`.
#' @export
#' @examples
#' \dontrun{
#' x <- as_tensor(array(1:24, c(2, 3, 4)))
#' x[all_dims(), 1]
#' }
all_dims <- function() structure(list(), class = "tandem_keras_all_dims")

#' Make a tensor
#'
#' `as_tensor()` converts an R value (or a tensor) to a tensor of the given dtype and
#' shape.
#'
#' @param x An R vector or array, or a tensor.
#' @param dtype A dtype name such as `"float32"` or a `tf$dtypes` object; `NULL` keeps
#'   the natural dtype (R doubles are float64, integers int32, logicals bool).
#' @param shape An integer vector; one entry may be `NA` (inferred). The elements are
#'   laid out in row-major (C) order, as `tf$reshape()` does. A length-one `x` is
#'   filled to the shape.
#' @return A tensor.
#' @export
#' @examples
#' \dontrun{
#' as_tensor(1:6, "float32", shape = c(2, 3))
#' }
as_tensor <- function(x, dtype = NULL, shape = NULL) {
  x <- as_tensor_value(x)
  # A vector as a 1-d array: a Python list of floats would become float32, not float64.
  if (is.atomic(x) && !is.object(x) && is.null(dim(x)) && length(x) != 1L) x <- array(x, length(x))
  t <- if (is_tensor(x)) x else tf$convert_to_tensor(x)
  if (!is.null(dtype)) {
    dname <- if (is.character(dtype)) dtype else py_to_r(py_get_attr(dtype, "name"))
    t <- tensor_like(if (is_tensor(x)) x else x, dname)
  }
  if (!is.null(shape)) {
    shp <- vapply(as.list(shape), function(s) if (is.null(s) || is.na(s)) -1L else as_int(s, "shape"), integer(1))
    if (length(t) == 1L && all(shp >= 0L)) {
      t <- tf$fill(array(shp, length(shp)), tf$reshape(t, array(integer(), 0L)))
    } else {
      t <- tf$reshape(t, array(shp, length(shp)))
    }
  }
  t
}

#' Tensor shapes
#'
#' `shape()` makes keras3's `keras_shape`: a list of the extents (integers, `NULL` for
#' an unknown extent) that prints as `shape(NA, 28, 28)`. `as.integer()` gives the
#' extents with `NA` for unknown, `length()` the rank, `[[` one extent and `[` a
#' sub-shape. Passed to Python, a `keras_shape` is a tuple (`None` for unknown), which
#' Keras and TensorFlow take as a shape.
#'
#' In a traced function (`tf_function()`, a custom `train_step()`, a layer's `call()`
#' run by `fit()`), tensors are symbolic: as in keras3, the shape of a symbolic tensor
#' has, for each extent unknown when tracing (such as the batch size), the scalar
#' integer tensor that `keras$ops$shape()` gives, and a scalar integer tensor given to
#' `shape()` stays a tensor. So `batch <- shape(x)[[1]]` can make other shapes there:
#' `shape(batch, 32)`, `op_zeros(c(batch, 1))`. Such entries print as the tensor and
#' are `NA` for `as.integer()`. Eager tensors give whole numbers.
#'
#' @param ... The extents: whole numbers, `NA`, `NULL` or `-1` for unknown. Vectors,
#'   lists (such as the `input_shape` that Keras passes to a layer's `build()`),
#'   `TensorShape`s and tuples give their elements; an R array gives its `dim()`, a
#'   scalar integer tensor is one extent (wrap it in `I()` to take its shape instead),
#'   other tensors (and Keras tensors) give their shape, so `shape(x)` is the shape of
#'   `x` and `shape(tail(input_shape, 1), 32)` works.
#' @param x,e1,e2 `keras_shape` objects (or, for `==`, values `shape()` takes).
#' @param prefix For `format()`: `TRUE` to write `shape(...)`, else the prefix to use.
#' @param i Indices.
#' @param na.rm Passed to the `Summary` function.
#' @param convert For `r_to_py()`: the `convert` flag of the tuple.
#' @return A `keras_shape` (a list).
#' @export
#' @examples
#' \dontrun{
#' s <- shape(NA, 28, 28)
#' s
#' as.integer(s)
#' shape(as_tensor(matrix(1:6, 2)))
#' }
shape <- function(...) {
  out <- lapply(shape_dims(list(...)), function(d) {
    # A scalar integer tensor (an extent not known before the graph runs) stays as is.
    if (is_py_object(d)) return(d)
    if (is.null(d) || (length(d) == 1L && is.na(d))) return(NULL)
    d <- as_int(d, "shape")
    if (identical(d, -1L)) NULL else d
  })
  structure(out, class = "keras_shape")
}

# The extents in shape()'s arguments, one list entry each: vectors and lists (such as the
# `input_shape` Keras passes to build(), where None is NULL) give their elements, a
# TensorShape or tuple its entries, arrays and tensors their shape, and a `NULL`
# argument one unknown extent.
shape_dims <- function(args) {
  out <- list()
  for (a in args) {
    if (is.null(a)) {
      out <- c(out, list(NULL))
    } else if (inherits(a, "keras_shape")) {
      out <- c(out, unclass(a))
    } else if (inherits(a, "tensorflow.python.framework.tensor_shape.TensorShape")) {
      if (!is.null(py_to_r(py_get_attr(a, "rank")))) {
        out <- c(out, py_to_r(py_call(py_get_attr(a, "as_list"))))
      }
    } else if (inherits(a, c("python.builtin.tuple", "python.builtin.list"))) {
      out <- c(out, shape_dims(py_to_r(a)))
    } else if (is.list(a) && !is.object(a)) {
      out <- c(out, shape_dims(a))
    } else if (is_tensor(a) || is_variable(a)) {
      out <- c(out, tensor_extents(a))
    } else if (inherits(a, KERAS_TENSOR)) {
      out <- c(out, shape_dims(list(py_get_attr(a, "shape"))))
    } else if (is.array(a)) {
      out <- c(out, as.list(dim(a)))
    } else if (is.atomic(a) && !is.object(a)) {
      out <- c(out, as.list(a))
    } else {
      abort("`shape` must be whole numbers, `NA` or `NULL`, not ", describe_value(a), ".")
    }
  }
  out
}

# A tensor (or variable) as shape() extents, as keras3 takes them: a scalar integer
# tensor is one extent (unless wrapped in I()), other tensors give their shape. Eager
# tensors give whole numbers; a symbolic tensor (in a traced function: tf_function(), a
# custom train_step(), a layer's call() run by fit()) gives, for each extent unknown
# when tracing, the scalar int32 tensor that `keras$ops$shape()` gives.
tensor_extents <- function(a) {
  as_is <- inherits(a, "AsIs")
  t <- as_tensor_value(a)
  symbolic <- !is_eager_tensor(t)
  d <- dim(t)
  if (is.null(d)) abort("Can't take the shape of a tensor of unknown rank.")
  if (!length(d) && !as_is && is_int_dtype(tensor_dtype(t))) {
    return(list(if (symbolic) t else as.integer(as.array(t))))
  }
  if (symbolic && anyNA(d)) {
    return(lapply(keras$ops$shape(t), function(e) if (is_py_object(e)) e else as.integer(e)))
  }
  as.list(d)
}

is_eager_tensor <- function(x) inherits(x, "tensorflow.python.framework.ops.EagerTensor")

#' @rdname shape
#' @export
format.keras_shape <- function(x, ..., prefix = TRUE) {
  dims <- vapply(unclass(x), function(d) {
    if (is.null(d)) "NA" else if (is_py_object(d)) tandem::py_str(d) else format(d)
  }, character(1))
  if (isTRUE(prefix)) prefix <- "shape" else if (!is.character(prefix)) prefix <- ""
  paste0(prefix, "(", paste(dims, collapse = ", "), ")")
}

#' @rdname shape
#' @export
print.keras_shape <- function(x, ...) {
  cat(format(x, ...), "\n", sep = "")
  invisible(x)
}

#' @rdname shape
#' @export
`[.keras_shape` <- function(x, i) structure(unclass(x)[i], class = "keras_shape")

#' @rdname shape
#' @export
as.integer.keras_shape <- function(x, ...) {
  vapply(unclass(x), function(d) {
    if (is.null(d) || is_py_object(d)) NA_integer_ else as.integer(d)
  }, integer(1))
}

#' @rdname shape
#' @export
as.numeric.keras_shape <- function(x, ...) as.numeric(as.integer.keras_shape(x))

#' @rdname shape
#' @export
as.list.keras_shape <- function(x, ...) unclass(x)

#' @rdname shape
#' @export
Summary.keras_shape <- function(..., na.rm = FALSE) {
  values <- unlist(lapply(list(...), function(s) as.integer.keras_shape(shape(s))))
  do.call(.Generic, list(values, na.rm = na.rm))
}

#' @rdname shape
#' @export
Ops.keras_shape <- function(e1, e2) {
  if (!.Generic %in% c("==", "!=")) abort("`", .Generic, "` is not defined for shapes.")
  same <- identical(unclass(shape(e1)), unclass(shape(e2)))
  if (.Generic == "==") same else !same
}

#' @rdname shape
#' @method r_to_py keras_shape
#' @export
r_to_py.keras_shape <- function(x, convert = FALSE) tuple(unclass(x), convert = convert)

#' Matrix products with tensors
#'
#' R 4.2 does not dispatch `%*%` on S3 classes, so tandem.keras exports its own `%*%`:
#' when either operand is a tensor it is [op_matmul()], as keras3's `%*%` for tensors,
#' otherwise it is base R's `%*%` (attaching tandem.keras masks `base::%*%` with this
#' function, which gives base R's result for R values). An R matrix or vector meets the
#' tensor in the tensor's dtype. As in keras3 (NumPy's `matmul()`), a 1-d operand is a
#' vector, not a row or column matrix: a matrix times a vector is a vector, and two
#' vectors give their inner product as a scalar tensor.
#'
#' @param x,y Tensors, R matrices or vectors.
#' @return A tensor (if either operand is a tensor), else the R matrix from `base::%*%`.
#' @name matmul
#' @export
#' @examples
#' \dontrun{
#' m <- matrix(1:6, 2)
#' as_tensor(m) %*% t(m)
#' m %*% as_tensor(matrix(1, 3, 1))
#' }
`%*%` <- function(x, y) {
  x <- as_tensor_value(x)
  y <- as_tensor_value(y)
  if (!is_tensor(x) && !is_tensor(y)) return(base::`%*%`(x, y))
  dtype <- tensor_dtype(if (is_tensor(x)) x else y)
  keras$ops$matmul(tensor_like(x, dtype), tensor_like(y, dtype))
}

#' Operators on Keras tensors
#'
#' The symbolic tensors of functional models (`keras_input()` and layers called on it)
#' take R's arithmetic, comparison and logical operators, which return Keras tensors
#' (through `keras.ops`): `inputs * 2`, `-x`, `+x`, `x > 0`, `!mask`.
#'
#' @param e1,e2 Keras tensors, or R values for the other operand.
#' @return A Keras tensor.
#' @name keras-tensor-ops
#' @examples
#' \dontrun{
#' x <- keras_input(shape = 3)
#' y <- 2 * x + 1
#' }
NULL

keras_ops_table <- list(
  "+" = "add", "-" = "subtract", "*" = "multiply", "/" = "true_divide", "^" = "power",
  "%%" = "mod", "%/%" = "floor_divide", "==" = "equal", "!=" = "not_equal",
  "<" = "less", "<=" = "less_equal", ">" = "greater", ">=" = "greater_equal",
  "&" = "logical_and", "|" = "logical_or"
)

#' @rdname keras-tensor-ops
#' @export
Ops.keras.src.backend.common.keras_tensor.KerasTensor <- function(e1, e2) {
  ops <- keras$ops
  if (missing(e2)) {
    return(switch(.Generic,
      "+" = e1,
      "-" = ops$negative(e1),
      "!" = ops$logical_not(e1),
      abort("`", .Generic, "` is not a unary operator.")
    ))
  }
  fun <- keras_ops_table[[.Generic]]
  if (is.null(fun)) abort("`", .Generic, "` is not supported for Keras tensors.")
  # R vectors as 1-d arrays (a Python list would be a nested structure, not a tensor).
  as_operand <- function(v) {
    if (is.atomic(v) && !is.object(v) && is.null(dim(v)) && length(v) != 1L) array(v, length(v)) else v
  }
  ops[[fun]](as_operand(e1), as_operand(e2))
}

#' @rdname keras-tensor-ops
#' @param x A Keras tensor.
#' @export
dim.keras.src.backend.common.keras_tensor.KerasTensor <- function(x) {
  as.integer(shape(x))
}

#' Tensors carry the class `tensorflow.tensor`
#'
#' As with the tensorflow R package, tensors and TensorFlow variables that reach R also
#' have the class `"tensorflow.tensor"` (just before `"python.builtin.object"`), so code
#' can test `inherits(x, "tensorflow.tensor")` whatever the tensor's Python class.
#'
#' @param x A tensor or variable handle.
#' @return `x`, with the class added.
#' @name tensorflow-tensor-class
#' @keywords internal
NULL

add_tensor_class <- function(x) {
  cl <- class(x)
  if ("tensorflow.tensor" %in% cl) return(x)
  i <- match("python.builtin.object", cl)
  class(x) <- if (is.na(i)) c(cl, "tensorflow.tensor") else append(cl, "tensorflow.tensor", i - 1L)
  x
}

#' @rdname tensorflow-tensor-class
#' @method py_to_r tensorflow.python.framework.tensor.Tensor
#' @export
py_to_r.tensorflow.python.framework.tensor.Tensor <- function(x) add_tensor_class(x)

#' @rdname tensorflow-tensor-class
#' @method py_to_r tensorflow.python.ops.variables.Variable
#' @export
py_to_r.tensorflow.python.ops.variables.Variable <- function(x) add_tensor_class(x)
