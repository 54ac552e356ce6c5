# custom-classes.R: keras3's other class constructors, Callback(), Constraint() and
# LearningRateSchedule(), on the machinery of custom.R (Python subclasses with R methods,
# made lazily at the first instance).

CALLBACK_METHODS <- c(
  "on_epoch_begin", "on_epoch_end", "on_train_begin", "on_train_end",
  "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
  "on_test_batch_begin", "on_test_batch_end", "on_predict_begin", "on_predict_end",
  "on_predict_batch_begin", "on_predict_batch_end"
)

# Keras calls on_epoch_end(epoch, logs) and on_train_begin(logs): a method written with
# fewer arguments (`function(epoch)`, `function()`) gets the missing ones as formals with
# default NULL, so it can be called that way (its body and closure are kept).
complete_formals <- function(fn, expected) {
  f <- formals(fn)
  nms <- setdiff(names(f), "self")
  if ("..." %in% nms) return(fn)
  missing_args <- expected[seq_along(expected) > length(nms)]
  if (!length(missing_args)) return(fn)
  extra <- rep(list(NULL), length(missing_args))
  names(extra) <- missing_args
  formals(fn) <- c(f, extra)
  fn
}

members_of <- function(named, dots, public) {
  members <- c(Filter(Negate(is.null), named), dots, public)
  members[!duplicated(names(members), fromLast = TRUE)]
}

#' Callbacks, constraints and learning-rate schedules defined in R
#'
#' keras3's class constructors: each makes a Python subclass of the Keras base class
#' (`keras.callbacks.Callback`, `keras.constraints.Constraint`,
#' `keras.optimizers.schedules.LearningRateSchedule`) whose methods are R functions, and
#' returns a generator function that makes instances (its arguments are those of
#' `initialize`). As with [new_layer_class()], the Python class is made at the first
#' instance, so defining a class does not start Python.
#'
#' * `Callback()` (also [new_callback_class()]): methods `on_epoch_end(epoch, logs)`,
#'   `on_train_batch_end(batch, logs)`, ... (`epoch` and `batch` are Keras' 0-based
#'   counters; `logs` is a named list). A method may omit trailing arguments it does not
#'   use. `self$model` is the model being trained.
#' * `Constraint()`: `call(w)` returns the constrained weights (a tensor); use an instance
#'   as a layer's `kernel_constraint`.
#' * `LearningRateSchedule()` (alias `new_learning_rate_schedule_class()`): `call(step)`
#'   returns the learning rate at optimizer step `step` (a tensor); use an instance as an
#'   optimizer's `learning_rate`.
#'
#' Inside a method, `self` is the instance and `super` its parent class, as in
#' [new_layer_class()]; `get_config()` returns a named list of the constructor arguments.
#'
#' @param classname The Python class name.
#' @param on_epoch_begin,on_epoch_end,on_train_begin,on_train_end,on_train_batch_begin,on_train_batch_end,on_test_begin,on_test_end,on_test_batch_begin,on_test_batch_end,on_predict_begin,on_predict_end,on_predict_batch_begin,on_predict_batch_end
#'   Callback methods (R functions) or `NULL`.
#' @param call The constraint's or schedule's `__call__`: `function(w)` or
#'   `function(step)`.
#' @param initialize The constructor (`__init__`); call `super$initialize()` in it.
#' @param get_config A function returning the constructor arguments as a named list.
#' @param ... Further methods and attributes, named.
#' @param public A named list of further methods and attributes.
#' @param private A named list of private members (R6's `private`): in methods,
#'   `private` is an R environment of the instance, never seen by Python or Keras.
#' @param inherit The parent class (a Python class or a generator); defaults to the Keras
#'   base class.
#' @param parent_env Accepted for keras3 compatibility.
#' @return A generator function (class `tandem_keras_class_generator`).
#' @export
#' @examples
#' \dontrun{
#' EpochLogger <- Callback("EpochLogger",
#'   on_epoch_end = function(epoch, logs = NULL) cat("epoch", epoch + 1, "loss", logs$loss, "\n")
#' )
#' NonNeg <- Constraint("NonNeg", call = function(w) w * op_cast(w >= 0, w$dtype))
#' Halving <- LearningRateSchedule("Halving",
#'   initialize = function(rate) { super$initialize(); self$rate <- rate },
#'   call = function(step) self$rate / (1 + op_cast(step, "float32")))
#' }
Callback <- function(classname, on_epoch_begin = NULL, on_epoch_end = NULL,
                     on_train_begin = NULL, on_train_end = NULL,
                     on_train_batch_begin = NULL, on_train_batch_end = NULL,
                     on_test_begin = NULL, on_test_end = NULL,
                     on_test_batch_begin = NULL, on_test_batch_end = NULL,
                     on_predict_begin = NULL, on_predict_end = NULL,
                     on_predict_batch_begin = NULL, on_predict_batch_end = NULL,
                     ..., public = list(), private = list(), inherit = NULL,
                     parent_env = parent.frame()) {
  named <- mget(CALLBACK_METHODS, envir = environment())
  members <- members_of(named, dots_list(...), public)
  for (nm in intersect(names(members), c(CALLBACK_METHODS, "on_batch_begin", "on_batch_end"))) {
    f <- members[[nm]]
    if (is.function(f) && !is_py_object(f)) {
      takes_index <- !grepl("_(train|test|predict)_(begin|end)$", nm)
      members[[nm]] <- complete_formals(f, if (takes_index) c("index", "logs") else "logs")
    }
  }
  init <- members$initialize
  methods <- members[names(members) %in% c("initialize", CALLBACK_METHODS)]
  extra <- members[!names(members) %in% names(methods)]
  cls <- make_keras_class(classname, methods, extra, inherit,
                          function() keras$callbacks$Callback, private)
  class_generator(cls, init, "callback", compose = FALSE)
}

#' @rdname Callback
#' @export
Constraint <- function(classname, call = NULL, get_config = NULL, ..., public = list(),
                       private = list(), inherit = NULL, parent_env = parent.frame()) {
  members <- members_of(list(`__call__` = call, get_config = get_config), dots_list(...), public)
  if (!is.null(members$call)) {
    members$`__call__` <- members$call
    members$call <- NULL
  }
  fns <- vapply(members, function(m) is.function(m) && !is_py_object(m), logical(1))
  cls <- make_keras_class(classname, members[fns], members[!fns], inherit,
                          function() keras$constraints$Constraint, private)
  class_generator(cls, members$initialize, "constraint", compose = FALSE)
}

#' @rdname Callback
#' @export
LearningRateSchedule <- function(classname, call = NULL, initialize = NULL, get_config = NULL,
                                 ..., public = list(), private = list(), inherit = NULL,
                                 parent_env = parent.frame()) {
  members <- members_of(list(initialize = initialize, `__call__` = call,
                             get_config = get_config), dots_list(...), public)
  if (!is.null(members$call)) {
    members$`__call__` <- members$call
    members$call <- NULL
  }
  fns <- vapply(members, function(m) is.function(m) && !is_py_object(m), logical(1))
  cls <- make_keras_class(classname, members[fns], members[!fns], inherit,
                          function() keras$optimizers$schedules$LearningRateSchedule, private)
  class_generator(cls, members$initialize, "learning rate schedule", compose = FALSE)
}

#' @rdname Callback
#' @export
new_learning_rate_schedule_class <- LearningRateSchedule
