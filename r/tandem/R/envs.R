# envs.R: Python environments from R: py_require(), virtualenvs, py_install(), conda stubs.
#
# Every environment tandem creates loads the one native core. The core is built for one
# Python ABI (one CPython version, linked against one libR), so an environment is always
# created from the *base interpreter* of the Python that has the core installed (its
# `sys._base_executable`), and the core's `tandem` package directory is linked into the new
# environment's site-packages (a symlink, not a copy: the environment always loads the core
# that is installed, and nothing else of the core's environment leaks in). A `python`
# argument whose extension ABI differs from the core's is refused with an error naming both.

# Timeouts (seconds) for the subprocesses that may touch the network; never a hang.
env_timeout <- function(kind = c("pip", "venv", "download")) {
  kind <- match.arg(kind)
  opt <- getOption(paste0("tandem.timeout.", kind))
  if (is.numeric(opt)) return(opt)
  switch(kind, pip = 1800, venv = 300, download = 60)
}

# Runs a command; returns its output lines, or stops with a clear error naming it.
run_command <- function(cmd, args, what, timeout = env_timeout("pip"), env = character()) {
  force(cmd)
  force(args)
  out <- suppressWarnings(tryCatch(
    system2(cmd, args, stdout = TRUE, stderr = TRUE, timeout = timeout, env = env),
    error = function(e) structure(conditionMessage(e), status = 127L)
  ))
  status <- attr(out, "status")
  if (!is.null(status) && status != 0L) {
    reason <- if (identical(status, 124L)) sprintf(" (stopped after %d seconds)", as.integer(timeout)) else ""
    stop(sprintf("%s failed%s: %s %s\n%s", what, reason, cmd, paste(args, collapse = " "),
                 paste(utils::tail(out, 30L), collapse = "\n")), call. = FALSE)
  }
  out
}

# ---------------------------------------------------------------------------------------
# The core: which interpreter has it, its base interpreter and its ABI.

core_info_script <- paste(
  "import sys, os, importlib.util, importlib.machinery, sysconfig",
  "spec = importlib.util.find_spec('tandem')",
  "d = os.path.realpath(list(spec.submodule_search_locations)[0]) if spec else ''",
  "core = [f for f in sorted(os.listdir(d)) if f.startswith('_core') and f.endswith('.so')] if d else []",
  "print(sys.executable)",
  "print(getattr(sys, '_base_executable', sys.executable))",
  "print(sys.version.split()[0])",
  "print(d if core else '')",
  "print(core[0][len('_core'):] if core else '')",
  "print(' '.join(importlib.machinery.EXTENSION_SUFFIXES))",
  "print(sysconfig.get_paths()['purelib'])",
  "print(sys.prefix)",
  sep = "\n"
)

# `before`: Python code run first in the same process; what it prints comes back as `lines`.
python_facts <- function(python, before = NULL) {
  code <- paste(c(before, core_info_script), collapse = "\n")
  all <- run_command(python, c("-c", shQuote(code)), sprintf("Running Python '%s'", python), timeout = 60)
  if (length(all) < 8L) stop(sprintf("Python '%s' printed unexpected output: %s", python,
                                     paste(all, collapse = "\n")), call. = FALSE)
  out <- utils::tail(all, 8L)
  list(python = out[[1]], base = out[[2]], version = out[[3]], core_dir = out[[4]],
       core_suffix = out[[5]], suffixes = strsplit(out[[6]], " ", fixed = TRUE)[[1]],
       purelib = out[[7]], prefix = out[[8]], lines = utils::head(all, -8L))
}

# The Python whose `tandem` package (the core) environments link to.
core_python <- function() {
  if (isTRUE(.state$running) && nzchar(.state$python %||% "")) return(.state$python)
  for (p in c(getOption("tandem.core_python", ""), Sys.getenv("TANDEM_CORE_PYTHON"),
              .state$requested %||% "", Sys.getenv("TANDEM_PYTHON"),
              if (nzchar(Sys.getenv("VIRTUAL_ENV"))) file.path(Sys.getenv("VIRTUAL_ENV"), "bin", "python") else "",
              unname(Sys.which("python3")), remembered_core_python())) {
    if (nzchar(p) && file.exists(p)) {
      facts <- tryCatch(python_facts(p), error = function(e) NULL)
      if (!is.null(facts) && nzchar(facts$core_dir)) return(p)
    }
  }
  stop(paste0(
    "tandem could not find a Python with the tandem core installed (tried TANDEM_CORE_PYTHON, ",
    "TANDEM_PYTHON, VIRTUAL_ENV and python3 on PATH). Install it with ",
    "'python3 -m pip install <path to the tandem checkout>', or set TANDEM_CORE_PYTHON."
  ), call. = FALSE)
}

# The last Python whose own core started tandem on this machine (ensure_python() writes it
# under tools::R_user_dir("tandem", "cache")), so that a later session that finds no core
# otherwise can still lend it (borrow_core()); "" if none.
core_python_record <- function() file.path(tools::R_user_dir("tandem", "cache"), "core-python")

remembered_core_python <- function() {
  f <- core_python_record()
  p <- if (file.exists(f)) tryCatch(readLines(f, n = 1L, warn = FALSE), error = function(e) character()) else character()
  if (length(p) == 1L && nzchar(p) && file.exists(p)) p else ""
}

remember_core_python <- function(python) {
  if (identical(remembered_core_python(), python)) return(invisible(FALSE))
  tryCatch({
    dir.create(dirname(core_python_record()), recursive = TRUE, showWarnings = FALSE)
    writeLines(python, core_python_record())
  }, error = function(e) NULL, warning = function(w) NULL)
  invisible(TRUE)
}

core_facts <- function() {
  key <- core_python()
  cached <- .state$core_facts
  if (!is.null(cached) && identical(cached$key, key)) return(cached$facts)
  facts <- python_facts(key)
  .state$core_facts <- list(key = key, facts = facts)
  facts
}

`%||%` <- function(a, b) if (is.null(a)) b else a

# Links the core into an environment; checks that the environment can load it.
link_core <- function(python, core = core_facts()) {
  facts <- python_facts(python)
  if (!(core$core_suffix %in% facts$suffixes)) {
    stop(sprintf(paste0(
      "Python '%s' (%s) cannot load the tandem core, which was built for %s ('%s'; ",
      "core extension '_core%s'). Create environments from that Python's version."),
      python, facts$version, core$base, core$version, core$core_suffix), call. = FALSE)
  }
  target <- file.path(facts$purelib, "tandem")
  if (nzchar(facts$core_dir) && normalizePath(facts$core_dir) == normalizePath(core$core_dir)) {
    return(invisible(target))
  }
  if (file.exists(target) || nzchar(Sys.readlink(target))) unlink(target, recursive = FALSE)
  dir.create(facts$purelib, recursive = TRUE, showWarnings = FALSE)
  if (!file.symlink(core$core_dir, target)) {
    stop(sprintf("Could not link the tandem core '%s' into '%s'.", core$core_dir, target), call. = FALSE)
  }
  invisible(target)
}

# ---------------------------------------------------------------------------------------
# Virtual environments (reticulate's names and meanings).

