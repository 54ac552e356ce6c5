# test-use-python.R: reticulate's rules for choosing Python (required requests and hints,
# RETICULATE_PYTHON, package load hooks) and its environment helpers that work offline
# (virtualenv_starter(), requirements files, condaenv_exists(), configure_environment()).

child_python <- function() {
  p <- Sys.getenv("TANDEM_PYTHON")
  if (!nzchar(p)) p <- tandem::py_config()$python
  p
}

# An Rscript child with tandem's library and none of the variables that choose Python.
run_choice <- function(code, env = character()) {
  f <- tempfile(fileext = ".R")
  writeLines(code, f)
  base <- c(paste0("R_LIBS=", Sys.getenv("R_LIBS")), "LANG=C.UTF-8", "LC_ALL=C.UTF-8",
            "TANDEM_PYTHON=", "VIRTUAL_ENV=", "TANDEM_CORE_PATH=", "TANDEM_HOST_PID=",
            "RETICULATE_PYTHON=", "RETICULATE_PYTHON_ENV=", "PATH=/usr/bin:/bin")
  out <- suppressWarnings(system2(file.path(R.home("bin"), "Rscript"), f, stdout = TRUE, stderr = TRUE,
                                  env = c(base, env), timeout = 180))
  list(out = paste(out, collapse = "\n"), status = attr(out, "status") %||% 0L)
}
`%||%` <- function(a, b) if (is.null(a)) b else a

test_that("use_*(required = FALSE) are hints: missing interpreters and environments are no error", {
  res <- run_choice(c(
    "library(tandem)",
    "stopifnot(is.null(use_python('/no/such/python', required = FALSE)))",
    "stopifnot(is.null(use_virtualenv('no-such-env-xyz', required = FALSE)))",
    "stopifnot(is.null(use_condaenv('no-such-env-xyz', conda = '/no/such/conda', required = FALSE)))",
    "stopifnot(is.null(use_miniconda('no-such-env-xyz', required = FALSE)))",
    "h <- use_python(Sys.getenv('HINT'), required = FALSE)",
    "cat('hint:', h, '\\n')",
    "cat('how:', py_config()$how, '\\n')",
    "cat('python:', py_config()$python, '\\n')",
    "x <- use_python('/usr/bin/python3', required = FALSE)",  # after the start: ignored
    "cat('after:', is.null(x), '\\n')",
    "e <- tryCatch(use_python('/usr/bin/python3'), error = conditionMessage)",
    "cat('required after:', e, '\\n')"
  ), env = paste0("HINT=", child_python()))
  expect_identical(res$status, 0L, info = res$out)
  expect_match(res$out, "how: use_python(required = FALSE)", fixed = TRUE)
  expect_match(res$out, paste0("python: ", child_python()), fixed = TRUE)
  expect_match(res$out, "after: TRUE", fixed = TRUE)
  expect_match(res$out, "required after: failed to initialize requested version of Python: Python is already running", fixed = TRUE)
})

test_that("a required request is checked at once; a second one replaces the first with a warning", {
  res <- run_choice(c(
    "library(tandem)",
    "e <- tryCatch(use_python('/no/such/python'), error = conditionMessage)",
    "cat('missing:', e, '\\n')",
    "e <- tryCatch(use_virtualenv('no-such-env-xyz'), error = conditionMessage)",
    "cat('venv:', e, '\\n')",
    "use_python('/usr/bin/python3')",
    "w <- tryCatch(use_python(Sys.getenv('WANT')), warning = conditionMessage)",
    "cat('warning:', w, '\\n')"
  ), env = paste0("WANT=", child_python()))
  expect_identical(res$status, 0L, info = res$out)
  expect_match(res$out, "missing: Specified version of python '/no/such/python' does not exist.", fixed = TRUE)
  expect_match(res$out, "venv: Virtual environment 'no-such-env-xyz' does not exist", fixed = TRUE)
  expect_match(res$out, "warning: The earlier request use_python(\"/usr/bin/python3\"", fixed = TRUE)
})

test_that("required = NULL is a hint inside a package's .onLoad/.onAttach, else required", {
  # reticulate decides by looking for runHook(".onLoad", ...) among the calls
  runHook <- function(hookName, env) use_python("/no/such/python", required = NULL)
  expect_null(runHook(".onLoad", globalenv()))
  expect_null(runHook(".onAttach", globalenv()))
  expect_error(runHook(".onUnload", globalenv()), "does not exist")
  expect_error(use_python("/no/such/python"), "does not exist")
  expect_error(use_python(child_python(), required = NA), "TRUE, FALSE or NULL")
})

