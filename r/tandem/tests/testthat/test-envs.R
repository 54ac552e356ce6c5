# test-envs.R: virtualenvs, py_install(), py_require() and the conda/installer errors.
# No network: packages come from a wheel each test builds itself, pip runs with --no-index.

core_python <- function() {
  p <- Sys.getenv("TANDEM_PYTHON")
  if (!nzchar(p)) p <- tandem::py_config()$python
  p
}

# Writes a local package (<dir>/src/<name>/__init__.py) and builds it into
# <name>-<version>-py3-none-any.whl in `dir`: the package files plus the dist-info
# (METADATA, WHEEL, RECORD with hashes) that a build backend writes. Returns the wheel.
build_demo_wheel <- function(dir, version = "0.1.0", name = "tandemdemo") {
  src <- file.path(dir, "src", name)
  dir.create(src, recursive = TRUE, showWarnings = FALSE)
  writeLines(c(sprintf("VERSION = \"%s\"", version), "def hello(who):",
               sprintf("    return \"hello \" + who + \" from %s\"", name)),
             file.path(src, "__init__.py"))
  script <- sprintf('
import base64, hashlib, os, sys, zipfile
name, version, root, out = "%s", "%s", sys.argv[1], sys.argv[2]
files = {}
for folder, _, names in os.walk(os.path.join(root, name)):
    for n in names:
        full = os.path.join(folder, n)
        with open(full, "rb") as fh:
            files[os.path.relpath(full, root)] = fh.read()
info = f"{name}-{version}.dist-info"
files[f"{info}/METADATA"] = f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n".encode()
files[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\\nGenerator: tandem-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"
lines = []
for path, data in files.items():
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    lines.append(f"{path},sha256={digest},{len(data)}")
lines.append(f"{info}/RECORD,,")
wheel = os.path.join(out, f"{name}-{version}-py3-none-any.whl")
with zipfile.ZipFile(wheel, "w") as z:
    for path, data in files.items():
        z.writestr(path, data)
    z.writestr(f"{info}/RECORD", "\\n".join(lines) + "\\n")
print(wheel)
', name, version)
  f <- tempfile(fileext = ".py")
  writeLines(script, f)
  out <- system2(core_python(), c(f, shQuote(file.path(dir, "src")), shQuote(dir)), stdout = TRUE)
  out[[length(out)]]
}

# Runs R code in a child R process (this session's Python is already running).
run_child_r <- function(code, env = character()) {
  f <- tempfile(fileext = ".R")
  writeLines(code, f)
  base <- c(paste0("R_LIBS=", Sys.getenv("R_LIBS")), "LANG=C.UTF-8", "LC_ALL=C.UTF-8")
  out <- suppressWarnings(system2(file.path(R.home("bin"), "Rscript"), f, stdout = TRUE, stderr = TRUE,
                                  env = c(base, env), timeout = 300))
  list(out = paste(out, collapse = "\n"), status = attr(out, "status") %||% 0L)
}
`%||%` <- function(a, b) if (is.null(a)) b else a
clean_env <- c("TANDEM_PYTHON=", "VIRTUAL_ENV=", "TANDEM_CORE_PATH=", "TANDEM_HOST_PID=")

test_that("a virtualenv is created, gets a locally built wheel, is imported from R, listed and removed", {
  tandem::py_available(TRUE)
  root <- withr::local_tempdir()
  withr::local_envvar(WORKON_HOME = root)
  wheels <- withr::local_tempdir()
  wheel <- build_demo_wheel(wheels)

  expect_false(virtualenv_exists("r-demo"))
  path <- virtualenv_create("r-demo")
  expect_equal(normalizePath(path), normalizePath(file.path(root, "r-demo")))
  expect_true(virtualenv_exists("r-demo"))
  expect_identical(virtualenv_list(), "r-demo")
  expect_equal(virtualenv_python("r-demo"), file.path(root, "r-demo", "bin", "python"))
  expect_equal(virtualenv_root(), root)

  py_install(wheel, envname = "r-demo", pip_options = "--no-index")
  pkgs <- py_list_packages("r-demo")
  expect_s3_class(pkgs, "data.frame")
  expect_identical(pkgs$version[pkgs$package == "tandemdemo"], "0.1.0")
  expect_identical(pkgs$requirement[pkgs$package == "tandemdemo"], "tandemdemo==0.1.0")

  # Another R process starts Python in the environment: the core loads, the package imports.
  res <- run_child_r(c(
    "library(tandem)",
    "use_virtualenv('r-demo')",
    "m <- import('tandemdemo')",
    "cat(m$hello('R'), '\\n')",
    "cfg <- py_config()",
    "cat('prefix:', import('sys')$prefix, '\\n')",
    "cat('how:', cfg$how, '\\n')"
  ), env = c(clean_env, paste0("WORKON_HOME=", root)))
  expect_identical(res$status, 0L, info = res$out)
  expect_match(res$out, "hello R from tandemdemo", fixed = TRUE)
  expect_match(res$out, paste("prefix:", normalizePath(file.path(root, "r-demo"))), fixed = TRUE)
  expect_match(res$out, "how: use_virtualenv()", fixed = TRUE)

  virtualenv_remove("r-demo", packages = "tandemdemo", confirm = FALSE)
  expect_false("tandemdemo" %in% py_list_packages("r-demo")$package)
  virtualenv_remove("r-demo", confirm = FALSE)
  expect_false(virtualenv_exists("r-demo"))
  expect_identical(virtualenv_list(), character())
  expect_error(virtualenv_python("r-demo"), "does not exist")
  expect_error(virtualenv_remove("r-demo", confirm = FALSE), "does not exist")
})

test_that("py_install() into a missing package source fails with pip's message, not a hang", {
  tandem::py_available(TRUE)
  root <- withr::local_tempdir()
  withr::local_envvar(WORKON_HOME = root)
  virtualenv_create("r-empty")
  expect_error(py_install("surely-not-a-package-xyz", envname = "r-empty", pip_options = "--no-index"),
               "Installing surely-not-a-package-xyz with pip failed")
})

test_that("py_require(): conflicting requests are an error naming both", {
  # before Python starts, in a child process
  res <- run_child_r(c(
    "library(tandem)",
    "py_require('demo-pkg>=2')",
    "py_require(c('other', 'demo_pkg==2.5'))",
    "r <- tryCatch(py_require('Demo.Pkg==1.4'), error = function(e) e)",
    "cat(class(r)[1], conditionMessage(r), '\\n')",
    "r2 <- tryCatch(py_require('demo-pkg<2'), error = function(e) conditionMessage(e))",
    "cat(r2, '\\n')",
    "print(py_require())"
  ), env = clean_env)
  expect_identical(res$status, 0L, info = res$out)
  expect_match(res$out, "tandem_requirement_conflict", fixed = TRUE)
  expect_match(res$out, "'demo-pkg>=2' was requested, and now 'Demo.Pkg==1.4'", fixed = TRUE)
  expect_match(res$out, "'demo-pkg>=2' was requested, and now 'demo-pkg<2'", fixed = TRUE)
  expect_match(res$out, "  demo_pkg==2.5", fixed = TRUE)
  expect_false(grepl("  Demo.Pkg==1.4", res$out, fixed = TRUE))
})

test_that("py_require() after Python started: installed is fine, missing says how to install", {
  tandem::py_available(TRUE)
  old <- py_require()$packages
  withr::defer(py_require(old, action = "set"))
  expect_silent(py_require("numpy"))
  expect_silent(py_require("numpy>=1.0"))
  err <- expect_error(py_require("surely-not-installed-xyz"), class = "tandem_requirement_missing")
  expect_match(conditionMessage(err), "not installed", fixed = TRUE)
  expect_match(conditionMessage(err), "py_install(\"surely-not-installed-xyz\")", fixed = TRUE)
  err <- expect_error(py_require("numpy<1.0"), class = "tandem_requirement_conflict")
  expect_match(conditionMessage(err), "'numpy>=1.0' was requested, and now 'numpy<1.0'", fixed = TRUE)
  err <- expect_error(py_require("numpy==0.0.1", action = "set"), class = "tandem_requirement_missing")
  expect_match(conditionMessage(err), "does not satisfy 'numpy==0.0.1'", fixed = TRUE)
})

test_that("py_require() with no interpreter chosen builds a cached environment, then reuses it", {
  tandem::py_available(TRUE)
  cache <- withr::local_tempdir()
  wheels <- withr::local_tempdir()
  build_demo_wheel(wheels, version = "0.2.0")
  env <- c(clean_env, paste0("R_USER_CACHE_DIR=", cache), paste0("TANDEM_CORE_PYTHON=", core_python()),
           "PIP_NO_INDEX=1", paste0("PIP_FIND_LINKS=", wheels))
  code <- c(
    "library(tandem)",
    "py_require('tandemdemo==0.2.0')",
    "py_require('tandemdemo>=0.1')",
    "m <- import('tandemdemo')",
    "cat('version:', m$VERSION, '\\n')",
    "cat('how:', py_config()$how, '\\n')",
    "cat('python:', py_config()$python, '\\n')"
  )
  first <- run_child_r(code, env)
  expect_identical(first$status, 0L, info = first$out)
  expect_match(first$out, "version: 0.2.0", fixed = TRUE)
  expect_match(first$out, "how: py_require()", fixed = TRUE)
  expect_match(first$out, "creating a Python environment", fixed = TRUE)
  expect_match(first$out, paste0("python: ", normalizePath(cache)), fixed = TRUE)
  second <- run_child_r(code, env)
  expect_identical(second$status, 0L, info = second$out)
  expect_match(second$out, "version: 0.2.0", fixed = TRUE)
  expect_false(grepl("creating a Python environment", second$out, fixed = TRUE))
  # a package pip cannot find: a clear error, and no half-built environment is kept
  bad <- run_child_r(c("library(tandem)", "py_require('surely-not-a-package-xyz')", "py_eval('1')"), env)
  expect_false(identical(bad$status, 0L))
  expect_match(bad$out, "Installing surely-not-a-package-xyz with pip failed", fixed = TRUE)
  envs <- list.dirs(file.path(cache, "R", "tandem", "envs"), recursive = FALSE)
  expect_length(envs, 1L)
})

test_that("conda, Miniconda and install_python() fail clearly when they are not available", {
  empty <- withr::local_tempdir()
  withr::local_envvar(PATH = paste(empty, "/usr/bin", "/bin", sep = ":"), TANDEM_CONDA = "", RETICULATE_CONDA = "",
                      RETICULATE_MINICONDA_PATH = file.path(empty, "miniconda"), PYENV_ROOT = empty,
                      HOME = empty)
  skip_if(nzchar(Sys.which("conda")), "conda is installed in /usr/bin")
  expect_error(conda_binary(), class = "tandem_conda_not_found")
  expect_error(conda_list(), "conda is not installed")
  expect_error(conda_create("x"), "conda is not installed")
  expect_error(conda_install("x", "numpy"), "conda is not installed")
  expect_error(use_condaenv("x"), "conda is not installed")
  expect_error(py_install("numpy", method = "conda"), "conda is not installed")
  expect_false(miniconda_exists())
  # no pyenv (PYENV_ROOT and HOME are empty directories): a clear error
  if (!nzchar(Sys.which("pyenv"))) expect_error(install_python("3.11"), class = "tandem_download_unavailable")
  # a download from a closed loopback port: an error naming the URL, at once
  sock <- tandem::import("socket")$socket()
  sock$bind(tuple("127.0.0.1", 0L))
  port <- sock$getsockname()[[2]]
  sock$close()
  withr::local_envvar(TANDEM_MINICONDA_URL = sprintf("http://127.0.0.1:%d/Miniconda3.sh", port))
  err <- expect_error(install_miniconda(), class = "tandem_download_unavailable")
  expect_match(conditionMessage(err), sprintf("127.0.0.1:%d", port), fixed = TRUE)
})

test_that("virtualenv_create() refuses bad arguments", {
  expect_error(virtualenv_create(""), "must not be empty")
  expect_error(virtualenv_create(1), "must be a single string")
  expect_error(virtualenv_create(file.path(tempdir(), "x"), python = "/no/such/python"), "does not exist")
  expect_error(py_install(NA_character_), "character vector")
})

test_that("requirements the chosen interpreter lacks are a warning when Python starts", {
  res <- run_child_r(c(
    "library(tandem)",
    "py_require(c('numpy', 'surely-not-installed-xyz'))",
    "withCallingHandlers(py_eval('1'), warning = function(w) { cat('WARN:', conditionMessage(w), '\\n'); invokeRestart('muffleWarning') })",
    "cat('running:', py_eval('1 + 1'), '\\n')"
  ), env = c(clean_env[-1], paste0("TANDEM_PYTHON=", core_python())))
  expect_identical(res$status, 0L, info = res$out)
  expect_match(res$out, "WARN: .*'surely-not-installed-xyz'")
  expect_false(grepl("'numpy'", res$out, fixed = TRUE))
  expect_match(res$out, "running: 2", fixed = TRUE)
  # reticulate's switch turns the check off
  quiet <- run_child_r(c(
    "library(tandem)",
    "py_require('surely-not-installed-xyz')",
    "withCallingHandlers(py_eval('1'), warning = function(w) cat('WARN:', conditionMessage(w), '\\n'))",
    "cat('running:', py_eval('1 + 1'), '\\n')"
  ), env = c(clean_env[-1], paste0("TANDEM_PYTHON=", core_python()), "RETICULATE_CHECK_REQUIRED_PACKAGES=0"))
  expect_identical(quiet$status, 0L, info = quiet$out)
  expect_false(grepl("WARN:", quiet$out, fixed = TRUE))
  expect_match(quiet$out, "running: 2", fixed = TRUE)
})

test_that("an interpreter of another Python ABI is refused, naming it and the core's", {
  tandem::py_available(TRUE)
  core_version <- import("platform")$python_version()
  core_minor <- sub("^(\\d+\\.\\d+).*", "\\1", core_version)
  cands <- c(unname(Sys.which(paste0("python3.", 8:14))),
             Sys.glob(file.path(path.expand(c(Sys.getenv("PYENV_ROOT", "~/.pyenv"))), "versions", "3.*", "bin", "python3")))
  cands <- cands[nzchar(cands) & file.exists(cands)]
  other <- NULL
  for (p in cands) {
    v <- tryCatch(system2(p, c("-c", shQuote("import platform; print(platform.python_version())")), stdout = TRUE, stderr = FALSE),
                  error = function(e) "", warning = function(w) "")
    if (length(v) == 1L && nzchar(v) && sub("^(\\d+\\.\\d+).*", "\\1", v) != core_minor) {
      other <- p
      break
    }
  }
  skip_if(is.null(other), "no Python of another minor version on this machine")
  dir <- withr::local_tempdir()
  err <- expect_error(virtualenv_create(file.path(dir, "other"), python = other), "cannot load the tandem core")
  expect_match(conditionMessage(err), other, fixed = TRUE)
  expect_match(conditionMessage(err), core_version, fixed = TRUE)
  expect_false(dir.exists(file.path(dir, "other")))
  expect_error(virtualenv_create(file.path(dir, "v"), version = "2.7"), "built for Python")
})

test_that("py_versions_windows() has reticulate's columns and, off Windows, no rows", {
  v <- py_versions_windows()
  expect_s3_class(v, "data.frame")
  expect_identical(names(v), c("type", "hive", "install_path", "executable_path", "version", "arch"))
  expect_identical(nrow(v), 0L)
  expect_identical(v$executable_path[v$version == "3.11"], character())
})
