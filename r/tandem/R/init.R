# init.R: finding Python, loading libpython and the one native core, lazily, once.

# Entry points of the core (NativeSymbol pointers), filled when Python starts
# (.state$running is TRUE from then on). Before, they are bindings that start Python when
# read (lazy_ffi()): a Python object restored by readRDS() in a new session then meets the
# core's own error.
.ffi <- new.env(parent = emptyenv())
# The names of the core's table (cpp/module.cpp); ensure_python() checks that they agree.
.ffi_lazy <- c("call", "last_error", "call_ref", "getattr", "setattr", "delattr", "hasattr", "getitem",
               "setitem", "delitem", "contains", "len", "str", "repr", "bool", "id", "is_null_xptr",
               "weak_handle", "dir", "set_convert", "get_convert", "import", "builtins", "main", "run",
               "r_to_py", "py_to_r", "tuple", "dict", "none", "op", "iter", "iter_next", "set_last_error",
               "condition_to_py", "register", "set_class_filter")
lazy_ffi <- function() {
  for (name in .ffi_lazy) {
    makeActiveBinding(name, local({
      n <- name
      function(value) {
        if (!missing(value)) stop("tandem internal error (init.R): .ffi is set when Python starts", call. = FALSE)
        ensure_python()
        get(n, envir = .ffi, inherits = FALSE)
      }
    }), .ffi)
  }
}
.state <- new.env(parent = emptyenv())

python_info_script <- paste(
  "import sys, os, sysconfig, importlib.util",
  "print(sys.executable)",
  "print(sys.version.split()[0])",
  "shared = sysconfig.get_config_var('Py_ENABLE_SHARED')",
  "lib = sysconfig.get_config_var('INSTSONAME') or sysconfig.get_config_var('LDLIBRARY') or ''",
  "cands = [os.path.join(d, lib) for d in (sysconfig.get_config_var('LIBDIR') or '', os.path.join(sys.base_prefix, 'lib')) if d]",
  "print(next((c for c in cands if os.path.exists(c)), '') if shared else '')",
  "spec = importlib.util.find_spec('tandem')",
  "locs = list(spec.submodule_search_locations or []) if spec else []",
  "core = [os.path.join(d, f) for d in locs if os.path.isdir(d) for f in sorted(os.listdir(d)) if f.startswith('_core') and f.endswith('.so')]",
  "print(core[0] if core else '')",
  sep = "\n"
)

#' Choose the Python interpreter
#'
#' Names the Python executable tandem starts on first use. As in reticulate, a request is
#' either required or a hint:
#'
#' * `required = TRUE`: this Python is used (it takes precedence over `TANDEM_PYTHON`,
#'   `RETICULATE_PYTHON`, a virtualenv and `python3` on the `PATH`); a path that does not
#'   exist is an error, and so is a different Python when one is already running (Python
#'   starts once per process). A later required request replaces an earlier one, with a
#'   warning.
#' * `required = FALSE`: a hint. Nothing is checked and nothing fails: the first hinted
#'   Python that exists is used when no required one was named, `TANDEM_PYTHON` /
#'   `RETICULATE_PYTHON` are unset and no virtualenv is active or in the working directory
#'   (reticulate's order); once Python runs, hints are ignored.
#' * `required = NULL` (the default) is `TRUE`, except inside a package's `.onLoad()` or
#'   `.onAttach()`, where it is `FALSE` (a package should not decide for its user).
#'
#' @param python Path of a Python 3 executable that has the `tandem` package installed.
#' @param required `TRUE`, `FALSE` or `NULL`, as above.
#' @return The normalized path, invisibly (`NULL` for a hint that does not exist or comes
#'   after Python started).
#' @export
use_python <- function(python, required = NULL) {
  check_string(python, "python")
  required <- resolve_required(required)
  python <- sub("[/\\\\]+$", "", path.expand(python))
  if (!required) {
    if (isTRUE(.state$running) || !file.exists(python)) return(invisible(NULL))
    path <- file.path(normalizePath(dirname(python)), basename(python))
    .state$hints <- unique(c(.state$hints, path))
    return(invisible(path))
  }
  if (!file.exists(python)) stop(sprintf("Specified version of python '%s' does not exist.", python), call. = FALSE)  # reticulate's words
  # Not the symlink's target: a virtualenv's bin/python links to the base interpreter, and
  # only the link's own path makes Python start in the virtualenv.
  path <- file.path(normalizePath(dirname(python)), basename(python))
  if (isTRUE(.state$running)) {
    same <- identical(file.path(normalizePath(dirname(.state$python), mustWork = FALSE), basename(.state$python)), path) ||
      identical(normalizePath(.state$python, mustWork = FALSE), normalizePath(python))
    if (!same) {
      stop(sprintf(paste0(
        "failed to initialize requested version of Python: ",  # reticulate's message, then why
        "Python is already running in this process ('%s'); it cannot be replaced by '%s'. ",
        "Restart R and call use_python() before anything else."), .state$python, python), call. = FALSE)
    }
    return(invisible(path))
  }
  prior <- .state$requested
  if (!is.null(prior) && !identical(normalizePath(prior, mustWork = FALSE), normalizePath(path, mustWork = FALSE))) {
    warning(sprintf("The earlier request use_python(\"%s\", required = TRUE) is replaced by use_python(\"%s\").",
                    prior, path), call. = FALSE)
  }
  .state$requested <- path
  .state$requested_how <- NULL
  invisible(path)
}

