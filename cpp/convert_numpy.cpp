// convert_numpy.cpp: NumPy arrays and R arrays, both directions. R double/integer/complex
// arrays become read-only NumPy views; Fortran-ordered NumPy arrays become ALTREP views.
#include "convert_internal.hpp"

#include <cmath>
#include <complex>
#include <algorithm>
#include <cstring>

#include <pybind11/numpy.h>

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

SEXP set_dims(SEXP out, const std::vector<py::ssize_t>& shape) {
  if (shape.size() < 2) return out;
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
  if (base == nullptr || g_robject_type == nullptr || Py_TYPE(base) != g_robject_type || a.ndim() < 2) return nullptr;
  SEXP x = robject_sexp(base);
  SEXP dim = Rf_getAttrib(x, R_DimSymbol);
  if (TYPEOF(dim) != INTSXP || XLENGTH(dim) != a.ndim()) return nullptr;
  for (py::ssize_t i = 0; i < a.ndim(); i++)
    if (INTEGER(dim)[i] != a.shape(i)) return nullptr;
  char kind = a.dtype().kind();
  py::ssize_t size = a.dtype().itemsize();
  bool same_type = (TYPEOF(x) == REALSXP && kind == 'f' && size == 8) ||
                   (TYPEOF(x) == INTSXP && kind == 'i' && size == 4) ||
                   (TYPEOF(x) == CPLXSXP && kind == 'c' && size == 16);
  if (!same_type || !r_can_view(a) || DATAPTR_OR_NULL(x) != a.data()) return nullptr;
  return x;
}

// Copy, in Fortran order, through NumPy's casting to T.
template <typename T, typename F>
SEXP copy_array(py::handle a, SEXPTYPE type, F&& store) {
  auto arr = py::array_t<T, py::array::f_style | py::array::forcecast>::ensure(a);
  if (!arr) throw py::error_already_set();
  std::vector<py::ssize_t> shape(arr.shape(), arr.shape() + arr.ndim());
  R_xlen_t n = (R_xlen_t)arr.size();
  protect_scope p;
  SEXP out = p(r_alloc(type, n));
  store(out, arr.data(), n, shape);
  return set_dims(out, shape);
}

