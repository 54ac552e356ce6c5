# repl.R: repl_python(), a Python console inside the R console, on the shared interpreter.

#' A Python REPL inside R
#'
#' Runs a Python console in the R session, in Python's `__main__` module (so objects made
#' there are `py$x` in R afterwards, and R objects are `r.x` in Python). Prompts are `>>> `
#' and `... ` for continuation lines: a block (`def`, `for`, `if`, ...) ends with an empty
#' line, as in Python's own console, or with a line that cannot continue it (that line
#' then runs on its own). Leading blanks of a top-level line are ignored. The value of an
#' expression is printed; a Python error's traceback is an R message, and the REPL goes
#' on. Typing `exit` or `quit` (with or without `()`) returns to R, keeping Python's
#' variables. `?name` or `name?` shows Python's `help()` on `name`.
#'
#' Ctrl-C at the prompt discards the current input; Ctrl-C while Python code runs
#' interrupts that code (a `KeyboardInterrupt` is shown) and returns to the `>>> ` prompt.
#' Neither ends the R session or the REPL.
#'
#' @section Magics:
#' As in reticulate, top-level lines starting with `%` or `!` are magics (unless
#' `options(reticulate.repl.use_magics = FALSE)` or `tandem.repl.use_magics = FALSE`):
#' - `!cmd --arg`: runs a shell command; its standard output is printed through R's
#'   console (so `capture.output()` and `sink()` see it).
#' - `%system cmd` (or `%sx cmd`), `!!cmd`: runs a shell command and captures its standard
#'   output as a Python list of `str`, one per line (standard error is not captured).
#' - `%pwd`: prints the working directory (R's and Python's, they are one).
#' - `%cd <dir>`: changes the working directory and prints the new one (quotes around
#'   `dir` are dropped, `~` is expanded). `%cd -` goes back to the previous directory,
#'   `%cd -3` to the 3rd most recent one, `%cd -foo/bar` to the most recent one matching
#'   the regular expression `foo/bar`, in the history of directories set with `%cd`.
#' - `%dhist`: prints that history.
#' - `%env`: prints the environment variables; `%env NAME` prints one; `%env NAME=value`
#'   or `%env NAME value` sets one, for R and in Python's `os.environ` (parts of `value`
#'   in `{}` are interpolated as in a Python f-string, evaluated in `__main__`).
#' - `%load file`, `%loadpy file`, `%run file`: runs a Python file in `__main__`.
#' - `%pip args`: runs `pip` of the Python in use (`python -m pip args`), printing its
#'   output; a failing pip (for instance `%pip install` without a network) is an error.
#' - `%conda args`: runs `conda args` in the conda environment of the Python in use; an
#'   error when that Python is not a conda environment or conda is not found.
#'
#' The value of a magic is stored as `_` in `__main__`. `x = %pwd`, `x = !ls` and
#' `x = !!ls` assign it, with any Python assignment target: `a, *rest = !ls`,
#' `(a, b) = %system cmd`, `obj.attr = %env HOME`. `!!` inside a string literal
#' (`x = "!!"`) is Python code, not a magic. A magic with wrong arguments (`%pwd foo`,
#' `%cd` with no directory, an unknown magic) is an R error: it ends `repl_python()` when
#' the lines come from `input`, and is printed (the REPL goes on) at the console.
#'
#' @section Options:
#' - `reticulate.repl.quiet` / `tandem.repl.quiet`: the default of `quiet`.
#' - `reticulate.repl.use_magics` / `tandem.repl.use_magics`: `FALSE` turns magics off.
#' - `reticulate.repl.initialize`, `reticulate.repl.teardown`: functions called (with no
#'   arguments) when the REPL starts and when it ends.
#' - `reticulate.repl.busy`: a function called with `TRUE` before a line runs and with
#'   `FALSE` after it.
#' - `reticulate.repl.hook`: a function `(buffer, contents, trimmed)` called on each line
#'   before the REPL handles it; returning `TRUE` means it handled the line. `buffer` is a
#'   list of functions on the pending block's lines (`empty()`, `data()`, `set()`,
#'   `push()`, `pop()`, `peek()`, `contains()`, `clear()`).
#'
#' @param module Optional name of a Python module to import before the REPL starts; its
#'   name is bound in `__main__`.
#' @param quiet If `TRUE`, no banner is printed (it goes to R's message stream).
#' @param input Optional Python code (a character vector; elements may hold several lines)
#'   to run through the REPL instead of reading the console, e.g. to drive it from a
#'   script. Each line is echoed after its prompt (`">>>  x = 1"`, as reticulate does).
#' @return `NULL`, invisibly.
#' @export
#' @examples
#' \dontrun{
#' repl_python()
#' # >>> import math
#' # >>> x = [math.sqrt(v) for v in r.values]
#' # >>> files = !ls
#' # >>> %cd /tmp
#' # >>> exit
#' py$x
#' repl_python(input = c("home = %env HOME", "here = %pwd"))
#' }
repl_python <- function(module = NULL,
                        quiet = getOption("tandem.repl.quiet", getOption("reticulate.repl.quiet", FALSE)),
                        input = NULL) {
  if (!is.null(input) && !is.character(input)) {
    stop(sprintf("`input` must be a character vector, not %s.", describe(input)), call. = FALSE)
  }
  if (is.null(input) && !interactive()) {
    stop("repl_python() needs an interactive R session (or Python code in `input`).", call. = FALSE)
  }
  ensure_python()
  if (!is.null(module)) {
    check_string(module, "module")
    py_run_string(sprintf("import %s", module))
  }
  initialize <- getOption("reticulate.repl.initialize")
  if (is.function(initialize)) initialize()
  teardown <- getOption("reticulate.repl.teardown")
  if (is.function(teardown)) on.exit(teardown(), add = TRUE)

  repl <- import("tandem._repl", convert = TRUE)$Repl()
  # Python's tracebacks become R messages, as in reticulate
  repl$on_write <- function(text) message(text, appendLF = FALSE)
  if (!isTRUE(quiet)) {
    sys <- import("sys", convert = TRUE)
    message(sprintf(paste("Python %s (%s)",
                          "tandem %s REPL -- a Python interpreter in R (r.x reads R objects).",
                          "Enter 'exit' or 'quit' to exit the REPL and return to R.", sep = "\n"),
                    sub(" .*", "", sys$version), .state$python, utils::packageVersion("tandem")))
  }
  lines <- if (!is.null(input)) unlist(strsplit(input, "\n", fixed = TRUE))
  buffer <- repl_buffer(repl)
  pos <- 0L
  more <- FALSE
  repeat {
    prompt <- if (more) "... " else ">>> "
    if (!is.null(lines)) {
      pos <- pos + 1L
      if (pos > length(lines)) {
        if (more) repl$push_line("")
        break
      }
      line <- lines[[pos]]
      writeLines(paste(prompt, line))
    } else {
      line <- tryCatch(read_console_line(prompt, keep_indent = more), interrupt = function(e) NULL)
      if (is.null(line)) {
        # Ctrl-C at the prompt: drop the pending block, a fresh prompt.
        cat("\nKeyboardInterrupt\n")
        repl$reset()
        more <- FALSE
        next
      }
    }
    status <- tryCatch(repl_line(repl, buffer, line, more, scripted = !is.null(lines)),
                       interrupt = function(e) {
                         cat("\nKeyboardInterrupt\n")
                         repl$reset()
                         "done"
                       })
    if (identical(status, "exit")) break
    more <- identical(status, "more")
  }
  invisible(NULL)
}

