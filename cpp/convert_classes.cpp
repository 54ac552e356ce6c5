// convert_classes.cpp: classed R values (factor, Date, POSIXct, difftime, data.frame) and
// their Python counterparts (pandas, datetime, NumPy datetime64). Optional packages only.
#include "convert_internal.hpp"

namespace tandem {

py::object r_to_py_classed(SEXP) { return py::object(); }

SEXP py_to_r_classed(PyObject*) { return nullptr; }

}  // namespace tandem
