# source.R: source_python(): run a Python script and bring its objects into R.

#' Run a Python script and bring its objects into R
#'
#' Runs `file` in Python's `__main__` module (as [py_run_file()] does, so the script sees
#' `r` and `__file__`), then assigns every public object of `__main__` (names not
#' starting with `_`, except modules and the `r` object) in `envir`: functions defined in
#' the script become R functions.
#'
#' @param file Path of the Python script, or an `http(s)://` URL (downloaded first).
#' @param envir The R environment to assign into; `NULL` to assign nothing.
#' @param convert If `TRUE`, the objects are converted to R (and functions convert their
#'   results); an object whose conversion fails is assigned as the Python object.
#' @return `NULL`, invisibly.
#' @export
#' @examples
#' \dontrun{
#' f <- tempfile(fileext = ".py")
#' writeLines("def add(x, y):\n    return x + y", f)
#' source_python(f)
#' add(1, 2)
#' }
source_python <- function(file, envir = parent.frame(), convert = TRUE) {
  check_string(file, "file")
  check_flag(convert, "convert")
  if (!is.null(envir) && !is.environment(envir)) {
    stop(sprintf("`envir` must be an environment or `NULL`, not %s.", describe(envir)), call. = FALSE)
  }
  if (!file.exists(file) && grepl("^https?://", file)) {
    local_copy <- tempfile(fileext = ".py")
    utils::download.file(file, local_copy, quiet = TRUE)
    on.exit(unlink(local_copy), add = TRUE)
    file <- local_copy
  }
  caller <- parent.frame()
  res <- with_r_caller(caller, py_run_file(file, local = FALSE, convert = convert))
  if (is.null(envir)) return(invisible(NULL))
  keys <- names.python.builtin.dict(res)
  keys <- keys[!startsWith(keys, "_") & keys != "r"]
  modtype <- py_get_attr(import("types", convert = FALSE), "ModuleType")
  isinstance <- py_get_attr(import_builtins(convert = FALSE), "isinstance")
  for (key in keys) {
    value <- .Call(.ffi$getitem, res, key, FALSE, TRUE)
    if (py_to_r(py_call_value(isinstance, value, modtype))) next
    # an object that cannot convert (a misbehaving class) is assigned as the Python object
    if (convert) value <- tryCatch(py_to_r(value), error = function(e) value)
    assign(key, value, envir = envir)
  }
  invisible(NULL)
}