# One line of the REPL: front-end hook, exit, help, magics, else Python. Returns "more",
# "done" or "exit".
repl_line <- function(repl, buffer, line, more, scripted) {
  trimmed <- trimws(line)
  hook <- getOption("reticulate.repl.hook")
  if (is.function(hook)) {
    handled <- tryCatch(hook(buffer, line, trimmed), error = identity)
    if (inherits(handled, "error")) {
      message("Error: ", conditionMessage(handled))
      return(if (buffer$empty()) "done" else "more")
    }
    if (isTRUE(handled)) return(if (buffer$empty()) "done" else "more")
  }
  busy <- getOption("reticulate.repl.busy")
  if (is.function(busy)) {
    busy(TRUE)
    on.exit(busy(FALSE), add = TRUE)
  }
  if (!more) {
    if (trimmed %in% c("exit", "quit", "exit()", "quit()")) return("exit")
    topic <- repl_help_topic(trimmed)
    if (!is.null(topic)) {
      repl$help(topic)
      return("done")
    }
    if (isTRUE(getOption("tandem.repl.use_magics", getOption("reticulate.repl.use_magics", TRUE)))) {
      handled <- if (scripted) {
        repl_magic_line(repl, trimmed)
      } else {
        # at the console a failing magic is reported and the REPL goes on
        tryCatch(repl_magic_line(repl, trimmed), error = function(e) {
          message("Error: ", conditionMessage(e))
          TRUE
        })
      }
      if (handled) return("done")
    }
  }
  repl$push_line(line)
}

