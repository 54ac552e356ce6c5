# knitr.R: the knitr `python` engine: Python chunks run in the one interpreter R shares.

#' A knitr engine for Python chunks
#'
#' `library(tandem)` registers this function as knitr's `python` engine (when knitr is
#' installed), so `{python}` chunks in R Markdown and Quarto documents run in the Python
#' that R already uses: variables made in a Python chunk are `py$x` in R chunks, and R's
#' global variables are `r.x` in Python chunks.
#'
#' Each top-level statement runs as a console runs it: the value of an expression
#' statement is printed (its `repr()`), unless the statement ends with `;`; `print()`
#' output and warnings show in the document. matplotlib figures (pyplot) become PNG
#' images, at `plt.show()` and at the end of the chunk. Errors follow the chunk's
#' `error` option: with `error = TRUE` the traceback is shown and the chunk stops there;
#' otherwise rendering stops with an R error that carries the Python traceback.
#'
#' Supported chunk options: `eval`, `echo`, `include`, `results` (`"markup"`, `"asis"`,
#' `"hide"`, `"hold"`), `collapse`, `error`, `warning`, `fig.width`, `fig.height`,
#' `dpi`, `fig.path` (through [knitr::fig_path()]), `engine.path` (the Python to start,
#' if Python has not started yet) and `jupyter_compat` (only the last expression of a
#' chunk is printed, as in Jupyter).
#'
#' @param options Chunk options, as knitr passes them.
#' @return The chunk's output, as knitr's engines return it.
#' @export
#' @examples
#' \dontrun{
#' knitr::knit_engines$set(python = tandem::eng_python)  # done by library(tandem)
#' }
eng_python <- function(options) {
  code <- options$code
  if (isFALSE(options$eval) || !length(code)) {
    outputs <- if (!isFALSE(options$echo) && length(code)) list(knitr_source(code)) else list()
    return(knitr_sew(outputs, options))
  }
  # engine.path names the Python for the document (honoured if Python has not started).
  path <- options[["engine.path"]]
  if (is.list(path)) path <- path[["python"]]
  if (is.character(path) && length(path) == 1L && nzchar(path)) {
    if (!isTRUE(.state$running)) {
      use_python(path)
    } else if (!identical(normalizePath(path, mustWork = FALSE), normalizePath(.state$python, mustWork = FALSE))) {
      warning(sprintf("engine.path '%s' is not used: Python '%s' is already running.", path, .state$python),
              call. = FALSE)
    }
  }
  ensure_python()
  runner <- import("tandem._knitr", convert = TRUE)$run_chunk
  fig_prefix <- knitr::fig_path("", options)
  dpi <- if (is.numeric(options$dpi)) options$dpi else 72
  fig_size <- if (is.numeric(options$fig.width) && is.numeric(options$fig.height)) {
    list(options$fig.width[[1]], options$fig.height[[1]])
  }
  stop_on_error <- TRUE
  events <- runner(
    paste(code, collapse = "\n"),
    fig_prefix = fig_prefix, dpi = as.numeric(dpi[[1]]), fig_size = fig_size,
    warn = !isFALSE(options$warning), stop_on_error = stop_on_error,
    print_all = !isTRUE(options$jupyter_compat)
  )

  echo <- !isFALSE(options$echo)
  hold <- identical(options$results, "hold")
  outputs <- list()
  held <- list()
  error_text <- NULL
  for (ev in events) {
    kind <- ev[[1]]
    if (kind == "source") {
      if (echo && !hold) {
        src <- code[seq.int(ev[[2]], ev[[3]])]
        if (!isTRUE(options$collapse) && !isFALSE(options$strip.white)) src <- strip_blank_lines(src)
        if (length(src)) outputs[[length(outputs) + 1L]] <- knitr_source(src)
      }
    } else if (kind == "text") {
      if (hold) held[[length(held) + 1L]] <- ev[[2]] else outputs[[length(outputs) + 1L]] <- ev[[2]]
    } else if (kind == "figure") {
      img <- knitr::include_graphics(ev[[2]])
      if (hold) held[[length(held) + 1L]] <- img else outputs[[length(outputs) + 1L]] <- img
    } else if (kind == "error") {
      error_text <- ev[[2]]
      if (isTRUE(options$error)) {
        outputs[[length(outputs) + 1L]] <- structure(
          list(message = sub("\n$", "", error_text), call = NULL),
          class = c("python_error_output", "error", "condition")
        )
      }
    }
  }
  if (!is.null(error_text) && !isTRUE(options$error)) {
    label <- if (is.null(options$label)) "" else paste0(" '", options$label, "'")
    stop(structure(
      class = c("tandem_knitr_error", "error", "condition"),
      list(message = paste0("Error in Python chunk", label, ":\n", sub("\n$", "", error_text)), call = NULL)
    ))
  }
  if (hold) {
    if (echo) outputs[[length(outputs) + 1L]] <- knitr_source(code)
    text <- character()
    for (h in held) {
      if (is.character(h)) {
        text <- c(text, h)
      } else {
        if (length(text)) outputs[[length(outputs) + 1L]] <- paste(text, collapse = "")
        text <- character()
        outputs[[length(outputs) + 1L]] <- h
      }
    }
    if (length(text)) outputs[[length(outputs) + 1L]] <- paste(text, collapse = "")
  }
  if (isFALSE(options$include)) return("")
  knitr_sew(outputs, options)
}

knitr_source <- function(src) structure(list(src = src), class = "source")

strip_blank_lines <- function(src) {
  keep <- which(nzchar(trimws(src)))
  if (!length(keep)) return(character())
  src[seq.int(min(keep), max(keep))]
}

# knitr renders a list of outputs with sew() (>= 1.42) or wrap() (older).
knitr_sew <- function(outputs, options) {
  ns <- asNamespace("knitr")
  fun <- if (exists("sew", envir = ns, inherits = FALSE)) get("sew", envir = ns) else get("wrap", envir = ns)
  # Errors are shown as knitr shows R errors (its error hook), the traceback kept as is.
  outputs <- lapply(outputs, function(o) {
    if (inherits(o, "python_error_output")) {
      knitr::asis_output(knitr::knit_hooks$get("error")(paste0(o$message, "\n"), options))
    } else {
      o
    }
  })
  fun(outputs, options)
}

# Registered as knitr's python engine: now if knitr is loaded, else when it loads.
register_knitr_engine <- function(...) {
  if (!requireNamespace("knitr", quietly = TRUE)) return(invisible(FALSE))
  knitr::knit_engines$set(python = eng_python)
  invisible(TRUE)
}

# Where `r.x` looks in Python code that R runs (used by the fallback `r` in __main__):
# knitr's document environment while knitting, else the global environment.
r_proxy_env <- function() {
  if ("knitr" %in% loadedNamespaces() && isTRUE(getOption("knitr.in.progress"))) {
    env <- knitr::knit_global()
    if (is.environment(env)) return(env)
  }
  globalenv()
}
