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
#' not passed. As in reticulate, an argument without a default after one with a default
#' (`function(a = 1, b)`, unless it comes after `...`) is an error, and so is an argument
#' without a default whose name is not a Python identifier (`function(a.b)`): Python could
#' never pass it. Other arguments that are not Python identifiers (`na.rm = TRUE`, rlang's
#' `.x` after `...`) are accepted (reticulate refuses them): they keep their R default, or
#' are reached through `**kwargs` when `f` has `...`.
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
  check_python_signature(f)
  info <- formals_info(f)
  cls <- import("tandem._classes", convert = FALSE)
  py_set_convert(py_call_value(cls$py_func, f, info$names, info$defaults, info$has, info$dots, name), TRUE)
}

# py_func() refuses a signature Python cannot have (reticulate's rule): before `...`, an
# argument without a default that is not a Python identifier (`a.b`, `if`: Python could
# never pass it), or without a default after one with a default. Other arguments that are
# not identifiers (`na.rm = TRUE`, `.x` of rlang lambdas after `...`) are left out of the
# Python signature: their R defaults apply.
check_python_signature <- function(f) {
  fm <- formals(if (is.primitive(f)) args(f) else f)
  nms <- names(fm) %||% character()
  # arguments after ... are keyword-only in Python
  positional <- seq_len(if ("..." %in% nms) match("...", nms) - 1L else length(nms))
  # Python's own rule for the names (tandem._classes, as the signature it builds)
  name_ok <- logical()
  if (length(positional)) {
    cls <- import("tandem._classes", convert = FALSE)
    name_ok <- as.logical(py_to_r(py_call_value(cls$parameter_names_ok, as.list(enc2utf8(nms[positional])))))
  }
  seen_default <- FALSE
  for (i in positional) {
    has_default <- !identical(fm[[i]], quote(expr = ))
    if (!has_default && !name_ok[[i]]) {
      stop(sprintf(paste0("`f`'s argument `%s` has no default and is not a valid Python parameter name, ",
                          "so Python could never pass it. Rename it, or wrap `f`: py_func(function(x) f(x))."),
                   nms[[i]]), call. = FALSE)
    }
    if (seen_default && !has_default) {
      stop(sprintf("`f`'s argument `%s` has no default but follows one with a default, which Python does not allow.",
                   nms[[i]]), call. = FALSE)
    }
    seen_default <- seen_default || has_default
  }
  invisible(TRUE)
}