# `?topic` or `topic?` (topic a dotted name) asks for help; returns the topic or NULL.
repl_help_topic <- function(trimmed) {
  name <- "[[:alpha:]_][[:alnum:]_.]*"
  if (grepl(paste0("^[?]\\s*", name, "$"), trimmed)) return(trimws(substring(trimmed, 2L)))
  if (grepl(paste0("^", name, "\\s*[?]$"), trimmed)) return(trimws(sub("[?]$", "", trimmed)))
  NULL
}

# An assignment target before `= %magic` / `= !cmd`: names, attributes, subscripts,
# tuples, starred names. No quotes, so `x = "!!"` stays Python.
repl_target <- "[[:alnum:][:blank:]()\\[\\]_,.*]+"

# `lhs = !!cmd` becomes `lhs = %system cmd` (reticulate's internal helper, same contract).
repl_expand_bangbang <- function(line) {
  sub(paste0("^(", repl_target, "=\\s*)!!"), "\\1%system ", line, perl = TRUE)
}

# Runs `trimmed` as a magic if it is one; returns TRUE if it was.
repl_magic_line <- function(repl, trimmed) {
  line <- repl_expand_bangbang(trimmed)
  # `x = !cmd` captures the output, as `x = %system cmd`
  line <- sub(paste0("^(", repl_target, "=\\s*)!(?!=)"), "\\1%system ", line, perl = TRUE)
  if (startsWith(line, "!!")) {
    value <- repl_invoke_magic(paste("system", substring(line, 3L)))
    repl$set_last(value)
    repl$show(value)
    return(TRUE)
  }
  if (startsWith(line, "%")) {
    value <- repl_invoke_magic(substring(line, 2L))
    repl$set_last(value)
    return(TRUE)
  }
  if (startsWith(line, "!")) {
    repl_shell(substring(line, 2L))
    return(TRUE)
  }
  m <- regmatches(line, regexec(paste0("^(", repl_target, ")=\\s*%(.*)$"), line, perl = TRUE))[[1]]
  if (length(m)) {
    value <- repl_invoke_magic(m[[3]])
    target <- trimws(m[[2]])
    tryCatch(repl$assign(target, value), error = function(e) {
      stop(sprintf("Cannot assign the value of `%%%s` to `%s`: %s", m[[3]], target, conditionMessage(e)),
           call. = FALSE)
    })
    return(TRUE)
  }
  FALSE
}

magic_error <- function(fmt, ...) stop(sprintf(fmt, ...), call. = FALSE)