# reticulate's rule for `required = NULL`: TRUE, except while a package's .onLoad/.onAttach runs.
resolve_required <- function(required) {
  if (is.null(required)) return(!is_package_loading(sys.calls()))
  if (!is.logical(required) || length(required) != 1L || is.na(required)) {
    stop("`required` must be TRUE, FALSE or NULL.", call. = FALSE)
  }
  required
}

is_package_loading <- function(calls) {
  for (cl in calls) {
    if (length(cl) < 2L || !identical(cl[[1L]], as.name("runHook"))) next
    hook <- cl[[2L]]
    if (is.symbol(hook)) hook <- as.character(hook)
    if (is.character(hook) && hook %in% c(".onLoad", ".onAttach")) return(TRUE)
  }
  FALSE
}

# Which Python, in reticulate's order of discovery (its vignette "versions"): use_python(),
# TANDEM_PYTHON, RETICULATE_PYTHON(_ENV), an active virtualenv, the project in the working
# directory (Poetry, pipenv, a venv directory), environments named by
# import(delay_load = list(environment = )), use_python() hints, a virtualenv "r-<module>"
# for the module whose import() starts Python or was delayed, RETICULATE_PYTHON_FALLBACK,
# the virtualenv "r-reticulate", py_require()'s cached environment, python3 on PATH.
find_python <- function() {
  if (!is.null(.state$requested)) return(list(path = .state$requested, how = .state$requested_how %||% "use_python()"))
  env <- Sys.getenv("TANDEM_PYTHON")
  if (nzchar(env)) return(list(path = env, how = "TANDEM_PYTHON"))
  env <- Sys.getenv("RETICULATE_PYTHON")
  if (nzchar(env)) return(list(path = path.expand(env), how = "RETICULATE_PYTHON"))
  env <- Sys.getenv("RETICULATE_PYTHON_ENV")
  if (nzchar(env)) return(list(path = file.path(path.expand(env), "bin", "python"), how = "RETICULATE_PYTHON_ENV"))
  venv <- Sys.getenv("VIRTUAL_ENV")
  if (nzchar(venv)) {
    p <- file.path(venv, "bin", "python")
    if (file.exists(p)) return(list(path = p, how = "VIRTUAL_ENV"))
  }
  project <- project_python()
  if (!is.null(project)) return(project)
  imports <- .state$delay_load_imports
  named <- !is.na(imports$environment)
  found <- first_virtualenv(imports$environment[named], sprintf('import("%s")', imports$module[named]))
  if (!is.null(found)) return(found)
  for (p in .state$hints) if (file.exists(p)) return(list(path = p, how = "use_python(required = FALSE)"))
  modules <- unique(c(.state$starting_module, imports$module))
  found <- first_virtualenv(sprintf("r-%s", modules), sprintf('import("%s")', modules))
  if (!is.null(found)) return(found)
  env <- Sys.getenv("RETICULATE_PYTHON_FALLBACK")
  if (nzchar(env)) return(list(path = path.expand(env), how = "RETICULATE_PYTHON_FALLBACK"))
  found <- first_virtualenv("r-reticulate", "the virtualenv 'r-reticulate'")
  if (!is.null(found)) return(found)
  # No interpreter chosen: py_require() declarations get a cached environment (envs.R).
  if (length(.state$requirements) || !is.null(.state$python_version)) {
    return(list(path = required_env_python(), how = "py_require()"))
  }
  p <- Sys.which("python3")
  if (nzchar(p)) return(list(path = unname(p), how = "python3 on PATH"))
  list(path = "", how = "none")
}

