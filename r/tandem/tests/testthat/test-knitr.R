# test-knitr.R: {python} chunks rendered by rmarkdown + pandoc through tandem's engine.

skip_if_no_render <- function() {
  skip_if_not_installed("knitr")
  skip_if_not_installed("rmarkdown")
  skip_if_not(rmarkdown::pandoc_available(), "pandoc is not installed")
}

render_rmd <- function(lines, ...) {
  dir <- withr::local_tempdir(.local_envir = parent.frame())
  rmd <- file.path(dir, "doc.Rmd")
  if (lines[[1]] != "---") lines <- c("---", "title: test", "---", lines)
  writeLines(lines, rmd)
  out <- rmarkdown::render(rmd, output_format = rmarkdown::html_document(self_contained = TRUE, ...),
                           envir = new.env(), quiet = TRUE)
  html <- paste(readLines(out, warn = FALSE), collapse = "\n")
  images <- regmatches(html, gregexpr("data:image/png;base64,[A-Za-z0-9+/=]+", html))[[1]]
  # The text without the embedded images and scripts (short failure messages).
  body <- sub("(?s)^.*<body>", "", html, perl = TRUE)
  body <- gsub("data:image/png;base64,[A-Za-z0-9+/=]+", "data:image/png", body)
  body <- gsub("(?s)<script.*?</script>", "", body, perl = TRUE)
  structure(body, images = images)
}

# The PNG images embedded in an HTML page, decoded.
embedded_pngs <- function(html) {
  m <- attr(html, "images")
  lapply(sub("^data:image/png;base64,", "", m), function(b64) {
    jsonlite_free_decode(b64)
  })
}

jsonlite_free_decode <- function(b64) {
  # base64 decoding through Python's base64 (the shared interpreter).
  as.raw(tandem::import("base64")$b64decode(b64))
}

png_size <- function(bytes) {
  # width and height from the IHDR chunk
  be32 <- function(b) sum(as.numeric(b) * 256^(3:0))
  c(width = be32(bytes[17:20]), height = be32(bytes[21:24]))
}

test_that("library(tandem) makes tandem's engine knitr's python engine", {
  skip_if_not_installed("knitr")
  expect_identical(knitr::knit_engines$get("python"), tandem::eng_python)
})

test_that("python chunks share the interpreter with R chunks, print like a console and show images", {
  skip_if_no_render()
  skip_if(!tandem::py_available(TRUE) || is.null(tryCatch(tandem::import("matplotlib"), error = function(e) NULL)),
          "matplotlib is not installed")
  html <- render_rmd(c(
    "---", "title: t", "---",
    "```{r setup}", "library(tandem)", "from_r <- c(10, 20, 30)", "```",
    "```{python}",
    "import math",
    "xs = [v * 2 for v in r.from_r]",
    "print('printed:', len(xs))",
    "sum(xs)",
    "hidden = 5;",
    "def f(a):",
    "    return a + 1",
    "",
    "f(41)",
    "```",
    "```{r}", "cat('from python:', py$xs, '\\n')", "py$hidden + 1", "```",
    "```{python, error=TRUE}",
    "before = 'ran'",
    "int('not a number')",
    "after = 'never'",
    "```",
    "```{r}", "cat('before exists:', py_has_attr(import_main(), 'before'), '\\n')",
    "cat('after exists:', py_has_attr(import_main(), 'after'), '\\n')", "```",
    "```{python, fig.width=4, fig.height=3, dpi=50, fig.retina=1}",
    "import matplotlib.pyplot as plt",
    "plt.plot([1, 2, 3], [1, 4, 9])",
    "plt.title('squares')",
    "plt.show()",
    "fig, ax = plt.subplots()",
    "ax.bar(['a', 'b'], [3, 5])",
    "```"
  ))
  expect_match(html, "printed: 3", fixed = TRUE)       # print() output
  expect_match(html, "120", fixed = TRUE)              # value of the expression statement sum(xs)
  expect_match(html, "42", fixed = TRUE)               # value after a multi-line def
  expect_false(grepl("&gt;&gt;&gt;", html, fixed = TRUE))
  expect_match(html, "from python: 20 40 60", fixed = TRUE)
  expect_match(html, "## [1] 6", fixed = TRUE)         # py$hidden + 1 in an R chunk
  expect_match(html, "ValueError: invalid literal for int() with base 10: &#39;not a number&#39;", fixed = TRUE)
  expect_match(html, "before exists: TRUE", fixed = TRUE)
  expect_match(html, "after exists: FALSE", fixed = TRUE)   # the chunk stopped at the error
  expect_false(grepl("Line2D", html, fixed = TRUE))  # pyplot's return values are not printed
  imgs <- embedded_pngs(html)
  expect_length(imgs, 2L)
  for (img in imgs) expect_identical(img[2:4], charToRaw("PNG"))
  expect_equal(unname(png_size(imgs[[1]])), c(4 * 50, 3 * 50))
})