# Runs one magic (`command` without its `%`) and returns its value (stored as `_`).
repl_invoke_magic <- function(command) {
  command <- trimws(command)
  split <- regexpr("\\s+", command)
  if (split > 0L) {
    cmd <- substr(command, 1L, split - 1L)
    args <- trimws(substring(command, split))
  } else {
    cmd <- command
    args <- ""
  }
  switch(cmd,
    pwd = {
      if (nzchar(args)) magic_error("%%pwd magic takes no arguments, received: %%%s", command)
      dir <- getwd()
      cat(dir, "\n")  # reticulate's output, trailing blank included
      invisible(dir)
    },
    cd = magic_cd(args, command),
    dhist = {
      if (nzchar(args)) magic_error("%%dhist magic takes no arguments, received: %%%s", command)
      hist <- magic_dir_history()
      cat("Directory history:\n- ")
      cat(hist, sep = "\n- ")
      cat("\n")
      invisible(as.list(hist))
    },
    env = magic_env(args),
    load = , loadpy = , run = {
      file <- unquote(args)
      if (!nzchar(file)) magic_error("%%%s magic takes a file name, received: %%%s", cmd, command)
      if (!file.exists(file)) magic_error("Python file not found: %s", file)
      py_run_file(file, local = FALSE, convert = FALSE)
      NULL
    },
    system = , sx = {
      if (!nzchar(args)) magic_error("%%%s magic takes a command, received: %%%s", cmd, command)
      as.list(system(args, intern = TRUE))
    },
    pip = {
      cmdline <- paste(shQuote(py_exe()), "-m pip", paste(shQuote(strsplit(args, "\\s+")[[1]]), collapse = " "))
      status <- repl_shell(cmdline)
      if (status != 0L) magic_error("%%pip failed (exit status %d): %s", status, cmdline)
      invisible(NULL)
    },
    conda = magic_conda(args),
    magic_error("Magic not implemented: %%%s", command)
  )
}

unquote <- function(x) gsub("^[\"']|[\"']$", "", trimws(x))

# The directories set with %cd, oldest first, starting with the working directory at the
# first use (as IPython's _dh, kept in R; at most 200).
magic_dir_history <- function(add = NULL) {
  hist <- .state$repl_dirs
  if (is.null(hist)) hist <- getwd()
  if (!is.null(add)) hist <- utils::tail(c(hist, add), 200L)
  .state$repl_dirs <- hist
  hist
}

magic_cd <- function(args, command) {
  if (!nzchar(args)) magic_error("%%cd magic takes 1 argument, received: %%%s", command)
  hist <- magic_dir_history()
  n <- length(hist)
  if (identical(args, "-")) {
    if (n < 2L) magic_error("%%cd -: there is no previous directory (see %%dhist).")
    dir <- hist[[n - 1L]]
  } else if (grepl("^-[0-9]+$", args)) {
    k <- as.integer(substring(args, 2L))
    if (k < 1L || k > n) magic_error("%%cd %s: the directory history has %d entries (see %%dhist).", args, n)
    dir <- hist[[n - k + 1L]]
  } else if (startsWith(args, "-")) {
    re <- substring(args, 2L)
    found <- grep(re, hist, perl = TRUE, value = TRUE)
    if (!length(found)) {
      magic_error("No matching directory found in history for \"%s\".\nSee history with %%dhist", re)
    }
    dir <- found[[length(found)]]
  } else {
    dir <- path.expand(unquote(args))
  }
  old <- tryCatch(setwd(dir), error = function(e) {
    magic_error("%%cd: cannot change the working directory to '%s'.", dir)
  })
  new <- getwd()
  cat(new, "\n", sep = "")
  magic_dir_history(add = new)
  invisible(old)
}

magic_env <- function(args) {
  if (!nzchar(args)) {
    vars <- Sys.getenv()
    print(vars)
    return(invisible(unname(as.character(vars))))
  }
  if (!grepl("=|\\s", args)) {
    value <- Sys.getenv(args)
    print(value)
    return(value)
  }
  split <- regexpr("=|\\s+", args)
  name <- substr(args, 1L, split - 1L)
  value <- substring(args, split + attr(split, "match.length"))
  if (!nzchar(name)) magic_error("%%env: the variable name is empty, received: %%env %s", args)
  if (grepl("\\{.*\\}", value)) {
    # interpolated as a Python f-string in __main__
    value <- py_eval(paste0("f", import_builtins(convert = TRUE)$repr(value)))
  }
  do.call(Sys.setenv, stats_setNames(list(value), name))
  # Python's os.environ is a copy made at start-up: keep it in step (subprocess uses it)
  py_set_item(py_get_attr(import("os", convert = FALSE), "environ"), name, value)
  cat(sprintf("env: %s=%s\n", name, value))
  invisible(stats_setNames(value, name))
}