# The Python of the first of `envnames` (names or paths, as virtualenv_path() takes them)
# that is a virtualenv, with `how` (one per name) saying why; NULL when none is.
first_virtualenv <- function(envnames, how) {
  for (i in seq_along(envnames)) {
    dir <- virtualenv_path(envnames[[i]])
    if (is_venv_dir(dir)) return(list(path = file.path(dir, "bin", "python"), how = how[[i]]))
  }
  NULL
}

# The Python of the project in the working directory, as reticulate finds it: Poetry's
# environment for a pyproject.toml with a [tool.poetry] table (the `poetry` tool asked
# where; a warning and no choice when it is missing), pipenv's for a Pipfile, else a
# virtualenv directory named venv, virtualenv, .venv or .virtualenv. NULL when none.
# The options reticulate.poetry.project, reticulate.poetry.exe and
# reticulate.pipenv.pipfile name other places, as in reticulate.
project_python <- function() {
  project <- getOption("reticulate.poetry.project") %||% getwd()
  projfile <- file.path(project, "pyproject.toml")
  if (utils::file_test("-f", projfile) &&
      any(grepl("^\\s*\\[tool\\.poetry[].]", readLines(projfile, warn = FALSE)))) {
    poetry <- getOption("reticulate.poetry.exe") %||% Sys.which("poetry")
    if (!nzchar(poetry) || !file.exists(poetry)) {
      warning("This project appears to use Poetry for Python dependency management (",
              projfile, "), but the 'poetry' command line tool is not available; ",
              "tandem will not use its environment. Put 'poetry' on the PATH.", call. = FALSE)
    } else {
      envpath <- run_in_dir(project, poetry, c("env", "info", "--path"))
      if (length(envpath) && is_venv_dir(envpath[[1]])) {
        return(list(path = file.path(envpath[[1]], "bin", "python"), how = "Poetry"))
      }
    }
  }
  pipfile <- getOption("reticulate.pipenv.pipfile") %||% file.path(getwd(), "Pipfile")
  if (file.exists(pipfile) && nzchar(pipenv <- Sys.which("pipenv"))) {
    envpath <- run_in_dir(dirname(pipfile), pipenv, "--venv")
    if (length(envpath) && is_venv_dir(envpath[[1]])) {
      return(list(path = file.path(envpath[[1]], "bin", "python"), how = "Pipfile"))
    }
  }
  for (dir in c("./venv", "./virtualenv", "./.venv", "./.virtualenv")) {
    if (is_venv_dir(dir)) {
      return(list(path = file.path(normalizePath(dir), "bin", "python"),
                  how = sprintf("'%s' existing in the current working directory", dir)))
    }
  }
  NULL
}

# The standard output of a command run in `dir`; character() when it fails.
run_in_dir <- function(dir, command, args) {
  owd <- setwd(dir)
  on.exit(setwd(owd), add = TRUE)
  out <- suppressWarnings(tryCatch(system2(command, args, stdout = TRUE, stderr = FALSE),
                                   error = function(e) character()))
  if (!is.null(attr(out, "status")) && attr(out, "status") != 0L) character() else trimws(out)
}

python_missing_error <- function(msg) {
  structure(
    class = c("tandem_python_not_found", "error", "condition"),
    list(message = msg, call = NULL)
  )
}

