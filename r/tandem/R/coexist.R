# coexist.R: tandem and reticulate loaded in one R session.
#
# Both packages class Python objects "python.builtin.object" (and numpy.ndarray, ...), so
# they register S3 methods for the same classes of base R's generics (`$`, `[[`, print,
# length, ...). Whichever package loads last would take those methods over, and the other
# package's objects would reach C code that reads them as its own: reticulate's methods
# crash R on a tandem handle. So, once both are loaded, tandem registers one method per
# such (generic, class) that sends tandem's objects to tandem's method and reticulate's
# to reticulate's (or on, with NextMethod(), where one package has no method).

# Is `x` a Python object made by tandem? (reticulate keeps its objects in environments
# holding `pyobj`, or closures whose `py_object` is such an environment.)
# py_last_error()'s "py_error" list is tandem's when its "exception" is.
tandem_owns <- function(x) {
  switch(typeof(x),
    externalptr = TRUE,
    environment = inherits(x, "tandem_delayed_module") ||
      typeof(get0("py_object", envir = x, inherits = FALSE)) == "externalptr",
    typeof(attr(x, "py_object", exact = TRUE)) == "externalptr" ||
      (inherits(x, "py_error") && !is.null(e <- attr(x, "exception", exact = TRUE)) && tandem_owns(e)))
}

ops_generics <- c("+", "-", "*", "/", "^", "%%", "%/%", "&", "|", "!",
                  "==", "!=", "<", "<=", ">=", ">")

# Methods that read their arguments' expressions (substitute()) or the caller's frame
# (parent.frame()): called again from the original call, in the caller's frame.
nse_generics <- c("[", "[<-", "with")

# The (generic, class, method name) rows of a namespace's S3 methods declared in its
# NAMESPACE file. Methods registered at run time with registerS3method() (tandem's
# routers among them) are rows holding the function itself, and are left out.
declared_s3_methods <- function(ns) {
  table <- getNamespaceInfo(ns, "S3methods")
  if (!length(table)) return(matrix(character(), 0L, 3L))
  keep <- vapply(seq_len(nrow(table)), function(i) {
    is.character(table[[i, 1]]) && is.character(table[[i, 2]]) && is.character(table[[i, 3]])
  }, logical(1))
  table <- table[keep, 1:3, drop = FALSE]
  matrix(as.character(unlist(table)), nrow(table), 3L)
}

s3_method_in <- function(ns, table, generic, class) {
  i <- which(table[, 1] == generic & table[, 2] == class)
  if (!length(i)) return(NULL)
  get0(table[i[1], 3], envir = ns, inherits = FALSE, mode = "function")
}

# tandem's Ops group method, called for one operator: `.Generic` is set as dispatch sets it.
ops_method_for <- function(method, generic) {
  if (is.null(method)) return(NULL)
  environment(method) <- list2env(list(.Generic = generic), parent = environment(method))
  method
}

make_s3_router <- function(generic, ours, theirs, ours_ops = NULL) {
  template <- if (!is.null(ours)) ours else theirs
  if (generic == "Ops" || generic %in% ops_generics) {
    router <- function(e1, e2) {
      own <- (!missing(e1) && tandem_owns(e1)) || (!missing(e2) && tandem_owns(e2))
      fn <- if (own) ours else theirs
      if (is.null(fn) && own && !is.null(ours_ops)) fn <- ops_method_for(ours_ops, .Generic)
      if (is.null(fn)) return(NextMethod())
      if (generic == "Ops") fn <- ops_method_for(fn, .Generic)
      if (missing(e2)) fn(e1) else fn(e1, e2)
    }
    return(router)
  }
  args <- names(formals(template))
  first <- as.name(args[1])
  if (generic %in% nse_generics) {
    body <- bquote({
      fn <- if (tandem_owns(.(first))) ours else theirs
      if (is.null(fn)) return(NextMethod())
      call <- sys.call()
      call[[1L]] <- fn
      call[[2L]] <- .(first)  # its value: not evaluated again
      eval(call, parent.frame())
    })
  } else {
    forward <- lapply(args, function(a) if (a == "...") quote(...) else as.name(a))
    names(forward) <- ifelse(args == "..." | seq_along(args) == 1L, "", args)
    call <- as.call(c(quote(fn), forward))
    body <- bquote({
      fn <- if (tandem_owns(.(first))) ours else theirs
      if (is.null(fn)) return(NextMethod())
      .(call)
    })
  }
  router <- function() NULL
  formals(router) <- formals(template)
  body(router) <- body
  router
}

