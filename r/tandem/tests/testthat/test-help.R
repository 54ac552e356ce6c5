# Documentation of Python objects: py_help(), py_function_docs(), py_function_wrapper().

test_that("py_help() prints Python's help text", {
  py_run_string(paste(
    "def documented(a, b=2):",
    "    '''Adds two numbers.",
    "",
    "    Longer explanation here.",
    "",
    "    Args:",
    "      a: The first number.",
    "      b: The second number, None allowed.",
    "",
    "    Returns:",
    "      The sum.",
    "    '''",
    "    return a + b",
    sep = "\n"))
  out <- capture.output(text <- py_help(py$documented))
  expect_true(any(grepl("documented(a, b=2)", out, fixed = TRUE)))
  expect_true(any(grepl("Adds two numbers.", out, fixed = TRUE)))
  expect_type(text, "character")
  expect_error(py_help(1), "Python object")
})

test_that("py_function_docs() reads the docstring and signature", {
  py_run_string(paste(
    "def scaled(x, factor=2, name=None, flag=True, *args, **kwargs):",
    "    '''Scales a value.",
    "",
    "    Multiplies x by factor.",
    "",
    "    Args:",
    "      x: The value.",
    "      factor: How much, an int.",
    "        Continued on the next line.",
    "      name: Optional name.",
    "",
    "    Returns:",
    "      The scaled value, or None.",
    "",
    "    Raises:",
    "      ValueError: when x is bad.",
    "    '''",
    "    return x * factor",
    sep = "\n"))
  main <- import_main()
  docs <- py_function_docs("main$scaled")
  expect_identical(docs$name, "scaled")
  expect_identical(docs$qualified_name, "main$scaled")
  expect_identical(docs$description, "Scales a value.")
  expect_identical(docs$details, "Multiplies x by factor.")
  expect_identical(docs$signature, "scaled(x, factor = 2L, name = NULL, flag = TRUE, ...)")
  expect_identical(names(docs$parameters), c("x", "factor", "name", "flag"))
  expect_identical(docs$parameters[["factor"]], "How much, an int. Continued on the next line.")
  expect_identical(docs$parameters[["flag"]], "flag")
  expect_identical(docs$returns, "The scaled value, or NULL.")
  expect_identical(docs$sections$Raises, "ValueError: when x is bad.")
  w <- py_function_wrapper("main$scaled", r_prefix = "py")
  expect_s3_class(w, "py_wrapper")
  expect_true("py_scaled <- function(x, factor = 2L, name = NULL, flag = TRUE, ...) {" %in% w)
  expect_true("#' @param factor How much, an int. Continued on the next line." %in% w)
  expect_true("  main$scaled(" %in% w)
  expect_identical(tail(w, 1), "}")
  # the wrapper is valid R code that calls the Python function
  wrapper_env <- new.env()
  wrapper_env$main <- main
  eval(parse(text = w), wrapper_env)
  expect_identical(wrapper_env$py_scaled(3L), 6L)
  expect_identical(capture.output(print(w)), as.vector(w))
})

test_that("py_function_docs() handles NumPy-style docstrings", {
  py_run_string(paste(
    "def np_style(alpha, beta=0.5):",
    "    '''Blends.",
    "",
    "    Parameters",
    "    ----------",
    "    alpha : float",
    "        The weight.",
    "    beta : float",
    "        The offset.",
    "    '''",
    "    return alpha",
    sep = "\n"))
  main <- import_main()
  docs <- py_function_docs("main$np_style")
  expect_identical(docs$parameters[["alpha"]], "The weight.")
  expect_identical(docs$parameters[["beta"]], "The offset.")
  expect_identical(docs$signature, "np_style(alpha, beta = 0.5)")
  expect_error(py_function_docs("1 + 1"), "Python object")
})

test_that("help handlers for IDEs: topics, handlers, completion and parameters", {
  py_run_string("def helped(q, r=1):\n    '''Helps.\n\n    Args:\n      q: the q.\n    '''\n    return q")
  main <- import_main()
  comp <- py_help_handler("completion", "helped", main)
  expect_identical(comp$title, "helped")
  expect_identical(comp$description, "Helps.")
  expect_identical(comp$signature, "helped(q, r = 1L)")
  assign("tandem_help_main", main, envir = globalenv())
  on.exit(rm("tandem_help_main", envir = globalenv()), add = TRUE)
  par <- py_help_handler("parameter", NULL, "tandem_help_main$helped")
  expect_identical(par$args, c("q", "r"))
  expect_identical(par$arg_descriptions, c("the q.", "r"))
  expect_identical(py_help_handler("url", "helped", main), "")
  register_help_topics("module", list(`__main__.helped` = "https://example.org/main"))
  expect_identical(py_help_handler("url", "helped", main), "https://example.org/main#helped")
  register_module_help_handler("json", function(name, subtopic = NULL) paste0("doc:", name))
  expect_identical(py_help_handler("url", "dumps", import("json")), "doc:json.dumps")
  expect_match(py_config_error_message("No module."), "^No module.\n\nDetected Python configuration")
})