#' Python virtual environments
#'
#' Create, inspect and remove Python virtual environments, as reticulate does. Every
#' environment tandem creates can load tandem's native core: it is created from the base
#' interpreter of the Python that has the core installed (the core is built for that
#' Python's ABI), and the core is linked into it. A `python` of another version is an
#' error. Packages are installed with pip; pip's own settings apply (e.g.
#' `PIP_NO_INDEX`, `PIP_FIND_LINKS`, `PIP_INDEX_URL`).
#'
#' An `envname` that contains a `/` is a path; otherwise it names an environment under
#' `virtualenv_root()` (the `WORKON_HOME` environment variable, else `~/.virtualenvs`).
#'
#' @param envname The environment's name or path.
#' @param python Python executable to create the environment from. Default: the base
#'   interpreter of the Python that has the tandem core.
#' @param version Ignored unless `python` is `NULL`: a Python version the core's
#'   interpreter must match (e.g. `"3.11"`).
#' @param packages Packages to install (pip requirement strings).
#' @param requirements Path of a `requirements.txt` to install.
#' @param force If `TRUE`, an existing environment is removed first.
#' @param system_site_packages Give the environment access to the base interpreter's
#'   site-packages.
#' @param pip_options Further arguments for `pip install` (e.g. `"--no-index"`).
#' @param module `"venv"` or `"virtualenv"` (reticulate's choice of tool); tandem always
#'   uses the standard library's `venv`, which makes the same kind of environment.
#' @param pip_version,setuptools_version Accepted for compatibility with reticulate and
#'   ignored: the environment uses the core's pip (see Details) and gets no setuptools.
#' @param extra Further arguments for `python -m venv`.
#' @param python_version For `virtualenv_install()`: the version of an environment it
#'   creates because `envname` does not exist yet.
#' @param ignore_installed Pass `--ignore-installed` to pip.
#' @param confirm Ask before removing (default: when interactive).
#' @param virtualenv For `use_virtualenv()`: the environment's name or path.
#' @param required As in [use_python()]: `FALSE` makes `use_virtualenv()` a hint (a
#'   missing environment is no error); `NULL` is `TRUE` except in a package's `.onLoad()`.
#' @param all For `virtualenv_starter()`: all the interpreters found (a data frame with
#'   `version` and `path`) instead of the newest one's path.
#' @param ... Unused; kept for compatibility with reticulate.
#' @return `virtualenv_create()`: the environment's path, invisibly.
#'   `virtualenv_install()`/`virtualenv_remove()`: `NULL`, invisibly.
#'   `virtualenv_list()`: names of the environments under `virtualenv_root()`.
#'   `virtualenv_exists()`: `TRUE` or `FALSE`. `virtualenv_python()`: the executable.
#'   `virtualenv_root()`: the directory. `use_virtualenv()`: the executable, invisibly.
#' @name virtualenv-tools
#' @examples
#' \dontrun{
#' virtualenv_create("r-myproject", packages = "requests")
#' use_virtualenv("r-myproject")
#' }
NULL

#' @rdname virtualenv-tools
#' @export
virtualenv_root <- function() {
  root <- Sys.getenv("WORKON_HOME", unset = "")
  if (!nzchar(root)) root <- "~/.virtualenvs"
  path.expand(root)
}

#' @rdname virtualenv-tools
#' @export
virtualenv_starter <- function(version = NULL, all = FALSE) {
  # Interpreters a virtual environment can be made from, newest first (on ties the base
  # interpreter of the Python with the core first), found where reticulate looks.
  if (!is.null(version) && is.character(version) && length(version) == 1L && !is.na(version) &&
      file.exists(version) && grepl("^python[0-9.]*$", basename(version))) {
    return(version)
  }
  cands <- c(tryCatch(core_facts()$base, error = function(e) character()),
             strsplit(Sys.getenv("RETICULATE_VIRTUALENV_STARTER"), "[:;]")[[1]],
             strsplit(getOption("reticulate.virtualenv.starter", ""), "[:;]")[[1]],
             Sys.glob(path.expand("~/.pyenv/versions/*/bin/python*")),
             Sys.glob("/opt/python/*/bin/python*"), Sys.glob("/usr/local/bin/python*"),
             Sys.glob("/usr/bin/python*"), unname(Sys.which(c("python3", "python"))))
  cands <- unique(normalizePath(cands[nzchar(cands)], mustWork = FALSE))
  cands <- cands[grepl("^python[0-9.]*$", basename(cands)) & utils::file_test("-f", cands) &
                   utils::file_test("-x", cands)]
  versions <- vapply(cands, function(p) {
    # Its own lib first: a pyenv build would otherwise load R's libpython of another patch level.
    lib <- file.path(dirname(dirname(p)), "lib")
    env <- if (dir.exists(lib)) paste0("LD_LIBRARY_PATH=", paste(c(lib, Sys.getenv("LD_LIBRARY_PATH")), collapse = ":"))
    v <- suppressWarnings(tryCatch(system2(p, "-EV", stdout = TRUE, stderr = TRUE, env = env), error = function(e) ""))
    if (length(v) == 1L && startsWith(v, "Python ")) sub("\\+.*$", "", substring(v, 8L)) else NA_character_
  }, "", USE.NAMES = FALSE)
  df <- data.frame(version = numeric_version(versions, strict = FALSE), path = cands, stringsAsFactors = FALSE)
  df <- df[!is.na(versions), , drop = FALSE]
  df <- df[order(df$version, decreasing = TRUE), , drop = FALSE]
  df <- df[!duplicated(df$path), , drop = FALSE]
  if (!is.null(version)) {
    check_string(version, "version")
    # py_require()'s rule (python_version_ok()), with "==3.11" read as "3.11": any 3.11.x
    reqs <- vapply(strsplit(version, ",", fixed = TRUE)[[1]], function(req) {
      m <- regmatches(req, regexec("^\\s*(>=|<=|==|!=|>|<)?\\s*([0-9.]+)\\s*$", req))[[1]]
      if (!length(m)) stop(sprintf("`version` has an unknown constraint: '%s'.", req), call. = FALSE)
      if (m[[2]] %in% c("", "==")) m[[3]] else paste0(m[[2]], m[[3]])
    }, "")
    keep <- vapply(as.character(df$version), function(v) all(vapply(reqs, python_version_ok, NA, v = v)), NA)
    df <- df[keep, , drop = FALSE]
  }
  rownames(df) <- NULL
  if (isTRUE(all)) return(df)
  if (nrow(df)) df$path[[1L]] else NULL
}

virtualenv_path <- function(envname) {
  check_string(envname, "envname")
  if (!nzchar(envname)) stop("`envname` must not be empty.", call. = FALSE)
  if (grepl("/", envname, fixed = TRUE) || startsWith(envname, "~")) path.expand(envname)
  else file.path(virtualenv_root(), envname)
}

#' @rdname virtualenv-tools
#' @export
virtualenv_exists <- function(envname = NULL) {
  if (is.null(envname)) return(FALSE)
  is_venv_dir(virtualenv_path(envname))
}

# A virtualenv's directory: it has pyvenv.cfg and bin/python.
is_venv_dir <- function(dir) {
  file.exists(file.path(dir, "pyvenv.cfg")) && file.exists(file.path(dir, "bin", "python"))
}

#' @rdname virtualenv-tools
#' @export
virtualenv_python <- function(envname = NULL) {
  if (is.null(envname)) {
    venv <- Sys.getenv("VIRTUAL_ENV")
    if (!nzchar(venv)) stop("`envname` must be given (no virtualenv is active).", call. = FALSE)
    envname <- venv
  }
  path <- virtualenv_path(envname)
  python <- file.path(path, "bin", "python")
  if (!file.exists(python)) {
    stop(sprintf("Virtual environment '%s' does not exist ('%s'). Create it with virtualenv_create(\"%s\").",
                 envname, path, envname), call. = FALSE)
  }
  python
}

#' @rdname virtualenv-tools
#' @export
virtualenv_list <- function() {
  root <- virtualenv_root()
  if (!dir.exists(root)) return(character())
  dirs <- list.dirs(root, full.names = FALSE, recursive = FALSE)
  dirs[file.exists(file.path(root, dirs, "pyvenv.cfg"))]
}

#' @rdname virtualenv-tools
#' @export
virtualenv_create <- function(envname = NULL, python = NULL, ..., version = NULL,
                              packages = NULL, requirements = NULL, force = FALSE,
                              module = NULL, system_site_packages = FALSE, pip_version = NULL,
                              setuptools_version = NULL, extra = NULL, pip_options = character()) {
  if (!is.null(module) && !(module %in% c("venv", "virtualenv"))) {
    stop(sprintf("module = '%s': tandem creates environments with the standard library's venv.", module),
         call. = FALSE)
  }
  if (is.null(envname)) envname <- "r-tandem"
  path <- virtualenv_path(envname)
  if (virtualenv_exists(path)) {
    if (!isTRUE(force)) {
      if (length(packages) || length(requirements)) {
        virtualenv_install(path, packages, requirements = requirements, pip_options = pip_options)
      }
      return(invisible(path))
    }
    virtualenv_remove(path, confirm = FALSE)
  }
  core <- core_facts()
  if (is.null(python)) {
    python <- core$base
    if (!is.null(version) && !startsWith(core$version, as.character(version))) {
      stop(sprintf(paste0("Python %s was requested, but the tandem core is built for Python %s ('%s'). ",
                          "Install tandem into a Python %s to use that version."),
                   version, core$version, core$base, version), call. = FALSE)
    }
  } else {
    check_string(python, "python")
    if (!file.exists(python)) stop(sprintf("`python` does not exist: '%s'.", python), call. = FALSE)
  }
  # Refuse an interpreter of another ABI before creating anything.
  facts <- python_facts(python)
  if (!(core$core_suffix %in% facts$suffixes)) {
    stop(sprintf(paste0(
      "Python '%s' (%s) cannot load the tandem core, which was built for %s ('%s'; ",
      "core extension '_core%s'). Create environments from that Python's version."),
      python, facts$version, core$base, core$version, core$core_suffix), call. = FALSE)
  }
  dir.create(dirname(path), recursive = TRUE, showWarnings = FALSE)
  # Without its own pip when the core's pip can install into it (pip --python): creating
  # the environment then takes a second instead of the many ensurepip needs.
  own_pip <- is.null(core_pip())
  args <- c("-m", "venv", if (isTRUE(system_site_packages)) "--system-site-packages",
            if (!own_pip) "--without-pip", extra, shQuote(path))
  run_command(python, args, sprintf("Creating the virtual environment '%s'", path),
              timeout = env_timeout("venv"))
  new_python <- file.path(path, "bin", "python")
  link_core(new_python, core)
  if (length(packages) || length(requirements)) {
    virtualenv_install(path, packages, requirements = requirements, pip_options = pip_options)
  }
  invisible(path)
}

