# functions.R: R functions (and formulas) traced by TensorFlow: tf_function(), and the
# Python callables that dataset_map(), losses and metrics hand to TensorFlow.

# An R function or a one-sided formula (`~ .x * 2`, with `.x`/`.y` or `..1`, `..2`) as
# an R function.
as_r_function <- function(f, arg) {
  if (inherits(f, "formula")) {
    if (length(f) != 2L) abort("`", arg, "` must be a one-sided formula (`~ .x + 1`), not a two-sided one.")
    fn <- function(..., .x = ..1, .y = ..2, . = ..1) NULL
    body(fn) <- f[[2]]
    environment(fn) <- environment(f) %||% globalenv()
    return(fn)
  }
  if (!is.function(f) || is_py_object(f)) {
    abort("`", arg, "` must be an R function or a formula, not ", describe_value(f), ".")
  }
  f
}

# What an R function returns, as TensorFlow structures: unnamed lists are tuples, named
# lists dicts, vectors 1-d arrays (not Python lists of scalars).
as_tf_structure <- function(x) {
  if (is_py_object(x) || is.null(x)) return(x)
  if (is.list(x) && !is.object(x)) {
    parts <- lapply(x, as_tf_structure)
    if (is.null(names(x))) return(tuple(unname(parts)))
    if (any(!nzchar(names(x)))) abort("A list returned to TensorFlow must be fully named or unnamed.")
    return(dict(parts))  # the single-list form: names are keys, never looked up
  }
  if (is.atomic(x) && is.null(dim(x)) && length(x) != 1L) return(array(x, length(x)))
  x
}

# A Python function (with `f`'s signature, for TensorFlow's introspection) that calls `f`
# and returns TensorFlow structures. AutoGraph can't read R source: `do_not_convert`
# keeps it from trying (and warning) when tf.data or Keras trace the function.
as_tf_callable <- function(f, name) {
  force(f)
  inner <- tandem::py_func(function(...) as_tf_structure(f(...)), name = name)
  sig <- py_get_attr(tandem::py_func(f, name = name), "__signature__")
  tandem::py_set_attr(inner, "__signature__", sig)
  tf$autograph$experimental$do_not_convert(inner)
}

#' Trace an R function into a TensorFlow graph
#'
#' `tf_function()` wraps an R function as a `tf.function`: the first call with a new
#' input signature (dtypes and shapes of tensor arguments, values of other arguments)
#' runs the R function once on symbolic tensors to record a graph; later calls of the
#' same signature run the graph without calling R. The R function sees symbolic tensors
#' and uses the tensor methods (`+`, `*`, `[`, `sum()`, ...) and `tf$...` operations.
#'
#' R code cannot be converted by AutoGraph, so `autograph = TRUE` is an error: R's `if`,
#' `for` and `while` run once, at tracing time, on the symbolic tensors. Control flow that
#' depends on tensor values must use TensorFlow's operations: `tf$cond()`, `tf$where()`,
#' `tf$while_loop()`. Tensors and R arrays (with `dim`, which arrive as NumPy arrays) trace
#' once per dtype and shape; R numbers and plain vectors arrive as Python numbers and lists,
#' which trace again for every new value: pass `as_tensor(x)` or `array(x)` for values that
#' change.
#'
#' @param f An R function (or a one-sided formula such as `~ .x * 2`).
#' @param input_signature Optional list of `tf$TensorSpec()` objects, one per argument,
#'   fixing the traced signature (`NA` extents in `shape()` match any size).
#' @param autograph Must be `FALSE` (see above).
#' @param name The name of the Python function.
#' @param ... Further arguments for `tf.function` (e.g. `jit_compile`,
#'   `reduce_retracing`).
#' @return A `tf.function`, callable from R like an R function, returning tensors (an
#'   unnamed list returned by `f` becomes a list of tensors).
#' @export
#' @examples
#' \dontrun{
#' scale_sum <- tf_function(function(x, y) sum(x * y) + 1)
#' scale_sum(as_tensor(c(1, 2)), as_tensor(c(3, 4)))   # 12
#' relu <- tf_function(function(x) tf$where(x > 0, x, tf$zeros_like(x)))
#' }
tf_function <- function(f, input_signature = NULL, autograph = FALSE, name = NULL, ...) {
  f <- as_r_function(f, "f")
  if (!identical(as_flag(autograph, "autograph"), FALSE)) {
    abort("`autograph` must be `FALSE`: AutoGraph converts Python source, and R functions ",
          "have none. Use `tf$cond()`, `tf$where()` and `tf$while_loop()` for control flow ",
          "that depends on tensor values.")
  }
  if (!is.null(input_signature) && !is_py_object(input_signature)) {
    input_signature <- as.list(input_signature)
  }
  name <- name %||% "r_tf_function"
  args <- c(list(as_tf_callable(f, name), input_signature = input_signature,
                 autograph = FALSE), dots_list(...))
  do.call(tf[["function"]], args)
}

