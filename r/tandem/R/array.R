# array.R: NumPy arrays from R values (np_array) and NumPy-style reshaping (array_reshape).

#' Create a NumPy array
#'
#' Converts `data` to a (writable) NumPy array, the same element at the same index. Atomic
#' vectors without `dim` become 1-D arrays (also when of length 1). R arrays cross as
#' read-only views first, then NumPy copies them into the new array.
#'
#' @param data An R atomic vector or array, or a Python object NumPy accepts.
#' @param dtype `NULL` (NumPy's choice: float64 for double, int32 for integer, bool for
#'   logical, object for character), a dtype name such as `"float32"`, or a NumPy dtype.
#' @param order Memory layout of the result: `"C"` (row-major), `"F"` (column-major),
#'   `"K"` or `"A"`, as in `numpy.array()`.
#' @return A NumPy array (a Python object; `convert = FALSE`).
#' @export
#' @examples
#' \dontrun{
#' np_array(1:6, dtype = "float32")
#' np_array(matrix(1:6, 2), order = "F")
#' }
np_array <- function(data, dtype = NULL, order = "C") {
  order <- check_order(order, c("C", "F", "K", "A"))
  np <- import("numpy", convert = FALSE)
  if (!is_py_object(data)) {
    if (!is.atomic(data) || is.null(data)) {
      stop(sprintf("`data` must be an atomic vector, an array or a Python object, not %s.", describe(data)),
           call. = FALSE)
    }
    if (is.null(dim(data))) data <- array(data, length(data))
  }
  py_call_value(py_get_attr(np, "array"), data, dtype = dtype, order = order)
}

#' Reshape an array as NumPy does
#'
#' Gives `x` the dimensions `dim`, filling elements in row-major (`"C"`, NumPy's default)
#' or column-major (`"F"`, R's own) order. Use it to match Python code that calls
#' `reshape()`: `dim<-` alone always fills column-major.
#'
#' @param x An R vector or array, or a NumPy array.
#' @param dim The new dimensions (whole numbers; one of them may be `-1`, meaning "what
#'   is left").
#' @param order `"C"` or `"F"`: the order in which elements are read from `x` and placed
#'   in the result.
#' @return An R array (or a NumPy array when `x` is one).
#' @export
#' @examples
#' array_reshape(1:6, c(2, 3))             # rows filled first: 1 2 3 / 4 5 6
#' array_reshape(1:6, c(2, 3), order = "F") # same as matrix(1:6, 2)
array_reshape <- function(x, dim, order = c("C", "F")) {
  order <- check_order(order[[1]], c("C", "F"))
  if (!is.numeric(dim) || anyNA(dim) || length(dim) == 0 || any(dim != trunc(dim)) || any(dim < -1)) {
    stop(sprintf("`dim` must be a vector of whole numbers (one may be -1), not %s.", describe(dim)), call. = FALSE)
  }
  if (is_py_object(x)) {
    np <- import("numpy", convert = FALSE)
    return(py_call_value(py_get_attr(np, "reshape"), x, do.call(tuple, as.list(as.integer(dim))), order = order))
  }
  n <- length(x)
  dim <- as.numeric(dim)
  free <- which(dim == -1)
  if (length(free) > 1) stop("`dim` can have at most one -1.", call. = FALSE)
  if (length(free) == 1) {
    known <- prod(dim[-free])
    if (known == 0 || n %% known != 0) {
      stop(sprintf("cannot reshape array of size %s into shape (%s)", n, paste(dim, collapse = ",")),  # NumPy's words
           call. = FALSE)
    }
    dim[free] <- n / known
  }
  if (prod(dim) != n) {
    stop(sprintf("cannot reshape array of size %s into shape (%s)", n, paste(dim, collapse = ",")),  # NumPy's words
         call. = FALSE)
  }
  dim <- as.integer(dim)
  if (order == "F") {
    out <- x
    attributes(out) <- NULL
    dim(out) <- dim
    return(out)
  }
  # Row-major: read x in C order (its last index fastest), fill the result likewise.
  old <- base::dim(x)
  flat <- if (length(old) > 1) aperm(x) else x
  flat <- as.vector(flat)
  if (length(dim) == 1) return(array(flat, dim))
  aperm(array(flat, rev(dim)))
}

check_order <- function(order, choices) {
  if (!is.character(order) || length(order) != 1 || !order %in% choices) {
    stop(sprintf("`order` must be one of %s, not %s.", paste0('"', choices, '"', collapse = ", "), describe(order)),
         call. = FALSE)
  }
  order
}