# The core Python's pip, if it can install into other environments (pip >= 22.3 has
# --python); NULL otherwise.
core_pip <- function() {
  if (!is.null(.state$core_pip)) return(if (isFALSE(.state$core_pip)) NULL else .state$core_pip)
  python <- tryCatch(core_python(), error = function(e) "")
  ok <- FALSE
  if (nzchar(python)) {
    out <- suppressWarnings(tryCatch(system2(python, c("-m", "pip", "--version"), stdout = TRUE, stderr = TRUE,
                                             timeout = 60), error = function(e) ""))
    v <- regmatches(out[1], regexpr("^pip [0-9]+\\.[0-9]+", out[1]))
    ok <- length(v) == 1L && package_version(sub("^pip ", "", v)) >= "22.3"
  }
  .state$core_pip <- if (ok) python else FALSE
  if (ok) python else NULL
}

# `python -m pip` of an environment: its own pip, else the core's pip aimed at it.
pip_args <- function(python) {
  has_pip <- system2(python, c("-c", shQuote("import importlib.util,sys; sys.exit(importlib.util.find_spec('pip') is None)")),
                     stdout = FALSE, stderr = FALSE, timeout = 60) == 0L
  if (has_pip) return(list(cmd = python, args = c("-m", "pip")))
  core <- core_pip()
  if (is.null(core)) stop(sprintf("Python '%s' has no pip, and the core's Python has no pip that can install into it.",
                                  python), call. = FALSE)
  list(cmd = core, args = c("-m", "pip", "--python", shQuote(python)))
}

pip_install <- function(python, packages = NULL, requirements = NULL, pip_options = character(),
                        ignore_installed = FALSE) {
  if (!length(packages) && !length(requirements)) return(invisible(NULL))
  pip <- pip_args(python)
  args <- c(pip$args, "install", "--disable-pip-version-check", "--no-input",
            if (isTRUE(ignore_installed)) "--ignore-installed",
            if (length(requirements)) c("-r", shQuote(requirements)),
            pip_options, shQuote(packages))
  run_command(pip$cmd, args, sprintf("Installing %s with pip",
                                    paste(c(packages, requirements), collapse = ", ")),
              env = c("PIP_NO_INPUT=1", "PIP_DISABLE_PIP_VERSION_CHECK=1"))
  invisible(NULL)
}

#' @rdname virtualenv-tools
#' @export
virtualenv_install <- function(envname = NULL, packages = NULL, ignore_installed = FALSE,
                               pip_options = character(), requirements = NULL, ...,
                               python_version = NULL) {
  if (is.null(packages) && is.null(requirements) && !is.null(envname)) {
    stop(sprintf(paste0("argument \"packages\" is missing, with no default - did you mean ",
                        "'virtualenv_install(<envname>, %s)'? (py_install(%s) installs into the running Python)"),
                 deparse1(substitute(envname)), deparse1(substitute(envname))), call. = FALSE)
  }
  if (!is.null(envname) && !virtualenv_exists(envname)) {
    # reticulate creates a missing environment first
    virtualenv_create(envname, version = python_version)
  }
  python <- virtualenv_python(envname)
  pip_install(python, packages, requirements, pip_options, ignore_installed)
}

#' @rdname virtualenv-tools
#' @export
virtualenv_remove <- function(envname = NULL, packages = NULL, confirm = interactive()) {
  python <- virtualenv_python(envname)
  path <- dirname(dirname(python))
  if (isTRUE(.state$running) && is.null(packages) &&
      identical(normalizePath(import("sys")$prefix, mustWork = FALSE), normalizePath(path))) {
    stop(sprintf("Virtual environment '%s' is the Python running in this R session; it cannot be removed now.",
                 path), call. = FALSE)
  }
  if (isTRUE(confirm)) {
    what <- if (is.null(packages)) sprintf("the virtual environment '%s'", path)
            else sprintf("%s from '%s'", paste(packages, collapse = ", "), path)
    answer <- readline(sprintf("Remove %s? [Y/n]: ", what))
    if (!tolower(answer) %in% c("", "y", "yes")) return(invisible(NULL))
  }
  if (!is.null(packages)) {
    pip <- pip_args(python)
    run_command(pip$cmd, c(pip$args, "uninstall", "-y", shQuote(packages)),
                sprintf("Uninstalling %s", paste(packages, collapse = ", ")))
    return(invisible(NULL))
  }
  if (!file.exists(file.path(path, "pyvenv.cfg"))) {
    stop(sprintf("'%s' is not a virtual environment (no pyvenv.cfg); not removed.", path), call. = FALSE)
  }
  unlink(path, recursive = TRUE)
  invisible(NULL)
}

#' @rdname virtualenv-tools
#' @export
use_virtualenv <- function(virtualenv = NULL, required = NULL) {
  required <- resolve_required(required)
  if (!required) {
    # A hint (reticulate): a missing environment is not an error.
    python <- tryCatch(if (is.null(virtualenv)) virtualenv_python(NULL)
                       else file.path(virtualenv_path(virtualenv), "bin", "python"),
                       error = function(e) NULL)
    if (is.null(python)) return(invisible(NULL))
    return(invisible(use_python(python, required = FALSE)))
  }
  python <- virtualenv_python(virtualenv)
  use_python(python, required = TRUE)
  .state$requested_how <- "use_virtualenv()"
  invisible(python)
}

# ---------------------------------------------------------------------------------------
# py_install(), py_list_packages(), py_discover_config()

#' Install Python packages
#'
#' Installs packages with pip into a virtual environment: `envname` if given; else the
#' environment of the Python tandem runs (when Python is running in a virtual
#' environment); else the `r-tandem` environment under [virtualenv_root()], created when
#' missing. Packages installed into the running Python can be imported at once.
#'
#' @param packages Packages to install (pip requirement strings, wheel files or paths).
#' @param envname Environment name or path.
#' @param method `"auto"` or `"virtualenv"`; `"conda"` needs conda (see [conda_install()]).
#' @param conda Path of the conda binary, for `method = "conda"`.
#' @param python_version Python version for a new environment (must be the core's).
#' @param pip Unused: packages are always installed with pip.
#' @param ... Unused; kept for compatibility with reticulate.
#' @param pip_options Further `pip install` arguments (`"--no-index"`, `"--find-links=dir"`).
#' @param pip_ignore_installed,ignore_installed Pass `--ignore-installed` to pip.
#' @return `NULL`, invisibly.
#' @export
py_install <- function(packages, envname = NULL, method = c("auto", "virtualenv", "conda"),
                       conda = "auto", python_version = NULL, pip = FALSE, ...,
                       pip_options = character(), pip_ignore_installed = ignore_installed,
                       ignore_installed = FALSE) {
  method <- match.arg(method)
  if (!is.character(packages) || !length(packages) || anyNA(packages)) {
    stop("`packages` must be a character vector of package names.", call. = FALSE)
  }
  if (method == "conda") {
    return(conda_install(envname, packages, conda = conda, python_version = python_version,
                         pip = pip, pip_options = pip_options))
  }
  if (is.null(envname)) {
    if (isTRUE(.state$running)) {
      sys <- import("sys")
      if (!identical(sys$prefix, sys$base_prefix)) {
        return(pip_install(.state$python, packages, pip_options = pip_options,
                           ignore_installed = pip_ignore_installed))
      }
    }
    envname <- "r-tandem"
  }
  if (!virtualenv_exists(envname)) virtualenv_create(envname, version = python_version)
  virtualenv_install(envname, packages, ignore_installed = pip_ignore_installed, pip_options = pip_options)
}