#' R functions as Keras metrics
#'
#' `custom_metric()` names an R function `function(y_true, y_pred)` for use as a metric
#' (or loss) in [compile()]: Keras reports it under `name` in the training history. In
#' `compile(metrics = )`, R functions can also be given directly: a function in a named
#' list takes the list name (`metrics = list(mean_pred = function(y_true, y_pred) ...)`),
#' one given by its variable name takes that name (`metrics = list(my_mae)`), others are
#' called `custom_metric` (numbered when there are several).
#'
#' The function is traced with the training step (graph mode): it receives symbolic
#' tensors and must compute with tensor methods and `tf$...` operations, returning a
#' tensor of per-sample values or a scalar, which Keras averages over the epoch.
#'
#' @param name The metric's name (a single string).
#' @param metric_fn An R function `function(y_true, y_pred)` (or a one-sided formula
#'   using `.x` and `.y`); keras3's (and the keras package's) argument name.
#' @return A Python function named `name`.
#' @export
#' @examples
#' \dontrun{
#' mean_pred <- custom_metric("mean_pred", function(y_true, y_pred) mean(y_pred))
#' compile(model, optimizer = "adam", loss = "mse", metrics = list(mean_pred, "mae"))
#' }
custom_metric <- function(name, metric_fn) {
  if (!is.character(name) || length(name) != 1L || is.na(name) || !nzchar(name)) {
    abort("`name` must be a single non-empty string, not ", describe_value(name), ".")
  }
  as_tf_callable(as_r_function(metric_fn, "metric_fn"), name)
}

# compile(loss = ): R functions (alone, or in a list per output) as named Python functions.
as_keras_loss <- function(loss, expr) {
  if (is_wrapper(loss)) return(wrapper_target(loss))  # compile(loss = loss_huber)
  if (is.list(loss) && !is.object(loss)) loss[] <- lapply(loss, wrapper_target)
  if (is.function(loss) && !is_py_object(loss) || inherits(loss, "formula")) {
    return(as_tf_callable(as_r_function(loss, "loss"), r_fn_name(expr, "custom_loss")))
  }
  if (is.list(loss) && !is.object(loss)) {
    nms <- names(loss) %||% rep("", length(loss))
    for (i in seq_along(loss)) {
      f <- loss[[i]]
      if (is.function(f) && !is_py_object(f) || inherits(f, "formula")) {
        loss[[i]] <- as_tf_callable(as_r_function(f, "loss"), "custom_loss")
      }
    }
    return(if (all(nzchar(nms))) loss else unname(loss))
  }
  loss
}

# compile(metrics = ): names from the list, the variable, or "custom_metric".
as_keras_metrics <- function(metrics, expr) {
  if (is.null(metrics)) return(NULL)
  if (is.character(metrics)) return(as.list(metrics))
  if (is_wrapper(metrics)) return(list(wrapper_target(metrics)))  # metrics = metric_auc
  if (is.list(metrics) && !is.object(metrics)) metrics[] <- lapply(metrics, wrapper_target)
  if (is.function(metrics) && !is_py_object(metrics) || inherits(metrics, "formula")) {
    return(list(as_tf_callable(as_r_function(metrics, "metrics"), r_fn_name(expr, "custom_metric"))))
  }
  if (is_py_object(metrics)) return(list(metrics))
  if (!is.list(metrics)) abort("`metrics` must be a list or character vector, not ", describe_value(metrics), ".")
  nms <- names(metrics) %||% rep("", length(metrics))
  # Element expressions of a literal `list(...)`/`c(...)` call, to name functions by variable.
  exprs <- if (is.call(expr) && as.character(expr[[1]])[[1]] %in% c("list", "c")) as.list(expr)[-1] else list()
  is_fn <- vapply(metrics, function(f) is.function(f) && !is_py_object(f) || inherits(f, "formula"), logical(1))
  unnamed <- which(is_fn & !nzchar(nms))
  out <- metrics
  for (i in which(is_fn)) {
    name <- if (nzchar(nms[[i]])) nms[[i]] else {
      e <- if (length(exprs) == length(metrics)) exprs[[i]] else NULL
      r_fn_name(e, if (length(unnamed) > 1L) paste0("custom_metric_", match(i, unnamed)) else "custom_metric")
    }
    out[[i]] <- as_tf_callable(as_r_function(metrics[[i]], "metrics"), name)
  }
  # Keras takes a list of metrics (or a dict per output): names given to Python-side
  # metrics in an R list are dropped unless every element is a per-output entry.
  if (any(is_fn) || !all(nzchar(nms))) unname(out) else out
}

# The variable name in an argument expression, if it is a plain symbol.
r_fn_name <- function(expr, default) {
  if (is.symbol(expr)) {
    n <- as.character(expr)
    if (grepl("^[A-Za-z_][A-Za-z0-9_.]*$", n)) return(gsub(".", "_", n, fixed = TRUE))
  }
  default
}
