# custom.R: Keras layers, models, metrics and losses defined in R (Python subclasses whose
# methods are R functions), the generators that make their instances, keras_model_custom().

CLASS_GENERATOR <- "tandem_keras_class_generator"

# Methods see `self` and `super` (bound by tandem when called); a generator's `object` is
# a formal it gets when its formals are set.
utils::globalVariables(c("self", "super", "object"))

#' Keras classes defined in R
#'
#' These functions make a real Python subclass of a Keras base class whose methods are R
#' functions, and return an R function that makes instances of it:
#'
#' * `new_layer_class()` (alias `Layer()`) subclasses `keras.layers.Layer`. The returned
#'   generator composes like the `layer_*()` wrappers: its first argument `object` is
#'   missing (the layer is returned), a Sequential model (the layer is added in place and
#'   the model returned) or a tensor (the layer is called on it). Its other arguments are
#'   those of `initialize`.
#' * `new_model_class()` (alias `Model()`) subclasses `keras.Model`,
#'   `new_metric_class()` (alias `Metric()`) `keras.metrics.Metric`, and
#'   `new_loss_class()` (alias `Loss()`) `keras.losses.Loss`; their generators take the
#'   arguments of `initialize` and return an instance.
#'
#' Inside a method, `self` is the instance and `super` its parent class:
#' `super$initialize(...)` runs the parent's `__init__` (always do this in `initialize`,
#' passing on `...` so that Keras' `name`, `dtype` and `trainable` arrive),
#' `super()$get_config()` calls a parent method. A method whose first argument is named
#' `self` receives the instance as that argument instead. `initialize` is Python's
#' `__init__`; `call` keeps its argument names and defaults in Python, so Keras sees
#' `training` and `mask` when `call` has them. Weights made in `build(input_shape)` with
#' `self$add_weight(shape = shape(...))` are tracked and trained by [fit()]; layers
#' assigned to `self$name` are tracked as sublayers.
#'
#' `get_config()` should return a named list of the constructor's arguments (usually
#' `super()$get_config()` plus your own); without it Keras records the arguments that
#' were given, when they are plain numbers, strings or flags. Models made of these
#' classes are saved by [save_model()] and read back by [load_model()] with
#' `custom_objects = list(MyLayer = MyLayer)` or after [register_keras_serializable()].
#'
#' `r_to_py()` of a generator gives the Python class (to inherit from it, or to hand it
#' to Python code).
#'
#' @param classname The Python class name (also the name Keras saves it under).
#' @param initialize,build,call,get_config Methods as R functions, or `NULL` to inherit
#'   the parent's.
#' @param ... Further methods (e.g. `compute_output_shape`, `update_state`, `result`,
#'   `reset_state`) and class attributes, named.
#' @param inherit The parent class: a Python class or a generator made by these
#'   functions. The defaults are the Keras base classes.
#' @return A generator function, of class `tandem_keras_class_generator`.
#' @export
#' @examples
#' \dontrun{
#' layer_linear <- new_layer_class("Linear",
#'   initialize = function(units = 32, ...) {
#'     super$initialize(...)
#'     self$units <- as.integer(units)
#'   },
#'   build = function(input_shape) {
#'     self$w <- self$add_weight(shape = shape(tail(input_shape, 1), self$units),
#'                               initializer = "random_normal")
#'     self$b <- self$add_weight(shape = shape(self$units), initializer = "zeros")
#'   },
#'   call = function(inputs) tf$matmul(inputs, self$w) + self$b,
#'   get_config = function() {
#'     config <- super()$get_config()
#'     config$units <- self$units
#'     config
#'   }
#' )
#' model <- keras_model_sequential(input_shape = 4) |> layer_linear(units = 2)
#' }
new_layer_class <- function(classname, initialize = NULL, build = NULL, call = NULL,
                            get_config = NULL, ..., private = list(), inherit = NULL) {
  cls <- make_keras_class(classname, list(initialize = initialize, build = build,
                                          call = call, get_config = get_config),
                          dots_list(...), inherit, function() keras$layers$Layer, private)
  class_generator(cls, initialize, "layer", compose = TRUE)
}