ensure_python <- function() {
  if (isTRUE(.state$running)) return(invisible(TRUE))
  core <- Sys.getenv("TANDEM_CORE_PATH")
  borrowed_path <- NULL  # set when the core is borrowed (borrow_core())
  hosted <- nzchar(core) && identical(Sys.getenv("TANDEM_HOST_PID"), as.character(Sys.getpid()))
  if (hosted && file.exists(core)) {
    # Python hosts this R: attach to the core Python already loaded.
    python <- Sys.getenv("TANDEM_PYTHON")
    libpython <- NA_character_
    how <- "the Python that hosts this R process"
    version <- NA_character_
  } else {
    found <- find_python()
    python <- found$path
    how <- found$how
    if (!nzchar(python) || !file.exists(python)) {
      stop(python_missing_error(paste0(
        "tandem could not find Python (tried ", how,
        if (nzchar(python)) paste0(": '", python, "'"), "). ",
        "Set TANDEM_PYTHON to a Python 3 executable with tandem installed, or activate its virtualenv."
      )))
    }
    out <- suppressWarnings(tryCatch(
      system2(python, c("-c", shQuote(python_info_script)), stdout = TRUE, stderr = TRUE),
      error = function(e) structure(conditionMessage(e), status = 127L)
    ))
    status <- attr(out, "status")
    if (!is.null(status) && status != 0L || length(out) < 4L) {
      stop(python_missing_error(paste0(
        "tandem could not run Python '", python, "' (", how, "): ",
        paste(out, collapse = "\n")
      )))
    }
    python <- out[[1]]
    version <- out[[2]]
    libpython <- out[[3]]
    core <- out[[4]]
    if (!nzchar(libpython)) {
      stop(python_missing_error(paste0(
        "Python '", python, "' (", how, ") has no shared libpython; ",
        "tandem needs a Python built with --enable-shared."
      )))
    }
    if (!nzchar(core)) {
      # A Python without tandem (a venv or system Python made for reticulate) of the core's
      # own version and ABI: it loads the core of the Python that has it.
      borrowed <- borrow_core(python)
      if (is.null(borrowed)) {
        stop(python_missing_error(paste0(
          "Python '", python, "' (", how, ") does not have the tandem package installed, and no ",
          "Python of its version with tandem was found to lend it (TANDEM_CORE_PYTHON, TANDEM_PYTHON). ",
          "Install it with: '", python, "' -m pip install <path to the tandem checkout>, ",
          "or set TANDEM_PYTHON to a Python that has it."
        )))
      }
      core <- borrowed$core
      borrowed_path <- borrowed$dir
    }
    if (!is.null(.state$libpython) && !identical(.state$libpython, libpython)) {
      stop("tandem already loaded Python from '", .state$libpython, "'; a second, different Python ('",
           libpython, "') cannot be loaded into the same process.", call. = FALSE)
    }
    dyn.load(libpython, local = FALSE, now = TRUE)
  }
  dll <- dyn.load(core, local = TRUE, now = TRUE)
  init <- getNativeSymbolInfo("tandem_init_python", dll)
  if (!is.null(borrowed_path)) {
    # the borrowed `tandem` package is found through PYTHONPATH while Python starts
    old_path <- Sys.getenv("PYTHONPATH", unset = NA)
    Sys.setenv(PYTHONPATH = paste(c(borrowed_path, if (!is.na(old_path) && nzchar(old_path)) old_path), collapse = ":"))
    on.exit(if (is.na(old_path)) Sys.unsetenv("PYTHONPATH") else Sys.setenv(PYTHONPATH = old_path), add = TRUE)
  }
  syms <- .Call(init, python)
  if (!setequal(.ffi_lazy, names(syms))) {
    stop("tandem internal error (init.R): the core's entry points (", paste(sort(names(syms)), collapse = ", "),
         ") are not .ffi_lazy's", call. = FALSE)
  }
  rm(list = intersect(ls(.ffi, all.names = TRUE), names(syms)), envir = .ffi)  # the lazy bindings
  list2env(as.list(syms), envir = .ffi)
  .state$running <- TRUE
  .state$python <- python
  if (!hosted && is.null(borrowed_path)) remember_core_python(python)
  .state$how <- how
  .state$libpython <- libpython
  .state$core <- core
  .state$version <- version
  .Call(.ffi$register, function(x) r_to_py(x), get(".__S3MethodsTable__.", envir = asNamespace("tandem")))
  # delay.R: `r` in __main__, class filters, module load hooks
  tryCatch(on_python_started(), error = function(e) {
    warning("tandem could not finish setting up Python: ", conditionMessage(e), call. = FALSE)
  })
  check_declared_requirements(how)
  run_init_callbacks()
  invisible(TRUE)
}

# The core of the Python that has tandem (envs.R's core_facts()) for `python`, which has not:
# list(core = the core's path, dir = a private directory holding only a `tandem` link to
# its package, for sys.path), or NULL when there is none or `python` cannot load it (another
# version or ABI). Nothing is installed into `python`'s environment.
borrow_core <- function(python) {
  donor <- tryCatch(core_facts(), error = function(e) NULL)
  if (is.null(donor) || !nzchar(donor$core_dir)) return(NULL)
  target <- tryCatch(python_facts(python), error = function(e) NULL)
  if (is.null(target) || !(donor$core_suffix %in% target$suffixes)) return(NULL)
  dir <- file.path(tempdir(), "tandem-borrowed-core")
  dir.create(dir, showWarnings = FALSE)
  link <- file.path(dir, "tandem")
  linked <- Sys.readlink(link)  # NA when there is no such file
  if ((is.na(linked) || !nzchar(linked)) && !file.symlink(donor$core_dir, link)) return(NULL)
  list(core = file.path(donor$core_dir, paste0("_core", donor$core_suffix)), dir = dir)
}

