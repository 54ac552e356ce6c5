// convert_internal.hpp: helpers shared by the convert*.cpp files (not used elsewhere).
// Thread safety of everything here: R main thread, GIL held.
#pragma once

#include "convert.hpp"
#include "handle.hpp"
#include "release.hpp"
#include "rsafe.hpp"
#include "sigint.hpp"

#include <vector>

namespace tandem {

constexpr double k_max_exact = 9007199254740992.0;  // 2^53
constexpr long long k_max_exact_int = 9007199254740992LL;

// Ctrl-C inside long conversions (issue 11). A loop polls every k_poll_every elements
// (cheap: one atomic load); when a SIGINT arrived since the outermost conversion began
// (nested conversions share its start, so a signal sent while a py_to_r method ran is
// seen by the loops after it), raise() runs Python's signal handlers and throws:
// KeyboardInterrupt (an R interrupt condition under R) unwinds the whole conversion, so
// nothing half made is returned or kept. It throws even when a handler swallowed the
// signal: a handler may have changed the container whose items the loop reads. The big
// containers built so far are released later, in slices (release.hpp): releasing 3e7
// Python floats takes a second, which would otherwise stand before the handler.
// pending() needs no GIL (copies that release it call it); the rest: R's thread, GIL held.
constexpr long k_poll_every = 1 << 16;
constexpr long k_poll_list = 1 << 10;  // for loops whose every step converts a whole element
class interrupt_check {
 public:
  interrupt_check() : outermost_(depth_ == 0) {
    if (depth_++ == 0) {
      seen_ = g_sigint_count.load(std::memory_order_relaxed);
      // A Ctrl-C that R has not acted on yet (it came while R code ran, since R's last
      // check, or while Python started, before tandem's handler was there) is for this
      // conversion too: it would otherwise wait for R's next check, after the conversion.
      if (R_interrupts_pending && !R_interrupts_suspended) seen_ -= 1;
      g_interrupt_unwinding = false;
    }
  }
  ~interrupt_check() { depth_--; }
  interrupt_check(const interrupt_check&) = delete;
  // Whether this check began the outermost conversion.
  bool outermost() const { return outermost_; }
  bool pending() const { return g_sigint_count.load(std::memory_order_relaxed) != seen_; }
  void poll() {
    if (pending()) raise();
  }
  [[noreturn]] void raise() {
    seen_ = g_sigint_count.load(std::memory_order_relaxed);
    R_interrupts_pending = 0;  // this KeyboardInterrupt is R's pending interrupt (raise_in_r() sets it again)
    if (PyErr_CheckSignals() == 0) PyErr_SetNone(PyExc_KeyboardInterrupt);
    g_interrupt_unwinding = true;
    throw py::error_already_set();
  }

 private:
  bool outermost_;
  static inline int depth_ = 0;
  static inline unsigned seen_ = 0;
};

// A Python str as an unprotected CHARSXP (UTF-8). Copy. Embedded NUL is an error.
SEXP py_str_to_charsxp(PyObject* o);
// The n elements of a character vector as new Python strs (None for NA) into out[0..n),
// each repeated CHARSXP converted once. On an exception, out[0..i) hold new references
// and the rest are untouched.
void strsxp_to_py_items(SEXP x, R_xlen_t n, PyObject** out);
// Python objects into out[0..n) (a protected STRSXP): str as UTF-8 CHARSXPs, anything else
// as NA. Embedded NUL is an error.
void py_strs_to_strsxp(SEXP out, PyObject* const* items, R_xlen_t n);
// UTF-8 bytes as an unprotected CHARSXP; `what` names the value in the error for invalid
// UTF-8 or an embedded NUL.
SEXP utf8_to_charsxp(const char* s, size_t n, const std::string& what);

// options(tandem.int64): false for "double" (the default), true for "integer64" (then the
// bit64 namespace is loaded). Any other value, or bit64 missing, is an error.
bool int64_as_integer64();
// Gives x (a double vector holding int64 bits) the class "integer64"; returns x.
SEXP set_integer64_class(SEXP x);

// A Python list as an R list, element by element (no simplification to a vector).
SEXP py_list_to_r_list(PyObject* list);

extern PyTypeObject* g_npgeneric_type;  // numpy.generic, set by numpy_loaded() (convert.hpp)

// NumPy -> R (convert_numpy.cpp): see the README table for the dtypes.
SEXP ndarray_to_r(PyObject* o);
// An object array of str / None / NaN -> character (also when empty or all missing). Copy.
SEXP str_object_array_to_r(PyObject* o);
// R array (with dim) -> NumPy (convert_numpy.cpp).
py::object r_array_to_numpy(SEXP x);
// The same with an explicit shape (Fortran order; its product is XLENGTH(x)).
py::object r_array_to_numpy(SEXP x, const std::vector<py::ssize_t>& shape);
// An atomic vector as a 1-D NumPy array, dim ignored (view or copy as above).
py::object r_vector_to_numpy(SEXP x);
// bit64::integer64 -> NumPy int64 of `shape`: a read-only view without NA, else a masked
// array (copy).
py::object r_integer64_to_numpy(SEXP x, const std::vector<py::ssize_t>& shape);
// Sets dim on `out` when shape has one or more axes (1-D NumPy arrays become 1-d R arrays,
// as with reticulate); returns out.
SEXP set_dims(SEXP out, const std::vector<py::ssize_t>& shape);
// x without dim (and dimnames), for values that are vectors in R (pandas columns, factor
// levels, row names): x itself when no one else refers to it, else a shallow copy.
SEXP drop_dim(SEXP x);

// An ALTREP vector over NumPy memory (convert_altrep.cpp). View: `data` (length
// elements of REALSXP / INTSXP / CPLXSXP type) must stay valid while `owner` lives; the
// vector holds a reference to owner. R writes go to a private copy. Unprotected result.
SEXP numpy_altrep(PyObject* owner, const void* data, R_xlen_t length, SEXPTYPE type);

// Classed R vectors and data frames (convert_classes.cpp). r_to_py_classed returns an
// empty object when x is not one of the classes it knows.
py::object r_to_py_classed(SEXP x);
// Python objects of the classes it knows (pandas, datetime, scipy.sparse), else nullptr.
SEXP py_to_r_classed(PyObject* o);

}  // namespace tandem
