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

// A CHARSXP as a new Python str (None for NA). Copy. Text R holds as UTF-8 (marked so, or
// native in a UTF-8 locale) must be valid UTF-8: otherwise a UnicodeDecodeError, never
// R's "<e9>" escapes. Strings marked "bytes" are an error. Thread safety: GIL held.
PyObject* charsxp_to_py(SEXP c);

// A CHARSXP's text as UTF-8 for a message or a name shown to people: never an error (no
// R call that can fail either). Text that is not valid UTF-8, or is marked "bytes", keeps
// those bytes as \xNN escapes; "NA" for NA. Thread safety: GIL held.
std::string charsxp_text(SEXP c);

// charsxp_to_py() as UTF-8 bytes (the same checks and errors).
std::string charsxp_utf8(SEXP c);

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
