# test-repl.R: repl_python(), scripted through `input` and interactively under tmux.

test_that("repl_python(input=) runs blocks, prints values and errors, and keeps variables", {
  tandem::py_available(TRUE)
  vals <- c(1, 4, 9)
  assign("repl_vals", vals, envir = globalenv())
  withr::defer(rm("repl_vals", envir = globalenv()))
  err1 <- capture.output(out <- capture.output(repl_python(quiet = TRUE, input = c(
    "import math",
    "rx = [math.sqrt(v) for v in r.repl_vals]",
    "def twice(a):",
    "    return a * 2",
    "",
    "twice(21)",
    "'text'",
    "None",
    "1/0",
    "ry = 5",
    "exit",
    "never_set = 1"
  )), type = "output"), type = "message")
  err <- capture.output(echo <- capture.output(repl_python(quiet = TRUE, input = c("1/0", "quit()"))), type = "message")
  expect_identical(echo, c(">>>  1/0", ">>>  quit()"))  # reticulate's echo: prompt, blank, line
  expect_equal(py$rx, c(1, 2, 3))
  expect_identical(py$ry, 5L)
  expect_false(py_has_attr(import_main(), "never_set"))
  expect_true(">>>  def twice(a):" %in% out)
  expect_true("...      return a * 2" %in% out)
  expect_true("42" %in% out)
  expect_true("'text'" %in% out)
  expect_false("None" %in% out)
  expect_true("ZeroDivisionError: division by zero" %in% err)
  expect_true("ZeroDivisionError: division by zero" %in% err1)
  expect_error(repl_python(input = 1), "must be a character vector")
})

tmux_available <- function() nzchar(Sys.which("tmux"))

test_that("interactive repl_python() under a terminal: prompts, blocks, r.x, Ctrl-C, exit", {
  skip_if_not(tmux_available(), "tmux is not installed")
  skip_on_os("windows")
  sock <- paste0("tandem-repl-", Sys.getpid())
  tmux <- function(...) system2("tmux", c("-L", sock, ...), stdout = TRUE, stderr = TRUE)
  withr::defer(suppressWarnings(tmux("kill-server")))
  env <- c(sprintf("R_LIBS=%s", shQuote(Sys.getenv("R_LIBS"))),
           sprintf("TANDEM_PYTHON=%s", shQuote(tandem::py_config()$python)),
           "LANG=C.UTF-8", "LC_ALL=C.UTF-8")
  cmd <- paste("env", paste(env, collapse = " "), file.path(R.home("bin"), "R"), "--no-save", "--quiet", "--no-restore")
  tmux("new-session", "-d", "-s", "repl", "-x", "160", "-y", "50", shQuote(cmd))
  screen <- function() paste(tmux("capture-pane", "-p", "-S", "-200"), collapse = "\n")
  # Waits (bounded) until the pane's text matches; returns the text.
  wait_for <- function(pattern, seconds = 60) {
    deadline <- Sys.time() + seconds
    repeat {
      txt <- screen()
      if (grepl(pattern, txt, perl = TRUE)) return(txt)
      if (Sys.time() > deadline) stop(sprintf("timed out waiting for /%s/; screen:\n%s", pattern, txt))
      Sys.sleep(0.2)
    }
  }
  send <- function(text) {
    tmux("send-keys", "-t", "repl", "-l", shQuote(text))
    tmux("send-keys", "-t", "repl", "Enter")
  }
  count <- function(pattern) lengths(regmatches(screen(), gregexpr(pattern, screen(), perl = TRUE)))

  wait_for("(?m)^>\\s*$")
  send("library(tandem); vals <- c(1, 4, 9)")
  send("repl_python()")
  wait_for("(?m)^>>>\\s*$")
  # each line is sent once its prompt is on screen (typed-ahead keys echo before the prompt)
  send("xs = [v * 2 for v in r.vals]")
  wait_for("(?m)^>>> xs = .*\n>>>\\s*$")
  send("def f(a):")
  wait_for("(?m)^\\.\\.\\.\\s*$")
  send("    return a + 1")
  wait_for("(?m)^\\.\\.\\.     return a \\+ 1\n\\.\\.\\.\\s*$")
  send("")
  wait_for("(?m)^\\.\\.\\.\\s*\n>>>\\s*$")
  send("f(41)")
  txt <- wait_for("(?m)^42$")
  # the block's lines stay on screen as typed, the empty line ending it included
  expect_match(txt, "(?m)^>>> def f\\(a\\):\n\\.\\.\\.     return a \\+ 1\n\\.\\.\\.\\s*\n>>> f\\(41\\)$", perl = TRUE)

  # At the console a failing magic is reported and the REPL goes on; magics work.
  send("%cd /no/such/dir")
  wait_for("Error: %cd: cannot change the working directory[^\n]*\n>>>\\s*$")
  send("!echo shell-$((6 * 7))")
  wait_for("(?m)^shell-42\n>>>\\s*$")
  # Ctrl-C stops a shell command and returns to the prompt
  send("!sleep 60; echo after-sleep")
  Sys.sleep(1.5)
  tmux("send-keys", "-t", "repl", "C-c")
  txt <- wait_for("shell-42\n>>> !sleep[^\n]*\n[\\s\\S]*KeyboardInterrupt\n>>>\\s*$", seconds = 30)
  expect_false(grepl("(?m)^after-sleep", txt, perl = TRUE))

  # Ctrl-C while Python runs: that line is interrupted, the REPL and R go on.
  send("import time; time.sleep(120); print('slept')")
  Sys.sleep(1.5)
  tmux("send-keys", "-t", "repl", "C-c")
  txt <- wait_for("KeyboardInterrupt[\\s\\S]*>>>\\s*$", seconds = 60)
  expect_false(grepl("(?m)^slept$", txt, perl = TRUE))
  send("print('still', 'alive')")
  wait_for("(?m)^still alive$")

  # Ctrl-C at a continuation prompt drops the unfinished block.
  send("for i in range(3):")
  wait_for("(?m)^\\.\\.\\.\\s*$")
  tmux("send-keys", "-t", "repl", "C-c")
  n <- count("KeyboardInterrupt")
  wait_for("KeyboardInterrupt[\\s\\S]*KeyboardInterrupt[\\s\\S]*>>>\\s*$")
  send("'back' + 'again'")
  wait_for("'backagain'")

  send("exit")
  wait_for("(?m)^>\\s*$")
  send("cat('from R:', py$xs, py_eval('f(1)'), '\\n')")
  txt <- wait_for("from R: [0-9 ]+")
  expect_match(txt, "from R: 2 8 18 2", fixed = TRUE)
  if (nzchar(Sys.getenv("TANDEM_SHOW_SCREEN"))) cat(txt, "\n")
  send("quit('no')")
})

