# delay.R: delay-loaded modules (import(delay_load = ...)) with reticulate's hooks, and
# py_register_load_hook(): R code run when a Python module is first imported.

# A module proxy: an environment the core resolves on first use by calling `resolve`,
# which imports the module and binds it as `module`. `name` is the module's name.
delayed_module <- function(name, convert, hooks = NULL) {
  env <- new.env(parent = emptyenv())
  env$name <- name
  env$convert <- convert
  env$hooks <- hooks
  env$resolve <- function() resolve_delayed_module(env)
  class(env) <- c("tandem_delayed_module", "python.builtin.module", "python.builtin.object")
  env
}

# The hooks given as `delay_load`: TRUE, a function (on_load), or a list of
# before_load/on_load/on_error/get_module functions.
delay_load_hooks <- function(delay_load) {
  if (isTRUE(delay_load)) return(list())
  if (is.function(delay_load)) return(list(on_load = delay_load))
  if (is.list(delay_load)) {
    for (nm in c("before_load", "on_load", "on_error", "get_module")) {
      h <- delay_load[[nm]]
      if (!is.null(h) && !is.function(h)) {
        stop(sprintf("`delay_load$%s` must be a function, not %s.", nm, describe(h)), call. = FALSE)
      }
    }
    return(delay_load)
  }
  stop(sprintf("`delay_load` must be `TRUE`, `FALSE`, a function or a list of functions, not %s.",
               describe(delay_load)), call. = FALSE)
}

# reticulate's internal name, used by code that checks whether a proxy is loaded yet.
py_is_module_proxy <- function(x) is_unloaded_proxy(x)

is_unloaded_proxy <- function(x) {
  inherits(x, "tandem_delayed_module") && is.environment(x) &&
    is.null(get0("module", envir = x, inherits = FALSE))
}

# Fields of a proxy: read and written with get0()/assign(), never `$` (which is the
# module's attribute access).
proxy_field <- function(env, name) get0(name, envir = env, inherits = FALSE)

resolve_delayed_module <- function(env) {
  m <- proxy_field(env, "module")
  if (!is.null(m)) return(m)
  hooks <- proxy_field(env, "hooks")
  assign("hooks", NULL, envir = env)  # each hook runs once
  if (is.function(hooks$get_module)) assign("name", hooks$get_module(), envir = env)
  name <- proxy_field(env, "name")
  if (is.function(hooks$before_load)) hooks$before_load()
  m <- tryCatch(import(name, convert = proxy_field(env, "convert")), error = function(e) e)
  if (inherits(m, "error")) {
    if (is.function(hooks$on_error)) {
      assign("hooks", hooks[setdiff(names(hooks), c("get_module", "before_load"))], envir = env)
      hooks$on_error(m)
      stop("Error loading Python module ", name, call. = FALSE)
    }
    stop(m)
  }
  assign("module", m, envir = env)
  if (is.function(hooks$on_load)) hooks$on_load()
  m
}

#' Run R code when a Python module is loaded
#'
#' Registers `hook` to be called (with no arguments) right after the Python module
#' `module` is first imported in this session, whoever imports it (R, Python code, or
#' another module). If the module is already loaded, `hook` runs now. An error in a hook
#' becomes a warning. Useful for registering S3 methods for a module's classes only
#' when it is used.
#'
#' @param module The name of the Python module, e.g. `"numpy"`.
#' @param hook A function of no arguments.
#' @return `NULL`, invisibly.
#' @export
#' @examples
#' \dontrun{
#' py_register_load_hook("decimal", function() message("decimal is loaded"))
#' d <- import("decimal")
#' }
py_register_load_hook <- function(module, hook) {
  check_string(module, "module")
  if (!is.function(hook)) stop(sprintf("`hook` must be a function, not %s.", describe(hook)), call. = FALSE)
  if (py_available() && py_module_loaded(module)) {
    hook()
    return(invisible(NULL))
  }
  all_hooks <- .state$load_hooks %||% list()
  all_hooks[[module]] <- c(all_hooks[[module]], list(hook))
  .state$load_hooks <- all_hooks
  if (py_available()) {
    if (!watch_module(module)) run_load_hooks(module)  # imported in the meantime
  }
  invisible(NULL)
}

py_module_loaded <- function(module) {
  sys <- import("sys", convert = FALSE)
  .Call(.ffi$contains, py_get_attr(sys, "modules"), module)
}

watch_module <- function(module) {
  hooks <- import("tandem._hooks", convert = FALSE)
  py_to_r(py_call_value(py_get_attr(hooks, "watch"), module))
}

run_load_hooks <- function(module) {
  hooks <- .state$load_hooks[[module]]
  .state$load_hooks[[module]] <- NULL
  for (hook in hooks) {
    tryCatch(hook(), error = function(e) {
      warning(sprintf("A load hook of Python module '%s' failed: %s", module, conditionMessage(e)), call. = FALSE)
    })
  }
  invisible(NULL)
}

# Called once Python runs in this process: `r` in __main__, and load hooks registered
# before Python started.
on_python_started <- function() {
  install_class_filter()
  py_inject_r()
  hooks <- import("tandem._hooks", convert = FALSE)
  py_call_value(py_get_attr(hooks, "set_callback"), function(name) run_load_hooks(name))
  for (module in names(.state$load_hooks)) {
    if (!watch_module(module)) run_load_hooks(module)
  }
  invisible(NULL)
}
