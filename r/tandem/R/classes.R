# classes.R: R functions as Python callables with signatures, Python classes defined in R.

formals_info <- function(f, drop_self = FALSE) {
  fm <- formals(if (is.primitive(f)) args(f) else f)
  nms <- names(fm) %||% character()
  if (drop_self && length(nms) && nms[[1]] == "self") {
    fm <- fm[-1]
    nms <- nms[-1]
  }
  dots <- match("...", nms)
  defaults <- vector("list", length(fm))
  has <- logical(length(fm))
  for (i in seq_along(fm)) {
    if (identical(fm[[i]], quote(expr = ))) next
    d <- fm[[i]]
    has[[i]] <- TRUE
    if (is.null(d) || (is.atomic(d) && length(d) == 1L)) {
      if (!is.null(d)) defaults[[i]] <- d
    } else {
      defaults[[i]] <- import("tandem._classes", convert = FALSE)$R_DEFAULT
    }
  }
  list(names = as.list(nms), defaults = defaults, has = as.list(has),
       dots = if (is.na(dots)) NULL else dots - 1L)
}

#' An R function as a Python function with the same signature
#'
#' `r_to_py()` turns an R function into a Python callable without a signature;
#' `py_func()` gives it the R function's argument names and defaults, so that Python code
#' that inspects signatures (`inspect.signature()`, Keras looking for `training=` or
#' `mask=`) sees them. Defaults that are R expressions stay R's: an argument left out is
#' not passed.
#'
#' @param f An R function.
#' @param name The Python function's `__name__`.
#' @return A Python function.
#' @export
#' @examples
#' \dontrun{
#' f <- py_func(function(x, training = FALSE) x)
#' import("inspect")$signature(f)
#' }
py_func <- function(f, name = NULL) {
  if (!is.function(f) || is_py_object(f)) {
    stop(sprintf("`f` must be an R function, not %s.", describe(f)), call. = FALSE)
  }
  if (is.null(name)) name <- "r_function"
  info <- formals_info(f)
  cls <- import("tandem._classes", convert = FALSE)
  py_set_convert(py_call(cls$py_func, f, info$names, info$defaults, info$has, info$dots, name), TRUE)
}

make_super <- function(class_env, self) {
  getter <- function() {
    bt <- import_builtins(convert = FALSE)
    py_set_convert(py_call(bt$super, class_env$class, self), TRUE)
  }
  sup <- structure(function() sup, class = "tandem_super", getter = getter)
  sup
}

#' @export
`$.tandem_super` <- function(x, name) {
  s <- attr(x, "getter")()
  if (identical(name, "initialize")) name <- "__init__"
  .Call(.ffi$getattr, s, name, FALSE, FALSE)
}

#' @export
print.tandem_super <- function(x, ...) {
  cat("<super() of a tandem class>\n")
  invisible(x)
}

# `self` reaches the method as a weak handle: closures made in a method and stored on the
# instance (`self$f <- function() self$x`) then make no reference cycle through R, which
# neither garbage collector could see, and the instance is freed with its R state.
method_wrapper <- function(fn, class_env) {
  takes_self <- identical(names(formals(fn))[1], "self")
  force(fn)
  function(self, ...) {
    self <- .Call(.ffi$weak_handle, self)
    if (takes_self) return(fn(self, ...))
    env <- new.env(parent = environment(fn))
    env$self <- self
    env$super <- make_super(class_env, self)
    environment(fn) <- env
    fn(...)
  }
}