test_that("RETICULATE_PYTHON and RETICULATE_PYTHON_ENV choose Python, after TANDEM_PYTHON", {
  code <- c("library(tandem)", "cat('how:', py_config()$how, '\\n')", "cat('python:', py_config()$python, '\\n')")
  res <- run_choice(code, env = paste0("RETICULATE_PYTHON=", child_python()))
  expect_identical(res$status, 0L, info = res$out)
  expect_match(res$out, "how: RETICULATE_PYTHON", fixed = TRUE)
  expect_match(res$out, paste0("python: ", child_python()), fixed = TRUE)
  venv <- dirname(dirname(child_python()))
  res <- run_choice(code, env = paste0("RETICULATE_PYTHON_ENV=", venv))
  expect_identical(res$status, 0L, info = res$out)
  expect_match(res$out, "how: RETICULATE_PYTHON_ENV", fixed = TRUE)
  # TANDEM_PYTHON wins over RETICULATE_PYTHON
  res <- run_choice(code, env = c("RETICULATE_PYTHON=/no/such/python", paste0("TANDEM_PYTHON=", child_python())))
  expect_identical(res$status, 0L, info = res$out)
  expect_match(res$out, "how: TANDEM_PYTHON", fixed = TRUE)
})

test_that("virtualenv_starter() finds runnable interpreters, newest first, filtered by version", {
  all <- virtualenv_starter(all = TRUE)
  expect_s3_class(all, "data.frame")
  expect_named(all, c("version", "path"))
  expect_gt(nrow(all), 0L)
  expect_true(all(file.exists(all$path)))
  expect_false(is.unsorted(rev(all$version)))
  running <- import("platform")$python_version()
  mm <- sub("^([0-9]+\\.[0-9]+).*$", "\\1", running)
  one <- virtualenv_starter(mm)
  expect_true(is.character(one) && file.exists(one))
  v <- system2(one, "-EV", stdout = TRUE, stderr = TRUE)
  expect_true(startsWith(sub("^Python ", "", v), paste0(mm, ".")))
  expect_null(virtualenv_starter(">=99"))
  expect_identical(virtualenv_starter(child_python()), child_python())  # a path is returned as is
  expect_error(virtualenv_starter("~3"), "unknown constraint")
})

test_that("py_write_requirements() and py_read_requirements() round-trip, and freeze lists installed packages", {
  dir <- withr::local_tempdir()
  withr::local_dir(dir)
  old <- py_require()
  withr::defer(py_require(old$packages, action = "set"))
  py_require("numpy", action = "add")
  res <- expect_message(py_write_requirements(quiet = FALSE), "Wrote 'requirements.txt'")
  expect_true(file.exists("requirements.txt") && file.exists(".python-version"))
  frozen <- py_write_requirements(NULL, NULL, freeze = TRUE)  # both NULL: returned visibly
  expect_true(any(startsWith(frozen$packages, "numpy==")))
  expect_match(frozen$python_version, "^3\\.[0-9]+\\.[0-9]+")
  expect_error(py_write_requirements(NULL, NULL, 1), "must be empty")
  writeLines(c("# pinned", "", "numpy>=1", "  requests  "), "req.txt")
  writeLines("3.11", "pv")
  read <- py_read_requirements("req.txt", "pv", action = "none")
  expect_identical(read, list(packages = c("numpy>=1", "requests"), python_version = "3.11"))
  expect_error(py_read_requirements("no-such-file.txt"), "does not exist")
  expect_null(py_read_requirements("req.txt", "no-version-file", action = "none")$python_version)
})

test_that("conda helpers without conda: condaenv_exists() is FALSE, the others say conda is missing", {
  expect_false(condaenv_exists("r-reticulate", conda = "/no/such/conda"))
  expect_error(conda_clone("x", conda = "/no/such/conda"), "does not exist")
  expect_error(conda_export("x", conda = "/no/such/conda"), "does not exist")
  expect_error(conda_search("numpy", conda = "/no/such/conda"), "does not exist")
  expect_error(conda_python("x", conda = "/no/such/conda"), "does not exist")
  expect_null(use_condaenv("x", conda = "/no/such/conda", required = FALSE))
  expect_false(configure_environment())
  expect_false(configure_environment("tandem", force = TRUE))
  expect_error(virtualenv_install("no-such-env-xyz"), "packages")
  expect_error(use_python_version("0.1"), "not installed with pyenv")
})