// A C-contiguous float64 matrix, copied once into R's column-major layout: a blocked
// transpose (tiles that fit in L1), not NumPy's F-order copy followed by a second copy.
SEXP transpose_c_matrix(py::array a) {
  const py::ssize_t rows = a.shape(0), cols = a.shape(1);
  if (rows > INT_MAX || cols > INT_MAX)
    throw tandem_error("NumPy array dimension exceeds R's limit of 2^31-1", tandem_error::value);
  protect_scope p;
  SEXP out = p(r_alloc(REALSXP, (R_xlen_t)rows * cols));
  const double* src = static_cast<const double*>(a.data());
  double* dst = REAL(out);
  constexpr py::ssize_t tile = 32;
  {
    py::gil_scoped_release nogil;  // the array is kept alive by `a`; R is not touched
    for (py::ssize_t i0 = 0; i0 < rows; i0 += tile) {
      const py::ssize_t i1 = std::min(i0 + tile, rows);
      for (py::ssize_t j0 = 0; j0 < cols; j0 += tile) {
        const py::ssize_t j1 = std::min(j0 + tile, cols);
        for (py::ssize_t i = i0; i < i1; i++)
          for (py::ssize_t j = j0; j < j1; j++) dst[i + j * rows] = src[i * cols + j];
      }
    }
  }
  return set_dims(out, {rows, cols});
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
    PyObject* const* items = reinterpret_cast<PyObject* const*>(base);
    bool all_str = true, any_str = false;
    for (R_xlen_t i = 0; i < n && all_str; i++) {
      PyObject* o = items[i];
      if (PyUnicode_Check(o)) any_str = true;
      else if (o != Py_None && !(PyFloat_Check(o) && std::isnan(PyFloat_AS_DOUBLE(o)))) all_str = false;
    }
    if (force_character && !all_str)
      throw tandem_error("a string column holds values other than str and missing values", tandem_error::value);
    if (!all_str || (!any_str && !force_character)) {
      py::object list = flat.attr("tolist")();
      protect_scope p;
      SEXP out = p(py_to_r(list.ptr()));
      if (TYPEOF(out) != VECSXP && !(TYPEOF(out) >= LGLSXP && TYPEOF(out) <= STRSXP)) return out;
      if (XLENGTH(out) != n) return out;
      return set_dims(out, shape);
    }
    protect_scope p;
    SEXP out = p(r_alloc(STRSXP, n));
    for (R_xlen_t i = 0; i < n; i++)
      SET_STRING_ELT(out, i, PyUnicode_Check(items[i]) ? py_str_to_charsxp(items[i]) : NA_STRING);
    return set_dims(out, shape);
  }
  protect_scope p;
  SEXP out = p(r_alloc(STRSXP, n));
  std::string buf;
  for (R_xlen_t i = 0; i < n; i++) {
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
        throw tandem_error("NumPy str element at " + index_text(i, shape) +
                               (u[k] == 0 ? " has an embedded NUL character" : " holds an invalid code point") +
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
  if (a.ndim() == 0) {
    if (kind == 'M' || kind == 'm') {
      if (SEXP r = py_to_r_classed(o)) return r;
    }
    py::object item = a.attr("item")();
    return py_to_r(item.ptr());
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
  switch (kind) {
    case 'b':
      return copy_array<bool>(a, LGLSXP, [](SEXP out, const bool* d, R_xlen_t n, auto&) {
        int* r = LOGICAL(out);
        for (R_xlen_t i = 0; i < n; i++) r[i] = d[i];
      });
    case 'i':
    case 'u':
      if (kind == 'i' && itemsize == 4 && r_can_view(a)) {
        const int32_t* d = static_cast<const int32_t*>(a.data());
        R_xlen_t n = (R_xlen_t)a.size(), i = 0;
        while (i < n && d[i] != NA_INTEGER) i++;
        if (i == n) return view(INTSXP);
      }
      if ((kind == 'i' && itemsize <= 4) || (kind == 'u' && itemsize <= 2)) {
        protect_scope p;
        SEXP out = p(copy_array<int32_t>(a, INTSXP, [](SEXP out, const int32_t* d, R_xlen_t n, auto&) {
          std::memcpy(INTEGER(out), d, sizeof(int32_t) * n);
        }));
        return ints_without_na(out);
      }
      if (kind == 'u' && itemsize == 8) {
        return copy_array<uint64_t>(a, REALSXP, [](SEXP out, const uint64_t* d, R_xlen_t n, auto& sh) {
          double* r = REAL(out);
          for (R_xlen_t i = 0; i < n; i++) {
            if (d[i] > (uint64_t)k_max_exact_int)
              throw tandem_error("NumPy uint64 value " + std::to_string(d[i]) + " at " + index_text(i, sh) +
                                     " cannot be converted to R without losing precision (|x| > 2^53)",
                                 tandem_error::value);
            r[i] = (double)d[i];
          }
        });
      }
      return copy_array<int64_t>(a, REALSXP, [&](SEXP out, const int64_t* d, R_xlen_t n, auto& sh) {
        double* r = REAL(out);
        for (R_xlen_t i = 0; i < n; i++) {
          if (d[i] > k_max_exact_int || d[i] < -k_max_exact_int)
            throw tandem_error("NumPy " + std::string(kind == 'u' ? "uint" : "int") + std::to_string(itemsize * 8) +
                                   " value " + std::to_string(d[i]) + " at " + index_text(i, sh) +
                                   " cannot be converted to R without losing precision (|x| > 2^53)",
                               tandem_error::value);
          r[i] = (double)d[i];
        }
      });
    case 'f':
      if (itemsize > 8)
        throw tandem_error("NumPy float" + std::to_string(itemsize * 8) +
                               " arrays cannot be converted to R without losing precision; use .astype('float64')",
                           tandem_error::value);
      if (itemsize == 8 && r_can_view(a)) return view(REALSXP);
      if (itemsize == 8 && a.ndim() == 2 && (a.flags() & py::array::c_style) &&
          a.dtype().is(py::dtype::of<double>()))
        return transpose_c_matrix(a);
      return copy_array<double>(a, REALSXP, [](SEXP out, const double* d, R_xlen_t n, auto&) {
        std::memcpy(REAL(out), d, sizeof(double) * n);
      });
    case 'c':
      if (itemsize > 16)
        throw tandem_error("NumPy complex" + std::to_string(itemsize * 8) +
                               " arrays cannot be converted to R without losing precision; use .astype('complex128')",
                           tandem_error::value);
      if (itemsize == 16 && r_can_view(a)) return view(CPLXSXP);
      return copy_array<std::complex<double>>(a, CPLXSXP, [](SEXP out, const std::complex<double>* d, R_xlen_t n, auto&) {
        std::memcpy(COMPLEX(out), d, sizeof(Rcomplex) * n);
      });
    case 'U':
    case 'S':
    case 'O':
      return string_array_to_r(a, kind);
    case 'M':
    case 'm':
      if (SEXP r = py_to_r_classed(o)) return r;
      return wrap_handle(Py_NewRef(o), true);
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
      if (has_na) {
        py::array_t<double> out(shape, fortran_strides(shape, 8));
        double* o = out.mutable_data();
        for (R_xlen_t i = 0; i < n; i++) o[i] = d[i] == NA_INTEGER ? NA_REAL : d[i];
        return std::move(out);
      }
      if (TYPEOF(x) == INTSXP) return r_view(x, py::dtype::of<int32_t>(), shape, d);
      py::array_t<bool> out(shape, fortran_strides(shape, 1));
      bool* o = out.mutable_data();
      for (R_xlen_t i = 0; i < n; i++) o[i] = d[i] != 0;
      return std::move(out);
    }
    case STRSXP: {
      py::array out(py::dtype("O"), shape, fortran_strides(shape, sizeof(PyObject*)));
      PyObject** o = static_cast<PyObject**>(out.mutable_data());
      for (R_xlen_t i = 0; i < n; i++) {
        PyObject* s = charsxp_to_py(STRING_ELT(x, i));
        Py_XSETREF(o[i], s);  // NumPy filled the array with None
      }
      return std::move(out);
    }
    default:
      throw tandem_error(std::string("an R array of type ") + Rf_type2char(TYPEOF(x)) + " has no NumPy equivalent",
                         tandem_error::type);
  }
}

}  // namespace tandem