#' @rdname new_layer_class
#' @export
new_model_class <- function(classname, initialize = NULL, build = NULL, call = NULL,
                            get_config = NULL, ..., private = list(), inherit = NULL) {
  cls <- make_keras_class(classname, list(initialize = initialize, build = build,
                                          call = call, get_config = get_config),
                          dots_list(...), inherit, function() keras$Model, private)
  class_generator(cls, initialize, "model", compose = FALSE)
}

#' @rdname new_layer_class
#' @param update_state,result,reset_state Metric methods: `update_state(y_true, y_pred,
#'   sample_weight = NULL)` accumulates (into variables made with `self$add_variable()`),
#'   `result()` returns the value, `reset_state()` clears the variables.
#' @export
new_metric_class <- function(classname, initialize = NULL, update_state = NULL,
                             result = NULL, reset_state = NULL, get_config = NULL, ...,
                             private = list(), inherit = NULL) {
  cls <- make_keras_class(classname, list(initialize = initialize,
                                          update_state = update_state, result = result,
                                          reset_state = reset_state, get_config = get_config),
                          dots_list(...), inherit, function() keras$metrics$Metric, private)
  class_generator(cls, initialize, "metric", compose = FALSE)
}

#' @rdname new_layer_class
#' @export
new_loss_class <- function(classname, initialize = NULL, call = NULL, get_config = NULL,
                           ..., private = list(), inherit = NULL) {
  cls <- make_keras_class(classname, list(initialize = initialize, call = call,
                                          get_config = get_config),
                          dots_list(...), inherit, function() keras$losses$Loss, private)
  class_generator(cls, initialize, "loss", compose = FALSE)
}

#' @rdname new_layer_class
#' @param public A named list of further methods and attributes (keras3's form; merged
#'   with `...`).
#' @param private A named list of private members (R6's `private`): in methods,
#'   `private` is an R environment of the instance, never seen by Python or Keras, that
#'   starts with these members (functions in it see `self` and `private`). Methods may
#'   add to it (`private$cache <- value`).
#' @param parent_env Accepted for keras3 compatibility (methods keep their own closures).
#' @export
Layer <- function(classname, initialize = NULL, call = NULL, build = NULL,
                  get_config = NULL, ..., public = list(), private = list(),
                  inherit = NULL, parent_env = parent.frame()) {
  keras3_class(new_layer_class, classname, list(initialize = initialize, call = call,
               build = build, get_config = get_config), dots_list(...), public, private, inherit)
}

#' @rdname new_layer_class
#' @param train_step,predict_step,test_step,compute_loss,compute_metrics Model methods
#'   (keras3's `Model()` arguments).
#' @export
Model <- function(classname, initialize = NULL, call = NULL, train_step = NULL,
                  predict_step = NULL, test_step = NULL, compute_loss = NULL,
                  compute_metrics = NULL, ..., public = list(), private = list(),
                  inherit = NULL, parent_env = parent.frame()) {
  keras3_class(new_model_class, classname, list(initialize = initialize, call = call,
               train_step = train_step, predict_step = predict_step, test_step = test_step,
               compute_loss = compute_loss, compute_metrics = compute_metrics),
               dots_list(...), public, private, inherit)
}

#' @rdname new_layer_class
#' @export
Metric <- function(classname, initialize = NULL, update_state = NULL, result = NULL, ...,
                   public = list(), private = list(), inherit = NULL,
                   parent_env = parent.frame()) {
  keras3_class(new_metric_class, classname, list(initialize = initialize,
               update_state = update_state, result = result), dots_list(...), public, private,
               inherit)
}

#' @rdname new_layer_class
#' @export
Loss <- function(classname, call = NULL, ..., public = list(), private = list(),
                 inherit = NULL, parent_env = parent.frame()) {
  keras3_class(new_loss_class, classname, list(call = call), dots_list(...), public, private,
               inherit)
}

# keras3's class constructors on top of the new_*_class() functions: members given as
# arguments, in `...` and in `public` are merged (later ones win).
keras3_class <- function(new_fn, classname, members, dots, public, private, inherit) {
  members <- c(Filter(Negate(is.null), members), dots, public)
  members <- members[!duplicated(names(members), fromLast = TRUE)]
  args <- c(list(classname), members, list(inherit = inherit))
  args$private <- private
  do.call(new_fn, args)
}