make_super <- function(class_env, self) {
  getter <- function() {
    bt <- import_builtins(convert = FALSE)
    py_set_convert(py_call_value(bt$super, class_env$class, self), TRUE)
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
  # `.tandem_self` follows `...`: R matches it by its exact name only (tandem._classes).
  function(..., .tandem_self) {
    # `self` comes boxed (tandem._classes.SelfBox), so that no py_to_r() method converts it
    self <- .Call(.ffi$weak_handle, .Call(.ffi$getattr, .tandem_self, "obj", FALSE, TRUE))
    .tandem_self <- NULL  # no strong reference left in this frame (closures may keep it)
    env <- new.env(parent = environment(fn))
    env$super <- make_super(class_env, self)
    if (!takes_self) env$self <- self
    if (!is.null(class_env$private)) bind_private(env, self, class_env$private)
    environment(fn) <- env
    if (takes_self) fn(self, ...) else fn(...)
  }
}

#' Define a Python class in R
#'
#' `PyClass()` creates a real Python class whose methods are R functions. Inside a method,
#' `self` is the instance and `super` its parent (`super$initialize(...)`,
#' `super()$method()`); a method whose first argument is named `self` (reticulate's
#' style: `` `__init__` = function(self, x) ... ``) receives it as an argument instead, and
#' sees `super()` too. `initialize` is `__init__`. Other values in `defs` become class
#' attributes. Instances can be created from R or Python.
#'
#' As with reticulate, the class has no `__module__` unless `defs` gives one, and the S3
#' class of its instances starts with the bare class name: an instance of
#' `PyClass("Hi", ...)` inherits from `"Hi"`, so `py_to_r.Hi()`, `print.Hi()` and other
#' methods dispatch on it. With `` `__module__` = "pkg" `` in `defs` it is `"pkg.Hi"`.
#'
#' Per-instance state lives on the instance (`self$x <- value`), as in Python, and is freed
#' with it. `self` is a weak reference: an R function stored on the instance may refer to
#' `self` without keeping the instance alive (no reference cycle through R), and using a
#' `self` kept after its instance was deleted is an error. To keep an instance, keep the
#' value the class returned.
#'
#' A method whose R function has the attribute `py_decorators` (a character vector of
#' names of Python builtins such as `"property"`, `"staticmethod"`, `"classmethod"`, or
#' Python callables) is decorated with them, innermost first: as in reticulate and keras3
#' (`active_property()`), `attr(f, "py_decorators") <- "property"` makes a read-only
#' property whose getter is `f(self)`.
#'
#' `Child(Parent) %py_class% { initialize <- function(...) ...; m <- function(x) ... }`
#' defines the class from the assignments in the braces and binds it to `Child` in the
#' calling environment. Its `__module__` is `"R"` unless the braces set one (libraries
#' such as Keras read it when saving), so its instances inherit from `"R.Child"`.
#'
#' @param classname The class name.
#' @param defs A named list of methods (R functions) and class attributes.
#' @param inherit A Python class, or a list of them (the bases). R objects with an
#'   `r_to_py()` method that gives a Python class (an R6 class generator, or a class
#'   generator of a package built on tandem) may stand for a base.
#' @param private `NULL`, or a named list of private members (R6's `private`): methods
#'   then see `private`, an R environment of the instance (created on first use, freed with
#'   the instance, never seen by Python) that starts with these members; functions in it
#'   see `self` and `private` too. In `%py_class%`, `private` is always available, and
#'   `private$name <- value` in the braces adds a private member.
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
PyClass <- function(classname, defs = list(), inherit = NULL, private = NULL) {
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
  if (!is.null(private)) class_env$private <- check_private(private)
  methods <- dict()
  attributes <- dict()
  for (nm in names(defs)) {
    value <- defs[[nm]]
    pyname <- if (identical(nm, "initialize")) "__init__" else nm
    if (is.function(value) && !is_py_object(value)) {
      info <- formals_info(value, drop_self = TRUE)
      decorators <- attr(value, "py_decorators", exact = TRUE)
      m <- if ("staticmethod" %in% decorators) py_func(value)  # no instance to pass
           else py_call_value(helpers$make_method, method_wrapper(value, class_env), pyname,
                        info$names, info$defaults, info$has, info$dots)
      m <- apply_decorators(m, decorators, pyname)
      py_set_item(methods, pyname, m)
    } else {
      py_set_item(attributes, pyname, value)
    }
  }
  cls <- py_call_value(helpers$make_class, classname, tuple(bases), methods, attributes)
  class_env$class <- cls
  py_set_convert(cls, TRUE)
}

# reticulate's py_decorators attribute of a method: builtins by name, or Python callables.
apply_decorators <- function(m, decorators, pyname) {
  if (is.null(decorators)) return(m)
  builtins <- import_builtins(convert = FALSE)
  for (d in decorators) {
    if (is.character(d) && length(d) == 1L && !is.na(d)) {
      if (!py_has_attr(builtins, d)) {
        stop(sprintf("method `%s`: decorator '%s' is not a Python builtin.", pyname, d), call. = FALSE)
      }
      d <- py_get_attr(builtins, d)
    }
    if (!is_py_object(d)) {
      stop(sprintf("method `%s`: decorators must be names of Python builtins or Python callables, not %s.",
                   pyname, describe(d)), call. = FALSE)
    }
    m <- py_call_value(d, m)
  }
  m
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
  private <- new.env(parent = emptyenv())
  defs_env$private <- private
  eval(body, defs_env)
  nms <- setdiff(ls(defs_env, all.names = TRUE, sorted = FALSE), "private")
  defs <- mget(nms, envir = defs_env)
  # Libraries such as Keras read `__module__` (serialization): these classes have one,
  # and their instances are "R.<classname>".
  if (is.null(defs[["__module__"]])) defs[["__module__"]] <- "R"
  cls <- PyClass(classname, defs, bases, private = as.list(private, all.names = TRUE))
  assign(classname, cls, envir = env)
  invisible(cls)
}

#' @rdname r_to_py
#' @export
r_to_py.R6ClassGenerator <- function(x, convert = FALSE) {
  defs <- c(x$public_methods, x$public_fields)
  defs$clone <- NULL  # R6's own method
  # R6Class(inherit = <Python class or R6 class>): the base, evaluated where R6 would.
  inherit <- attr(x, "py_inherit", exact = TRUE) %||% x$get_inherit()
  private <- c(x$private_fields, x$private_methods)
  cls <- PyClass(x$classname %||% "R6Class", defs, inherit, private = private %||% list())
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
  py_set_convert(py_call_value(helpers$RIterator, step, as.integer(prefetch)), TRUE)
}

# R6-style private members: one R environment per instance, kept on the instance as
# `_tandem_private` (an R object Python cannot look into), created on first use with the
# class's private members; the functions among them see `self` and `private`.
check_private <- function(private) {
  if (!is.list(private) || (length(private) && (is.null(names(private)) || any(!nzchar(names(private)))))) {
    stop(sprintf("`private` must be a named list, not %s.", describe(private)), call. = FALSE)
  }
  private
}

bind_private <- function(env, self, members) {
  makeActiveBinding("private", function() instance_private(self, members), env)
}

instance_private <- function(self, members) {
  priv <- NULL
  if (py_has_attr(self, "_tandem_private")) priv <- py_to_r(py_get_attr(self, "_tandem_private"))
  if (!is.environment(priv)) {
    priv <- new.env(parent = emptyenv())
    py_set_attr(self, "_tandem_private", priv)
  }
  # Members of this class (a subclass and its parents share the instance's environment).
  for (nm in setdiff(names(members), ls(priv, all.names = TRUE))) {
    m <- members[[nm]]
    if (is.function(m) && !is_py_object(m)) {
      fenv <- new.env(parent = environment(m))
      fenv$self <- self
      fenv$private <- priv
      environment(m) <- fenv
    }
    assign(nm, m, envir = priv)
  }
  priv
}