test_that("a python error stops rendering with error=FALSE (R Markdown's default), naming the chunk", {
  skip_if_no_render()
  expect_error(
    render_rmd(c("```{r}", "library(tandem)", "```", "```{python boom}", "x = 1", "raise KeyError('nope')", "```")),
    "KeyError: 'nope'"
  )
})

test_that("chunk options echo, eval, include, results and warning are honoured", {
  skip_if_no_render()
  html <- render_rmd(c(
    "```{r}", "library(tandem)", "```",
    "```{python, echo=FALSE}", "print('no-echo-output')", "```",
    "```{python, eval=FALSE}", "print('never-evaluated' + 1)", "```",
    "```{python, include=FALSE}", "included_var = 'quiet-chunk'", "print('include-false-output')", "```",
    "```{python, results='asis'}", "print('**bold-asis**')", "```",
    "```{python, results='hide'}", "print('hidden-result')", "```",
    "```{python}", "import warnings", "warnings.warn('shown-warning')", "```",
    "```{python, warning=FALSE}", "import warnings", "warnings.warn('silenced-warning')", "```",
    "```{r}", "cat(py$included_var)", "```",
    "```{python, jupyter_compat=TRUE}", "'first-' + 'value'", "'last-' + 'value'", "```",
    "```{python, results='hold'}", "print('held-' + 'one')", "held_x = 1", "print('held-' + 'two')", "```"
  ))
  expect_match(html, "no-echo-output", fixed = TRUE)
  expect_false(grepl("print(&#39;no-echo-output&#39;)", html, fixed = TRUE))
  expect_match(html, "never-evaluated", fixed = TRUE)   # shown as source
  expect_false(grepl("include-false-output", html, fixed = TRUE))
  expect_match(html, "<strong>bold-asis</strong>", fixed = TRUE)
  expect_false(grepl("## hidden-result", html, fixed = TRUE))
  expect_match(html, "shown-warning", fixed = TRUE)
  expect_false(grepl("UserWarning: silenced-warning", html, fixed = TRUE))
  expect_match(html, "quiet-chunk", fixed = TRUE)
  expect_false(grepl("first-value", html, fixed = TRUE))   # jupyter_compat: only the last value
  expect_match(html, "last-value", fixed = TRUE)
  # results='hold': the whole source first, then the outputs together
  expect_match(html, "held_x = 1[\\s\\S]*held-one\\s*\n## held-two", perl = TRUE)
})

test_that("the plot of a Keras history drawn in Python becomes an image", {
  skip_if_no_render()
  html <- render_rmd(c(
    "```{r}", "library(tandem)", "```",
    "```{python}",
    "import numpy as np, keras",
    "import matplotlib.pyplot as plt",
    "x = np.random.default_rng(1).normal(size=(32, 3)).astype('float32')",
    "y = x.sum(axis=1, keepdims=True)",
    "model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])",
    "model.compile(optimizer='sgd', loss='mse')",
    "history = model.fit(x, y, epochs=3, verbose=0)",
    "len(history.history['loss'])",
    "plt.plot(history.history['loss'], label='loss')",
    "plt.legend()",
    "```"
  ))
  expect_match(html, "## 3", fixed = TRUE)
  imgs <- embedded_pngs(html)
  expect_length(imgs, 1L)
  expect_identical(imgs[[1]][2:4], charToRaw("PNG"))
})

test_that("engine.path names the Python; once Python runs a different one is a warning", {
  skip_if_no_render()
  tandem::py_available(TRUE)
  other <- file.path(tempdir(), "surely-another-python")
  expect_warning(
    html <- render_rmd(c("```{r}", "library(tandem)", "```",
                         sprintf("```{python, engine.path='%s'}", other), "print('ran-anyway')", "```")),
    "is not used: Python .* is already running"
  )
  expect_match(html, "ran-anyway", fixed = TRUE)
})