# The Python class is made at first use (the first instance, r_to_py(), or a subclass), so
# defining classes does not start Python: package authors define them at build time.
make_keras_class <- function(classname, methods, extra, inherit, default_base, private = list()) {
  if (!is.character(classname) || length(classname) != 1L || is.na(classname) ||
      !grepl("^[A-Za-z_][A-Za-z0-9_]*$", classname)) {
    abort("`classname` must be a valid Python class name, not ", describe_value(classname), ".")
  }
  for (nm in names(methods)) {
    m <- methods[[nm]]
    if (!is.null(m) && (!is.function(m) || is_py_object(m))) {
      abort("`", nm, "` must be an R function or `NULL`, not ", describe_value(m), ".")
    }
  }
  if (length(extra) && (is.null(names(extra)) || any(!nzchar(names(extra))))) {
    abort("Arguments in `...` must be named (they are methods or class attributes).")
  }
  if (!is.null(methods$initialize) && "object" %in% names(formals(methods$initialize))) {
    abort("`initialize` must not have an argument named `object`: the generator's first ",
          "argument is the object to compose with.")
  }
  if (!is.list(private) || (length(private) && (is.null(names(private)) || any(!nzchar(names(private)))))) {
    abort("`private` must be a named list, not ", describe_value(private), ".")
  }
  defs <- c(Filter(Negate(is.null), methods), extra)
  # Keras reads `__module__` (serialization, subclass checks); tandem's classes have none
  # unless given, as reticulate's. Instances are "R.<classname>".
  if (is.null(defs[["__module__"]])) defs[["__module__"]] <- "R"
  check_inherit(inherit)
  lazy_attr(function() {
    tandem::PyClass(classname, defs, inherit = as_py_class(inherit %||% default_base()),
                    private = private)
  })
}

# What as_py_class() takes, checked without starting Python.
check_inherit <- function(x) {
  if (is.null(x) || is_py_object(x) || inherits(x, c(CLASS_GENERATOR, "tandem_keras_lazy")) ||
      is_wrapper(x)) return()
  if (is.list(x) && !is.object(x)) return(invisible(lapply(x, check_inherit)))
  abort("`inherit` must be a Python class, not ", describe_value(x), ".")
}

# The Python class of a generator (made now if it was not yet).
generator_class <- function(x) resolve_lazy(attr(x, "py_class", exact = TRUE))

as_py_class <- function(x) {
  if (inherits(x, CLASS_GENERATOR)) return(generator_class(x))
  if (inherits(x, "tandem_keras_lazy")) return(resolve_lazy(x))
  if (is.list(x) && !is.object(x)) return(lapply(x, as_py_class))
  x <- wrapper_target(x)  # keras3: inherit = layer_dense
  if (!is_py_object(x)) abort("`inherit` must be a Python class, not ", describe_value(x), ".")
  x
}

# The generator: its formals are `initialize`'s (after `object` when it composes). Only the
# arguments the caller gave are passed, so `initialize` evaluates its own defaults.
class_generator <- function(cls, initialize, kind, compose) {
  init_formals <- if (is.null(initialize)) alist(... = ) else formals(initialize)
  if (length(init_formals) && identical(names(init_formals)[1], "self")) {
    init_formals <- init_formals[-1]
  }
  gen <- function() {
    call <- match.call(expand.dots = FALSE)
    supplied <- setdiff(as.character(names(call)[-1]), c("object", "..."))
    args <- mget(supplied, envir = environment())
    if (!is.null(call$...)) args <- c(args, eval(quote(dots_list(...))))
    py_cls <- resolve_lazy(cls)
    if (!compose) return(do.call(py_cls, args))
    if (missing(object)) return(do.call(py_cls, args))
    compose_layer(object, py_cls, args)
  }
  formals(gen) <- if (compose) c(alist(object = ), init_formals) else init_formals
  env <- list2env(list(cls = cls, compose = compose), parent = asNamespace("tandem.keras"))
  # keras3: environment(generator)$`__class__` is the Python class (made when read).
  makeActiveBinding("__class__", function() resolve_lazy(cls), env)
  environment(gen) <- env
  structure(gen, class = c(CLASS_GENERATOR, "function"), py_class = cls, kind = kind)
}

