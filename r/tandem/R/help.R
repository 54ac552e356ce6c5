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
  text <- py_to_r(py_call(import("tandem._help", convert = FALSE)$help_text, object))
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
  docs <- py_to_r(py_call(import("tandem._help", convert = FALSE)$function_docs, target, name))
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