stats_setNames <- function(x, nm) {
  names(x) <- nm
  x
}

magic_conda <- function(args) {
  prefix <- py_eval("__import__('sys').prefix")
  if (!dir.exists(file.path(prefix, "conda-meta"))) {
    magic_error("%%conda needs a conda Python: %s is not in a conda environment.", py_exe())
  }
  bin <- conda_binary()
  old <- Sys.getenv(c("CONDA_PREFIX", "CONDA_DEFAULT_ENV"), unset = NA)
  on.exit(for (v in names(old)) if (is.na(old[[v]])) Sys.unsetenv(v) else do.call(Sys.setenv, as.list(old[v])),
          add = TRUE)
  Sys.setenv(CONDA_PREFIX = prefix, CONDA_DEFAULT_ENV = prefix)
  cmdline <- paste(shQuote(bin), args)
  status <- repl_shell(cmdline)
  if (status != 0L) magic_error("%%conda failed (exit status %d): %s", status, cmdline)
  invisible(NULL)
}

# Runs a shell command, printing its standard output through R's console line by line
# (standard error goes where R's goes); returns the exit status (128 + signal if killed).
# The shell first prints its pid: if R is interrupted (Ctrl-C, which a terminal also sends
# to the command, but other front ends do not), the command gets SIGINT, then SIGKILL, so
# closing the pipe (which waits for it) cannot hang.
repl_shell <- function(cmd) {
  # opened after creation: pipe(open = "r") is not blocking, and its reads drop an
  # incomplete last line
  con <- pipe(paste("echo $$; exec /bin/sh -c", shQuote(cmd)))
  open(con, "r")
  pid <- NA_integer_
  done <- FALSE
  on.exit(if (!done) {
    if (!is.na(pid)) {
      tools::pskill(pid, tools::SIGINT)
      Sys.sleep(0.2)
      tools::pskill(pid, tools::SIGKILL)
    }
    close(con)
  }, add = TRUE)
  pid <- suppressWarnings(as.integer(readLines(con, n = 1L, warn = FALSE)))
  if (!length(pid)) pid <- NA_integer_
  repeat {
    line <- readLines(con, n = 1L, warn = FALSE)
    if (!length(line)) break
    cat(line, "\n", sep = "")
    utils::flush.console()
  }
  done <- TRUE
  status <- close(con)
  Sys.sleep(0)  # a Ctrl-C that ended the command is seen now, before the next prompt
  if (is.null(status)) return(0L)
  status <- as.integer(status)
  if (status %% 256L != 0L) 128L + status %% 128L else status %/% 256L
}

# reticulate's front-end hook receives the pending block as a stack of lines.
repl_buffer <- function(repl) {
  get <- function() as.character(unlist(repl$pending()))
  set <- function(data) repl$set_pending(as.list(as.character(data)))
  list(
    set = set,
    push = function(...) set(c(get(), as.character(unlist(list(...))))),
    pop = function() {
      d <- get()
      set(d[-length(d)])
      d[[length(d)]]
    },
    peek = function() utils::tail(get(), 1L),
    contains = function(data) data %in% get(),
    empty = function() !length(get()),
    clear = function() repl$reset(),
    data = function() get()
  )
}

# One line from R's console. readline() strips leading whitespace, which Python's blocks
# need, so continuation lines are read from the console connection (stdin()), which keeps
# the line as typed; its prompt is printed first.
read_console_line <- function(prompt, keep_indent) {
  if (!keep_indent) return(readline(prompt))
  cat(prompt)
  utils::flush.console()
  line <- readLines(stdin(), n = 1L, warn = FALSE)
  if (!length(line)) line <- ""
  # In a terminal, the line reader (with its empty prompt) ends a typed line with a bare
  # line feed and an empty one with none.
  if (isatty(stdin())) cat(if (nzchar(line)) "\r" else "\n")
  line
}