# Installed by .onLoad (and the hook for reticulate loading later).
coexist_with_reticulate <- function(...) {
  if (!isNamespaceLoaded("reticulate") || !isNamespaceLoaded("tandem")) return(invisible(FALSE))
  ours_ns <- asNamespace("tandem")
  theirs_ns <- asNamespace("reticulate")
  ours <- declared_s3_methods(ours_ns)
  theirs <- declared_s3_methods(theirs_ns)
  pairs <- unique(rbind(ours[, 1:2, drop = FALSE], theirs[, 1:2, drop = FALSE]))
  own_generic <- function(g) exists(g, envir = ours_ns, inherits = FALSE) || exists(g, envir = theirs_ns, inherits = FALSE)
  for (k in seq_len(nrow(pairs))) {
    generic <- pairs[k, 1]
    class <- pairs[k, 2]
    if (own_generic(generic) || startsWith(class, "tandem_")) next
    o <- s3_method_in(ours_ns, ours, generic, class)
    t <- s3_method_in(theirs_ns, theirs, generic, class)
    if (is.null(o) && is.null(t)) next
    ours_ops <- if (generic %in% ops_generics) s3_method_in(ours_ns, ours, "Ops", class)
    router <- make_s3_router(generic, o, t, ours_ops)
    environment(router) <- list2env(list(ours = o, theirs = t, ours_ops = ours_ops, generic = generic),
                                    parent = ours_ns)
    registerS3method(generic, class, router, envir = ours_ns)
  }
  delegate_reticulate()
  invisible(TRUE)
}

# reticulate's own functions would start (or attach to) the Python that tandem runs, and
# call it without the GIL that tandem releases while R runs: a fatal Python error. So when
# reticulate is loaded into a session where tandem is loaded and reticulate has not started
# Python itself, its exported functions that tandem also has (import, py_run_string,
# py_to_r, r_to_py, `py`, ... 94 of reticulate 1.28's 101) are bound to tandem's, in
# reticulate's namespace (so `reticulate::import()` is tandem's) and in package:reticulate
# if it is attached. options(tandem.reticulate = "keep") leaves reticulate alone.
delegate_reticulate <- function() {
  if (identical(getOption("tandem.reticulate"), "keep")) return(invisible(FALSE))
  theirs_ns <- asNamespace("reticulate")
  started <- tryCatch(isTRUE(get("is_python_initialized", envir = theirs_ns)()), error = function(e) FALSE)
  if (started) return(invisible(FALSE))
  ours_ns <- asNamespace("tandem")
  shared <- intersect(getNamespaceExports("reticulate"), getNamespaceExports("tandem"))
  envs <- list(theirs_ns)
  if ("package:reticulate" %in% search()) envs <- c(envs, list(as.environment("package:reticulate")))
  for (name in shared) {
    value <- get(name, envir = ours_ns)
    for (env in envs) {
      if (!exists(name, envir = env, inherits = FALSE)) next
      locked <- bindingIsLocked(name, env)
      if (locked) unlockBinding(name, env)
      if (bindingIsActive(name, env)) {
        makeActiveBinding(name, local({ v <- value; function() v }), env)
      } else if (is.function(value) == is.function(get(name, envir = env))) {
        assign(name, value, envir = env)
      }
      if (locked) lockBinding(name, env)
    }
  }
  invisible(TRUE)
}