# The REPL driven by `input`; returns what it printed on stdout (lines) and on stderr.
repl_run <- function(...) {
  err <- capture.output(out <- capture.output(repl_python(quiet = TRUE, input = c(...))), type = "message")
  list(out = out, err = err)
}

test_that("%pwd prints the directory after reticulate's echo; x = %pwd and _ hold it", {
  tandem::py_available(TRUE)
  dir <- withr::local_tempdir()
  withr::local_dir(dir)
  here <- getwd()
  expect_output(repl_python(quiet = TRUE, input = "%pwd"), paste0(">>>  %pwd\n", here), fixed = TRUE)
  expect_identical(py_eval("_"), here)
  repl_run("x = %pwd")
  expect_identical(py$x, here)
  expect_error(repl_run("%pwd foo"), "%pwd magic takes no arguments")
  expect_error(repl_run("%nosuchmagic 1"), "Magic not implemented: %nosuchmagic 1", fixed = TRUE)
})

test_that("%cd changes directory, %cd - / -N / -regex walk the %cd history, %dhist lists it", {
  tandem::py_available(TRUE)
  root <- normalizePath(withr::local_tempdir())
  withr::local_dir(root)
  for (d in c("alpha", "beta", "gamma dir")) dir.create(file.path(root, d))
  start <- getwd()
  r <- repl_run("%cd alpha", "old = _", "%cd ../beta", "%cd '../gamma dir'", "g = %pwd")
  expect_true(file.path(root, "alpha") %in% r$out)   # the new directory is printed
  expect_identical(py$old, start)                   # the value of %cd is the previous directory
  expect_identical(py$g, file.path(root, "gamma dir"))
  expect_identical(getwd(), file.path(root, "gamma dir"))

  repl_run("%cd -")                                  # back to the previous one
  expect_identical(getwd(), file.path(root, "beta"))
  repl_run("%cd -3")                                 # history: ..., alpha, beta, gamma dir, beta
  expect_identical(getwd(), file.path(root, "beta"))
  repl_run("%cd -5")                                 # ..., alpha, beta, gamma dir, beta, beta
  expect_identical(getwd(), file.path(root, "alpha"))
  repl_run("%cd -gam+a")                             # most recent match of a regex
  expect_identical(getwd(), file.path(root, "gamma dir"))

  r <- repl_run("h = %dhist")
  expect_identical(r$out[[2]], "Directory history:")
  expect_identical(utils::tail(r$out[nzchar(r$out)], 3L), paste("-", file.path(root, c("beta", "alpha", "gamma dir"))))
  expect_identical(utils::tail(unlist(py$h), 3L), file.path(root, c("beta", "alpha", "gamma dir")))

  expect_error(repl_run("%cd"), "%cd magic takes 1 argument")
  expect_error(repl_run("%cd no/such/dir"), "cannot change the working directory to 'no/such/dir'")
  expect_error(repl_run("%cd -100000"), "history has [0-9]+ entries")
  expect_error(repl_run("%cd -zzz_no_match"), "No matching directory found in history")
  expect_identical(getwd(), file.path(root, "gamma dir"))  # errors leave it unchanged
})