test_that("np_array() takes reticulate's argument name `data`", {
  a <- np_array(data = 1:3, dtype = "float64")
  expect_identical(py_to_r(a$tolist()), c(1, 2, 3))
  expect_identical(py_to_r(a$dtype$name), "float64")
})

test_that("py_require() returns reticulate's python_requirements, with exclude_newer recorded", {
  old <- py_require()
  expect_s3_class(old, "python_requirements")
  withr::defer(py_require(old$packages, action = "set"))
  r <- py_require("numpy", exclude_newer = "2025-01-01")
  expect_identical(py_require()$exclude_newer, "2025-01-01")
  expect_true("numpy" %in% py_require()$packages)
  expect_error(py_require("numpy", exclude_newer = 1), "single string")
  expect_output(print(py_require()), "numpy")
})

test_that("use_virtualenv() binds to a venv made without tandem (reticulate's test): the core is lent", {
  # python -m venv, as reticulate's own test does: nothing of tandem is installed in it
  base <- py_config()$base_executable
  venv <- file.path(tempfile("plain-venv-"))
  on.exit(unlink(venv, recursive = TRUE), add = TRUE)
  status <- system2(base, c("-m", "venv", "--without-pip", shQuote(venv)))
  expect_identical(status, 0L)
  venv <- normalizePath(venv)
  res <- run_choice(c(
    "tandem::use_virtualenv(Sys.getenv('VENV'), required = TRUE)",
    "sys <- tandem::import('sys')",
    "cat('exe:', sys$executable, '\\n')",
    "cat('site:', grep('site-packages', unlist(sys$path), value = TRUE), '\\n')",
    "cat('sum:', tandem::py_eval('sum([1, 2, 3])'), '\\n')",
    "cat('pythonpath:', Sys.getenv('PYTHONPATH', 'unset'), '\\n')"
  ), env = c(paste0("VENV=", venv), paste0("TANDEM_CORE_PYTHON=", child_python())))
  expect_identical(res$status, 0L, info = res$out)
  expect_match(res$out, paste0("exe: ", venv, "/bin/python"), fixed = TRUE)
  expect_match(res$out, paste0("site: ", venv, "/lib/"), fixed = TRUE)
  expect_match(res$out, "sum: 6", fixed = TRUE)
  # set only while Python starts: back to what the child inherited (run_choice() passes ours)
  expect_match(res$out, paste("pythonpath:", Sys.getenv("PYTHONPATH", "unset")), fixed = TRUE)
  expect_false(file.exists(file.path(venv, "lib", sprintf("python%s", py_config()$version), "site-packages", "tandem")))
})

