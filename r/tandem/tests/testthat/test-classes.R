# R functions with Python signatures, Python classes defined in R, R iterators.

test_that("py_func gives R functions a Python signature", {
  f <- py_func(function(x, training = FALSE, mask = NULL, ...) list(x, training))
  sig <- import("inspect")$signature(f)
  expect_identical(py_str(sig), "(x, training=False, mask=None, *args, **kwargs)")
  expect_identical(f(1, training = TRUE), list(1, TRUE))
  expect_identical(f(2), list(2, FALSE))
  g <- py_func(function(a, b = a * 2) a + b)
  expect_identical(py_str(import("inspect")$signature(g)), "(a, b=<R default>)")
  expect_identical(g(1), 3)  # R evaluates its own default
  expect_error(py_call(g), class = "python.builtin.TypeError")
  expect_error(py_func(1), "`f` must be an R function")
})

test_that("PyClass makes Python classes with R methods", {
  Counter <- PyClass("Counter", list(
    initialize = function(start = 0L) self$n <- start,
    bump = function(by = 1L) {
      self$n <- self$n + by
      self$n
    },
    kind = "counter"
  ))
  c1 <- Counter(5L)
  expect_identical(c1$bump(), 6L)
  expect_identical(c1$bump(10L), 16L)
  expect_identical(c1$kind, "counter")
  expect_identical(class(c1), c("Counter", "python.builtin.object"))
  py_run_string("def make_and_bump(cls):\n    c = cls(1)\n    return c.bump(2)")
  expect_identical(py$make_and_bump(Counter), 3L)
  expect_error(PyClass("X", list(function() 1)), "must be named")
})

test_that("%py_class% with inheritance, super and explicit self", {
  Base <- PyClass("Base", list(
    initialize = function(a) self$a <- a,
    describe = function() paste("base", self$a)
  ))
  Child(Base) %py_class% {
    initialize <- function(a, b) {
      super$initialize(a)
      self$b <- b
    }
    describe <- function() paste("child of", super()$describe(), self$b)
    explicit <- function(self, x) paste(self$b, x)
  }
  ch <- Child("A", "B")
  expect_identical(ch$describe(), "child of base A B")
  expect_identical(ch$explicit("z"), "B z")
  expect_identical(class(ch)[1:2], c("R.Child", "Base"))
  py_run_string("def via_python(cls):\n    return cls('x', 'y').describe()")
  expect_identical(py$via_python(Child), "child of base x y")
})

test_that("%py_class% and PyClass take R objects that r_to_py() makes Python classes", {
  Base <- PyClass("GenBase", list(
    initialize = function(a) self$a <- a,
    describe = function() paste("base", self$a)
  ))
  # What a package built on tandem hands out: an R function standing for a Python class,
  # with an r_to_py() method that gives the class.
  gen <- structure(function(...) Base(...), class = c("tandem_test_generator", "function"),
                   py_class = Base)
  registerS3method("r_to_py", "tandem_test_generator",
                   function(x, convert = FALSE) attr(x, "py_class", exact = TRUE),
                   envir = asNamespace("tandem"))
  Child(gen) %py_class% {
    describe <- function() paste("child of", super()$describe())
  }
  expect_identical(Child("A")$describe(), "child of base A")
  expect_true(py_to_r(import_builtins()$issubclass(Child, Base)))
  Other <- PyClass("Other", list(twice = function() 2 * self$a), inherit = gen)
  expect_identical(Other(3)$twice(), 6)
  expect_identical(Other(3)$describe(), "base 3")
  # Plain R values are not classes.
  expect_error(PyClass("Bad", list(), inherit = list(1)), "`inherit` must be Python classes")
  expect_error(Bad(function(x) x) %py_class% { f <- function() 1 },
               "`inherit` must be Python classes")
})

