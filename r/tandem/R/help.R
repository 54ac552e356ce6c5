# help.R: documentation of Python objects in R: py_help(), py_function_docs() and the
# wrapper scaffolding py_function_wrapper().

#' Python's help for an object
#'
#' Shows what Python's `help(object)` shows. In an interactive session the text opens in
#' R's pager ([file.show()]); otherwise it is printed to R's console, so
#' [capture.output()] and knitr see it.
#'
#' @param object A Python object (a module, class, function, ...).
#' @return The help text, invisibly.
#' @export
#' @examples
#' \dontrun{
#' py_help(import("os")$getcwd)
#' }
py_help <- function(object) {
  check_py(object, "object")
  ensure_python()
  text <- py_to_r(py_call_value(import("tandem._help", convert = FALSE)$help_text, object))
  if (interactive()) {
    tmp <- tempfile("py_help", fileext = ".txt")
    writeLines(text, tmp)
    title <- tryCatch(py_to_r(py_get_attr(object, "__name__")), error = function(e) "object")
    file.show(tmp, title = paste("Python Help:", title), delete.file = TRUE)
  } else {
    cat(text, if (!endsWith(text, "\n")) "\n", sep = "")
  }
  invisible(text)
}

#' Scaffold R wrappers for Python functions
#'
#' `py_function_docs()` reads the documentation of a Python function or class (its
#' docstring, in the Google `Args:` or NumPy `Parameters` style, and its signature);
#' `py_function_wrapper()` writes an R wrapper with roxygen documentation from it, a
#' starting point to edit (R literals for defaults, `as.integer()` where Python needs
#' ints).
#'
#' @param python_function The R expression of the Python function, as a string, e.g.
#'   `"os$path$join"` or `"tf$nn$top_k"`; evaluated in the calling environment.
#' @param r_prefix A prefix for the R function's name.
#' @param r_function The R function's name (by default the Python name, with `r_prefix`).
#' @return `py_function_docs()`: a list with `name`, `qualified_name`, `description`,
#'   `details`, `signature` (R style, e.g. `f(x, n = 1L, name = NULL)`), `parameters`
#'   (a named character vector of descriptions), `sections` (a named list) and
#'   `returns`. `py_function_wrapper()`: the wrapper's lines, a character vector of class
#'   `py_wrapper` that prints as code.
#' @export
#' @examples
#' \dontrun{
#' os <- import("os")
#' py_function_wrapper("os$path$join")
#' }
py_function_wrapper <- function(python_function, r_prefix = NULL, r_function = NULL) {
  docs <- py_function_docs(python_function, envir = parent.frame())
  roxy <- function(x) paste0("#' ", gsub("\n", "\n#' ", x, fixed = TRUE))
  out <- c(roxy(docs$description), "#'")
  if (nzchar(docs$details)) out <- c(out, roxy(docs$details), "#'")
  for (p in names(docs$parameters)) out <- c(out, roxy(paste("@param", p, docs$parameters[[p]])))
  if (nzchar(docs$returns)) out <- c(out, "#'", roxy(paste("@return", docs$returns)))
  for (s in names(docs$sections)) out <- c(out, "#'", roxy(paste0("@section ", s, ":\n", docs$sections[[s]])))
  out <- c(out, "#'", "#' @export")
  if (is.null(r_function)) {
    r_function <- docs$name
    if (!is.null(r_prefix)) r_function <- paste(r_prefix, r_function, sep = "_")
  }
  signature <- docs$signature %||% paste0(docs$name, "()")
  args <- sub(paste0("^", docs$name, "\\("), "", signature, fixed = FALSE)
  out <- c(out, paste0(r_function, " <- function(", args, " {"))
  params <- names(docs$parameters)
  if (length(params)) {
    out <- c(out, paste0("  ", python_function, "("),
             paste0("    ", params, " = ", params, c(rep(",", length(params) - 1L), "")),
             "  )")
  } else {
    out <- c(out, paste0("  ", python_function, "()"))
  }
  out <- c(out, "}")
  structure(unlist(strsplit(out, "\n", fixed = TRUE)), class = c("py_wrapper", "character"))
}