# ---- length() and dim() of Python objects (reticulate's rules) -------------------------
# length(): len(); objects without a length (or whose __len__ raises) count as bool(x)
# (so None is 0), NA when __bool__ raises too; NumPy arrays: their number of elements;
# pandas DataFrames: their number of columns. dim(): the shape of NumPy arrays, pandas
# DataFrames and scipy sparse matrices; NULL for a pandas Series (a vector in R).

py_length_or_bool <- function(x) {
  if (inherits(x, "tandem_delayed_module")) return(0L)  # not imported yet
  n <- .Call(.ffi$len, x, NA_integer_)
  if (!is.na(n)) return(n)
  as.integer(.Call(.ffi$bool, x, NA))
}

py_shape <- function(x) as.integer(unlist(py_to_r(py_get_attr(x, "shape"))))

py_unusable <- function(x) !py_available() || py_is_null_xptr(x)

#' @export
length.numpy.ndarray <- function(x) {
  if (py_unusable(x)) return(0L)
  py_to_r(py_get_attr(x, "size"))
}

#' @export
dim.numpy.ndarray <- function(x) {
  if (py_unusable(x)) return(NULL)
  py_shape(x)
}

# reticulate's methods for NumPy arrays held as Python objects (convert = FALSE): R's
# coercions convert them, t() transposes in NumPy (a view), str() names shape and dtype.

#' @export
as.array.numpy.ndarray <- function(x, ...) py_to_r(x)

#' @export
as.matrix.numpy.ndarray <- function(x, ...) py_to_r(x)

#' @export
as.vector.numpy.ndarray <- function(x, mode = "any") as.vector(py_to_r(x), mode = mode)

#' @export
as.double.numpy.ndarray <- function(x, ...) as.double(py_to_r(x))

#' @export
t.numpy.ndarray <- function(x) {
  if (py_unusable(x)) return(NULL)
  py_get_attr(x, "T")
}

#' @importFrom graphics plot
#' @export
plot.numpy.ndarray <- function(x, y, ...) plot(py_to_r(x), ...)

#' @export
str.numpy.ndarray <- function(object, ..., nest.lev = 0) {
  if (py_unusable(object)) return(invisible(str.python.builtin.object(object)))
  dtype <- py_to_r(py_get_attr(py_get_attr(object, "dtype"), "name"))
  cat(if (nest.lev > 0) " ", sprintf("<numpy.ndarray shape(%s), dtype=%s>\n",
                                     paste(py_shape(object), collapse = ","), dtype), sep = "")
  invisible(NULL)
}

#' @export
length.pandas.DataFrame <- function(x) {
  if (py_unusable(x)) return(0L)
  py_shape(x)[[2]]
}

#' @export
dim.pandas.DataFrame <- function(x) {
  if (py_unusable(x)) return(NULL)
  py_shape(x)
}

#' @export
length.pandas.Series <- function(x) {
  if (py_unusable(x)) return(0L)
  py_shape(x)[[1]]
}

#' @export
dim.pandas.Series <- function(x) NULL

#' @export
length.scipy.sparse._base._spbase <- function(x) {
  if (py_unusable(x)) return(0L)
  prod(py_shape(x))
}

#' @export
dim.scipy.sparse._base._spbase <- function(x) {
  if (py_unusable(x)) return(NULL)
  py_shape(x)
}

# summary() of a pandas DataFrame or Series: its describe(), as in reticulate (converted
# when the object converts).
#' @export
summary.pandas.DataFrame <- function(object, ...) {
  if (py_unusable(object)) return(str(object))
  object$describe()
}

#' @export
summary.pandas.Series <- summary.pandas.DataFrame

# The same classes under their older module paths (pandas < 3, scipy < 1.11).
#' @export
summary.pandas.core.frame.DataFrame <- summary.pandas.DataFrame
#' @export
summary.pandas.core.series.Series <- summary.pandas.DataFrame
#' @export
length.pandas.core.frame.DataFrame <- length.pandas.DataFrame
#' @export
dim.pandas.core.frame.DataFrame <- dim.pandas.DataFrame
#' @export
length.pandas.core.series.Series <- length.pandas.Series
#' @export
dim.pandas.core.series.Series <- dim.pandas.Series
#' @export
length.scipy.sparse.base.spmatrix <- length.scipy.sparse._base._spbase
#' @export
dim.scipy.sparse.base.spmatrix <- dim.scipy.sparse._base._spbase