# As reticulate, once Python is up: the callback in option
# `reticulate.python.afterInitialized` (else `reticulate.initialized`), then every function
# registered with setHook("reticulate.onPyInit", f) (a character hook names a function).
# Their errors are errors of the call that started Python.
run_init_callbacks <- function() {
  callback <- getOption("reticulate.python.afterInitialized")
  if (is.null(callback)) callback <- getOption("reticulate.initialized")
  if (is.function(callback)) callback()
  hooks <- getHook("reticulate.onPyInit")
  if (!is.list(hooks)) hooks <- list(hooks)
  for (fun in hooks) {
    if (is.character(fun)) fun <- get(fun)
    fun()
  }
  invisible(NULL)
}

#' Python configuration used by tandem
#'
#' Finds and starts Python if needed (the `TANDEM_PYTHON` environment variable, else
#' an active virtualenv, else the project's in the working directory (a `.venv`, Poetry,
#' pipenv), else `python3` on the `PATH`: reticulate's order) and describes it, with the fields
#' of reticulate's `py_config()`.
#'
#' @return A list of classes `tandem_py_config` and `py_config`, as reticulate's:
#'   `python` (the executable), `libpython`, `pythonhome` (`prefix:exec_prefix`),
#'   `pythonpath` (`sys.path`, joined with `:`), `prefix`, `exec_prefix`,
#'   `base_exec_prefix`, `virtualenv` (its directory, `""` if none),
#'   `virtualenv_activate`, `executable` and `base_executable` (`sys.executable`,
#'   `sys._base_executable`), `version_string` (`sys.version`), `version` (major.minor, a
#'   [package_version()], so `py_config()$version >= "3.9"` compares versions),
#'   `architecture`, `anaconda` and `conda` (a conda environment), `numpy` (`NULL`
#'   without NumPy, else a list of its `path` and `version`), `required_module`,
#'   `required_module_path`, `available` (`TRUE`: Python runs), `python_versions`,
#'   `forced` (how Python was chosen); and tandem's own `core` (the path of its native
#'   core), `how` (the same as `forced`) and `host` (`"r"` when R started Python,
#'   `"python"` when Python hosts R).
#' @export
#' @examples
#' \dontrun{
#' py_config()
#' py_config()$version >= "3.9"
#' }
py_config <- function() {
  ensure_python()
  facts <- py_run_string(python_config_code, local = TRUE)$tandem_config
  python_config_list(facts, python = .state$python, libpython = .state$libpython, core = .state$core,
                     how = .state$how, available = TRUE,
                     host = if (identical(Sys.getenv("TANDEM_HOST_PID"), as.character(Sys.getpid()))) "python" else "r")
}

# The facts of py_config() about a Python, as a dict `tandem_config` (run in that Python, or
# in a subprocess by py_discover_config(), which prints them as "name<TAB>value" lines).
# NumPy is found, not imported.
python_config_code <- paste(
  "import sys, os, platform, importlib.util",
  "tandem_config = dict(prefix=sys.prefix, exec_prefix=sys.exec_prefix, base_prefix=sys.base_prefix,",
  "    base_exec_prefix=getattr(sys, 'base_exec_prefix', sys.exec_prefix), executable=sys.executable,",
  "    base_executable=getattr(sys, '_base_executable', sys.executable), pythonpath=os.pathsep.join(sys.path),",
  "    version_string=sys.version, version='%d.%d' % sys.version_info[:2], architecture=platform.architecture()[0])",
  "try:",
  "    _spec = importlib.util.find_spec('numpy')",
  "except Exception:",
  "    _spec = None",
  "if _spec is not None and _spec.origin:",
  "    tandem_config['numpy_path'] = os.path.dirname(_spec.origin)",
  "    try:",
  "        from importlib.metadata import version as _version",
  "        tandem_config['numpy_version'] = _version('numpy')",
  "    except Exception:",
  "        pass",
  sep = "\n"
)

