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