#' List the packages installed in a Python environment
#'
#' @param envname Environment name or path (default: the running Python, else the one
#'   tandem would start).
#' @param type `"auto"`, `"virtualenv"` or `"conda"`.
#' @param python A Python executable (instead of `envname`).
#' @return A data frame with columns `package`, `version` and `requirement`
#'   (`"package==version"`).
#' @export
py_list_packages <- function(envname = NULL, type = c("auto", "virtualenv", "conda"), python = NULL) {
  type <- match.arg(type)
  if (type == "conda") return(conda_list_packages(envname))
  if (is.null(python)) {
    python <- if (!is.null(envname)) virtualenv_python(envname)
              else if (isTRUE(.state$running)) .state$python
              else py_discover_config()$python
  }
  script <- paste(
    "import importlib.metadata as m",
    "seen = set()",
    "for d in m.distributions():",
    "    n = d.metadata['Name']",
    "    if n and n.lower() not in seen:",
    "        seen.add(n.lower()); print(n + '\\t' + d.version)",
    sep = "\n")
  out <- run_command(python, c("-c", shQuote(script)), sprintf("Listing the packages of '%s'", python),
                     timeout = 120)
  parts <- strsplit(out[grepl("\t", out, fixed = TRUE)], "\t", fixed = TRUE)
  pkg <- vapply(parts, `[[`, "", 1L)
  ver <- vapply(parts, `[[`, "", 2L)
  o <- order(tolower(pkg))
  data.frame(package = pkg[o], version = ver[o], requirement = paste0(pkg, "==", ver)[o],
             stringsAsFactors = FALSE)
}

#' Pythons registered on a Windows system
#'
#' reticulate reads the Windows registry (PythonCore and Anaconda keys) for the Pythons
#' installed there. tandem runs on Linux and macOS, which have no registry: the result
#' always has no rows, with reticulate's columns, so code that filters it works unchanged.
#'
#' @return A data frame with the character columns `type`, `hive`, `install_path`,
#'   `executable_path`, `version` and `arch`, and no rows.
#' @keywords internal
#' @export
py_versions_windows <- function() {
  empty <- character()
  data.frame(type = empty, hive = empty, install_path = empty, executable_path = empty,
             version = empty, arch = empty, stringsAsFactors = FALSE)
}

#' Which Python tandem would use
#'
#' Describes the Python that tandem runs, or, before Python starts, the one it would
#' start (building the `py_require()` environment if one is needed), without starting it.
#'
#' @param required_module If given, an interpreter that cannot import it is an error.
#' @param use_environment Unused; kept for compatibility with reticulate.
#' @return A list of classes `tandem_py_config` and `py_config` (see [py_config()]);
#'   `available` is `FALSE` when Python has not started.
#' @export
py_discover_config <- function(required_module = NULL, use_environment = NULL) {
  if (isTRUE(.state$running)) {
    cfg <- py_config()
  } else {
    found <- find_python()
    if (!nzchar(found$path) || !file.exists(found$path)) {
      stop(python_missing_error(paste0("tandem could not find Python (tried ", found$how, ").")))
    }
    # one Python process for the core's facts and py_config()'s ("name<TAB>value" lines)
    facts <- python_facts(found$path, before = paste0(
      python_config_code, "\nfor k, v in tandem_config.items():\n",
      "    print(k + '\\t' + str(v).replace('\\n', ' '))"))
    out <- facts$lines[grepl("\t", facts$lines, fixed = TRUE)]
    config <- as.list(sub("^[^\t]*\t", "", out))
    names(config) <- sub("\t.*$", "", out)
    cfg <- python_config_list(config, python = facts$python, libpython = NA_character_,
                              core = if (nzchar(facts$core_dir)) file.path(facts$core_dir, paste0("_core", facts$core_suffix)) else "",
                              how = found$how, available = FALSE, host = "r")
  }
  if (!is.null(required_module)) {
    check_string(required_module, "required_module")
    ok <- tryCatch({
      run_command(cfg$python, c("-c", shQuote(sprintf("import %s", required_module))),
                  sprintf("Importing '%s'", required_module), timeout = 120)
      TRUE
    }, error = function(e) FALSE)
    if (!ok) stop(sprintf("Python '%s' cannot import the required module '%s'.", cfg$python, required_module),
                  call. = FALSE)
  }
  cfg
}

# ---------------------------------------------------------------------------------------
# py_require(): declared requirements and the cached environment built from them.

norm_pkg_name <- function(x) gsub("[-_.]+", "-", tolower(x))

parse_requirement <- function(req) {
  req <- trimws(req)
  m <- regmatches(req, regexec("^([A-Za-z0-9][A-Za-z0-9._-]*)\\s*(\\[[^]]*\\])?\\s*(.*)$", req))[[1]]
  if (!length(m)) return(list(name = norm_pkg_name(req), specs = list(), text = req, path = TRUE))
  spec_text <- sub(";.*$", "", m[[4]])
  specs <- lapply(strsplit(spec_text, ",", fixed = TRUE)[[1]], function(s) {
    s <- trimws(s)
    mm <- regmatches(s, regexec("^(===|==|!=|~=|>=|<=|>|<)\\s*(\\S+)$", s))[[1]]
    if (length(mm)) list(op = mm[[2]], version = mm[[3]]) else NULL
  })
  list(name = norm_pkg_name(m[[2]]), specs = Filter(Negate(is.null), specs), text = req, path = FALSE)
}

version_cmp <- function(a, b) {
  num <- function(v) {
    v <- sub("[^0-9.].*$", "", v)
    v <- sub("\\.$", "", v)
    if (!nzchar(v)) v <- "0"
    if (!grepl(".", v, fixed = TRUE)) v <- paste0(v, ".0")
    package_version(v)
  }
  a <- num(a)
  b <- num(b)
  if (a < b) -1L else if (a > b) 1L else 0L
}

version_satisfies <- function(version, spec) {
  v <- spec$version
  if (spec$op %in% c("==", "===") && grepl("*", v, fixed = TRUE)) {
    return(startsWith(version, sub("\\.?\\*$", "", v)))
  }
  c <- version_cmp(version, v)
  switch(spec$op, "==" = , "===" = c == 0L, "!=" = c != 0L, ">=" = c >= 0L, "<=" = c <= 0L,
         ">" = c > 0L, "<" = c < 0L,
         "~=" = c >= 0L && {
           parts <- strsplit(sub("[^0-9.].*$", "", v), ".", fixed = TRUE)[[1]]
           prefix <- paste(parts[-length(parts)], collapse = ".")
           startsWith(version, prefix)
         })
}

# Do two requirements of the same package have no version in common? (pins and bounds)
requirements_conflict <- function(a, b) {
  specs <- c(a$specs, b$specs)
  if (!length(a$specs) || !length(b$specs)) return(FALSE)
  pins <- Filter(function(s) s$op %in% c("==", "===") && !grepl("*", s$version, fixed = TRUE), specs)
  for (p in pins) {
    if (!all(vapply(specs, function(s) version_satisfies(p$version, s), TRUE))) return(TRUE)
  }
  lows <- Filter(function(s) s$op %in% c(">=", ">", "~="), specs)
  highs <- Filter(function(s) s$op %in% c("<=", "<"), specs)
  for (l in lows) for (h in highs) {
    c <- version_cmp(l$version, h$version)
    if (c > 0L || (c == 0L && (l$op == ">" || h$op == "<"))) return(TRUE)
  }
  FALSE
}

