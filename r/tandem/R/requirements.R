# requirements.R: py_write_requirements() and py_read_requirements() (reticulate 1.44):
# requirements.txt / .python-version files to and from py_require().

#' Write and read Python requirements files
#'
#' `py_write_requirements()` writes the requirements declared with [py_require()] to a
#' `requirements.txt` file and the Python version to a `.python-version` file. When the
#' Python in use is not the environment tandem built from `py_require()` (a Python chosen
#' with `use_python()`, `TANDEM_PYTHON`, a virtualenv, ...), or with `freeze = TRUE`, it
#' writes the fully resolved list of the packages installed in that Python
#' (`python -m pip freeze`) and that Python's version instead.
#'
#' `py_read_requirements()` reads such files and applies them with [py_require()]:
#' blank lines and lines starting with `#` are left out; by default the requirements are
#' added to the ones already declared (`action = "add"`).
#'
#' @param packages Path of the package requirements file; `NULL` to skip it.
#' @param python_version Path of the Python version file; `NULL` to skip it.
#' @param ... Unused; must be empty.
#' @param freeze `TRUE` to write the packages installed in `python` (`pip freeze`);
#'   `FALSE` for only the requirements declared with [py_require()] (an error when
#'   `python` is not the environment built from them); `NULL` (the default) chooses:
#'   the declared requirements for the `py_require()` environment (or `python = NULL`),
#'   else the installed packages.
#' @param python Path of the Python executable; defaults to [py_exe()].
#' @param quiet `TRUE` to leave out the messages that name each file written.
#' @param action How `py_read_requirements()` applies what it read: `"add"` (the
#'   default) adds to the declared requirements, `"set"` replaces them, `"remove"`
#'   removes matching ones, `"none"` applies nothing and returns what was read.
#' @return A list with `packages` (a character vector of requirements) and
#'   `python_version` (a string, or `NULL`); invisibly, except for
#'   `py_write_requirements(NULL, NULL)` and `py_read_requirements(action = "none")`.
#' @examples
#' \dontrun{
#' py_require(c("numpy", "pandas>=2"))
#' py_write_requirements(NULL, NULL, python = NULL)  # what would be written
#' py_read_requirements("requirements.txt", action = "none")
#' }
#' @name py_requirements_files
NULL

#' @rdname py_requirements_files
#' @export
py_write_requirements <- function(packages = "requirements.txt", python_version = ".python-version",
                                  ..., freeze = NULL, python = py_exe(), quiet = FALSE) {
  check_requirements_dots(...)
  if (!is.null(packages)) check_string(packages, "packages")
  if (!is.null(python_version)) check_string(python_version, "python_version")
  if (!is.null(freeze)) check_flag(freeze, "freeze")
  if (!is.null(python)) check_string(python, "python")
  check_flag(quiet, "quiet")
  declared <- is.null(python) || is_required_env_python(python)
  if (declared && !isTRUE(freeze)) {
    reqs <- py_require()
    pkgs <- reqs$packages
    ver <- reqs$python_version %||% default_python_minor(python)
  } else {
    if (isFALSE(freeze)) {
      stop("freeze = FALSE is only supported for environments assembled via py_require().",
           call. = FALSE)
    }
    if (is.null(python)) stop("`python` is NULL: there is no Python to freeze.", call. = FALSE)
    pkgs <- python_output(python, c("-m", "pip", "freeze", "--disable-pip-version-check"),
                          "list its packages (pip freeze)")
    ver <- python_version_of(python)
  }
  pkgs <- as.character(pkgs)
  if (!is.null(packages)) {
    writeLines(pkgs, packages)
    if (!quiet) message("Wrote '", packages, "'")
  }
  if (!is.null(python_version) && !is.null(ver)) {
    writeLines(ver, python_version)
    if (!quiet) message("Wrote '", python_version, "'")
  }
  out <- list(packages = pkgs, python_version = ver)
  if (is.null(packages) && is.null(python_version)) out else invisible(out)
}

#' @rdname py_requirements_files
#' @export
py_read_requirements <- function(packages = "requirements.txt", python_version = ".python-version",
                                 ..., action = c("add", "set", "remove", "none")) {
  check_requirements_dots(...)
  action <- match.arg(action)
  read_lines <- function(path, required) {
    if (is.null(path)) return(NULL)
    check_string(path, deparse(substitute(path)))
    if (!file.exists(path)) {
      if (required) {
        stop(sprintf("File '%s' does not exist in the current working directory.", path),
             call. = FALSE)
      }
      return(NULL)
    }
    lines <- trimws(readLines(path, warn = FALSE))
    lines[nzchar(lines) & !startsWith(lines, "#")]
  }
  pkgs <- read_lines(packages, required = TRUE)
  ver <- read_lines(python_version, required = FALSE)
  ver <- if (length(ver)) ver[[1]] else NULL
  out <- list(packages = pkgs, python_version = ver)
  if (action == "none") return(out)
  py_require(pkgs, ver, action = action)
  invisible(out)
}

check_requirements_dots <- function(...) {
  if (...length()) {
    stop("`...` must be empty: name the arguments after `...` (freeze, python, quiet, action).",
         call. = FALSE)
  }
}

# Is `python` the environment tandem builds from the py_require() declarations? Before
# Python starts this is answered without building it: no other Python was chosen.
is_required_env_python <- function(python) {
  if (py_available()) {
    return(identical(.state$how, "py_require()") &&
             identical(normalizePath(python, mustWork = FALSE), normalizePath(py_exe(), mustWork = FALSE)))
  }
  chosen <- !is.null(.state$requested) || nzchar(Sys.getenv("TANDEM_PYTHON")) ||
    nzchar(Sys.getenv("VIRTUAL_ENV"))
  !chosen && (length(.state$requirements) > 0L || !is.null(.state$python_version))
}

# The full version of `python` ("3.11.7"): the running Python's when it is that one.
python_version_of <- function(python) {
  if (py_available() && identical(normalizePath(python, mustWork = FALSE),
                                  normalizePath(py_exe(), mustWork = FALSE))) {
    return(import("platform")$python_version())
  }
  sub("^Python\\s+", "", python_output(python, c("-E", "-V"), "tell its version")[[1]])
}

# "3.11": the major.minor version of the running Python, else of `python`, else of the
# Python tandem finds without building the py_require() environment.
default_python_minor <- function(python) {
  if (!py_available() && is.null(python)) {
    python <- Sys.getenv("TANDEM_PYTHON")
    if (!nzchar(python)) python <- unname(Sys.which("python3"))
    if (!nzchar(python)) return(NULL)
  }
  if (!py_available() && !file.exists(python)) return(NULL)
  v <- tryCatch(python_version_of(if (py_available()) py_exe() else python),
                error = function(e) NULL)
  if (!length(v)) return(NULL)
  sub("^(\\d+\\.\\d+).*$", "\\1", v)
}

python_output <- function(python, args, what) {
  out <- suppressWarnings(system2(python, args, stdout = TRUE, stderr = FALSE))
  status <- attr(out, "status")
  if (!is.null(status) && status != 0L) {
    stop(sprintf("Python '%s' could not %s (exit status %d).", python, what, status), call. = FALSE)
  }
  out
}
