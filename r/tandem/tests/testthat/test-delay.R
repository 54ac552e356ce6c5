# import(delay_load = ): module proxies, hooks; py_register_load_hook(). A fresh R
# process checks what happens before Python starts.

fresh_r <- function(f, ...) {
  skip_if_not_installed("callr")
  callr::r(f, args = list(...), libpath = .libPaths(), env = c(callr::rcmd_safe_env(), Sys.getenv()))
}

test_that("delay_load returns a proxy; Python starts on first use", {
  res <- fresh_r(function() {
    library(tandem)
    lazy <- import("math", delay_load = TRUE)
    log <- character()
    json <- import("json", delay_load = list(
      before_load = function() log <<- c(log, "before"),
      on_load = function() log <<- c(log, "on_load")
    ))
    before <- list(available = py_available(), printed = capture.output(print(json)),
                   length = length(json), class = class(json), log = log,
                   version = py_version(), exe = py_exe(), numpy = py_numpy_available())
    dumped <- json$dumps(list(a = 1L))
    after <- list(available = py_available(), log = log, printed = capture.output(print(json)))
    json$dumps(list(b = 2L))
    null_before <- py_is_null_xptr(lazy)
    loaded_by_check <- !tandem:::is_unloaded_proxy(lazy)
    list(before = before, dumped = dumped, after = after, log_end = log, null_before = null_before,
         loaded_by_check = loaded_by_check)
  })
  expect_false(res$before$available)
  expect_null(res$before$version)          # py_version() does not start Python
  expect_false(res$before$numpy)           # nor does py_numpy_available()
  expect_identical(normalizePath(res$before$exe), normalizePath(Sys.getenv("TANDEM_PYTHON", py_exe())))
  expect_identical(res$before$printed, "Module(json)")
  expect_identical(res$before$length, 0L)
  expect_true("python.builtin.module" %in% res$before$class)
  expect_identical(res$before$log, character())
  expect_identical(res$dumped, "{\"a\": 1}")
  expect_true(res$after$available)
  expect_identical(res$after$log, c("before", "on_load"))
  expect_identical(res$after$printed, "Module(json)")
  expect_identical(res$log_end, c("before", "on_load"))  # hooks run once
  expect_false(res$null_before)
  expect_true(res$loaded_by_check)  # py_is_null_xptr() loads a proxy (reticulate >= 1.40)
})

test_that("a delay-loaded module that fails calls on_error, then errors", {
  res <- fresh_r(function() {
    library(tandem)
    seen <- NULL
    m <- import("no_such_module_tandem_q", delay_load = list(on_error = function(e) seen <<- conditionMessage(e)))
    plain <- import("no_such_module_tandem_r", delay_load = TRUE)
    err <- tryCatch(m$x, error = function(e) conditionMessage(e))
    err2 <- tryCatch(plain$x, error = function(e) class(e))
    list(seen = seen, err = err, err2 = err2)
  })
  expect_match(res$seen, "no_such_module_tandem_q")
  expect_match(res$err, "Error loading Python module no_such_module_tandem_q")
  expect_true("python.builtin.ModuleNotFoundError" %in% res$err2)
})

test_that("a function as delay_load is on_load; get_module chooses the module", {
  res <- fresh_r(function() {
    library(tandem)
    loaded <- FALSE
    m <- import("math", delay_load = function() loaded <<- TRUE)
    chosen <- import("placeholder", delay_load = list(get_module = function() "string"))
    v <- m$sqrt(4)
    list(loaded = loaded, v = v, letters = chosen$ascii_lowercase)
  })
  expect_true(res$loaded)
  expect_identical(res$v, 2)
  expect_identical(res$letters, paste(letters, collapse = ""))
})

test_that("with Python running, delay_load imports at once (as reticulate)", {
  py_available(initialize = TRUE)
  m <- import("json", delay_load = TRUE)
  expect_false(inherits(m, "tandem_delayed_module"))
  expect_identical(capture.output(print(m)), "Module(json)")
  expect_error(import("math", delay_load = 3), "delay_load")
})

