// convert_numpy.cpp: NumPy arrays and R arrays, both directions. R double/integer/complex
// arrays become read-only NumPy views; Fortran-ordered NumPy arrays become ALTREP views.
#include "convert_internal.hpp"

#include <cmath>
#include <complex>
#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>
#include <type_traits>

#include <pybind11/numpy.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace tandem {

PyTypeObject* g_ndarray_type = nullptr;
PyTypeObject* g_npgeneric_type = nullptr;

bool numpy_loaded() {
  if (g_ndarray_type != nullptr) return true;
  PyObject* np = PyImport_GetModule(py::str("numpy").ptr());
  if (np == nullptr) {
    if (PyErr_Occurred()) PyErr_Clear();
    return false;
  }
  PyObject* nd = PyObject_GetAttrString(np, "ndarray");
  PyObject* gen = PyObject_GetAttrString(np, "generic");
  Py_DECREF(np);
  if (nd == nullptr || gen == nullptr) {
    PyErr_Clear();
    Py_XDECREF(nd);
    Py_XDECREF(gen);
    return false;
  }
  g_ndarray_type = (PyTypeObject*)nd;  // strong references, kept for the process
  g_npgeneric_type = (PyTypeObject*)gen;
  return true;
}

SEXP drop_dim(SEXP x) {
  if (Rf_getAttrib(x, R_DimSymbol) == R_NilValue) return x;
  protect_scope p;
  p(x);
  if (MAYBE_REFERENCED(x)) x = p(r_safe([&] { return Rf_shallow_duplicate(x); }));  // an R array itself (a view's source)
  r_safe([&] {
    Rf_setAttrib(x, R_DimSymbol, R_NilValue);  // also drops dimnames
    return R_NilValue;
  });
  return x;
}

SEXP set_dims(SEXP out, const std::vector<py::ssize_t>& shape) {
  if (shape.empty()) return out;
  protect_scope p;
  p(out);
  SEXP dim = p(r_alloc(INTSXP, (R_xlen_t)shape.size()));
  for (size_t i = 0; i < shape.size(); i++) {
    if (shape[i] > INT_MAX) throw tandem_error("NumPy array dimension exceeds R's limit of 2^31-1", tandem_error::value);
    INTEGER(dim)[i] = (int)shape[i];
  }
  r_safe([&] {
    Rf_setAttrib(out, R_DimSymbol, dim);
    return R_NilValue;
  });
  return out;
}