#' Declare the Python packages an R package or script needs
#'
#' `py_require()` can be called many times (e.g. in several packages' `.onLoad`); the
#' requirements add up. When Python starts and no interpreter was chosen (no
#' [use_python()], [use_virtualenv()], `TANDEM_PYTHON` or active virtualenv), tandem
#' uses a cached virtual environment under `tools::R_user_dir("tandem", "cache")` that
#' has the tandem core and every declared package (installed with pip the first time;
#' the same set of requirements reuses the same environment).
#'
#' After Python has started, a requirement that the running Python satisfies is
#' accepted; anything else is an error that says how to install the package. Two
#' requirements of one package with no version in common are an error naming both.
#'
#' @param packages pip requirement strings (`"requests"`, `"pandas>=2"`,
#'   `"numpy==2.4.6"`), or paths of wheels or directories.
#' @param python_version A Python version (e.g. `"3.11"`, `">=3.10"`). The core is built
#'   for one Python, so a version it does not satisfy is an error.
#' @param ... Unused; kept for compatibility with reticulate.
#' @param exclude_newer Accepted for compatibility with reticulate (a date limiting the
#'   package versions uv resolves); tandem installs with pip, which has no such limit, so
#'   it is recorded and otherwise ignored.
#' @param action `"add"` (default), `"remove"` (drop these requirements) or `"set"`
#'   (replace all).
#' @return With no arguments, the current requirements (a list with `packages`,
#'   `python_version` and `exclude_newer`, of class `tandem_py_require` and reticulate's
#'   `python_requirements`), else the same invisibly.
#' @export
#' @examples
#' \dontrun{
#' py_require(c("requests", "pandas>=2"))
#' py_require()
#' }
py_require <- function(packages = NULL, python_version = NULL, ..., exclude_newer = NULL,
                       action = c("add", "remove", "set")) {
  action <- match.arg(action)
  if (!is.null(exclude_newer)) {
    check_string(exclude_newer, "exclude_newer")
    .state$exclude_newer <- exclude_newer
  }
  if (!is.null(packages) && (!is.character(packages) || anyNA(packages))) {
    stop("`packages` must be a character vector of pip requirements.", call. = FALSE)
  }
  if (!is.null(python_version)) check_string(python_version, "python_version")
  current <- .state$requirements %||% character()
  if (is.null(packages) && is.null(python_version) && action == "add") {
    return(structure(list(packages = current, python_version = .state$python_version,
                          exclude_newer = .state$exclude_newer),
                     class = c("tandem_py_require", "python_requirements")))
  }
  if (action == "remove") {
    names_rm <- vapply(packages, function(p) parse_requirement(p)$name, "")
    keep <- !(vapply(current, function(p) parse_requirement(p)$name, "") %in% names_rm |
                current %in% packages)
    .state$requirements <- current[keep]
    return(invisible(py_require()))
  }
  base <- if (action == "set") character() else current
  for (p in packages) {
    new <- parse_requirement(p)
    for (q in base) {
      old <- parse_requirement(q)
      if (!new$path && identical(old$name, new$name) && requirements_conflict(old, new)) {
        stop(structure(class = c("tandem_requirement_conflict", "error", "condition"), list(
          message = sprintf("Python requirements conflict: '%s' was requested, and now '%s'; no version satisfies both.",
                            q, p),
          call = NULL)))
      }
    }
    if (isTRUE(.state$running)) check_running_requirement(new)
    if (!(p %in% base)) base <- c(base, p)
  }
  if (!is.null(python_version)) {
    if (!is.null(.state$python_version) && !identical(.state$python_version, python_version)) {
      if (!python_version_ok(.state$python_version, python_version)) {
        stop(sprintf("Python version requests conflict: '%s' was requested, and now '%s'.",
                     .state$python_version, python_version), call. = FALSE)
      }
    }
    if (isTRUE(.state$running)) {
      running <- import("platform")$python_version()
      if (!python_version_ok(running, python_version)) {
        stop(sprintf("Python %s is running in this session; Python '%s' was requested.",
                     running, python_version), call. = FALSE)
      }
    }
    .state$python_version <- python_version
  }
  .state$requirements <- base
  invisible(py_require())
}

#' @export
print.tandem_py_require <- function(x, ...) {
  cat("Python requirements (py_require()):\n")
  if (length(x$packages)) cat(paste0("  ", x$packages, collapse = "\n"), "\n", sep = "")
  else cat("  (no packages)\n")
  if (!is.null(x$python_version)) cat("Python version: ", x$python_version, "\n", sep = "")
  invisible(x)
}

#' Write and read requirements files
#'
#' `py_write_requirements()` writes the Python requirements of this session to a
#' `requirements.txt` and the Python version to a `.python-version`, so that another
#' machine can rebuild the environment (e.g. with [virtualenv_create()]'s `requirements`
#' argument); `py_read_requirements()` reads such files back into [py_require()].
#'
#' With `freeze = NULL` (the default) or `FALSE`, before Python starts or when it runs in
#' the environment `py_require()` made, the files hold what `py_require()` declared (the
#' version as major.minor when none was declared). Otherwise (`freeze = TRUE`, or another
#' Python is running) `packages` gets `pip freeze` of that Python and `python_version` its
#' full version; `freeze = FALSE` is then an error.
#'
#' @param packages Path of the requirements file (`NULL`: do not write or read one).
#' @param python_version Path of the Python version file (`NULL`: none).
#' @param ... Must be empty.
#' @param freeze `NULL`, `TRUE` or `FALSE`, as above.
#' @param python The Python whose packages are frozen (default: the running one). An
#'   explicit `NULL` asks for the requirements declared with [py_require()], as in reticulate.
#' @param quiet Do not report the files written.
#' @param action How `py_read_requirements()` applies what it read: `"add"`, `"set"` or
#'   `"remove"` (as in [py_require()]), or `"none"` (only return it).
#' @return A list with `packages` and `python_version`: invisibly, except when both paths
#'   are `NULL` (`py_write_requirements()`) or `action = "none"` (`py_read_requirements()`).
#' @examples
#' \dontrun{
#' py_require("requests")
#' py_write_requirements()
#' py_read_requirements()
#' }
#' @name py_requirements_files
NULL

#' @rdname py_requirements_files
#' @export
py_write_requirements <- function(packages = "requirements.txt", python_version = ".python-version", ...,
                                  freeze = NULL, python = NULL, quiet = FALSE) {
  if (...length()) stop("`...` must be empty.", call. = FALSE)
  if (!is.null(freeze) && !(is.logical(freeze) && length(freeze) == 1L && !is.na(freeze))) {
    stop("`freeze` must be TRUE, FALSE or NULL.", call. = FALSE)
  }
  # As reticulate (python = py_exe()): by default the running Python; an explicit NULL
  # asks for the requirements declared with py_require().
  if (missing(python) && isTRUE(.state$running)) python <- .state$python
  declared <- is.null(python) || identical(.state$how, "py_require()")
  if (declared && !isTRUE(freeze)) {
    pkgs <- .state$requirements %||% character()
    ver <- .state$python_version %||% {
      full <- if (isTRUE(.state$running)) import("platform")$python_version() else core_facts()$version
      sub("^([0-9]+\\.[0-9]+).*$", "\\1", full)
    }
  } else {
    if (isFALSE(freeze)) {
      stop("freeze = FALSE is only supported for environments assembled by py_require().", call. = FALSE)
    }
    if (is.null(python)) python <- core_python()
    pip <- pip_args(python)
    pkgs <- run_command(pip$cmd, c(pip$args, "freeze", "--disable-pip-version-check"), "pip freeze")
    running <- isTRUE(.state$running) &&
      identical(normalizePath(python, mustWork = FALSE), normalizePath(.state$python, mustWork = FALSE))
    # The running Python's own version: run as a subprocess, its binary may load another
    # libpython of the same minor version from R's library path and report that one.
    ver <- if (running) import("platform")$python_version() else
      sub("^Python\\s+", "", run_command(python, "-E -V", "python -V")[[1]])
  }
  if (!is.null(packages)) {
    writeLines(pkgs, packages)
    if (!isTRUE(quiet)) message("Wrote '", packages, "'")
  }
  if (!is.null(python_version)) {
    writeLines(ver, python_version)
    if (!isTRUE(quiet)) message("Wrote '", python_version, "'")
  }
  out <- list(packages = pkgs, python_version = ver)
  if (is.null(packages) && is.null(python_version)) out else invisible(out)
}

#' @rdname py_requirements_files
#' @export
py_read_requirements <- function(packages = "requirements.txt", python_version = ".python-version", ...,
                                 action = c("add", "set", "remove", "none")) {
  if (...length()) stop("`...` must be empty.", call. = FALSE)
  action <- match.arg(action)
  read <- function(path, must) {
    if (is.null(path)) return(NULL)
    if (!file.exists(path)) {
      if (must) stop(sprintf("File '%s' does not exist.", path), call. = FALSE)
      return(NULL)
    }
    lines <- trimws(readLines(path, warn = FALSE))
    lines[nzchar(lines) & !startsWith(lines, "#")]
  }
  pkgs <- read(packages, TRUE)
  ver <- read(python_version, FALSE)
  if (!length(ver)) ver <- NULL else ver <- ver[[1L]]
  out <- list(packages = pkgs, python_version = ver)
  if (action == "none") return(out)
  py_require(pkgs, ver, action = action)
  invisible(out)
}