test_that("%env lists, reads and sets environment variables; {} interpolates in __main__", {
  tandem::py_available(TRUE)
  withr::local_envvar(TANDEM_REPL_VAR = NA, TANDEM_REPL_OTHER = NA)
  r <- repl_run("x = %env TANDEM_REPL_VAR", "%env TANDEM_REPL_VAR baz qux", "y = %env TANDEM_REPL_VAR")
  expect_identical(py$x, "")
  expect_identical(py$y, "baz qux")
  expect_true("env: TANDEM_REPL_VAR=baz qux" %in% r$out)
  expect_true('[1] "baz qux"' %in% r$out)
  r <- repl_run("n = 40", "%env TANDEM_REPL_OTHER=v{n + 2}", "%env TANDEM_REPL_VAR=")
  expect_identical(Sys.getenv("TANDEM_REPL_OTHER"), "v42")
  expect_identical(Sys.getenv("TANDEM_REPL_VAR", unset = NA), "")
  expect_identical(os_environ <- py_eval("__import__('os').environ['TANDEM_REPL_OTHER']"), "v42")
  r <- repl_run("all_vars = %env")
  expect_true(any(grepl("^TANDEM_REPL_OTHER +v42$", r$out)))
  expect_true("v42" %in% unlist(py$all_vars))
  expect_error(repl_run("%env =x"), "variable name is empty")
})

test_that("!cmd prints output; x = !cmd, !!cmd and %system capture stdout lines as a list of str", {
  tandem::py_available(TRUE)
  dir <- withr::local_tempdir()
  withr::local_dir(dir)
  file.create(c("a.txt", "b.txt", "c.txt"))
  r <- repl_run("!echo printed; echo to-stderr 1>&2")
  expect_identical(r$out, c(">>>  !echo printed; echo to-stderr 1>&2", "printed"))
  r <- repl_run("!printf 'one\\ntwo, no newline'; exit 3", "after = 1")
  expect_identical(r$out[2:3], c("one", "two, no newline"))
  expect_identical(py$after, 1L)
  repl_run("x = !ls", "files = !!ls", "first, *rest = !!ls", "(p, q, s) = %system ls",
           "import types; ns = types.SimpleNamespace()", "ns.files = !ls",
           "err = !echo out; echo err 1>&2", "none = !true", "w = %sx echo one two")
  expect_identical(py_eval("x"), c("a.txt", "b.txt", "c.txt"))
  expect_identical(py_eval("files"), c("a.txt", "b.txt", "c.txt"))
  expect_identical(py_eval("type(files).__name__ + type(files[0]).__name__"), "liststr")
  expect_identical(py$first, "a.txt")
  expect_identical(py$rest, c("b.txt", "c.txt"))
  expect_identical(c(py$p, py$q, py$s), c("a.txt", "b.txt", "c.txt"))
  expect_identical(py_eval("ns.files"), c("a.txt", "b.txt", "c.txt"))
  expect_identical(py$err, "out")
  expect_identical(py_eval("none == []"), TRUE)
  expect_identical(py$w, "one two")
  r <- repl_run("!!echo hi", "_")
  expect_identical(r$out, c(">>>  !!echo hi", "['hi']", ">>>  _", "['hi']"))
  expect_error(repl_run("%system"), "takes a command")
})

test_that("!! and ! inside Python code (string literals, !=) are not magics", {
  tandem::py_available(TRUE)
  repl_run('x = "!!"', "y = '!ls'", "_ = 'ab!!cd!!ef'", "z = 1 != 2", "d = {'k': '!!x'}")
  expect_identical(py$x, "!!")
  expect_identical(py$y, "!ls")
  expect_identical(py_eval("_"), "ab!!cd!!ef")
  expect_true(py$z)
  expect_identical(py_eval("d['k']"), "!!x")
  expect_identical(tandem:::repl_expand_bangbang("obj.attr = !!cmd"), "obj.attr = %system cmd")
  expect_identical(tandem:::repl_expand_bangbang("single, = !!cmd"), "single, = %system cmd")
  expect_identical(tandem:::repl_expand_bangbang("value = \"!!\""), "value = \"!!\"")
})

test_that("_ is the last magic's value until an expression is displayed; a user's _ stays", {
  tandem::py_available(TRUE)
  r <- repl_run("v = 'unused'", "x = %env HOME", "_ == x", "1 + 1", "_ * 10")
  expect_true("True" %in% r$out)
  expect_identical(utils::tail(r$out, 1L), "20")
  r <- repl_run("_ = 'mine'", "2 + 3", "_")
  expect_identical(utils::tail(r$out, 1L), "'mine'")   # as in Python's console
})

