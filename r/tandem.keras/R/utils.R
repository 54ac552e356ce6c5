# utils.R: argument checks and coercions in the tidyverse error grammar.

describe_value <- function(x) {
  if (is.null(x)) return("`NULL`")
  if (is_py_object(x)) return(paste0("a Python `", class(x)[[1]], "`"))
  if (is.atomic(x) && length(x) == 1L) {
    if (is.character(x)) return(paste0("the string \"", x, "\""))
    return(paste0("`", format(x), "`"))
  }
  if (is.atomic(x)) return(paste0("a ", typeof(x), " vector of length ", length(x)))
  paste0("a ", if (is.object(x)) class(x)[[1]] else typeof(x))
}

abort <- function(...) stop(structure(
  class = c("tandem_keras_error", "error", "condition"),
  list(message = paste0(...), call = NULL)
))

is_whole <- function(x) is.numeric(x) && all(!is.na(x)) && all(is.finite(x)) && all(x == trunc(x))

# list(...), but a trailing empty argument is dropped, as keras3's dynamic dots drop it:
# keras_model(inputs = i, outputs = o, ) and compile(..., metrics = m, ) are common in
# keras3's own examples. An empty argument elsewhere is still R's "argument is missing".
dots_list <- function(...) {
  n <- ...length()
  if (n == 0L || !eval(call("missing", as.name(paste0("..", n))))) return(list(...))
  out <- vector("list", n - 1L)
  for (i in seq_len(n - 1L)) out[i] <- list(...elt(i))
  labels <- ...names()
  if (any(nzchar(labels[seq_len(n - 1L)]))) names(out) <- labels[seq_len(n - 1L)]
  out
}

# A whole number (or a vector of them) as R integers, which reach Python as int.
as_int <- function(x, arg) {
  if (is.null(x) || is_py_object(x)) return(x)
  if (is.list(x)) return(lapply(x, as_int, arg = arg))
  if (!is_whole(x) || any(abs(x) > .Machine$integer.max)) {
    abort("`", arg, "` must be a whole number, not ", describe_value(x), ".")
  }
  as.integer(x)
}

# Like as_int(), but a vector of length > 1 becomes a tuple (Keras' kernel sizes, strides).
as_int_tuple <- function(x, arg) {
  if (is.null(x) || is_py_object(x)) return(x)
  # These take a whole number or a keyword ("epoch", "batch").
  if (is.character(x) && arg %in% c("save_freq", "update_freq")) return(x)
  # A list of pairs (cropping = list(c(2, 2), c(4, 4))) is a tuple of tuples.
  if (is.list(x) && any(lengths(x) > 1L)) {
    return(tuple(lapply(x, function(e) tuple(as.list(as_int(unlist(e), arg))))))
  }
  x <- as_int(unlist(x), arg)
  if (length(x) > 1L) tuple(as.list(x)) else x
}

# A shape: NA or NULL entries are None; returns a tuple (or NULL).
as_shape <- function(x, arg = "shape") {
  if (is.null(x) || is_py_object(x)) return(x)
  if (!is.list(x)) x <- as.list(x)
  dims <- lapply(x, function(d) {
    if (is_py_object(d)) return(d)  # an extent known only when traced: a scalar tensor
    if (is.null(d) || (length(d) == 1L && is.na(d))) return(NULL)
    as_int(d, arg)
  })
  tuple(dims)
}

# A 1-based R axis becomes a 0-based Python axis; negative axes count from the end.
as_axis <- function(x, arg = "axis") {
  if (is.null(x) || is_py_object(x)) return(x)
  x <- as_int(unlist(x), arg)
  if (any(x == 0L)) abort("`", arg, "` must be 1-based (or negative to count from the end), not `0`.")
  x <- ifelse(x > 0L, x - 1L, x)
  if (length(x) > 1L) as.list(x) else x
}

# A single flag.
as_flag <- function(x, arg) {
  if (!is.logical(x) || length(x) != 1L || is.na(x)) {
    abort("`", arg, "` must be `TRUE` or `FALSE`, not ", describe_value(x), ".")
  }
  x
}

# A vector that Python must see as a list, even of length one.
as_py_list <- function(x, arg) {
  if (is.null(x) || is_py_object(x) || is.list(x)) return(x)
  if (!is.numeric(x)) abort("`", arg, "` must be a numeric vector, not ", describe_value(x), ".")
  as.list(as.numeric(x))
}

# A vocabulary: one string naming an existing file is a path; otherwise a list of tokens.
as_vocabulary <- function(x, arg = "vocabulary") {
  if (is.null(x) || is_py_object(x) || is.list(x)) return(x)
  if (is.factor(x)) x <- levels(x)
  if (is.character(x) && length(x) == 1L && !is.na(x) && file.exists(x)) return(x)
  if (!is.atomic(x) || anyNA(x)) {
    abort("`", arg, "` must be a vector without `NA` (or a file path), not ", describe_value(x), ".")
  }
  if (is.double(x) && is_whole(x) && all(abs(x) <= .Machine$integer.max)) storage.mode(x) <- "integer"
  as.list(x)
}

# y_true/y_pred of the loss_*/metric_* functions: R vectors and arrays as NumPy arrays
# (doubles in Keras' float type), so a vector is one 1-d array and not a Python list.
as_loss_input <- function(x, arg = "y_true") {
  if (is.null(x) || is_py_object(x) || !is.atomic(x)) return(x)
  if (is.factor(x)) x <- as.integer(x) - 1L
  np_array(x, dtype = if (is.double(x)) keras$config$floatx())
}

# Keras' tracked containers (attributes of layers and models, get_config() values) are
# subclasses of list/dict/set, which tandem, like reticulate, leaves as Python objects;
# keras3 registers these py_to_r() methods so they convert as plain lists and dicts.
#' @method py_to_r keras.src.utils.tracking.TrackedList
#' @export
#' @noRd
py_to_r.keras.src.utils.tracking.TrackedList <- function(x) tandem::import_builtins()$list(x)

#' @method py_to_r keras.src.utils.tracking.TrackedDict
#' @export
#' @noRd
py_to_r.keras.src.utils.tracking.TrackedDict <- function(x) tandem::import_builtins()$dict(x)

#' @method py_to_r keras.src.utils.tracking.TrackedSet
#' @export
#' @noRd
py_to_r.keras.src.utils.tracking.TrackedSet <- function(x) tandem::import_builtins()$list(x)