test_that("closures on an instance that capture self make no cycle through R", {
  released <- new.env()
  Holder <- PyClass("Holder", list(
    initialize = function(n) {
      self$n <- n
      state <- new.env()  # per-instance R state, reachable only from the instance
      reg.finalizer(state, function(e) released$state <- TRUE)
      self$get_n <- function() self$n + 0L * length(ls(state))
    },
    explicit = function(self) self$keep <- function() self$n
  ))
  h <- Holder(7L)
  h$explicit()
  expect_identical(h$get_n(), 7L)
  expect_identical(h$keep(), 7L)
  weakref <- import("weakref")
  w <- weakref$ref(h)
  expect_false(is.null(py_call(w)))
  rm(h)
  gc()
  import("gc")$collect()
  gc()  # R runs the state's finalizer once Python released the closure
  expect_null(py_to_r(py_call(w)))
  expect_true(isTRUE(released$state))
})

test_that("a self kept after its instance died is a clear error", {
  kept <- new.env()
  Leaky <- PyClass("Leaky", list(initialize = function() kept$self <- self, x = 1L))
  obj <- Leaky()
  expect_identical(kept$self$x, 1L)  # alive while obj is
  rm(obj)
  gc()
  import("gc")$collect()
  expect_true(py_is_null_xptr(kept$self))
  expect_error(kept$self$x, "was deleted")
})

test_that("R errors in methods reach Python and come back with their class", {
  Failing <- PyClass("Failing", list(go = function() stop(structure(
    class = c("method_error", "error", "condition"), list(message = "in method", call = NULL)))))
  res <- tryCatch(Failing()$go(), method_error = function(e) conditionMessage(e))
  expect_identical(res, "in method")
})

test_that("R6 generators become Python classes", {
  skip_if_not_installed("R6")
  gen <- R6::R6Class("Greeter", public = list(
    name = "anon",
    initialize = function(name) self$name <- name,
    hi = function() paste("hi", self$name)
  ))
  G <- r_to_py(gen)
  g <- py_call(G, "bob")
  expect_identical(py_to_r(py_call(py_get_attr(g, "hi"))), "hi bob")
})