test_that("Python errors in the REPL are R messages, as in reticulate; the REPL goes on", {
  tandem::py_available(TRUE)
  expect_message(out <- capture.output(repl_python(quiet = TRUE, input = c("1/0", "after_error = 2"))),
                 "ZeroDivisionError: division by zero")
  expect_identical(py$after_error, 2L)
  expect_message(capture.output(repl_python(quiet = TRUE, input = "x = = 1")), "SyntaxError")
  expect_silent(suppressMessages(capture.output(repl_python(quiet = TRUE, input = "undefined_name_xyz"))))
})

test_that("magics can be turned off, and then are Python syntax errors", {
  tandem::py_available(TRUE)
  withr::local_options(reticulate.repl.use_magics = FALSE)
  py_run_string("nomagic = None")
  r <- repl_run("nomagic = !ls", "%pwd")
  expect_null(py$nomagic)
  expect_true(sum(grepl("SyntaxError", r$err)) == 2L)
  expect_false(any(r$out == getwd()))
})

test_that("%run/%load run a Python file in __main__; a missing file is an error", {
  tandem::py_available(TRUE)
  f <- withr::local_tempfile(fileext = ".py")
  writeLines(c("ran_value = 6 * 7", "def ran_fun(): return 'from file'"), f)
  repl_run(paste("%run", f), "ran_copy = ran_fun()", sprintf("%%load '%s'", f))
  expect_identical(py$ran_value, 42L)
  expect_identical(py$ran_copy, "from file")
  expect_error(repl_run("%run /no/such/file.py"), "Python file not found: /no/such/file.py", fixed = TRUE)
})

test_that("%pip runs pip of the Python in use; a failing pip is an error; %conda needs conda", {
  tandem::py_available(TRUE)
  r <- repl_run("%pip --version")
  expect_match(r$out[[2]], paste0("^pip [0-9.]+ from .*", py_eval("__import__('sys').version_info[0]")))
  expect_error(repl_run("%pip install --no-index --quiet tandem-no-such-package-xyz"),
               "%pip failed \\(exit status [1-9]")
  skip_if(dir.exists(file.path(py_eval("__import__('sys').prefix"), "conda-meta")), "Python is a conda env")
  expect_error(repl_run("%conda list"), "not in a conda environment")
})

test_that("blocks end at the next statement, top-level indentation is ignored, ?help works", {
  tandem::py_available(TRUE)
  r <- repl_run("def f():\n    return 42\nf()", "   g = 7", "", "g", "try:", "    1/0", "except ZeroDivisionError:",
                "    caught = True", "caught")
  expect_identical(r$err, character())
  expect_identical(r$out[grepl("^[0-9A-Z]", r$out)], c("42", "7", "True"))
  repl_run("def documented():\n    'A docstring for repl help.'\n")
  r <- repl_run("?documented", "len?", "?math.floor")
  expect_true(any(grepl("A docstring for repl help.", r$out, fixed = TRUE)))
  expect_true(any(grepl("Help on built-in function len", r$out, fixed = TRUE)))
  expect_true(any(grepl("floor", r$out, fixed = TRUE)))
})

test_that("quiet and the banner follow reticulate's options; init/teardown/busy/hook options run", {
  tandem::py_available(TRUE)
  withr::local_options(tandem.repl.quiet = NULL, reticulate.repl.quiet = FALSE)
  msgs <- capture.output(out <- capture.output(repl_python(input = "1 + 1")), type = "message")
  expect_match(msgs[[1]], "^Python 3\\.[0-9]+\\.[0-9]+ \\(")
  expect_true(any(grepl("Enter 'exit' or 'quit'", msgs, fixed = TRUE)))
  expect_identical(out, c(">>>  1 + 1", "2"))
  withr::local_options(reticulate.repl.quiet = TRUE)
  msgs <- capture.output(out <- capture.output(repl_python(input = "1 + 1")), type = "message")
  expect_identical(msgs, character())

  events <- character()
  withr::local_options(
    reticulate.repl.initialize = function() events <<- c(events, "init"),
    reticulate.repl.teardown = function() events <<- c(events, "teardown"),
    reticulate.repl.busy = function(busy) events <<- c(events, if (busy) "busy" else "idle"),
    reticulate.repl.hook = function(buffer, contents, trimmed) {
      if (identical(trimmed, "@hooked")) {
        events <<- c(events, paste("hook", buffer$empty()))
        return(TRUE)
      }
      FALSE
    })
  out <- capture.output(repl_python(input = c("@hooked", "hooked_ok = 1")))
  expect_identical(events, c("init", "hook TRUE", "busy", "idle", "teardown"))
  expect_identical(py$hooked_ok, 1L)
})
