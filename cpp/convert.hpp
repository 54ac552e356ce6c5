// convert.hpp: the conversion table (README, "Conversion") in both directions.
#pragma once

#include "common.hpp"

namespace tandem {

// R -> Python: a new reference. S3 converters (r_to_py.<class>) are tried first for
// classed objects when `dispatch` is true and the R package is loaded.
// Thread safety: R main thread, GIL held.
py::object r_to_py(SEXP x, bool dispatch = true);

// Python -> R: an unprotected SEXP. Objects without a converter become handles with
// convert = TRUE; py_to_r.<class> S3 methods are applied to those, unless dispatch_top is
// false (for the object itself: the py_to_r() default method). Thread safety: R main
// thread, GIL held.
SEXP py_to_r(PyObject* o, bool dispatch_top = true);

// Python -> R for a value reached through a handle: converted when `convert`, else a handle.
SEXP py_to_r_maybe(PyObject* o, bool convert);

// Whether the process' R session uses UTF-8 as its native encoding (set at start).
extern bool g_native_utf8;

// Set by the R package: function(x) calling the r_to_py() generic (py_to_r.<class> methods
// are found by find_s3_method(), handle.hpp).
extern SEXP g_r_to_py_dispatch;

// Whether numpy is imported (it is never imported just to convert); caches its types
// (g_ndarray_type, nullptr until then). Thread safety: GIL held.
bool numpy_loaded();
extern PyTypeObject* g_ndarray_type;

}  // namespace tandem