test_that("R6 classes inherit Python classes and keep `private` per instance", {
  skip_if_not_installed("R6")
  py_run_string("
class Base:
    def __init__(self, start):
        self.start = start
    def base_value(self):
        return self.start * 10
")
  Counter <- R6::R6Class("Counter", inherit = py$Base,
    public = list(
      initialize = function(start, step) {
        super$initialize(start)      # reaches Base.__init__
        private$step <- step
      },
      bump = function() {
        private$n <- private$n + private$step
        private$describe()
      }
    ),
    private = list(n = 0, step = NULL,
                   describe = function() paste(self$start, private$n))
  )
  C <- r_to_py(Counter, convert = TRUE)
  expect_true(py_to_r(import_builtins()$issubclass(C, py$Base)))
  a <- C(1, 2)
  b <- C(5, 10)
  expect_identical(a$base_value(), 10)
  expect_identical(a$bump(), "1 2")
  expect_identical(a$bump(), "1 4")
  expect_identical(b$bump(), "5 10")
  # the private state is R's: Python sees no attribute for it other than an opaque handle
  expect_false(py_has_attr(a, "n"))
  expect_false(py_has_attr(a, "step"))
  # an R6 parent contributes its methods through r_to_py() too
  Child <- R6::R6Class("Child", inherit = Counter, public = list(twice = function() 2 * self$start))
  ch <- r_to_py(Child, convert = TRUE)
  expect_identical(ch(3, 1)$twice(), 6)
})

test_that("`private` in PyClass() and %py_class%", {
  P <- PyClass("P", list(
    initialize = function(x) private$x <- x,
    get = function() private$helper()
  ), private = list(helper = function() private$x + 1))
  expect_identical(P(1)$get(), 2)
  expect_identical(P(10)$get(), 11)
  Holder %py_class% {
    initialize <- function(x) private$y <- x
    get <- function() private$y
    private$double <- function() private$y * 2
    dbl <- function() private$double()
  }
  h1 <- Holder(1)
  h2 <- Holder(5)
  expect_identical(c(h1$get(), h2$get(), h2$dbl()), c(1, 5, 10))
  expect_false(py_has_attr(h1, "y"))
  expect_error(PyClass("Bad", list(), private = list(1)), "`private` must be a named list")
})

test_that("py_iterator iterates an R function, also from tf.data's threads", {
  i <- 0
  it <- py_iterator(function() if (i < 5) (i <<- i + 1) else NULL)
  expect_identical(iterate(it), c(1, 2, 3, 4, 5))
  j <- 0
  gen <- function() {
    if (j >= 6) return(NULL)
    j <<- j + 1
    c(j, j * 10)
  }
  py_run_string("
import threading
def consume_in_thread(it):
    out = []
    t = threading.Thread(target=lambda: out.extend(list(it)))
    t.start(); t.join(60)
    return out
")
  res <- py$consume_in_thread(py_iterator(gen, prefetch = 2L))
  expect_identical(res, lapply(1:6, function(k) c(k, k * 10)))
  expect_error(py_iterator(1), "`fn` must be a function")
  expect_error(py_iterator(function() 1, prefetch = -1), "`prefetch` must be a whole number")
})

test_that("R -> Python -> R ... nests 200 deep and unwinds errors at any depth", {
  py_run_string("
def bounce(f, n):
    return f(n)
")
  bounce <- py$bounce
  down <- function(n) if (n == 0) "bottom" else bounce(down, n - 1)
  expect_identical(down(200), "bottom")
  fail_at <- function(n) if (n == 0) stop("deep failure") else bounce(fail_at, n - 1)
  expect_error(fail_at(200), "deep failure")
  py_fail <- function(n) if (n == 0) py_eval("1/0") else bounce(py_fail, n - 1)
  expect_error(py_fail(150), class = "python.builtin.ZeroDivisionError")
  expect_identical(down(3), "bottom")
})

test_that("reticulate-style PyClass: explicit self, super(), S3 class is the bare name", {
  Hi <- PyClass("Hi", list(
    name = NULL,
    `__init__` = function(self, name) {
      self$name <- name
      NULL
    },
    say_hi = function(self) paste0("Hi ", self$name)
  ))
  a <- Hi("World")
  expect_identical(a$say_hi(), "Hi World")
  expect_identical(class(a), c("Hi", "python.builtin.object"))
  py_to_r.Hi <- function(x) paste("converted", x$name)
  expect_identical(py_to_r(a), "converted World")
  Greeter <- PyClass("Greeter", list(
    `__init__` = function(self, name) {
      super()$`__init__`(name)
      self$greeting <- "Hello"
      NULL
    },
    say_hi = function(self) paste(self$greeting, self$name, "/", super()$say_hi())
  ), inherit = Hi)
  g <- Greeter("you")
  expect_identical(g$say_hi(), "Hello you / Hi you")
  expect_identical(class(g), c("Greeter", "Hi", "python.builtin.object"))
  with_module <- PyClass("Mod", list(`__module__` = "mypkg"))
  expect_identical(class(with_module())[[1]], "mypkg.Mod")
})

test_that("self is not converted by a py_to_r() method of its class", {
  Base <- PyClass("SelfBase")
  Hi <- PyClass("SelfHi", inherit = Base, list(
    `__init__` = function(self, a) {
      self$a <- a
      NULL
    },
    add_2 = function(self) self$a + 2
  ))
  registerS3method("py_to_r", "SelfBase", function(x) "base", envir = asNamespace("tandem"))
  on.exit(rm("py_to_r.SelfBase", envir = get(".__S3MethodsTable__.", envir = asNamespace("tandem"))), add = TRUE)
  x <- Hi(2)
  expect_identical(x, "base")  # the result converts; inside the methods, self did not
  raw <- py_call(py_get_attr(Hi, "__call__"), 5)  # py_call(): the Python object, as reticulate
  expect_s3_class(raw, "SelfHi")
  expect_identical(py_to_r(raw), "base")
  h <- py_eval("lambda cls: cls(3)", convert = FALSE)(Hi)
  expect_identical(py_to_r(py_call(py_get_attr(h, "add_2"))), 5)
})

test_that("py_func() refuses signatures Python cannot have (reticulate)", {
  expect_error(py_func(function(a = 1, b) {}), "follows one with a default")
  # names Python cannot take (reticulate: "esoteric Python-incompatible constructs")
  # without a default: Python could never pass it (reticulate: "esoteric constructs")
  expect_error(py_func(function(a.b) {}), "`a.b` has no default and is not a valid Python parameter name")
  expect_error(py_func(function(x, lambda) {}), "`lambda` has no default")
  dotted <- py_func(function(x, na.rm = TRUE) if (na.rm) x * 2 else x)  # the R default applies
  expect_identical(py_to_r(py_call(dotted, 2)), 4)
  expect_identical(import_builtins()$list(import("inspect")$signature(dotted)$parameters), "x")
  accented <- function() NULL  # a non-ASCII identifier is fine in both languages
  formals(accented) <- setNames(alist(x = 1), "\u00e9t\u00e9")
  body(accented) <- as.name("\u00e9t\u00e9")
  expect_identical(py_func(accented)(2), 2)
  lambda <- py_func(function(..., .x = ..1) .x + 1)  # rlang-style lambda
  expect_identical(lambda(2), 3)
  inspect <- import("inspect")
  for (f in list(function(a = c(1, 2, 3)) {}, function(a = NULL) {}, function(a = "abc") {},
                 function(a, b = 3) {}, function(a = list()) {}, function(a = list("a", 1, list(3, "b", NULL))) {})) {
    expect_true(length(py_call(import("inspect", convert = FALSE)$signature, py_func(f))$parameters) > 0)
  }
  g <- py_func(function(x = 1, ..., y) list(x, y))  # after ...: keyword-only, fine
  expect_identical(g(y = 2), c(1, 2))
})

test_that("methods with py_decorators are decorated: properties, static and class methods", {
  area <- function(self) self$w * self$h
  attr(area, "py_decorators") <- "property"
  twice <- function(x) x * 2
  attr(twice, "py_decorators") <- "staticmethod"
  Rect <- PyClass("Rect", list(
    initialize = function(w, h) { self$w <- w; self$h <- h },
    area = area,
    twice = twice
  ))
  r <- Rect(2, 3)
  expect_identical(r$area, 6)
  expect_error(py_set_attr(r, "area", 1), "AttributeError")
  expect_identical(Rect$twice(4), 8)
  expect_identical(r$twice(5), 10)
  bad <- function(self) 1
  attr(bad, "py_decorators") <- "no_such_builtin"
  expect_error(PyClass("Bad", list(m = bad)), "decorator 'no_such_builtin' is not a Python builtin")
  Sq(Rect) %py_class% {
    initialize <- function(s) super$initialize(s, s)
    side <- function(self) self$w
    attr(side, "py_decorators") <- "property"
  }
  expect_identical(Sq(4)$side, 4)
  expect_identical(Sq(4)$area, 16)
})

test_that("a method argument named like a prefix of `self` (s, se) is that argument", {
  Rect <- PyClass("Rect2", list(initialize = function(w, h) { self$w <- w; self$h <- h }))
  Sq <- PyClass("Sq2", list(
    initialize = function(s) super$initialize(s, s),
    grow = function(se = 1) self$w + se
  ), inherit = Rect)
  q <- Sq(4)
  expect_identical(q$w, 4)
  expect_identical(q$grow(2), 6)
  expect_identical(q$grow(se = 3), 7)
  expect_identical(q$grow(), 5)
})