test_that("the project in the working directory chooses Python as in reticulate: ./.venv, Poetry, then hints", {
  base <- py_config()$base_executable
  project <- tempfile("python-project-")
  dir.create(project)
  on.exit(unlink(project, recursive = TRUE), add = TRUE)
  project <- normalizePath(project)
  expect_identical(system2(base, c("-m", "venv", "--without-pip", shQuote(file.path(project, ".venv")))), 0L)
  core <- paste0("TANDEM_CORE_PYTHON=", child_python())
  # reticulate's own test: a pyproject.toml that is not Poetry's gives no warning about Poetry
  writeLines(c("[project]", 'name = "tandem-test"', 'version = "0.0.0"'), file.path(project, "pyproject.toml"))
  res <- run_choice(c(
    "setwd(Sys.getenv('PROJECT'))",
    "options(reticulate.poetry.exe = file.path(getwd(), 'missing-poetry'))",
    "library(tandem)",
    "h <- use_python(Sys.getenv('HINT'), required = FALSE)",  # a hint comes after the project
    "config <- py_config()",
    "cat('python:', config$python, '\\n')",
    "cat('forced:', config$forced, '\\n')",
    "cat('prefix:', py_eval('__import__(\"sys\").prefix'), '\\n')"
  ), env = c(paste0("PROJECT=", project), paste0("HINT=", child_python()), core))
  expect_identical(res$status, 0L, info = res$out)
  expect_match(res$out, paste0("python: ", project, "/.venv/bin/python"), fixed = TRUE)
  expect_match(res$out, "forced: './.venv' existing in the current working directory", fixed = TRUE)
  expect_match(res$out, paste0("prefix: ", project, "/.venv"), fixed = TRUE)
  expect_false(grepl("Poetry", res$out, fixed = TRUE))
  # a directory named pyproject.toml is no project file (and no error)
  dir.create(file.path(project, "sub", "pyproject.toml"), recursive = TRUE)
  res <- run_choice(c("setwd(file.path(Sys.getenv('PROJECT'), 'sub'))", "library(tandem)",
                      "cat('forced:', py_config()$forced, '\\n')"),
                    env = c(paste0("PROJECT=", project), paste0("HINT=", child_python()), core,
                            paste0("RETICULATE_PYTHON_FALLBACK=", child_python())))
  expect_identical(res$status, 0L, info = res$out)
  expect_match(res$out, "forced: RETICULATE_PYTHON_FALLBACK", fixed = TRUE)
  # a Poetry project without the poetry tool: reticulate's warning, then the next choice
  writeLines(c("[tool.poetry]", 'name = "tandem-test"'), file.path(project, "pyproject.toml"))
  res <- run_choice(c(
    "setwd(Sys.getenv('PROJECT'))",
    "options(reticulate.poetry.exe = file.path(getwd(), 'missing-poetry'))",
    "library(tandem)",
    "w <- NULL",
    "config <- withCallingHandlers(py_config(), warning = function(w) { w <<- conditionMessage(w); invokeRestart('muffleWarning') })",
    "cat('warning:', w, '\\n')",
    "cat('forced:', config$forced, '\\n')"
  ), env = c(paste0("PROJECT=", project), core))
  expect_identical(res$status, 0L, info = res$out)
  expect_match(res$out, "warning: This project appears to use Poetry", fixed = TRUE)
  expect_match(res$out, "forced: './.venv' existing in the current working directory", fixed = TRUE)
  # RETICULATE_PYTHON_FALLBACK when no project, hint or r-reticulate comes before it
  unlink(file.path(project, c(".venv", "pyproject.toml")), recursive = TRUE)
  res <- run_choice(c(
    "setwd(Sys.getenv('PROJECT'))",
    "library(tandem)",
    "cat('forced:', py_config()$forced, '\\n')"
  ), env = c(paste0("PROJECT=", project), paste0("RETICULATE_PYTHON_FALLBACK=", child_python()), core,
             "WORKON_HOME=/nonexistent"))
  expect_identical(res$status, 0L, info = res$out)
  expect_match(res$out, "forced: RETICULATE_PYTHON_FALLBACK", fixed = TRUE)
})

test_that("import('bar') starts Python in a virtualenv 'r-bar'; delay_load's environment = names one (reticulate)", {
  base <- py_config()$base_executable
  home <- tempfile("workon-")
  dir.create(home)
  on.exit(unlink(home, recursive = TRUE), add = TRUE)
  home <- normalizePath(home)
  for (env in c("r-json", "r-mine")) {
    expect_identical(system2(base, c("-m", "venv", "--without-pip", shQuote(file.path(home, env)))), 0L)
  }
  core <- paste0("TANDEM_CORE_PYTHON=", child_python())
  res <- run_choice(c(
    "setwd(tempdir())",
    "library(tandem)",
    "json <- import('json')",
    "cat('forced:', py_config()$forced, '\\n')",
    "cat('prefix:', import('sys')$prefix, '\\n')"
  ), env = c(paste0("WORKON_HOME=", home), core))
  expect_identical(res$status, 0L, info = res$out)
  expect_match(res$out, 'forced: import("json")', fixed = TRUE)
  expect_match(res$out, paste0("prefix: ", home, "/r-json"), fixed = TRUE)
  res <- run_choice(c(
    "setwd(tempdir())",
    "library(tandem)",
    "m <- import('math', delay_load = list(environment = 'r-mine'))",
    "os <- import('os')",  # starts Python: the delayed import's environment comes first
    "cat('prefix:', import('sys')$prefix, '\\n')",
    "cat('forced:', py_config()$forced, '\\n')",
    "cat('sqrt:', m$sqrt(4), '\\n')"
  ), env = c(paste0("WORKON_HOME=", home), core))
  expect_identical(res$status, 0L, info = res$out)
  expect_match(res$out, paste0("prefix: ", home, "/r-mine"), fixed = TRUE)
  expect_match(res$out, 'forced: import("math")', fixed = TRUE)  # reticulate names the module
  expect_match(res$out, "sqrt: 2", fixed = TRUE)
})