python_config_list <- function(facts, python, libpython, core, how, available, host) {
  prefix <- facts$prefix
  activate <- file.path(dirname(python), "activate_this.py")
  numpy <- NULL
  if (!is.null(facts$numpy_path)) {
    v <- sub("^([0-9]+(\\.[0-9]+)*).*$", "\\1", facts$numpy_version %||% "0")
    numpy <- list(path = facts$numpy_path, version = numeric_version(v))
  }
  conda <- dir.exists(file.path(prefix, "conda-meta"))
  structure(
    list(
      python = python,
      libpython = libpython,
      pythonhome = paste(prefix, facts$exec_prefix, sep = ":"),
      pythonpath = facts$pythonpath,
      prefix = prefix,
      exec_prefix = facts$exec_prefix,
      base_exec_prefix = facts$base_exec_prefix,
      virtualenv = if (!identical(prefix, facts$base_prefix)) prefix else "",
      virtualenv_activate = if (file.exists(activate)) activate else "",
      executable = facts$executable,
      base_executable = facts$base_executable,
      version_string = facts$version_string,
      version = package_version(facts$version),
      architecture = facts$architecture,
      anaconda = conda && file.exists(file.path(prefix, "bin", "conda")),
      conda = conda,
      numpy = numpy,
      required_module = NULL,
      required_module_path = NULL,
      available = available,
      python_versions = python,
      forced = how,
      core = core,
      how = how,
      host = host
    ),
    class = c("tandem_py_config", "py_config")
  )
}

#' @export
print.tandem_py_config <- function(x, ...) {
  cat("python:         ", x$python, "\n", sep = "")
  cat("libpython:      ", if (is.na(x$libpython %||% NA)) "[NOT FOUND]" else x$libpython, "\n", sep = "")
  cat("pythonhome:     ", x$pythonhome, "\n", sep = "")
  if (nzchar(x$virtualenv)) cat("virtualenv:     ", x$virtualenv, "\n", sep = "")
  cat("version:        ", gsub("\n", " ", x$version_string), "\n", sep = "")
  if (is.null(x$numpy)) {
    cat("numpy:           [NOT FOUND]\n")
  } else {
    cat("numpy:          ", x$numpy$path, "\n", sep = "")
    cat("numpy_version:  ", as.character(x$numpy$version), "\n", sep = "")
  }
  if (!is.null(x$required_module)) {
    cat(sprintf("%-16s", paste0(x$required_module, ":")),
        if (is.null(x$required_module_path)) "[NOT FOUND]" else x$required_module_path, "\n", sep = "")
  }
  cat("core:           ", x$core, "\n", sep = "")
  cat("found by:       ", x$how, "\n", sep = "")
  cat("host:           ", x$host, "\n", sep = "")
  invisible(x)
}

#' Is Python available?
#'
#' @param initialize If `TRUE`, try to find and start Python first.
#' @return `TRUE` if Python is running in this process and reachable by tandem.
#' @export
py_available <- function(initialize = FALSE) {
  if (isTRUE(.state$running)) return(TRUE)
  if (isTRUE(initialize)) {
    return(tryCatch({
      ensure_python()
      TRUE
    }, error = function(e) FALSE))
  }
  FALSE
}

.onLoad <- function(libname, pkgname) {
  ns <- asNamespace(pkgname)
  if (!isTRUE(.state$running)) lazy_ffi()
  assign("py", delayed_module("__main__", convert = TRUE), envir = ns)
  # knitr's python engine is tandem's: now if knitr is loaded, else when it loads.
  setHook(packageEvent("knitr", "onLoad"), function(...) register_knitr_engine())
  if (isNamespaceLoaded("knitr")) register_knitr_engine()
  # reticulate in the same session: each package's objects keep their own S3 methods.
  setHook(packageEvent("reticulate", "onLoad"), function(...) coexist_with_reticulate())
  setHook(packageEvent("reticulate", "attach"), function(...) delegate_reticulate())
  if (isNamespaceLoaded("reticulate")) coexist_with_reticulate()
  # pillar::type_sum() for Python objects (tibbles, rlang traces), registered when pillar
  # loads: pillar is not a dependency.
  setHook(packageEvent("pillar", "onLoad"), function(...) register_type_sum())
  if (isNamespaceLoaded("pillar")) register_type_sum()
}

register_type_sum <- function() {
  registerS3method("type_sum", "python.builtin.object", type_sum_python, envir = asNamespace("pillar"))
}

# As reticulate (NEWS 1.29): the object's full Python class name, as its first S3 class.
type_sum_python <- function(x) {
  s <- class(x)[[1L]]
  if (startsWith(s, "R6type.")) s <- substr(s, 8L, nchar(s))
  s
}