#' @export
print.tandem_keras_class_generator <- function(x, ...) {
  cls <- generator_class(x)
  cat("<R-defined Keras ", attr(x, "kind", exact = TRUE), " class `",
      py_to_r(py_get_attr(cls, "__name__")), "`>\n", sep = "")
  args <- setdiff(names(formals(x)), "object")
  cat("Arguments: ", if (length(args)) paste(args, collapse = ", ") else "(none)", "\n", sep = "")
  invisible(x)
}

#' @method r_to_py tandem_keras_class_generator
#' @export
r_to_py.tandem_keras_class_generator <- function(x, convert = FALSE) {
  py_set_convert(generator_class(x), isTRUE(convert))
}

#' Custom models from a function (eager-execution style)
#'
#' `keras_model_custom()` makes a Keras model from `model_fn(self)`, which creates the
#' model's layers as fields of `self` (`self$dense <- layer_dense(units = 10)`) and returns
#' the model's call function, `function(inputs, mask = NULL, training = FALSE)` (the
#' `mask` and `training` arguments are optional: they are passed only when the function
#' has them). The model works with [compile()]/[fit()], in custom training loops with
#' `tf$GradientTape()`, and is called like a function.
#'
#' @param model_fn A function of `self` that returns the call function.
#' @param name The model's name.
#' @return A Keras model (a subclass of `keras.Model`).
#' @export
#' @examples
#' \dontrun{
#' model <- keras_model_custom(name = "mymodel", function(self) {
#'   self$dense1 <- layer_dense(units = 32, activation = "relu")
#'   self$dense2 <- layer_dense(units = 10, activation = "softmax")
#'   function(inputs, mask = NULL) self$dense2(self$dense1(inputs))
#' })
#' model(matrix(runif(6), 2))
#' }
keras_model_custom <- function(model_fn, name = NULL) {
  if (!is.function(model_fn) || is_py_object(model_fn)) {
    abort("`model_fn` must be a function of `self`, not ", describe_value(model_fn), ".")
  }
  if (!is.null(name) && (!is.character(name) || length(name) != 1L || is.na(name))) {
    abort("`name` must be a single string or `NULL`, not ", describe_value(name), ".")
  }
  call_fn <- NULL
  takes <- character()
  cls <- tandem::PyClass("CustomModel", list(
    initialize = function(name = NULL) {
      super$initialize(name = name)
      fn <- model_fn(self)
      if (!is.function(fn)) {
        abort("`model_fn` must return the model's call function, not ", describe_value(fn), ".")
      }
      call_fn <<- fn
      takes <<- names(formals(fn))
    },
    # Keras passes `training` and `mask` only when they have a value; they reach the
    # R function only if it has these arguments (or `...`).
    call = function(inputs, mask = NULL, training = NULL) {
      args <- list(inputs)
      if (!is.null(mask) && any(c("mask", "...") %in% takes)) args$mask <- mask
      if (!is.null(training) && any(c("training", "...") %in% takes)) args$training <- training
      do.call(call_fn, args)
    }
  ), inherit = keras$Model)
  cls(name = name)
}

#' Make a method an active property
#'
#' Marks a method of a class defined in R ([new_layer_class()] and friends, `%py_class%`,
#' [tandem::PyClass()]) as a Python property, as keras3 does: reading `obj$name` calls the
#' function with the instance (`self`) and returns its value; assigning it is an error.
#' `mark_active()` is the same function.
#'
#' @param fn A function of the instance: `function()` (using `self`) or `function(self)`.
#' @return `fn`, with `"property"` added to its `py_decorators` attribute.
#' @export
#' @examples
#' \dontrun{
#' layer_scaled <- new_layer_class("Scaled",
#'   initialize = function(scale, ...) { super$initialize(...); self$scale <- scale },
#'   doubled = active_property(function() self$scale * 2),
#'   call = function(x) x * self$scale)
#' layer_scaled(scale = 3)$doubled   # 6
#' }
active_property <- function(fn) {
  if (!is.function(fn)) abort("Only functions can be active properties, not ", describe_value(fn), ".")
  attr(fn, "py_decorators") <- c(attr(fn, "py_decorators", exact = TRUE), "property")
  fn
}

#' @rdname active_property
#' @export
mark_active <- active_property