test_that("py_register_load_hook() runs when the module is first imported", {
  ran <- 0L
  py_register_load_hook("sys", function() ran <<- ran + 1L)  # already loaded: now
  expect_identical(ran, 1L)
  name <- "tandem_hooked_mod"
  dir <- tempfile()
  dir.create(dir)
  writeLines("VALUE = 3", file.path(dir, paste0(name, ".py")))
  hooked <- character()
  py_register_load_hook(name, function() hooked <<- c(hooked, "hook"))
  expect_identical(hooked, character())
  m <- import_from_path(name, path = dir)
  expect_identical(m$VALUE, 3L)
  expect_identical(hooked, "hook")
  # from Python code too, and only once
  py_run_string(sprintf("import %s", name))
  expect_identical(hooked, "hook")
  name2 <- "tandem_hooked_mod2"
  writeLines("import sys", file.path(dir, paste0(name2, ".py")))
  reached <- FALSE
  py_register_load_hook(name2, function() {
    reached <<- TRUE
    stop("hook failed")
  })
  sys_path <- import("sys", convert = FALSE)$path
  py_call(sys_path$insert, 0L, dir)
  on.exit(py_call(sys_path$remove, dir), add = TRUE)
  # a failing hook is a warning, and the import still succeeds
  suppressWarnings(py_capture_output(py_run_string(sprintf("import %s", name2))))
  expect_true(reached)
  expect_true(tandem:::py_module_loaded(name2))
})

test_that("hooks registered before Python starts run once it does", {
  res <- fresh_r(function() {
    library(tandem)
    log <- character()
    py_register_load_hook("json", function() log <<- c(log, "json"))
    before <- log
    import("json")
    list(before = before, after = log)
  })
  expect_identical(res$before, character())
  expect_identical(res$after, "json")
})

test_that("modules in R's working directory import, as with reticulate", {
  dir <- tempfile()
  dir.create(dir)
  writeLines("WHERE = 'cwd'", file.path(dir, "tandem_cwd_module.py"))
  withr::with_dir(dir, expect_identical(import("tandem_cwd_module")$WHERE, "cwd"))
  expect_identical(import("sys")$path[[1]], "")
})

test_that("import_from_path() imports from a directory and restores sys.path", {
  dir <- tempfile()
  dir.create(dir)
  writeLines("def hello(name):\n    return 'hi ' + name", file.path(dir, "tandem_frompath.py"))
  before <- import("sys")$path
  m <- import_from_path("tandem_frompath", path = dir)
  expect_identical(m$hello("you"), "hi you")
  expect_identical(import("sys")$path, before)
  expect_error(import_from_path("x", path = file.path(dir, "nope")), "not a directory")
})

test_that("the py_*() functions load a module proxy before Python runs", {
  res <- fresh_r(function() {
    library(tandem)
    m <- import("json", delay_load = list(environment = "ignored", priority = 1L))
    has <- py_has_attr(m, "dumps")
    list(has = has, available = py_available(), str = capture.output(str(m)))
  })
  expect_true(res$has)
  expect_true(res$available)
  expect_identical(res$str, "Module(json)")
})

test_that("import_from_path(delay_load = TRUE) imports from the directory on first use", {
  dir <- tempfile()
  dir.create(dir)
  writeLines("ANSWER = 42", file.path(dir, "tandem_lazy_path_mod.py"))
  res <- fresh_r(function(dir) {
    library(tandem)
    loaded <- FALSE
    m <- import_from_path("tandem_lazy_path_mod", path = dir, delay_load = function() loaded <<- TRUE)
    before <- py_available()
    answer <- m$ANSWER
    list(before = before, answer = answer, loaded = loaded, on_path = dir %in% import("sys")$path)
  }, dir)
  expect_false(res$before)
  expect_identical(res$answer, 42L)
  expect_true(res$loaded)
  expect_false(res$on_path)
})
