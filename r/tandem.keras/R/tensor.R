# tensor.R: R methods for TensorFlow tensors (print, operators, math, summaries, `[`).

#' TensorFlow tensors in R
#'
#' Tensors (`tf.Tensor`, including eager tensors) behave like R arrays:
#' * `print()`/`format()` show TensorFlow's text (`tf.Tensor(..., shape=(2, 2), dtype=int32)`).
#' * The `Ops` group (`+ - * / ^ %% %/% == != < <= > >= & | !`) works in both operand
#'   orders; an R number or array meets the tensor in the tensor's dtype (a fractional
#'   number is an error with an integer tensor). `%%` and `%/%` follow R (floored).
#' * The `Math` group (`abs`, `sign`, `sqrt`, `floor`, `ceiling`, `trunc`, `round`, `exp`,
#'   `log` (with `base`), `log2`, `log10`, `log1p`, `expm1`, trigonometric and hyperbolic
#'   functions, `lgamma`, `digamma`, and `cumsum`/`cumprod` of 1-d tensors).
#' * The `Summary` group (`sum`, `prod`, `max`, `min`, `range`, `all`, `any`) and `mean()`
#'   reduce over all elements and return tensors (`mean()` of an integer tensor is float64).
#' * `dim()` (`NA` for unknown extents), `length()` (number of elements), `as.array()`,
#'   `as.numeric()`, `as.integer()`, `as.logical()`, `as.character()` and `t()`.
#' * `x[i, j, ...]` indexes as R does: 1-based, inclusive ranges, negative indices
#'   exclude, logical indices select, missing indices take everything, out-of-bounds
#'   indices are errors, and `drop = TRUE` drops extents of length one.
#'
#' @param x,e1,e2 Tensors (or, for the other operand, R values).
#' @param ... Indices (for `[`); `base` for `log()`; tensors for `Summary`; otherwise unused.
#' @param drop For `[`: drop extents of length one.
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

is_tensor <- function(x) inherits(x, TENSOR)

tensor_dtype <- function(x) py_to_r(py_get_attr(py_get_attr(x, "dtype"), "name"))

is_int_dtype <- function(dtype) grepl("^u?int", dtype)

