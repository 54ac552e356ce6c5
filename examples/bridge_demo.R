# examples/bridge_demo.R: the bridge in a few lines (R hosts Python). Run: make demo
library(tandem)

cat("Python:", py_config()$python, "\n")
np   <- import("numpy")
math <- import("math")
cat("math$sqrt(2)        =", math$sqrt(2), "\n")

os <- import("os", convert = FALSE)
cat("os$getcwd()         = "); print(os$getcwd())

py_run_string("x = [1, 2, 3]")
cat("py$x                =", py$x, "\n")
cat("py_eval('1 + 1')    =", py_eval("1 + 1"), "(", class(py_eval("1 + 1")), ")\n")

b <- import_builtins()
cat("b$len(list(1, 2))   =", b$len(list(1, 2)), "\n")

m <- matrix(1:6, nrow = 2)
cat("np$sum(m, axis = 0L) =", np$sum(m, axis = 0L), "\n")

msg <- tryCatch(py_eval("int('x')"), python.builtin.ValueError = function(e) conditionMessage(e))
cat("caught:", msg, "\n")

# R function called back from Python
square <- function(v) v^2
cat("map(square, 1:3)    =", unlist(b$list(b$map(square, 1:3))), "\n")