namespace {

using npy = py::detail::npy_api;

// "index 3" for 1-D arrays, "index (1, 2)" otherwise; i counts in Fortran order.
std::string index_text(R_xlen_t i, const std::vector<py::ssize_t>& shape) {
  if (shape.size() <= 1) return "index " + std::to_string(i);
  std::string s = "index (";
  for (size_t k = 0; k < shape.size(); k++) {
    py::ssize_t d = shape[k] > 0 ? shape[k] : 1;
    s += std::to_string(i % d) + (k + 1 < shape.size() ? ", " : ")");
    i /= d;
  }
  return s;
}

bool native_order(const py::dtype& dt) {
  char bo = dt.byteorder();
  return bo == '=' || bo == '|' || (bo == '<' && PY_LITTLE_ENDIAN) || (bo == '>' && !PY_LITTLE_ENDIAN);
}

// Whether R can read the array's memory in place: Fortran-contiguous, aligned, native.
bool r_can_view(const py::array& a) {
  int flags = py::detail::array_proxy(a.ptr())->flags;
  return a.size() > 0 && (flags & npy::NPY_ARRAY_F_CONTIGUOUS_) && (flags & npy::NPY_ARRAY_ALIGNED_) &&
         native_order(a.dtype());
}

// When `a` is (exactly) a NumPy view that tandem made of an R array, that R array.
SEXP r_source_of_view(const py::array& a) {
  PyObject* base = py::detail::array_proxy(a.ptr())->base;
  if (base == nullptr || g_robject_type == nullptr || Py_TYPE(base) != g_robject_type || a.ndim() < 1) return nullptr;
  SEXP x = robject_sexp(base);
  SEXP dim = Rf_getAttrib(x, R_DimSymbol);
  if (TYPEOF(dim) != INTSXP || XLENGTH(dim) != a.ndim()) return nullptr;
  for (py::ssize_t i = 0; i < a.ndim(); i++)
    if (INTEGER(dim)[i] != a.shape(i)) return nullptr;
  char kind = a.dtype().kind();
  py::ssize_t size = a.dtype().itemsize();
  bool same_type = (TYPEOF(x) == REALSXP && kind == 'f' && size == 8) ||
                   (TYPEOF(x) == INTSXP && kind == 'i' && size == 4) || (TYPEOF(x) == RAWSXP && kind == 'V' && size == 1) ||
                   (TYPEOF(x) == CPLXSXP && kind == 'c' && size == 16);
  if (!same_type || !r_can_view(a) || DATAPTR_OR_NULL(x) != a.data()) return nullptr;
  return x;
}

SEXP r_alloc_filled(SEXPTYPE type, R_xlen_t n);

// Copy, in Fortran order, through NumPy's casting to T.
template <typename T, typename F>
SEXP copy_array(py::handle a, SEXPTYPE type, F&& store) {
  auto arr = py::array_t<T, py::array::f_style | py::array::forcecast>::ensure(a);
  if (!arr) throw py::error_already_set();
  std::vector<py::ssize_t> shape(arr.shape(), arr.shape() + arr.ndim());
  R_xlen_t n = (R_xlen_t)arr.size();
  protect_scope p;
  SEXP out = p(r_alloc_filled(type, n));
  store(out, arr.data(), n, shape);
  return set_dims(out, shape);
}

// ---- one copy into R's order ----------------------------------------------------------
// Thread safety of this section: plain memory only (no R, no Python calls), so it runs with
// the GIL released.

// Fresh vectors of 4 MB or more ask the kernel for transparent huge pages, as NumPy does for
// its own arrays: the first touch of 80 MB costs 20,000 page faults with 4 KB pages, 40 with
// 2 MB pages, and those faults cost more than the copy itself. A hint; failure is harmless.
void advise_huge_pages(void* p, size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (bytes < (size_t{1} << 22)) return;
  const uintptr_t page = 4096;
  uintptr_t start = ((uintptr_t)p + page - 1) & ~(page - 1);
  uintptr_t end = ((uintptr_t)p + bytes) & ~(page - 1);
  if (end > start) (void)madvise(reinterpret_cast<void*>(start), end - start, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}

// A new, unprotected numeric vector whose memory is about to be written once in full.
SEXP r_alloc_filled(SEXPTYPE type, R_xlen_t n) {
  SEXP out = r_alloc(type, n);
  if (n > 0) advise_huge_pages(DATAPTR(out), (size_t)n * (type == CPLXSXP ? 16 : type == REALSXP ? 8 : 4));
  return out;
}

struct complex16 {  // R's Rcomplex and NumPy's complex128 share this layout
  double re, im;
};

template <typename S, typename D>
inline D element_cast(S v) {
  if constexpr (std::is_same_v<S, D>) return v;
  else return static_cast<D>(v);
}

// An 8x8 tile: dst[i + j * dst_col] = src[i * src_row + j] for i, j < 8. With `stream`
// (doubles only; dst 64-byte aligned and dst_col a multiple of 8), every destination column
// gets one whole cache line by non-temporal stores: no read of the line before it is written.
template <typename S, typename D, bool stream>
inline void tile8(const S* src, py::ssize_t src_row, D* dst, py::ssize_t dst_col) {
#if defined(__SSE2__)
  if constexpr (std::is_same_v<S, double> && std::is_same_v<D, double>) {
    for (int j = 0; j < 8; j += 2)
      for (int i = 0; i < 8; i += 2) {  // 2x2 blocks in SSE2 registers
        __m128d r0 = _mm_loadu_pd(src + i * src_row + j), r1 = _mm_loadu_pd(src + (i + 1) * src_row + j);
        if constexpr (stream) {
          _mm_stream_pd(dst + j * dst_col + i, _mm_unpacklo_pd(r0, r1));
          _mm_stream_pd(dst + (j + 1) * dst_col + i, _mm_unpackhi_pd(r0, r1));
        } else {
          _mm_storeu_pd(dst + j * dst_col + i, _mm_unpacklo_pd(r0, r1));
          _mm_storeu_pd(dst + (j + 1) * dst_col + i, _mm_unpackhi_pd(r0, r1));
        }
      }
    return;
  }
#endif
  for (int j = 0; j < 8; j++)
    for (int i = 0; i < 8; i++) dst[j * dst_col + i] = element_cast<S, D>(src[i * src_row + j]);
}

// Transposes a rows x cols matrix (source rows src_row elements apart) into columns dst_col
// elements apart: strips of eight source rows read in order, 8x8 tiles, scalar edges. Stops
// early (leaving the rest unwritten) once `ic` has an interrupt pending.
template <typename S, typename D>
void transpose(const S* src, py::ssize_t src_row, D* dst, py::ssize_t dst_col, py::ssize_t rows, py::ssize_t cols,
               const interrupt_check& ic) {
  auto scalar = [&](py::ssize_t i0, py::ssize_t i1, py::ssize_t j0, py::ssize_t j1) {
    for (py::ssize_t b0 = i0; b0 < i1 && !ic.pending(); b0 += k_poll_every) {
      const py::ssize_t b1 = std::min(i1, b0 + (py::ssize_t)k_poll_every);
      for (py::ssize_t j = j0; j < j1; j++)
        for (py::ssize_t i = b0; i < b1; i++) dst[i + j * dst_col] = element_cast<S, D>(src[i * src_row + j]);
    }
  };
  const py::ssize_t full_cols = cols - cols % 8;
  auto strips = [&](auto stream, py::ssize_t i_begin, py::ssize_t i_end) {
    for (py::ssize_t i0 = i_begin; i0 + 8 <= i_end && !ic.pending(); i0 += 8)
      for (py::ssize_t j0 = 0; j0 < full_cols; j0 += 8)
        tile8<S, D, decltype(stream)::value>(src + i0 * src_row + j0, src_row, dst + j0 * dst_col + i0, dst_col);
  };
  py::ssize_t head = 0;
  bool stream = false;
#if defined(__SSE2__)
  if constexpr (std::is_same_v<S, double> && std::is_same_v<D, double>) {
    // Every tile starts a cache line when columns are whole lines apart and the first tile
    // row is moved to a line boundary (rows before it are copied one by one).
    head = (py::ssize_t)(((64 - ((uintptr_t)dst & 63)) & 63) / 8);
    stream = dst_col % 8 == 0 && ((uintptr_t)dst & 7) == 0 && rows >= head + 8 && cols >= 8;
    if (!stream) head = 0;
  }
#endif
  const py::ssize_t body_end = head + (rows - head) / 8 * 8;
  if (stream) {
    strips(std::true_type{}, head, body_end);
#if defined(__SSE2__)
    _mm_sfence();  // order the non-temporal stores before anything that follows
#endif
  } else {
    strips(std::false_type{}, head, body_end);
  }
  scalar(0, head, 0, cols);
  scalar(body_end, rows, 0, cols);
  scalar(head, body_end, full_cols, cols);
}

// Touches the pages of fresh memory in address order, one write per 4 KB, stopping once
// `ic` has an interrupt pending. The transposition below writes every column in its first
// strip of rows, so all the page faults of the destination (and the kernel's work to find
// huge pages for them, which took 0.4 s for 240 MB here) would come before its first
// interrupt check; touched in order, they come between checks (every 4 MB).
inline void touch_pages(void* p, size_t bytes, const interrupt_check& ic) {
  constexpr size_t page = 4096, check_every = size_t{1} << 22;
  volatile char* c = static_cast<volatile char*>(p);
  for (size_t b0 = 0; b0 < bytes && !ic.pending(); b0 += check_every)
    for (size_t off = b0; off < std::min(bytes, b0 + check_every); off += page) c[off] = 0;
}

// Copies a C-contiguous array of shape (d0, ..., dk), k >= 1, into R's column-major order,
// which reverses its axes: for every index of the middle axes d1..d(k-1), the d0 x dk matrix
// there is transposed (source rows d1*...*dk apart, destination columns d0*...*d(k-1) apart).
template <typename S, typename D>
void copy_c_order(const S* src, D* dst, const std::vector<py::ssize_t>& shape, const interrupt_check& ic) {
  const size_t k = shape.size() - 1;
  const py::ssize_t rows = shape[0], cols = shape[k];
  py::ssize_t src_row = 1, dst_col = 1, n_mid = 1;
  for (size_t m = 1; m <= k; m++) src_row *= shape[m];
  for (size_t m = 0; m < k; m++) dst_col *= shape[m];
  for (size_t m = 1; m < k; m++) n_mid *= shape[m];
  for (py::ssize_t mid = 0; mid < n_mid && !ic.pending(); mid++) {
    // The middle index (i1, ..., i(k-1)) of `mid`, last axis fastest, as offsets.
    py::ssize_t rest = mid, src_off = 0, dst_off = 0, src_stride = cols, dst_stride = dst_col;
    for (size_t m = k - 1; m >= 1; m--) {
      py::ssize_t im = rest % shape[m];
      rest /= shape[m];
      dst_stride /= shape[m];
      src_off += im * src_stride;
      dst_off += im * dst_stride;
      src_stride *= shape[m];
    }
    transpose<S, D>(src + src_off, src_row, dst + dst_off, dst_col, rows, cols, ic);
  }
}

// One pass from NumPy memory into a new R vector of `type` (element D), in R's order, for
// aligned, native-order arrays that are C- or F-contiguous; nullptr for any other layout
// (the caller then lets NumPy cast). Copy.
template <typename S, typename D>
SEXP copy_direct(const py::array& a, SEXPTYPE type) {
  int flags = py::detail::array_proxy(a.ptr())->flags;
  bool f_order = flags & npy::NPY_ARRAY_F_CONTIGUOUS_, c_order = flags & npy::NPY_ARRAY_C_CONTIGUOUS_;
  if (!(flags & npy::NPY_ARRAY_ALIGNED_) || !native_order(a.dtype()) || !(f_order || c_order) ||
      a.dtype().itemsize() != (py::ssize_t)sizeof(S))
    return nullptr;
  std::vector<py::ssize_t> shape(a.shape(), a.shape() + a.ndim());
  for (py::ssize_t d : shape)
    if (d > INT_MAX) throw tandem_error("NumPy array dimension exceeds R's limit of 2^31-1", tandem_error::value);
  R_xlen_t n = (R_xlen_t)a.size();
  protect_scope p;
  SEXP out = p(r_alloc_filled(type, n));
  const S* src = static_cast<const S*>(a.data());
  D* dst = static_cast<D*>(DATAPTR(out));
  interrupt_check ic;
  {
    std::optional<py::gil_scoped_release> nogil;  // `a` keeps the memory alive; R and Python are not touched
    if (n >= (R_xlen_t{1} << 16)) nogil.emplace();
    if (f_order || n == 0) {
      constexpr R_xlen_t block = R_xlen_t{1} << 20;  // Ctrl-C is seen between blocks
      for (R_xlen_t b0 = 0; b0 < n && !ic.pending(); b0 += block) {
        const R_xlen_t len = std::min(block, n - b0);
        if constexpr (std::is_same_v<S, D>) {
          std::memcpy(dst + b0, src + b0, sizeof(D) * len);
        } else {
          for (R_xlen_t i = b0; i < b0 + len; i++) dst[i] = element_cast<S, D>(src[i]);
        }
      }
    } else {
      if (n >= (R_xlen_t{1} << 16)) touch_pages(dst, sizeof(D) * (size_t)n, ic);
      copy_c_order<S, D>(src, dst, shape, ic);
    }
  }
  if (ic.pending()) ic.raise();  // the copy stopped early: `out` is dropped unfinished
  return set_dims(out, shape);
}

// int64 / uint64 -> R: the raw 64-bit values in R's order first (one copy into the new
// vector's memory), then one pass in place: doubles when every value is exact (else an error
// naming the first inexact value in R's order), or bit64's integer64 when
// options(tandem.int64 = "integer64") (uint64 beyond 2^63-1 and int64's minimum, which is
// integer64's NA, are errors then). Copy.
SEXP int64_array_to_r(const py::array& a, bool is_unsigned) {
  const bool as_integer64 = int64_as_integer64();
  std::vector<py::ssize_t> shape(a.shape(), a.shape() + a.ndim());
  protect_scope p;
  SEXP out = is_unsigned ? copy_direct<uint64_t, uint64_t>(a, REALSXP) : copy_direct<int64_t, int64_t>(a, REALSXP);
  if (out == nullptr)
    out = copy_array<int64_t>(a, REALSXP, [](SEXP out, const int64_t* d, R_xlen_t n, auto&) {
      if (n > 0) std::memcpy(REAL(out), d, sizeof(int64_t) * n);
    });  // NumPy's cast of uint64 to int64 keeps the bits
  p(out);
  const std::string type = is_unsigned ? "uint64" : "int64";
  double* r = REAL(out);
  const R_xlen_t n = XLENGTH(out);
  interrupt_check ic;
  for (R_xlen_t i = 0; i < n; i++) {
    if ((i & (k_poll_every - 1)) == 0) ic.poll();
    int64_t v;
    std::memcpy(&v, r + i, sizeof v);
    const bool above_int64 = is_unsigned && v < 0;  // the bits of a uint64 >= 2^63
    const std::string text = above_int64 ? std::to_string((uint64_t)v) : std::to_string(v);
    if (as_integer64) {
      if (above_int64)
        throw tandem_error("NumPy uint64 value " + text + " at " + index_text(i, shape) +
                               " is beyond integer64's range (2^63-1)",
                           tandem_error::value);
      if (v == std::numeric_limits<int64_t>::min())
        throw tandem_error("NumPy int64 value " + text + " at " + index_text(i, shape) +
                               " is integer64's NA bit pattern and cannot become an R value",
                           tandem_error::value);
      continue;
    }
    if (above_int64 || v > k_max_exact_int || v < -k_max_exact_int)
      throw tandem_error("NumPy " + type + " value " + text + " at " + index_text(i, shape) +
                             " cannot be converted to R without losing precision (|x| > 2^53); "
                             "options(tandem.int64 = \"integer64\") gives bit64::integer64 instead",
                         tandem_error::value);
    r[i] = (double)v;
  }
  if (as_integer64) set_integer64_class(out);
  return out;
}

// int32 data holding INT_MIN (R's NA_integer_) become doubles, so that no value turns into NA.
SEXP ints_without_na(SEXP out) {
  R_xlen_t n = XLENGTH(out);
  const int* d = INTEGER(out);
  R_xlen_t i = 0;
  while (i < n && d[i] != NA_INTEGER) i++;
  if (i == n) return out;
  protect_scope p;
  p(out);
  SEXP dbl = p(r_alloc(REALSXP, n));
  for (R_xlen_t k = 0; k < n; k++) REAL(dbl)[k] = (double)d[k];
  SEXP dim = Rf_getAttrib(out, R_DimSymbol);
  if (dim != R_NilValue) r_safe([&] {
      Rf_setAttrib(dbl, R_DimSymbol, dim);
      return R_NilValue;
    });
  return dbl;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += (char)cp;
  } else if (cp < 0x800) {
    out += (char)(0xC0 | (cp >> 6));
    out += (char)(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += (char)(0xE0 | (cp >> 12));
    out += (char)(0x80 | ((cp >> 6) & 0x3F));
    out += (char)(0x80 | (cp & 0x3F));
  } else {
    out += (char)(0xF0 | (cp >> 18));
    out += (char)(0x80 | ((cp >> 12) & 0x3F));
    out += (char)(0x80 | ((cp >> 6) & 0x3F));
    out += (char)(0x80 | (cp & 0x3F));
  }
}

// None, a float NaN, or pandas' NA.
bool is_missing_value(PyObject* o) {
  if (o == Py_None) return true;
  if (PyFloat_Check(o)) return std::isnan(PyFloat_AS_DOUBLE(o));
  const char* name = Py_TYPE(o)->tp_name;
  return std::strcmp(name, "NAType") == 0 || std::strcmp(name, "pandas._libs.missing.NAType") == 0;
}

// 'U' / 'S' / object arrays of str (None or float NaN as NA) -> character, one pass over
// a Fortran-ordered copy of the element pointers. Object arrays holding anything else go
// through the general list conversion. Copy.
SEXP string_array_to_r(const py::array& a, char kind, bool force_character = false) {
  std::vector<py::ssize_t> shape(a.shape(), a.shape() + a.ndim());
  py::array flat = a.attr("ravel")("F");
  R_xlen_t n = (R_xlen_t)flat.size();
  py::ssize_t width = flat.dtype().itemsize();
  const char* base = static_cast<const char*>(flat.data());
  if (kind == 'O') {
    // As reticulate: str and missing values (None, NaN, pandas' NA) only, also none at all
    // (an empty or all-missing array), is character; anything else a list.
    PyObject* const* items = reinterpret_cast<PyObject* const*>(base);
    bool all_str = true;
    interrupt_check scan;
    for (R_xlen_t i = 0; i < n && all_str; i++) {
      if ((i & (k_poll_every - 1)) == 0) scan.poll();
      PyObject* o = items[i];
      all_str = PyUnicode_Check(o) || is_missing_value(o);
    }
    if (force_character && !all_str)
      throw tandem_error("a string column holds values other than str and missing values", tandem_error::value);
    if (!all_str) {  // as reticulate: a list of the converted elements (never simplified)
      py::object list = flat.attr("tolist")();
      protect_scope p;
      SEXP out = p(py_list_to_r_list(list.ptr()));
      return set_dims(out, shape);
    }
    protect_scope p;
    SEXP out = p(r_alloc(STRSXP, n));
    py_strs_to_strsxp(out, items, n);  // None and NaN are NA
    return set_dims(out, shape);
  }
  protect_scope p;
  SEXP out = p(r_alloc(STRSXP, n));
  std::string buf;
  interrupt_check ic;
  for (R_xlen_t i = 0; i < n; i++) {
    if ((i & (k_poll_every - 1)) == 0) ic.poll();
    const char* e = base + i * width;
    if (kind == 'S') {
      py::ssize_t len = width;
      while (len > 0 && e[len - 1] == '\0') len--;
      SET_STRING_ELT(out, i, utf8_to_charsxp(e, (size_t)len, "NumPy bytes element at " + index_text(i, shape)));
      continue;
    }
    const uint32_t* u = reinterpret_cast<const uint32_t*>(e);
    py::ssize_t len = width / 4;
    while (len > 0 && u[len - 1] == 0) len--;
    buf.clear();
    for (py::ssize_t k = 0; k < len; k++) {
      if (u[k] == 0 || (u[k] >= 0xD800 && u[k] <= 0xDFFF) || u[k] > 0x10FFFF)
        throw tandem_error((u[k] == 0 ? "Embedded NUL in string: NumPy str element at " : "NumPy str element at ") + index_text(i, shape) +
                               (u[k] == 0 ? " has a NUL character" : " holds an invalid code point") +
                               " and cannot become an R string",
                           tandem_error::value);
      append_utf8(buf, u[k]);
    }
    SET_STRING_ELT(out, i, r_safe([&] { return Rf_mkCharLenCE(buf.data(), (int)buf.size(), CE_UTF8); }));
  }
  return set_dims(out, shape);
}

}  // namespace

SEXP str_object_array_to_r(PyObject* o) {
  return string_array_to_r(py::reinterpret_borrow<py::array>(o), 'O', true);
}

// NumPy -> R. Ownership: a view (ALTREP, holding the array) for Fortran-contiguous
// float64 / int32 / complex128 arrays; the R array itself for tandem's own views of R
// arrays; a copy (in Fortran order) for everything else.
SEXP ndarray_to_r(PyObject* o) {
  if (Py_TYPE(o) != g_ndarray_type) {  // subclasses: numpy.ma.MaskedArray
    if (SEXP r = py_to_r_classed(o)) return r;
  }
  py::array a = py::reinterpret_borrow<py::array>(o);
  py::dtype dt = a.dtype();
  char kind = dt.kind();
  py::ssize_t itemsize = dt.itemsize();
  if (a.ndim() == 0) {  // as reticulate: a 1-d array of length 1 (dim = 1)
    py::object one = a.attr("reshape")(1);
    return ndarray_to_r(one.ptr());
  }
  if (SEXP x = r_source_of_view(a)) return x;
  std::vector<py::ssize_t> shape(a.shape(), a.shape() + a.ndim());
  auto check_dims = [&] {
    for (py::ssize_t d : shape)
      if (d > INT_MAX) throw tandem_error("NumPy array dimension exceeds R's limit of 2^31-1", tandem_error::value);
  };
  auto view = [&](SEXPTYPE type) {
    check_dims();
    protect_scope p;
    SEXP out = p(numpy_altrep(o, a.data(), (R_xlen_t)a.size(), type));
    return set_dims(out, shape);
  };
  // One pass in R's order for contiguous arrays, else through NumPy's cast to Fortran order.
  auto direct_or_cast = [&](auto src_tag, auto dst_tag, SEXPTYPE type) -> SEXP {
    using S = decltype(src_tag);
    using D = decltype(dst_tag);
    if (SEXP r = copy_direct<S, D>(a, type)) return r;
    return copy_array<D>(a, type, [](SEXP out, const D* d, R_xlen_t n, auto&) {
      if (n > 0) std::memcpy(DATAPTR(out), d, sizeof(D) * n);
    });
  };
  switch (kind) {
    case 'b':
      return direct_or_cast(uint8_t{}, int{}, LGLSXP);
    case 'i':
    case 'u': {
      if (kind == 'i' && itemsize == 4 && r_can_view(a)) {
        const int32_t* d = static_cast<const int32_t*>(a.data());
        R_xlen_t n = (R_xlen_t)a.size(), i = 0;
        while (i < n && d[i] != NA_INTEGER) i++;
        if (i == n) return view(INTSXP);
      }
      if (itemsize == 8) return int64_array_to_r(a, kind == 'u');
      if (kind == 'u' && itemsize == 4) return direct_or_cast(uint32_t{}, double{}, REALSXP);
      protect_scope p;
      SEXP out = itemsize == 1 ? (kind == 'i' ? direct_or_cast(int8_t{}, int{}, INTSXP) : direct_or_cast(uint8_t{}, int{}, INTSXP))
                 : itemsize == 2 ? (kind == 'i' ? direct_or_cast(int16_t{}, int{}, INTSXP) : direct_or_cast(uint16_t{}, int{}, INTSXP))
                                 : direct_or_cast(int32_t{}, int{}, INTSXP);
      p(out);
      return ints_without_na(out);
    }
    case 'f':
      if (itemsize > 8)
        throw tandem_error("NumPy float" + std::to_string(itemsize * 8) +
                               " arrays cannot be converted to R without losing precision; use .astype('float64')",
                           tandem_error::value);
      if (itemsize == 8 && r_can_view(a)) return view(REALSXP);
      if (itemsize == 8) return direct_or_cast(double{}, double{}, REALSXP);
      if (itemsize == 4) return direct_or_cast(float{}, double{}, REALSXP);
      return direct_or_cast(double{}, double{}, REALSXP);  // float16: NumPy casts
    case 'c':
      if (itemsize > 16)
        throw tandem_error("NumPy complex" + std::to_string(itemsize * 8) +
                               " arrays cannot be converted to R without losing precision; use .astype('complex128')",
                           tandem_error::value);
      if (itemsize == 16 && r_can_view(a)) return view(CPLXSXP);
      if (SEXP r = copy_direct<complex16, complex16>(a, CPLXSXP)) return r;
      return copy_array<std::complex<double>>(a, CPLXSXP, [](SEXP out, const std::complex<double>* d, R_xlen_t n, auto&) {
        if (n > 0) std::memcpy(COMPLEX(out), d, sizeof(Rcomplex) * n);
      });
    case 'U':
    case 'S':
    case 'O':
      return string_array_to_r(a, kind);
    case 'M':
    case 'm':
      if (SEXP r = py_to_r_classed(o)) return r;
      return wrap_handle(Py_NewRef(o), true);
    case 'V':  // void of one byte (no fields): raw, as reticulate; others stay NumPy arrays
      if (itemsize == 1 && !dt.has_fields()) {
        check_dims();
        protect_scope p;
        SEXP out = p(r_alloc(RAWSXP, (R_xlen_t)a.size()));
        if (a.size() > 0) {
          py::array f = py::module_::import("numpy").attr("asfortranarray")(a);
          std::memcpy(RAW(out), f.data(), (size_t)a.size());
        }
        return set_dims(out, shape);
      }
      return wrap_handle(Py_NewRef(o), true);
    case 'T':  // NumPy 2's StringDType: through an object array of str (None for NA)
      return string_array_to_r(a.attr("astype")("O").cast<py::array>(), 'O');
    default:
      return wrap_handle(Py_NewRef(o), true);
  }
}

namespace {

std::vector<py::ssize_t> fortran_strides(const std::vector<py::ssize_t>& shape, py::ssize_t itemsize) {
  std::vector<py::ssize_t> s(shape.size());
  py::ssize_t acc = itemsize;
  for (size_t i = 0; i < shape.size(); i++) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

// A read-only NumPy view of x's memory. Its base is a tandem.RObject that keeps x alive
// (released on R's thread). x is marked not mutable: R copies it before any change.
py::object r_view(SEXP x, const py::dtype& dt, const std::vector<py::ssize_t>& shape, const void* data) {
  MARK_NOT_MUTABLE(x);
  py::object owner = robject_new(x);
  py::array arr(dt, shape, fortran_strides(shape, dt.itemsize()), data, owner);
  py::detail::array_proxy(arr.ptr())->flags &= ~npy::NPY_ARRAY_WRITEABLE_;
  return std::move(arr);
}

const void* data_ro(SEXP x) {
  const void* p = nullptr;
  r_safe([&] {  // may allocate: R's own ALTREP classes expand here
    p = DATAPTR_RO(x);
    return R_NilValue;
  });
  return p;
}

}  // namespace

// bit64::integer64 -> NumPy int64 of `shape` (Fortran order). Ownership: a read-only view of
// R's memory when no value is NA; else a numpy.ma.MaskedArray whose data (a copy, 0 where NA)
// is masked at the NA positions.
py::object r_integer64_to_numpy(SEXP x, const std::vector<py::ssize_t>& shape) {
  R_xlen_t n = XLENGTH(x);
  py::dtype dt = py::dtype::of<int64_t>();
  if (n == 0) return py::array(dt, shape, fortran_strides(shape, 8));
  const int64_t* d = static_cast<const int64_t*>(data_ro(x));
  const int64_t na = std::numeric_limits<int64_t>::min();
  R_xlen_t first_na = 0;
  while (first_na < n && d[first_na] != na) first_na++;
  if (first_na == n) return r_view(x, dt, shape, d);
  py::array_t<int64_t> values(shape, fortran_strides(shape, 8));
  py::array_t<bool> mask(shape, fortran_strides(shape, 1));
  int64_t* v = values.mutable_data();
  bool* m = mask.mutable_data();
  interrupt_check ic;
  for (R_xlen_t i = 0; i < n; i++) {
    if ((i & (k_poll_every - 1)) == 0) ic.poll();
    m[i] = d[i] == na;
    v[i] = m[i] ? 0 : d[i];
  }
  return py::module_::import("numpy.ma").attr("MaskedArray")(values, py::arg("mask") = mask);
}

// R array (with dim) -> NumPy array, the same element at the same index. Ownership: a
// read-only view for double, complex and integer (without NA) arrays; a copy for logical
// arrays (bool), integer/logical arrays with NA (float64, NA as R's NA NaN) and character
// arrays (object arrays of str, NA as None).
py::object r_array_to_numpy(SEXP x) {
  SEXP dim = Rf_getAttrib(x, R_DimSymbol);
  std::vector<py::ssize_t> shape;
  for (R_xlen_t i = 0; i < XLENGTH(dim); i++) shape.push_back(INTEGER(dim)[i]);
  return r_array_to_numpy(x, shape);
}

py::object r_vector_to_numpy(SEXP x) { return r_array_to_numpy(x, {(py::ssize_t)XLENGTH(x)}); }

py::object r_array_to_numpy(SEXP x, const std::vector<py::ssize_t>& shape) {
  R_xlen_t n = XLENGTH(x);
  auto empty = [&](const py::dtype& dt) {
    return py::array(dt, shape, fortran_strides(shape, dt.itemsize()));
  };
  switch (TYPEOF(x)) {
    case REALSXP:
      if (n == 0) return empty(py::dtype::of<double>());
      return r_view(x, py::dtype::of<double>(), shape, data_ro(x));
    case CPLXSXP:
      if (n == 0) return empty(py::dtype::of<std::complex<double>>());
      return r_view(x, py::dtype::of<std::complex<double>>(), shape, data_ro(x));
    case INTSXP:
    case LGLSXP: {
      if (n == 0) return empty(TYPEOF(x) == INTSXP ? py::dtype::of<int32_t>() : py::dtype::of<bool>());
      const int* d = static_cast<const int*>(data_ro(x));
      bool has_na = false;
      for (R_xlen_t i = 0; i < n && !has_na; i++) has_na = d[i] == NA_INTEGER;
      interrupt_check ic;
      if (has_na) {
        py::array_t<double> out(shape, fortran_strides(shape, 8));
        double* o = out.mutable_data();
        for (R_xlen_t i = 0; i < n; i++) {
          if ((i & (k_poll_every - 1)) == 0) ic.poll();
          o[i] = d[i] == NA_INTEGER ? NA_REAL : d[i];
        }
        return std::move(out);
      }
      if (TYPEOF(x) == INTSXP) return r_view(x, py::dtype::of<int32_t>(), shape, d);
      py::array_t<bool> out(shape, fortran_strides(shape, 1));
      bool* o = out.mutable_data();
      for (R_xlen_t i = 0; i < n; i++) {
        if ((i & (k_poll_every - 1)) == 0) ic.poll();
        o[i] = d[i] != 0;
      }
      return std::move(out);
    }
    case RAWSXP:  // NumPy's void type of one byte (V1), as reticulate: it comes back as raw
      if (n == 0) return empty(py::dtype("V1"));
      return r_view(x, py::dtype("V1"), shape, data_ro(x));
    case STRSXP: {
      py::array out(py::dtype("O"), shape, fortran_strides(shape, sizeof(PyObject*)));
      PyObject** o = static_cast<PyObject**>(out.mutable_data());
      py::object strs = py::reinterpret_steal<py::object>(PyList_New(n));  // NULL items: safe to release half made
      if (!strs) throw py::error_already_set();
      release_later_on_interrupt later(strs);
      PyObject** items = PySequence_Fast_ITEMS(strs.ptr());
      strsxp_to_py_items(x, n, items);
      for (R_xlen_t i = 0; i < n; i++) {  // moved: NumPy left NULL (read as None) or None
        Py_XSETREF(o[i], items[i]);
        items[i] = nullptr;
      }
      return std::move(out);
    }
    default:
      throw tandem_error(std::string("an R array of type ") + Rf_type2char(TYPEOF(x)) + " has no NumPy equivalent",
                         tandem_error::type);
  }
}

}  // namespace tandem