#' Define a Python class in R
#'
#' `PyClass()` creates a real Python class whose methods are R functions. Inside a method,
#' `self` is the instance and `super` its parent (`super$initialize(...)`,
#' `super()$method()`); a method whose first argument is named `self` receives it as an
#' argument instead. `initialize` is `__init__`. Other values in `defs` become class
#' attributes. Instances can be created from R or Python.
#'
#' Per-instance state lives on the instance (`self$x <- value`), as in Python, and is freed
#' with it. `self` is a weak reference: an R function stored on the instance may refer to
#' `self` without keeping the instance alive (no reference cycle through R), and using a
#' `self` kept after its instance was deleted is an error. To keep an instance, keep the
#' value the class returned.
#'
#' `Child(Parent) %py_class% { initialize <- function(...) ...; m <- function(x) ... }`
#' defines the class from the assignments in the braces and binds it to `Child` in the
#' calling environment.
#'
#' @param classname The class name.
#' @param defs A named list of methods (R functions) and class attributes.
#' @param inherit A Python class, or a list of them (the bases). R objects with an
#'   `r_to_py()` method that gives a Python class (an R6 class generator, or a class
#'   generator of a package built on tandem) may stand for a base.
#' @param spec,body For `%py_class%`: `Name(Base1, Base2)` and a braced block.
#' @return The Python class (callable from R).
#' @export
#' @examples
#' \dontrun{
#' Counter <- PyClass("Counter", list(
#'   initialize = function(start = 0L) self$n <- start,
#'   bump = function() { self$n <- self$n + 1L; self$n }
#' ))
#' Counter(5L)$bump()
#' }
PyClass <- function(classname, defs = list(), inherit = NULL) {
  check_string(classname, "classname")
  if (length(defs) && (is.null(names(defs)) || any(!nzchar(names(defs))))) {
    stop("every element of `defs` must be named.", call. = FALSE)
  }
  bases <- if (is.list(inherit) && !is.object(inherit)) inherit else if (is.null(inherit)) list() else list(inherit)
  # R objects that stand for Python classes (an R6 class, a package's class generator)
  # become them through their r_to_py() method.
  bases <- lapply(bases, function(b) if (is.object(b) && !is_py_object(b)) r_to_py(b) else b)
  for (b in bases) {
    if (!is_py_object(b)) stop(sprintf("`inherit` must be Python classes, not %s.", describe(b)), call. = FALSE)
  }
  ensure_python()
  helpers <- import("tandem._classes", convert = FALSE)
  class_env <- new.env(parent = emptyenv())
  methods <- dict()
  attributes <- dict()
  for (nm in names(defs)) {
    value <- defs[[nm]]
    pyname <- if (identical(nm, "initialize")) "__init__" else nm
    if (is.function(value) && !is_py_object(value)) {
      info <- formals_info(value, drop_self = TRUE)
      m <- py_call(helpers$make_method, method_wrapper(value, class_env), pyname,
                   info$names, info$defaults, info$has, info$dots)
      py_set_item(methods, pyname, m)
    } else {
      py_set_item(attributes, pyname, value)
    }
  }
  cls <- py_call(helpers$make_class, classname, tuple(bases), methods, attributes)
  class_env$class <- cls
  py_set_convert(cls, TRUE)
}

#' @rdname PyClass
#' @export
`%py_class%` <- function(spec, body) {
  spec <- substitute(spec)
  body <- substitute(body)
  env <- parent.frame()
  if (is.call(spec)) {
    classname <- as.character(spec[[1]])
    bases <- lapply(as.list(spec)[-1], eval, envir = env)
  } else {
    classname <- as.character(spec)
    bases <- list()
  }
  defs_env <- new.env(parent = env)
  eval(body, defs_env)
  nms <- ls(defs_env, all.names = TRUE, sorted = FALSE)
  defs <- mget(nms, envir = defs_env)
  cls <- PyClass(classname, defs, bases)
  assign(classname, cls, envir = env)
  invisible(cls)
}

#' @rdname r_to_py
#' @export
r_to_py.R6ClassGenerator <- function(x, convert = FALSE) {
  defs <- c(x$public_methods, x$public_fields)
  inherit <- attr(x, "py_inherit", exact = TRUE)
  cls <- PyClass(x$classname %||% "R6Class", defs, inherit)
  if (isTRUE(convert)) cls else py_set_convert(cls, FALSE)
}

#' An R function as a Python iterator
#'
#' Each call of `fn()` gives the next item; the iterator ends when `fn()` returns
#' `completed`. Items are always computed on R's main thread. A consumer on another
#' thread (tf.data's `from_generator()`, Keras `fit()`) waits for R's main thread unless
#' items are prefetched: with `prefetch = n`, up to `n` items are computed ahead, so that
#' such a consumer does not deadlock while R's main thread waits for it.
#'
#' @param fn A function of no arguments.
#' @param completed The value `fn()` returns when there are no more items.
#' @param prefetch How many items to compute ahead (0: none).
#' @return A Python iterator.
#' @export
#' @examples
#' \dontrun{
#' i <- 0
#' it <- py_iterator(function() if (i < 3) (i <<- i + 1) else NULL)
#' iterate(it)
#' }
py_iterator <- function(fn, completed = NULL, prefetch = 0L) {
  if (!is.function(fn)) stop(sprintf("`fn` must be a function, not %s.", describe(fn)), call. = FALSE)
  if (length(formals(fn))) {  # as reticulate: it is called with no arguments
    stop(sprintf("`fn` must be a function with no arguments, not one with `%s`.", names(formals(fn))[[1]]),
         call. = FALSE)
  }
  if (!is.numeric(prefetch) || length(prefetch) != 1L || is.na(prefetch) || prefetch < 0 || prefetch != trunc(prefetch)) {
    stop(sprintf("`prefetch` must be a whole number >= 0, not %s.", describe(prefetch)), call. = FALSE)
  }
  ensure_python()
  helpers <- import("tandem._classes", convert = FALSE)
  done <- helpers$ITER_DONE
  step <- function() {
    value <- fn()
    if (identical(value, completed)) done else value
  }
  py_set_convert(py_call(helpers$RIterator, step, as.integer(prefetch)), TRUE)
}