#' @rdname py_function_wrapper
#' @param envir Where `python_function` is evaluated.
#' @export
py_function_docs <- function(python_function, envir = parent.frame()) {
  check_string(python_function, "python_function")
  target <- eval(parse(text = python_function, keep.source = FALSE)[[1]], envir)
  if (!is_py_object(target)) {
    stop(sprintf("`python_function` must give a Python object, not %s.", describe(target)), call. = FALSE)
  }
  parts <- strsplit(python_function, "$", fixed = TRUE)[[1]]
  name <- gsub("`", "", parts[[length(parts)]])
  docs <- py_to_r(py_call_value(import("tandem._help", convert = FALSE)$function_docs, target, name))
  params <- docs$parameters
  list(
    name = docs$name,
    qualified_name = python_function,
    description = docs$description,
    details = docs$details,
    signature = docs$signature,
    parameters = if (length(params)) unlist(params) else character(),
    sections = docs$sections %||% list(),
    returns = docs$returns
  )
}

#' @export
print.py_wrapper <- function(x, ...) {
  cat(x, sep = "\n")
  invisible(x)
}

.help_registry <- new.env(parent = emptyenv())

#' Help for Python objects in IDEs
#'
#' Kept from reticulate for packages that register help pages: `register_help_topics()`
#' records URLs of help pages for modules or classes, `register_module_help_handler()`
#' a function giving the URL for names under a root module, and `py_help_handler()` is
#' what front-ends call: `"completion"` gives the documentation of `source$topic` (as
#' [py_function_docs()]), `"parameter"` the arguments of the function named by `source`
#' with their descriptions, `"url"` a help page's URL (`""` if none is registered).
#'
#' @param type For `register_help_topics()`: `"module"` or `"class"`. For
#'   `py_help_handler()`: `"completion"`, `"parameter"` or `"url"`.
#' @param topics A named list: names are fully qualified module or class names, values
#'   the URLs of their pages.
#' @param module A root module's name.
#' @param handler `function(name, subtopic = NULL)` returning a URL or `""`.
#' @param topic The name of an attribute of `source`.
#' @param source A Python object, or the R code giving it (a string).
#' @param ... Unused.
#' @return `py_help_handler()`: a list, a URL, or `NULL` when there is no such object.
#'   The others: `NULL`, invisibly.
#' @keywords internal
#' @export
register_help_topics <- function(type = c("module", "class"), topics) {
  type <- match.arg(type)
  table <- .help_registry[[type]] %||% list()
  for (nm in names(topics)) table[[nm]] <- topics[[nm]]
  .help_registry[[type]] <- table
  invisible(NULL)
}

#' @rdname register_help_topics
#' @export
register_module_help_handler <- function(module, handler) {
  check_string(module, "module")
  if (!is.function(handler)) stop(sprintf("`handler` must be a function, not %s.", describe(handler)), call. = FALSE)
  handlers <- .help_registry$handlers %||% list()
  handlers[[module]] <- handler
  .help_registry$handlers <- handlers
  invisible(NULL)
}

#' @rdname register_help_topics
#' @export
py_help_handler <- function(type = c("completion", "parameter", "url"), topic, source, ...) {
  type <- match.arg(type)
  if (!py_available()) return(NULL)
  if (type == "parameter") {
    parts <- strsplit(source, "$", fixed = TRUE)[[1]]
    docs <- tryCatch(py_function_docs(source, envir = globalenv()), error = function(e) NULL)
    if (is.null(docs)) return(NULL)
    return(list(args = names(docs$parameters), arg_descriptions = unname(docs$parameters)))
  }
  obj <- if (is.character(source)) tryCatch(eval(parse(text = source), globalenv()), error = function(e) NULL) else source
  if (!is_py_object(obj)) return(NULL)
  if (type == "completion") {
    target <- py_get_attr(obj, topic, silent = TRUE)
    if (is.null(target)) return(NULL)
    docs <- py_to_r(py_call_value(import("tandem._help", convert = FALSE)$function_docs, target, topic))
    return(list(title = topic, signature = docs$signature, returns = docs$returns,
                description = docs$description, details = docs$details, sections = docs$sections))
  }
  name <- if (inherits(obj, "python.builtin.module")) py_to_r(py_get_attr(obj, "__name__")) else class(obj)[[1]]
  key <- paste(name, topic, sep = ".")
  page <- .help_registry$module[[key]] %||% .help_registry$class[[name]]
  if (!is.null(page)) return(paste(page, topic, sep = "#"))
  handler <- .help_registry$handlers[[strsplit(name, ".", fixed = TRUE)[[1]][[1]]]]
  if (is.function(handler)) handler(key) else ""
}