#' Configure a Python environment for an R package
#'
#' reticulate's hook for packages that declare their Python dependencies in a
#' `config/python.json` file. tandem declares dependencies with [py_require()] and
#' installs them with [py_install()] or when Python starts, so this installs nothing: it
#' returns `FALSE` ("nothing was configured"), as reticulate does when Python has not
#' started, the session is not interactive or there is nothing to install.
#'
#' @param package The package to configure (`NULL`: all loaded packages).
#' @param force Configure even in a non-interactive session (no effect in tandem).
#' @return `FALSE`.
#' @export
configure_environment <- function(package = NULL, force = FALSE) {
  if (!is.null(package)) check_string(package, "package")
  FALSE
}

#' @rdname use_python
#' @param version A Python version (`"3.11"`).
#' @details `use_python_version()` asks for an interpreter of that version installed by
#'   pyenv (as [install_python()] does): the newest `~/.pyenv/versions/<version>*` (or
#'   `PYENV_ROOT`), an error when there is none.
#' @export
use_python_version <- function(version, required = NULL) {
  check_string(version, "version")
  root <- Sys.getenv("PYENV_ROOT", unset = path.expand("~/.pyenv"))
  found <- Sys.glob(file.path(root, "versions", c(version, paste0(version, ".*")), "bin", "python"))
  if (!length(found)) {
    stop(sprintf("Python %s is not installed with pyenv (looked in '%s'). Install it with install_python(\"%s\") (needs a network connection).",
                 version, file.path(root, "versions"), version), call. = FALSE)
  }
  v <- numeric_version(basename(dirname(dirname(found))), strict = FALSE)
  use_python(found[order(v, decreasing = TRUE)][[1L]], required = required)
}

#' Run a Python command-line tool with uv
#'
#' reticulate runs tools from PyPI in ephemeral environments made by uv (`uv tool run`).
#' tandem installs with pip and does not use uv: this runs `uv` when it is on the `PATH`
#' (or `RETICULATE_UV`), and is otherwise an error that says so.
#'
#' @param tool The tool to run (`"ruff"`).
#' @param args Its arguments.
#' @param ... Passed on to [system2()].
#' @param from,with,python_version `uv tool run`'s `--from`, `--with` and `--python`.
#' @param exclude_newer `uv tool run`'s `--exclude-newer`.
#' @return What [system2()] returns.
#' @export
uv_run_tool <- function(tool, args = character(), ..., from = NULL, with = NULL, python_version = NULL,
                        exclude_newer = NULL) {
  check_string(tool, "tool")
  uv <- Sys.getenv("RETICULATE_UV", unset = unname(Sys.which("uv")))
  if (!nzchar(uv) || !file.exists(uv)) {
    stop("uv is not installed (not on the PATH, RETICULATE_UV unset); tandem does not download it. Install the tool with py_install() and run it with system2().",
         call. = FALSE)
  }
  opts <- c(if (!is.null(from)) c("--from", shQuote(from)),
            if (length(with)) as.vector(rbind("--with", shQuote(with))),
            if (!is.null(python_version)) c("--python", shQuote(python_version)),
            if (!is.null(exclude_newer)) c("--exclude-newer", shQuote(exclude_newer)))
  system2(uv, c("tool", "run", opts, shQuote(tool), args), ...)
}

# Is version `v` (e.g. "3.11.2") allowed by `req` ("3.11", ">=3.10", ">=3.9,<3.12")?
python_version_ok <- function(v, req) {
  parts <- trimws(strsplit(req, ",", fixed = TRUE)[[1]])
  all(vapply(parts, function(s) {
    if (grepl("^[0-9]", s)) return(identical(v, s) || startsWith(v, paste0(s, ".")))
    spec <- parse_requirement(paste0("python", s))$specs
    !length(spec) || version_satisfies(v, spec[[1]])
  }, TRUE))
}

check_running_requirement <- function(req) {
  if (req$path) return(invisible(TRUE))
  md <- import("importlib.metadata")
  version <- py_probe(md$version(req$name), NULL)
  how <- sprintf(paste0("Install it into this Python ('%s') with py_install(\"%s\") ",
                        "or '%s -m pip install \"%s\"', then restart R; or call py_require() ",
                        "before Python starts (before the first use of Python)."),
                 .state$python, req$text, .state$python, req$text)
  if (is.null(version)) {
    stop(structure(class = c("tandem_requirement_missing", "error", "condition"), list(
      message = sprintf("Python is already running and the package '%s' is not installed. %s", req$text, how),
      call = NULL)))
  }
  for (s in req$specs) {
    if (!version_satisfies(version, s)) {
      stop(structure(class = c("tandem_requirement_missing", "error", "condition"), list(
        message = sprintf("Python is already running with %s %s installed, which does not satisfy '%s'. %s",
                          req$name, version, req$text, how),
        call = NULL)))
    }
  }
  invisible(TRUE)
}

# At start-up in an interpreter the user chose: py_require() declarations it does not
# satisfy are a warning (tandem installs nothing into a chosen interpreter).
check_declared_requirements <- function(how) {
  reqs <- .state$requirements %||% character()
  if (!length(reqs) || identical(how, "py_require()")) return(invisible(TRUE))
  # reticulate's switch (NEWS 1.44): RETICULATE_CHECK_REQUIRED_PACKAGES=0/false/no turns it off
  check <- Sys.getenv("RETICULATE_CHECK_REQUIRED_PACKAGES", "true")
  if (!(tolower(check) %in% c("true", "1", "yes"))) return(invisible(TRUE))
  problems <- character()
  for (p in reqs) {
    msg <- tryCatch({
      check_running_requirement(parse_requirement(p))
      NULL
    }, error = function(e) p)
    problems <- c(problems, msg)
  }
  if (length(problems)) {
    warning(sprintf(paste0("Python '%s' (%s) does not satisfy the py_require() requirement(s) %s; ",
                           "install them with py_install(), or leave the interpreter unset so that ",
                           "tandem builds an environment with them."),
                    .state$python, how, paste0("'", problems, "'", collapse = ", ")), call. = FALSE)
  }
  invisible(TRUE)
}

# The cached environment for the declared requirements: built once, reused after.
required_env_python <- function() {
  reqs <- sort(unique(.state$requirements %||% character()))
  core <- core_facts()
  pv <- .state$python_version
  if (!is.null(pv) && !python_version_ok(core$version, pv)) {
    stop(sprintf(paste0("py_require() asked for Python '%s', but the tandem core is built for ",
                        "Python %s ('%s'). Install tandem into a matching Python and set TANDEM_CORE_PYTHON."),
                 pv, core$version, core$base), call. = FALSE)
  }
  key <- substr(digest_string(paste(c(core$base, core$core_dir, core$core_suffix, reqs), collapse = "\n")), 1L, 16L)
  root <- file.path(tools::R_user_dir("tandem", "cache"), "envs")
  path <- file.path(root, key)
  done <- file.path(path, "tandem-requirements.txt")
  if (file.exists(done) && file.exists(file.path(path, "bin", "python"))) {
    link_core(file.path(path, "bin", "python"), core)  # the core may have moved
    return(file.path(path, "bin", "python"))
  }
  if (dir.exists(path)) unlink(path, recursive = TRUE)
  message("tandem: creating a Python environment for py_require() in ", path)
  ok <- FALSE
  on.exit(if (!ok) unlink(path, recursive = TRUE), add = TRUE)
  virtualenv_create(path, python = core$base)
  pip_install(file.path(path, "bin", "python"), reqs)
  writeLines(reqs, done)
  ok <- TRUE
  file.path(path, "bin", "python")
}

digest_string <- function(x) {
  f <- tempfile()
  on.exit(unlink(f))
  writeLines(x, f, useBytes = TRUE)
  unname(tools::md5sum(f))
}

# ---------------------------------------------------------------------------------------
# conda and downloads: clear errors when conda, pyenv or the network are not available.

