# repl.R: repl_python(), a Python console inside the R console, on the shared interpreter.

#' A Python REPL inside R
#'
#' Runs a Python console in the R session, in Python's `__main__` module (so objects made
#' there are `py$x` in R afterwards, and R objects are `r.x` in Python). Prompts are `>>> `
#' and `... ` for continuation lines: a block (`def`, `for`, `if`, ...) ends with an empty
#' line, as in Python's own console. The value of an expression is printed. Typing `exit`
#' or `quit` (with or without `()`) returns to R, keeping Python's variables.
#'
#' Ctrl-C at the prompt discards the current input; Ctrl-C while Python code runs
#' interrupts that code (a `KeyboardInterrupt` is shown) and returns to the `>>> ` prompt.
#' Neither ends the R session or the REPL.
#'
#' @param module Optional name of a Python module to import before the REPL starts; its
#'   name is bound in `__main__`.
#' @param quiet If `TRUE`, no banner is printed.
#' @param input Optional Python code (a character vector of lines) to run through the REPL
#'   instead of reading the console, e.g. to drive it from a script.
#' @return `NULL`, invisibly.
#' @export
#' @examples
#' \dontrun{
#' repl_python()
#' # >>> import math
#' # >>> x = [math.sqrt(v) for v in r.values]
#' # >>> exit
#' py$x
#' }
repl_python <- function(module = NULL, quiet = getOption("tandem.repl.quiet", FALSE), input = NULL) {
  ensure_python()
  if (!is.null(module)) {
    check_string(module, "module")
    py_run_string(sprintf("import %s", module))
  }
  if (!is.null(input) && !is.character(input)) {
    stop(sprintf("`input` must be a character vector, not %s.", describe(input)), call. = FALSE)
  }
  if (is.null(input) && !interactive()) {
    stop("repl_python() needs an interactive R session (or Python code in `input`).", call. = FALSE)
  }
  repl <- import("tandem._repl", convert = TRUE)$Repl()
  if (!isTRUE(quiet)) {
    sys <- import("sys", convert = TRUE)
    cat(sprintf("Python %s (%s)\n", sub(" .*", "", sys$version), .state$python))
    cat("tandem REPL: r.x reads R objects; type 'exit' or 'quit' to return to R.\n")
  }
  lines <- if (!is.null(input)) {
    unlist(lapply(input, function(s) if (grepl("\n", s, fixed = TRUE)) strsplit(s, "\n", fixed = TRUE)[[1]] else s))
  }
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
      cat(prompt, line, "\n", sep = "")
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
    status <- tryCatch(repl$push_line(line), interrupt = function(e) {
      cat("\nKeyboardInterrupt\n")
      repl$reset()
      "done"
    })
    if (identical(status, "exit")) break
    more <- identical(status, "more")
  }
  invisible(NULL)
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