# An R value (or tensor) as a tensor of `dtype`.
tensor_like <- function(value, dtype) {
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
format.tensorflow.python.framework.tensor.Tensor <- function(x, ...) tandem::py_str(x)

ops_table <- list(
  "+" = "add", "-" = "subtract", "*" = "multiply", "/" = "truediv", "^" = "pow",
  "%%" = "floormod", "%/%" = "floordiv", "==" = "equal", "!=" = "not_equal",
  "<" = "less", "<=" = "less_equal", ">" = "greater", ">=" = "greater_equal",
  "&" = "logical_and", "|" = "logical_or"
)

#' @rdname tensor-methods
#' @export
Ops.tensorflow.python.framework.tensor.Tensor <- function(e1, e2) {
  if (missing(e2)) {
    switch(.Generic,
      "-" = return(tf$negative(e1)),
      "+" = return(e1),
      "!" = return(tf$logical_not(tensor_like(e1, "bool"))),
      abort("`", .Generic, "` is not a unary operator.")
    )
  }
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
  round = "round", exp = "exp", expm1 = "expm1", log1p = "log1p", cos = "cos",
  sin = "sin", tan = "tan", acos = "acos", asin = "asin", atan = "atan", cosh = "cosh",
  sinh = "sinh", tanh = "tanh", acosh = "acosh", asinh = "asinh", atanh = "atanh",
  lgamma = "lgamma", digamma = "digamma", cumsum = "cumsum", cumprod = "cumprod"
)

#' @rdname tensor-methods
#' @export
Math.tensorflow.python.framework.tensor.Tensor <- function(x, ...) {
  g <- .Generic
  if (g == "log") {
    args <- list(...)
    out <- tf$math$log(x)
    if (!is.null(args$base)) out <- out / log(args$base)
    return(out)
  }
  if (g == "log2") return(tf$math$log(x) / log(2))
  if (g == "log10") return(tf$math$log(x) / log(10))
  if (g == "trunc") return(tf$math$sign(x) * tf$math$floor(tf$math$abs(x)))
  if (g %in% c("cumsum", "cumprod") && length(dim(x)) != 1L) {
    abort("`", g, "()` of a tensor needs a 1-d tensor, not one of shape (",
          paste(dim(x), collapse = ", "), ").")
  }
  fun <- math_table[[g]]
  if (is.null(fun)) abort("`", g, "()` is not supported for tensors.")
  if (g %in% c("abs", "sign", "floor", "ceiling", "round") && is_int_dtype(tensor_dtype(x)) &&
      g != "abs" && g != "sign") {
    return(x)
  }
  tf$math[[fun]](x)
}

summary_table <- list(sum = "reduce_sum", prod = "reduce_prod", max = "reduce_max",
                      min = "reduce_min", all = "reduce_all", any = "reduce_any")

#' @rdname tensor-methods
#' @export
Summary.tensorflow.python.framework.tensor.Tensor <- function(..., na.rm = FALSE) {
  xs <- list(...)
  g <- .Generic
  if (g == "range") {
    return(tf$stack(list(do.call(min, xs), do.call(max, xs))))
  }
  fun <- summary_table[[g]]
  dtype <- NULL
  for (x in xs) if (is_tensor(x)) { dtype <- tensor_dtype(x); break }
  if (g %in% c("all", "any")) dtype <- "bool"
  parts <- lapply(xs, function(x) tf[[fun]](tensor_like(x, dtype)))
  if (length(parts) == 1L) return(parts[[1]])
  tf[[fun]](tf$stack(parts))
}

#' @rdname tensor-methods
#' @export
mean.tensorflow.python.framework.tensor.Tensor <- function(x, ...) {
  if (is_int_dtype(tensor_dtype(x)) || tensor_dtype(x) == "bool") x <- tf$cast(x, "float64")
  tf$reduce_mean(x)
}

#' @rdname tensor-methods
#' @export
dim.tensorflow.python.framework.tensor.Tensor <- function(x) {
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
  a <- py_to_r(py_call(py_get_attr(x, "numpy")))
  d <- dim(x)
  if (length(d) >= 1L && is.null(dim(a))) dim(a) <- d
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
  d <- dim(x)
  if (length(d) == 1L) return(tf$reshape(x, c(1L, d)))
  if (length(d) != 2L) abort("`t()` needs a tensor with 1 or 2 dimensions, not ", length(d), ".")
  tf$transpose(x)
}

# One R index for an axis of extent `n`, as 0-based positions (NULL: take all).
axis_positions <- function(i, n, axis) {
  if (is.null(i)) return(NULL)
  if (is_tensor(i)) i <- as.array(i)
  if (is.logical(i)) {
    if (anyNA(i)) abort("Logical indices of tensors must not be `NA`.")
    if (length(i) > n) abort("Logical index for axis ", axis, " has length ", length(i),
                             ", longer than the extent ", n, ".")
    return(which(rep_len(i, n)) - 1L)
  }
  if (!is.numeric(i)) abort("Indices of tensors must be numeric or logical, not ", describe_value(i), ".")
  if (anyNA(i)) abort("Indices of tensors must not be `NA`.")
  if (!is_whole(i)) abort("Indices must be whole numbers, not ", describe_value(i[i != trunc(i)][1]), ".")
  i <- i[i != 0]
  if (length(i) && all(i < 0)) {
    if (any(-i > n)) abort("Index ", i[-i > n][1], " is out of bounds for axis ", axis,
                           " of extent ", n, ".")
    return(setdiff(seq_len(n), -i) - 1L)
  }
  if (any(i < 0)) abort("Can't mix positive and negative indices (axis ", axis, ").")
  if (any(i > n)) abort("Index ", i[i > n][1], " is out of bounds for axis ", axis,
                        " of extent ", n, ".")
  as.integer(i) - 1L
}

#' @rdname tensor-methods
#' @export
`[.tensorflow.python.framework.tensor.Tensor` <- function(x, ..., drop = TRUE) {
  cl <- as.list(sys.call())[-c(1L, 2L)]
  if (!is.null(names(cl))) cl <- cl[names(cl) != "drop"]
  env <- parent.frame()
  idx <- lapply(cl, function(e) {
    if (identical(e, quote(expr = ))) NULL else list(eval(e, env))
  })
  d <- dim(x)
  # all_dims() stands for as many missing indices as the other indices leave.
  ad <- vapply(idx, function(v) !is.null(v) && inherits(v[[1]], "tandem_keras_all_dims"), logical(1))
  if (sum(ad) > 1L) abort("`all_dims()` can be used only once in an index.")
  if (any(ad)) {
    k <- which(ad)
    fill <- rep(list(NULL), max(0L, length(d) - length(idx) + 1L))
    idx <- c(idx[seq_len(k - 1L)], fill, idx[-seq_len(k)])
  }
  if (length(idx) != length(d)) {
    abort("Can't index a tensor with ", length(d), " dimension", if (length(d) != 1L) "s",
          " by ", length(idx), " ind", if (length(idx) == 1L) "ex" else "ices", ".")
  }
  out <- x
  for (k in seq_along(d)) {
    pos <- axis_positions(idx[[k]][[1]], d[[k]], k)
    if (is.null(pos) || identical(pos, seq_len(d[[k]]) - 1L)) next
    out <- tf$gather(out, array(pos), axis = k - 1L)
  }
  if (isTRUE(drop)) {
    nd <- dim(out)
    keep <- nd[nd != 1L]
    if (length(keep) != length(nd)) out <- tf$reshape(out, array(as.integer(keep), length(keep)))
  }
  out
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
#' shape; `shape()` builds a `tf.TensorShape`.
#'
#' @param x An R vector or array, or a tensor.
#' @param dtype A dtype name such as `"float32"` or a `tf$dtypes` object; `NULL` keeps
#'   the natural dtype (R doubles are float64, integers int32, logicals bool).
#' @param shape An integer vector; one entry may be `NA` (inferred). The elements are
#'   laid out in row-major (C) order, as `tf$reshape()` does. A length-one `x` is
#'   filled to the shape.
#' @param ... For `shape()`: the extents, whole numbers or `NA`/`NULL` for unknown.
#' @return A tensor (`as_tensor()`) or a `TensorShape` (`shape()`).
#' @export
#' @examples
#' \dontrun{
#' as_tensor(1:6, "float32", shape = c(2, 3))
#' shape(NA, 28, 28)
#' }
as_tensor <- function(x, dtype = NULL, shape = NULL) {
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

#' @rdname as_tensor
#' @export
shape <- function(...) {
  dims <- list(...)
  if (length(dims) == 1L && length(dims[[1]]) > 1L) dims <- as.list(dims[[1]])
  tf$TensorShape(lapply(dims, function(d) {
    if (is.null(d) || (length(d) == 1L && is.na(d))) NULL else as_int(d, "shape")
  }))
}

#' Matrix products with tensors
#'
#' R 4.2 does not dispatch `%*%` on S3 classes, so tandem.keras exports its own `%*%`:
#' when either operand is a tensor it is `tf$matmul()`, otherwise it is base R's `%*%`
#' (attaching tandem.keras masks `base::%*%` with this function, which gives base R's
#' result for R values). An R matrix or vector meets the tensor in the tensor's dtype. As
#' in base R, a vector on the left is a row vector, a vector on the right a column vector,
#' and two vectors give their inner product as a 1 x 1 matrix.
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
  if (!is_tensor(x) && !is_tensor(y)) return(base::`%*%`(x, y))
  dtype <- tensor_dtype(if (is_tensor(x)) x else y)
  x <- tensor_like(x, dtype)
  y <- tensor_like(y, dtype)
  dx <- dim(x)
  dy <- dim(y)
  if (length(dx) == 1L && length(dy) == 1L) {
    x <- tf$reshape(x, c(1L, -1L))
    y <- tf$reshape(y, c(-1L, 1L))
  } else if (length(dx) == 1L) {
    # base R: a vector on the left is a row vector, or a column when y has one row.
    x <- if (!is.na(dy[[1]]) && dy[[1]] == 1L && dx[[1]] != 1L) tf$reshape(x, c(-1L, 1L))
         else tf$reshape(x, c(1L, -1L))
  } else if (length(dy) == 1L) {
    y <- if (!is.na(dx[[2]]) && dx[[2]] == 1L && dy[[1]] != 1L) tf$reshape(y, c(1L, -1L))
         else tf$reshape(y, c(-1L, 1L))
  }
  tf$matmul(x, y)
}