#' conda environments
#'
#' reticulate's conda functions. They need a conda binary (the `conda` argument, the
#' `RETICULATE_CONDA`/`TANDEM_CONDA` environment variables, `conda` on the `PATH`, or
#' Miniconda installed by [install_miniconda()]); without one they are an error that says
#' so. Environments made with conda can only load tandem's core if their Python has the
#' core's version; [use_condaenv()] checks this when Python starts.
#'
#' @param envname Environment name or path.
#' @param packages Packages to install.
#' @param conda Path of the conda binary, or `"auto"`.
#' @param python_version Python version for the environment.
#' @param forge Use the conda-forge channel.
#' @param channel Channels to install from.
#' @param pip Install with pip inside the environment.
#' @param pip_options Further pip arguments.
#' @param pip_ignore_installed Pass `--ignore-installed` to pip (with `pip = TRUE`).
#' @param environment For `conda_create()`: an environment file (`environment.yml`) to
#'   create the environment from.
#' @param additional_create_args,additional_install_args Further arguments for
#'   `conda create` and `conda install`.
#' @param condaenv For `use_condaenv()`: the environment's name or path.
#' @param required As in [use_python()]: with `FALSE`, `use_condaenv()`/`use_miniconda()`
#'   are hints (no conda, or no such environment, is no error); `NULL` is `TRUE` except in
#'   a package's `.onLoad()`.
#' @param all For `conda_python()`: the Python of every environment of that name.
#' @param ... Further arguments for conda (unused).
#' @return `conda_binary()`/`conda_python()`/`conda_clone()`: a path; `conda_list()`: a
#'   data frame with `name` and `python`; `conda_search()`: a data frame with `name`,
#'   `version`, `build` and `channel`; `conda_version()`: a string; `condaenv_exists()`:
#'   `TRUE` or `FALSE`; others: the result, invisibly.
#' @name conda-tools
NULL

#' @rdname conda-tools
#' @export
conda_binary <- function(conda = "auto") {
  if (!identical(conda, "auto")) {
    check_string(conda, "conda")
    if (!file.exists(conda)) stop(sprintf("conda binary '%s' does not exist.", conda), call. = FALSE)
    return(normalizePath(conda))
  }
  cands <- c(getOption("reticulate.conda_binary", ""), Sys.getenv("TANDEM_CONDA"),
             Sys.getenv("RETICULATE_CONDA"), unname(Sys.which("conda")),
             file.path(miniconda_path(), "bin", "conda"))
  for (c in cands) if (nzchar(c) && file.exists(c)) return(normalizePath(c))
  stop(structure(class = c("tandem_conda_not_found", "error", "condition"), list(
    message = paste0("conda is not installed: no conda binary was found (TANDEM_CONDA, RETICULATE_CONDA, ",
                     "conda on PATH, ", miniconda_path(), "). Install Miniconda with install_miniconda() ",
                     "(needs a network connection), or use virtualenvs: virtualenv_create(), py_install()."),
    call = NULL)))
}

# conda's option naming an environment: a path (with a "/") or a name.
conda_where <- function(envname) {
  if (grepl("/", envname, fixed = TRUE)) c("--prefix", shQuote(path.expand(envname))) else c("--name", envname)
}

conda_run <- function(conda, args, what) {
  run_command(conda_binary(conda), args, what)
}

#' @rdname conda-tools
#' @export
conda_version <- function(conda = "auto") {
  conda_run(conda, "--version", "conda --version")[[1]]
}

#' @rdname conda-tools
#' @export
conda_list <- function(conda = "auto") {
  out <- conda_run(conda, c("env", "list", "--json"), "Listing conda environments")
  paths <- regmatches(paste(out, collapse = "\n"), gregexpr('"/[^"]+"', paste(out, collapse = "\n")))[[1]]
  paths <- gsub('"', "", paths)
  data.frame(name = basename(paths), python = file.path(paths, "bin", "python"), stringsAsFactors = FALSE)
}

#' @rdname conda-tools
#' @export
conda_create <- function(envname = NULL, packages = NULL, ..., forge = TRUE, channel = character(),
                         environment = NULL, conda = "auto", python_version = NULL,
                         additional_create_args = character()) {
  bin <- conda_binary(conda)
  if (is.null(envname)) envname <- "r-tandem"
  python <- if (is.null(python_version)) "python" else paste0("python=", python_version)
  where <- conda_where(envname)
  ch <- c(if (forge) "conda-forge", channel)
  args <- if (!is.null(environment)) c("env", "create", "--yes", where, "--file", shQuote(environment))
          else c("create", "--yes", where, python, packages, as.vector(rbind("-c", ch)), additional_create_args)
  run_command(bin, args, sprintf("Creating the conda environment '%s'", envname))
  invisible(conda_python(envname, conda = bin))
}

#' @rdname conda-tools
#' @export
conda_install <- function(envname = NULL, packages, forge = TRUE, channel = character(), pip = FALSE,
                          pip_options = character(), pip_ignore_installed = FALSE, conda = "auto",
                          python_version = NULL, additional_create_args = character(),
                          additional_install_args = character(), ...) {
  if (isTRUE(pip_ignore_installed)) pip_options <- c(pip_options, "--ignore-installed")
  bin <- conda_binary(conda)
  if (is.null(envname)) envname <- "r-tandem"
  if (isTRUE(pip)) return(pip_install(conda_python(envname, conda = bin), packages, pip_options = pip_options))
  where <- conda_where(envname)
  ch <- c(if (forge) "conda-forge", channel)
  run_command(bin, c("install", "--yes", where, packages, as.vector(rbind("-c", ch)), additional_install_args),
              sprintf("Installing %s with conda", paste(packages, collapse = ", ")))
  invisible(NULL)
}

#' @rdname conda-tools
#' @export
conda_remove <- function(envname, packages = NULL, conda = "auto") {
  bin <- conda_binary(conda)
  where <- conda_where(envname)
  args <- if (is.null(packages)) c("env", "remove", "--yes", where) else c("remove", "--yes", where, packages)
  run_command(bin, args, sprintf("Removing from the conda environment '%s'", envname))
  invisible(NULL)
}

#' @rdname conda-tools
#' @export
conda_python <- function(envname = NULL, conda = "auto", all = FALSE) {
  if (is.null(envname)) envname <- "r-tandem"
  if (grepl("/", envname, fixed = TRUE)) {
    p <- file.path(path.expand(envname), "bin", "python")
  } else {
    envs <- conda_list(conda_binary(conda))
    p <- envs$python[envs$name == envname]
    if (!length(p)) stop(sprintf("conda environment '%s' does not exist.", envname), call. = FALSE)
    if (isTRUE(all)) return(path.expand(p))
    p <- p[[1]]
  }
  if (!file.exists(p)) stop(sprintf("conda environment '%s' has no Python ('%s').", envname, p), call. = FALSE)
  p
}

#' @rdname conda-tools
#' @export
conda_exe <- function(conda = "auto") conda_binary(conda)

#' @rdname conda-tools
#' @export
use_condaenv <- function(condaenv = NULL, conda = "auto", required = NULL) {
  required <- resolve_required(required)
  python <- if (required) conda_python(condaenv, conda = conda)
            else tryCatch(conda_python(condaenv, conda = conda), error = function(e) NULL)
  if (is.null(python)) return(invisible(NULL))  # a hint without conda or that environment
  use_python(python, required = required)
  invisible(python)
}

#' @rdname conda-tools
#' @export
condaenv_exists <- function(envname = NULL, conda = "auto") {
  python <- tryCatch(conda_python(envname, conda = conda), error = function(e) NULL)
  !is.null(python) && file.exists(python)
}

#' @rdname conda-tools
#' @param clone The environment `conda_clone()` copies.
#' @export
conda_clone <- function(envname, ..., clone = "base", conda = "auto") {
  bin <- conda_binary(conda)
  check_string(envname, "envname")
  where <- conda_where(envname)
  run_command(bin, c("create", "--yes", where, "--quiet", "--clone", clone),
              sprintf("Cloning the conda environment '%s' into '%s'", clone, envname))
  conda_python(envname, conda = bin)
}

#' @rdname conda-tools
#' @param file,json Where `conda_export()` writes the environment's definition, and
#'   whether as JSON (else YAML).
#' @export
conda_export <- function(envname, file = if (json) "environment.json" else "environment.yml",
                         json = FALSE, ..., conda = "auto") {
  bin <- conda_binary(conda)
  check_string(envname, "envname")
  where <- conda_where(envname)
  out <- run_command(bin, c("env", "export", if (json) "--json", where),
                     sprintf("Exporting the conda environment '%s'", envname))
  writeLines(out, file)
  invisible(file)
}

#' @rdname conda-tools
#' @param matchspec A conda MatchSpec query (`"numpy>=1.20"`).
#' @export
conda_search <- function(matchspec, forge = TRUE, channel = character(), conda = "auto", ...) {
  bin <- conda_binary(conda)
  check_string(matchspec, "matchspec")
  ch <- if (length(channel)) channel else if (forge) "conda-forge"
  out <- run_command(bin, c("search", shQuote(matchspec), as.vector(rbind("-c", ch)), "--json"),
                     sprintf("Searching conda for '%s'", matchspec))
  text <- paste(out, collapse = "\n")
  field <- function(name) {
    m <- regmatches(text, gregexpr(sprintf('"%s": *"[^"]*"', name), text))[[1]]
    sub('.*: *"([^"]*)"$', "\\1", m)
  }
  cols <- lapply(c(name = "name", version = "version", build = "build", channel = "channel"), field)
  n <- min(lengths(cols))
  as.data.frame(lapply(cols, `[`, seq_len(n)), stringsAsFactors = FALSE)
}

