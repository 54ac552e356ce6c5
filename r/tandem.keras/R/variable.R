# variable.R: the tensor methods registered for Keras and TensorFlow variables as well.

# R dispatches `tensor + variable` to the methods of both classes and, when they differ
# (the tensor's Ops and tandem's Ops.python.builtin.object), warns and falls back to
# its internal `+`, which fails. So variables get the very same method objects as tensors
# (identical methods are compatible); the methods read a variable's value with
# tf$convert_to_tensor() (as_tensor_value()), and `[<-` assigns into a variable in place.
# print() and format() stay tandem's: a variable prints as Python shows it (path, shape,
# dtype and values).
VARIABLE_GENERICS <- c(
  "Ops", "Math", "Summary", "Complex", "mean", "dim", "length", "as.array", "as.double",
  "as.integer", "as.logical", "as.character", "t", "[", "[<-", "is.finite", "is.infinite",
  "is.nan", "aperm", "rbind", "cbind", "rep", "sort"
)

# The method is given by name (registerS3method() looks it up in the namespace), so the
# namespace's record of S3 methods names it, as R CMD check expects.
register_variable_methods <- function(ns) {
  for (generic in VARIABLE_GENERICS) {
    for (cls in VARIABLE_CLASSES) registerS3method(generic, cls, paste0(generic, ".", TENSOR), envir = ns)
  }
}