#' @rdname conda-tools
#' @export
conda_update <- function(conda = "auto") {
  bin <- conda_binary(conda)
  run_command(bin, c("update", "--yes", "--name", "base", "conda"), "Updating conda")
  invisible(NULL)
}

#' Run a command inside a conda environment
#'
#' Runs `cmd` with the conda environment `envname` activated (its `bin` first on the
#' `PATH`, `CONDA_PREFIX` set), as reticulate's `conda_run2()` does.
#'
#' @param cmd,args The command and its arguments.
#' @param conda Path of the conda binary, or `"auto"`.
#' @param envname Environment name or path.
#' @param cmd_line The whole command line (built from `cmd` and `args` by default).
#' @param intern Return the output as a character vector instead of the exit status.
#' @param echo Show the command's output.
#' @return The exit status, or with `intern = TRUE` the output lines.
#' @export
conda_run2 <- function(cmd, args = c(), conda = "auto", envname = NULL,
                       cmd_line = paste(shQuote(cmd), paste(args, collapse = " ")),
                       intern = FALSE, echo = !intern) {
  bin <- conda_binary(conda)
  python <- conda_python(envname, conda = bin)
  prefix <- dirname(dirname(python))
  old <- Sys.getenv(c("PATH", "CONDA_PREFIX"), unset = NA)
  on.exit({
    for (n in names(old)) if (is.na(old[[n]])) Sys.unsetenv(n) else do.call(Sys.setenv, as.list(old[n]))
  }, add = TRUE)
  Sys.setenv(PATH = paste(file.path(prefix, "bin"), old[["PATH"]], sep = .Platform$path.sep), CONDA_PREFIX = prefix)
  if (intern) return(system(cmd_line, intern = TRUE))
  system(cmd_line, ignore.stdout = !echo, ignore.stderr = !echo)
}

#' @rdname conda-tools
#' @export
use_miniconda <- function(condaenv = NULL, required = NULL) {
  required <- resolve_required(required)
  if (!miniconda_exists()) {
    if (!required) return(invisible(NULL))
    stop(sprintf("Miniconda is not installed (looked in '%s'). Use install_miniconda() to install it (needs a network connection).",
                 miniconda_path()), call. = FALSE)
  }
  use_condaenv(condaenv, conda = file.path(miniconda_path(), "bin", "conda"), required = required)
}

conda_list_packages <- function(envname) {
  bin <- conda_binary()
  where <- if (!is.null(envname) && grepl("/", envname, fixed = TRUE)) c("--prefix", shQuote(envname))
           else if (!is.null(envname)) c("--name", envname)
  out <- run_command(bin, c("list", where, "--export"), "Listing conda packages")
  out <- out[!startsWith(out, "#") & nzchar(out)]
  parts <- strsplit(out, "=", fixed = TRUE)
  data.frame(package = vapply(parts, `[`, "", 1L), version = vapply(parts, `[`, "", 2L),
             requirement = out, stringsAsFactors = FALSE)
}

#' Install Python or Miniconda
#'
#' reticulate's installers. They download (Python through `pyenv`, Miniconda from
#' Anaconda's servers) and therefore need a network connection; when the download or
#' the tool is not available they fail with a clear error within
#' `getOption("tandem.timeout.download", 60)` seconds, never hang. An installed Python
#' can host tandem only if it has the core's Python version and the core installed.
#'
#' @param version Python version to install.
#' @param list If `TRUE`, list the versions pyenv can install.
#' @param force Reinstall when present.
#' @param optimized Unused; kept for compatibility with reticulate.
#' @param path Where Miniconda lives (default: `miniconda_path()`).
#' @param update Update Miniconda after installing it.
#' @return `install_python()`: the path of the installed Python. `miniconda_path()`: the
#'   directory. `miniconda_exists()`: `TRUE`/`FALSE`. Others: `NULL`, invisibly.
#' @name install-python
NULL

#' @rdname install-python
#' @export
install_python <- function(version = "3.11", list = FALSE, force = FALSE, optimized = TRUE) {
  pyenv <- Sys.which("pyenv")
  if (!nzchar(pyenv)) {
    for (p in c(Sys.getenv("PYENV_ROOT"), "~/.pyenv")) {
      cand <- file.path(path.expand(p), "bin", "pyenv")
      if (nzchar(p) && file.exists(cand)) pyenv <- cand
    }
  }
  if (!nzchar(pyenv)) {
    stop(structure(class = c("tandem_download_unavailable", "error", "condition"), list(
      message = paste0("install_python() needs pyenv, which is not installed, and a network connection ",
                       "to download Python. Install Python ", version, " with your system's package manager ",
                       "instead (then install tandem into it)."),
      call = NULL)))
  }
  if (isTRUE(list)) return(trimws(run_command(pyenv, c("install", "--list"), "pyenv install --list", timeout = env_timeout("download"))))
  run_command(pyenv, c("install", "--skip-existing", if (force) "--force", version),
              sprintf("Installing Python %s with pyenv", version), timeout = env_timeout("pip"))
  root <- trimws(run_command(pyenv, "root", "pyenv root", timeout = 30)[[1]])
  cands <- Sys.glob(file.path(root, "versions", paste0(version, "*"), "bin", "python3"))
  if (!length(cands)) stop(sprintf("pyenv installed nothing for Python %s.", version), call. = FALSE)
  utils::tail(cands, 1L)
}

#' @rdname install-python
#' @export
miniconda_path <- function() {
  p <- Sys.getenv("RETICULATE_MINICONDA_PATH")
  if (nzchar(p)) return(path.expand(p))
  file.path(tools::R_user_dir("tandem", "data"), "miniconda")
}

#' @rdname install-python
#' @export
miniconda_exists <- function(path = miniconda_path()) {
  file.exists(file.path(path, "bin", "conda"))
}

miniconda_url <- function() {
  url <- Sys.getenv("TANDEM_MINICONDA_URL")
  if (nzchar(url)) return(url)
  arch <- Sys.info()[["machine"]]
  os <- switch(Sys.info()[["sysname"]], Darwin = "MacOSX", Linux = "Linux", Windows = "Windows", "Linux")
  sprintf("https://repo.anaconda.com/miniconda/Miniconda3-latest-%s-%s.sh", os, arch)
}

#' @rdname install-python
#' @export
install_miniconda <- function(path = miniconda_path(), update = TRUE, force = FALSE) {
  if (miniconda_exists(path) && !isTRUE(force)) {
    stop(sprintf("Miniconda is already installed at '%s' (use force = TRUE to reinstall).", path), call. = FALSE)
  }
  installer <- tempfile(fileext = ".sh")
  on.exit(unlink(installer), add = TRUE)
  url <- miniconda_url()
  old <- options(timeout = env_timeout("download"))
  on.exit(options(old), add = TRUE)
  res <- suppressWarnings(tryCatch(utils::download.file(url, installer, mode = "wb", quiet = TRUE),
                                   error = function(e) e))
  if (inherits(res, "error") || !identical(res, 0L) || !file.exists(installer) || file.size(installer) == 0) {
    stop(structure(class = c("tandem_download_unavailable", "error", "condition"), list(
      message = sprintf("install_miniconda() could not download Miniconda from '%s'%s. It needs a network connection; use virtualenvs instead (virtualenv_create(), py_install()).",
                        url, if (inherits(res, "error")) paste0(": ", conditionMessage(res)) else ""),
      call = NULL)))
  }
  run_command("bash", c(shQuote(installer), "-b", if (force) "-u", "-p", shQuote(path)),
              "Installing Miniconda")
  if (isTRUE(update)) miniconda_update(path)
  invisible(path)
}

#' @rdname install-python
#' @export
miniconda_update <- function(path = miniconda_path()) {
  if (!miniconda_exists(path)) stop(sprintf("Miniconda is not installed at '%s'.", path), call. = FALSE)
  run_command(file.path(path, "bin", "conda"), c("update", "--yes", "--name", "base", "conda"),
              "Updating Miniconda")
  invisible(NULL)
}

#' @rdname install-python
#' @export
miniconda_uninstall <- function(path = miniconda_path()) {
  if (!miniconda_exists(path)) stop(sprintf("Miniconda is not installed at '%s'.", path), call. = FALSE)
  unlink(path, recursive = TRUE)
  invisible(NULL)
}
