// convert.cpp: values across the boundary: NULL/None, scalars, strings, atomic vectors,
// lists and dicts, both directions (all copies); dispatches NumPy and classed values to
// convert_numpy.cpp and convert_classes.cpp.
#include "convert_internal.hpp"

#include <cmath>
#include <complex>
#include <unordered_map>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>


extern "C" {
extern uintptr_t R_CStackLimit;  // R's C stack check (Rinterface.h)
extern uintptr_t R_CStackStart;
extern int R_CStackDir;
}

namespace tandem {

bool g_native_utf8 = true;
SEXP g_r_to_py_dispatch = nullptr;

namespace {

// Nested containers: Python's recursion limit, and R's C stack limit too (frames are larger
// than Python's estimate under sanitizers or with a raised sys.setrecursionlimit()).
struct recursion_guard {
  recursion_guard() {
    char probe;
    if (R_CStackLimit != (uintptr_t)-1) {
      intptr_t usage = (intptr_t)R_CStackDir * ((intptr_t)R_CStackStart - (intptr_t)&probe);
      if (usage > (intptr_t)(R_CStackLimit / 10 * 8)) {
        PyErr_SetString(PyExc_RecursionError, "maximum recursion depth exceeded while converting between R and Python "
                                              "(C stack nearly full)");
        throw py::error_already_set();
      }
    }
    if (Py_EnterRecursiveCall(" while converting between R and Python")) throw py::error_already_set();
  }
  ~recursion_guard() { Py_LeaveRecursiveCall(); }
};

}  // namespace

// ---- strings ----------------------------------------------------------------------
namespace {

bool all_ascii(const char* s, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, s + i, 8);
    if (w & 0x8080808080808080ULL) return false;
  }
  for (; i < n; i++)
    if ((unsigned char)s[i] & 0x80) return false;
  return true;
}

}  // namespace

// The UnicodeDecodeError of R text that is not valid UTF-8, raised again with a reason that
// says so and what to do (the codec's own says only "invalid continuation byte").
[[noreturn]] static void throw_r_text_error() {
  if (PyErr_ExceptionMatches(PyExc_UnicodeDecodeError)) {
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    Py_ssize_t start = 0, end = 0;
    PyObject* bytes = value != nullptr ? PyUnicodeDecodeError_GetObject(value) : nullptr;
    PyObject* better = nullptr;
    if (bytes != nullptr && PyBytes_Check(bytes) && PyUnicodeDecodeError_GetStart(value, &start) == 0 &&
        PyUnicodeDecodeError_GetEnd(value, &end) == 0) {
      better = PyUnicodeDecodeError_Create(
          "utf-8", PyBytes_AS_STRING(bytes), PyBytes_GET_SIZE(bytes), start, end,
          "an R string that is not valid UTF-8 (convert it with iconv(x, from = <its encoding>, "
          "to = \"UTF-8\"), or pass its bytes as a raw vector)");
    }
    Py_XDECREF(bytes);
    if (better != nullptr) {
      PyErr_SetObject(PyExc_UnicodeDecodeError, better);
      Py_DECREF(better);
      Py_XDECREF(type);
      Py_XDECREF(value);
      Py_XDECREF(tb);
    } else {
      PyErr_Clear();
      PyErr_Restore(type, value, tb);
    }
  }
  throw py::error_already_set();
}

PyObject* charsxp_to_py(SEXP c) {
  if (c == NA_STRING) Py_RETURN_NONE;
  const char* s = CHAR(c);
  int n = LENGTH(c);
  // ASCII reads the same in every encoding (R never marks ASCII strings as "bytes"): no
  // decoding, one copy into a new compact str.
  if (n > 1 && all_ascii(s, (size_t)n)) {
    PyObject* out = PyUnicode_New(n, 127);
    if (out == nullptr) throw py::error_already_set();
    std::memcpy(PyUnicode_DATA(out), s, (size_t)n);
    return out;
  }
  cetype_t ce = Rf_getCharCE(c);
  if (ce == CE_BYTES)
    throw tandem_error("an R string marked as \"bytes\" cannot become a Python str; use iconv() or a raw vector",
                       tandem_error::value);
  if (ce == CE_UTF8 || (ce == CE_NATIVE && g_native_utf8)) {
    PyObject* out = PyUnicode_DecodeUTF8(s, n, "strict");  // "" and 1-char strs are shared singletons
    if (out == nullptr) throw_r_text_error();
    return out;
  }
  const void* vmax = vmaxget();
  const char* t = nullptr;
  r_safe([&] {
    t = Rf_translateCharUTF8(c);
    return R_NilValue;
  });
  PyObject* out = PyUnicode_DecodeUTF8(t, (Py_ssize_t)std::strlen(t), "strict");
  vmaxset(vmax);
  if (out == nullptr) throw_r_text_error();
  return out;
}

std::string charsxp_utf8(SEXP c) { return std::string(py::reinterpret_steal<py::str>(charsxp_to_py(c))); }

std::string charsxp_text(SEXP c) {
  if (c == NA_STRING) return "NA";
  const char* s = CHAR(c);
  // ASCII (names, classes, most messages) is the same text in every encoding: no Python
  // object per string (robject_getattr() compares every name of a list this way).
  if (all_ascii(s, (size_t)LENGTH(c))) return std::string(s, (size_t)LENGTH(c));
  cetype_t ce = Rf_getCharCE(c);
  // Latin-1 and a native encoding other than UTF-8 are converted by R (which substitutes,
  // never errors, for these); the rest is taken as the UTF-8 it should be.
  const bool as_is = ce == CE_BYTES || ce == CE_UTF8 || (ce == CE_NATIVE && g_native_utf8);
  if (!as_is) s = Rf_translateCharUTF8(c);
  PyObject* u = PyUnicode_DecodeUTF8(s, (Py_ssize_t)std::strlen(s), "backslashreplace");
  if (u == nullptr) throw py::error_already_set();
  return std::string(py::reinterpret_steal<py::str>(u));
}

namespace {

// Strings repeat in real data (labels, categories), and R's CHARSXP cache makes equal R
// strings one pointer: within one conversion, a small cache from source pointer to
// converted value converts each repeated string once. Open addressing with linear probing
// and no eviction: the first 512 distinct strings are cached (the table is then half full,
// so a probe sequence stays short and always meets an empty slot); later new strings are
// converted without caching. A bounded-probe cache that evicted on collisions lost some of
// 200 distinct labels now and then, depending on addresses (two CI runs saw a repeated
// string become two Python strs). The values are borrowed: the conversion's result holds
// them.
template <typename K, typename V>
class repeat_cache {
 public:
  V* find(K k) {
    for (size_t s = slot(k);; s = (s + 1) & (size - 1)) {
      if (keys_[s] == k) return &values_[s];
      if (keys_[s] == K{}) return nullptr;
    }
  }
  void put(K k, V v) {
    if (count_ >= size / 2) return;
    size_t s = slot(k);
    while (keys_[s] != K{} && keys_[s] != k) s = (s + 1) & (size - 1);
    if (keys_[s] == K{}) count_++;
    keys_[s] = k;
    values_[s] = v;
  }

 private:
  static constexpr size_t size = 1024;
  static size_t slot(K k) { return (((uintptr_t)k >> 4) * 0x9E3779B97F4A7C15ULL) >> 54; }
  size_t count_ = 0;
  K keys_[size] = {};
  V values_[size];
};

}  // namespace

void strsxp_to_py_items(SEXP x, R_xlen_t n, PyObject** out) {
  if (n < 64) {
    for (R_xlen_t i = 0; i < n; i++) out[i] = charsxp_to_py(STRING_ELT(x, i));
    return;
  }
  auto cache = std::make_unique<repeat_cache<SEXP, PyObject*>>();
  const SEXP* elts = static_cast<const SEXP*>(DATAPTR_OR_NULL(x));
  interrupt_check ic;
  for (R_xlen_t i = 0; i < n; i++) {
    if ((i & (k_poll_every - 1)) == 0) ic.poll();
    SEXP c = elts ? elts[i] : STRING_ELT(x, i);
    if (PyObject** hit = cache->find(c)) {
      out[i] = Py_NewRef(*hit);
      continue;
    }
    out[i] = charsxp_to_py(c);
    cache->put(c, out[i]);
  }
}

void py_strs_to_strsxp(SEXP out, PyObject* const* items, R_xlen_t n) {
  // Pass 1, per chunk (C++, may throw): the UTF-8 bytes of each str (CPython keeps them in
  // compact ASCII strs: no copy) and their checks. Pass 2: one R_UnwindProtect per chunk
  // around mkCharLenCE, which cannot throw C++ exceptions.
  struct bytes_t {
    const char* s;
    int n;  // -1: NA, -2: the CHARSXP is known (in `known`)
    SEXP known;
  };
  constexpr R_xlen_t chunk = 1024;
  std::vector<bytes_t> b((size_t)std::min(n, chunk));
  std::unique_ptr<repeat_cache<PyObject*, SEXP>> cache;
  if (n >= 64) cache = std::make_unique<repeat_cache<PyObject*, SEXP>>();
  interrupt_check ic;
  for (R_xlen_t c0 = 0; c0 < n; c0 += chunk) {
    if ((c0 & (k_poll_every - 1)) == 0) ic.poll();  // chunk divides k_poll_every
    const R_xlen_t c1 = std::min(n, c0 + chunk);
    for (R_xlen_t i = c0; i < c1; i++) {
      PyObject* o = items[i];
      bytes_t& e = b[(size_t)(i - c0)];
      if (!PyUnicode_Check(o)) {
        e.n = -1;
        continue;
      }
      if (cache) {
        if (SEXP* hit = cache->find(o)) {
          e.n = -2;
          e.known = *hit;
          continue;
        }
      }
      Py_ssize_t len;
      const char* s = PyUnicode_AsUTF8AndSize(o, &len);
      if (s == nullptr) throw py::error_already_set();
      if (std::memchr(s, 0, (size_t)len) != nullptr)
        throw tandem_error("Embedded NUL in string: a Python str with a NUL character (at position " +
                               std::to_string(std::strlen(s)) + ") cannot become an R string",
                           tandem_error::value);
      if (len > INT_MAX)
        throw tandem_error("a Python str longer than 2^31-1 bytes cannot become an R string", tandem_error::value);
      e.s = s;
      e.n = (int)len;
    }
    r_safe([&] {
      for (R_xlen_t i = c0; i < c1; i++) {
        const bytes_t& e = b[(size_t)(i - c0)];
        SEXP ch = e.n == -1 ? NA_STRING : e.n == -2 ? e.known : Rf_mkCharLenCE(e.s, e.n, CE_UTF8);
        SET_STRING_ELT(out, i, ch);
        if (cache && e.n >= 0) cache->put(items[i], ch);  // plain stores: cannot fail
      }
      return R_NilValue;
    });
  }
}

SEXP py_str_to_charsxp(PyObject* o) {
  Py_ssize_t n;
  const char* s = PyUnicode_AsUTF8AndSize(o, &n);
  if (s == nullptr) throw py::error_already_set();
  if ((Py_ssize_t)std::strlen(s) != n)
    throw tandem_error("Embedded NUL in string: a Python str with a NUL character (at position " +
                           std::to_string(std::strlen(s)) + ") cannot become an R string",
                       tandem_error::value);
  if (n > INT_MAX) throw tandem_error("a Python str longer than 2^31-1 bytes cannot become an R string", tandem_error::value);
  return r_safe([&] { return Rf_mkCharLenCE(s, (int)n, CE_UTF8); });
}

// A minimal UTF-8 check (RFC 3629: no overlongs, no surrogates, at most U+10FFFF).
static bool valid_utf8(const unsigned char* s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) { i++; continue; }
    size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || i + len > n) return false;
    uint32_t cp = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
    for (size_t k = 1; k < len; k++) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += len;
  }
  return true;
}

SEXP utf8_to_charsxp(const char* s, size_t n, const std::string& what) {
  if (std::memchr(s, 0, n) != nullptr)
    throw tandem_error("Embedded NUL in string: " + what + " has a NUL character and cannot become an R string", tandem_error::value);
  if (!valid_utf8(reinterpret_cast<const unsigned char*>(s), n))
    throw tandem_error(what + " is not valid UTF-8 and cannot become an R string", tandem_error::value);
  if (n > INT_MAX) throw tandem_error(what + " is longer than 2^31-1 bytes", tandem_error::value);
  return r_safe([&] { return Rf_mkCharLenCE(s, (int)n, CE_UTF8); });
}

// ---- 64-bit integers -------------------------------------------------------------------
bool int64_as_integer64() {
  static SEXP sym = Rf_install("tandem.int64");
  static bool bit64_loaded = false;
  SEXP opt = Rf_GetOption1(sym);
  if (opt == R_NilValue) return false;
  bool is_string = TYPEOF(opt) == STRSXP && XLENGTH(opt) == 1 && STRING_ELT(opt, 0) != NA_STRING;
  std::string value = is_string ? CHAR(STRING_ELT(opt, 0)) : "";
  if (value == "double") return false;
  if (value != "integer64")
    throw tandem_error("the `tandem.int64` option must be \"double\" or \"integer64\", not " +
                           (is_string ? "\"" + value + "\"" : std::string("a ") + Rf_type2char(TYPEOF(opt))) + ".",
                       tandem_error::value);
  if (!bit64_loaded) {
    protect_scope p;
    SEXP call = p(r_safe([] {
      SEXP pkg = PROTECT(Rf_mkString("bit64"));
      SEXP yes = PROTECT(Rf_ScalarLogical(1));
      SEXP c = Rf_lang3(Rf_install("requireNamespace"), pkg, yes);
      SET_TAG(CDDR(c), Rf_install("quietly"));
      UNPROTECT(2);
      return c;
    }));
    SEXP ok = r_eval(call, R_BaseEnv);
    if (!Rf_asLogical(ok))
      throw tandem_error("options(tandem.int64 = \"integer64\") needs the R package bit64, which is not installed.",
                         tandem_error::value);
    bit64_loaded = true;
  }
  return true;
}

SEXP set_integer64_class(SEXP x) {
  protect_scope p;
  p(x);
  SEXP cls = p(r_safe([] { return Rf_mkString("integer64"); }));
  r_safe([&] {
    Rf_setAttrib(x, R_ClassSymbol, cls);
    return R_NilValue;
  });
  return x;
}

namespace {

// ---- scalars ----------------------------------------------------------------------

enum kind_t { K_NONE, K_BOOL, K_INT, K_FLOAT, K_COMPLEX, K_STR, K_OTHER };

// pandas' NA scalar (pandas is never imported to check).
bool is_pandas_na(PyObject* o) {
  const char* name = Py_TYPE(o)->tp_name;
  return name[0] == 'N' ? std::strcmp(name, "NAType") == 0 : std::strcmp(name, "pandas._libs.missing.NAType") == 0;
}

// pandas' NaT (a datetime subclass).
bool is_pandas_nat(PyObject* o) {
  const char* name = Py_TYPE(o)->tp_name;
  return std::strcmp(name, "NaTType") == 0 || std::strcmp(name, "pandas._libs.tslibs.nattype.NaTType") == 0;
}

kind_t scalar_kind(PyObject* o) {
  if (o == Py_None) return K_NONE;
  if (PyBool_Check(o)) return K_BOOL;
  if (PyLong_CheckExact(o)) return K_INT;
  if (PyFloat_CheckExact(o)) return K_FLOAT;
  if (PyUnicode_CheckExact(o)) return K_STR;
  if (PyComplex_CheckExact(o)) return K_COMPLEX;
  return K_OTHER;
}

// A Python int as int32 (fits=1), exact double (fits=2), integer64 (fits=3: beyond 2^53
// when options(tandem.int64 = "integer64")), or an error naming the value.
int int_fits(PyObject* o, long long* v) {
  int overflow = 0;
  *v = PyLong_AsLongLongAndOverflow(o, &overflow);
  if (*v == -1 && PyErr_Occurred()) throw py::error_already_set();
  if (overflow == 0 && *v > INT_MIN && *v <= INT_MAX) return 1;
  if (overflow == 0 && *v >= -k_max_exact_int && *v <= k_max_exact_int) return 2;
  bool in_int64 = overflow == 0 && *v != std::numeric_limits<long long>::min();  // the minimum is NA
  bool as_integer64 = int64_as_integer64();
  if (in_int64 && as_integer64) return 3;
  PyObject* r = PyObject_Repr(o);
  std::string text = r ? PyUnicode_AsUTF8(r) : "?";
  Py_XDECREF(r);
  if (text.size() > 60) text = text.substr(0, 60) + "...";
  if (as_integer64)
    throw tandem_error("Python int " + text + " is outside integer64's range (|x| <= 2^63-1)", tandem_error::value);
  throw tandem_error("Python int " + text +
                         " cannot be converted to R without losing precision: R stores integers "
                         "beyond 32 bits as doubles, exact only up to 2^53; "
                         "options(tandem.int64 = \"integer64\") gives bit64::integer64 instead",
                     tandem_error::value);
}

SEXP scalar_to_r(PyObject* o, kind_t k) {
  switch (k) {
    case K_BOOL:
      return r_safe([&] { return Rf_ScalarLogical(o == Py_True); });
    case K_INT: {
      long long v;
      int fit = int_fits(o, &v);
      if (fit == 3) {
        SEXP out = r_safe([&] { return Rf_allocVector(REALSXP, 1); });
        std::memcpy(REAL(out), &v, sizeof v);
        return set_integer64_class(out);
      }
      return r_safe([&] { return fit == 1 ? Rf_ScalarInteger((int)v) : Rf_ScalarReal((double)v); });
    }
    case K_FLOAT: {
      double d = PyFloat_AS_DOUBLE(o);
      return r_safe([&] { return Rf_ScalarReal(d); });
    }
    case K_COMPLEX: {
      Py_complex c = PyComplex_AsCComplex(o);
      return r_safe([&] {
        SEXP v = Rf_allocVector(CPLXSXP, 1);
        COMPLEX(v)[0].r = c.real;
        COMPLEX(v)[0].i = c.imag;
        return v;
      });
    }
    case K_STR: {
      SEXP ch = PROTECT(py_str_to_charsxp(o));
      SEXP v = r_safe([&] { return Rf_ScalarString(ch); });
      UNPROTECT(1);
      return v;
    }
    default:
      return R_NilValue;
  }
}

// ---- sequences ----------------------------------------------------------------------
// An element that converts alone to a length-one atomic vector although its type is not
// exactly a Python scalar type (numpy.str_, numpy.int64, IntEnum, ...) as the plain Python
// scalar it stands for (new reference), or null when it is no such scalar.
py::object plain_scalar(PyObject* o) {
  if (numpy_loaded() && PyObject_TypeCheck(o, g_npgeneric_type)) {
    if (PyObject_TypeCheck(o, g_ndarray_type)) return py::object();
    py::object item = py::reinterpret_borrow<py::object>(o).attr("item")();
    kind_t k = scalar_kind(item.ptr());
    return k == K_OTHER || k == K_NONE ? py::object() : item;
  }
  if (PyBool_Check(o)) return py::bool_(o == Py_True);
  if (PyFloat_Check(o)) return py::float_(PyFloat_AsDouble(o));
  PyObject* plain = PyLong_Check(o) ? PyNumber_Long(o) : PyUnicode_Check(o) ? PyObject_Str(o) : nullptr;
  if (plain == nullptr && PyErr_Occurred()) throw py::error_already_set();  // a raising __int__ / __str__
  return py::reinterpret_steal<py::object>(plain);
}

// The items of a list or tuple being converted. A tuple cannot change. A list is read in
// place while nothing runs that could change it (type checks, reads of exact scalars, R
// allocations: R runs finalizers only where it evaluates code). pin() is called before
// anything that may run Python or R code (a py_to_r method, the __int__ or __str__ of a
// subclass, a signal handler, an R option hook) and copies the item array with strong
// references first, so that the conversion reads the list as it was when it started,
// whatever that code does to it (issue 11: a py_to_r method that clears the list).
class stable_items {
 public:
  explicit stable_items(PyObject* seq) : seq_(seq), n_(PySequence_Fast_GET_SIZE(seq)) {}
  void pin() {
    if (copy_ || !PyList_Check(seq_)) return;
    if (PyList_GET_SIZE(seq_) != n_) throw tandem_error("internal error (convert.cpp): a list changed before it was pinned");
    PyObject* copy = PyList_New(n_);  // NULL items until copied: safe to release half made
    if (copy == nullptr) throw py::error_already_set();
    copy_ = py::reinterpret_steal<py::object>(copy);
    interrupt_check ic;
    for (Py_ssize_t i = 0; i < n_; i++) {
      if ((i & (k_poll_every - 1)) == 0) ic.poll();  // raises at once if it ran any code
      PyList_SET_ITEM(copy, i, Py_NewRef(PyList_GET_ITEM(seq_, i)));
    }
  }
  Py_ssize_t size() const { return n_; }
  // Valid until the next pin().
  PyObject* const* data() const { return PySequence_Fast_ITEMS(copy_ ? copy_.ptr() : seq_); }

 private:
  PyObject* seq_;  // borrowed: the caller holds it
  Py_ssize_t n_;
  py::object copy_;  // owned: the pinned items
  release_later_on_interrupt later_{copy_};
};

// Lists of same-typed scalars (None as NA) become atomic vectors; tuples stay R lists.
// Elements such as numpy.str_ count as the scalars they stand for (Keras' vocabularies mix
// str and numpy.str_). `seq` is a list or a tuple.
SEXP sequence_to_r(PyObject* seq, bool simplify) {
  recursion_guard guard;
  stable_items items(seq);
  const Py_ssize_t n = items.size();
  py::list plain;  // the elements as plain scalars, when some were not
  release_later_on_interrupt later(plain);
  bool use_plain = false;
  interrupt_check scan;  // the scans below read every element too
  if (simplify) {
    bool need = false;
    for (Py_ssize_t i = 0; i < n && !need; i++) {
      if ((i & (k_poll_every - 1)) == 0) scan.poll();
      PyObject* o = items.data()[i];
      need = scalar_kind(o) == K_OTHER && !is_pandas_na(o);
    }
    if (need) {
      items.pin();  // plain_scalar() may run __str__, __int__, item() of the elements
      PyObject* const* data = items.data();
      plain = py::list(n);
      use_plain = true;
      interrupt_check ic;
      for (Py_ssize_t i = 0; i < n; i++) {
        if ((i & (k_poll_list - 1)) == 0) ic.poll();
        PyObject* o = data[i];
        if (scalar_kind(o) != K_OTHER || is_pandas_na(o)) {
          plain[i] = py::reinterpret_borrow<py::object>(o);
          continue;
        }
        py::object v = plain_scalar(o);
        if (!v) {
          use_plain = false;
          break;
        }
        plain[i] = v;
      }
    }
  }
  auto elements = [&]() -> PyObject* const* { return use_plain ? PySequence_Fast_ITEMS(plain.ptr()) : items.data(); };
  kind_t kind = K_NONE;
  bool homogeneous = simplify && n > 0;
  bool any_value = false;
  int int_width = 1;  // the widest int_fits() result among the ints
  for (Py_ssize_t i = 0; i < n && homogeneous; i++) {
    if ((i & (k_poll_every - 1)) == 0) scan.poll();
    PyObject* o = elements()[i];
    kind_t k = scalar_kind(o);
    if (k == K_OTHER && is_pandas_na(o)) k = K_NONE;  // pd.NA is NA like None in vectors
    if (k == K_NONE) continue;
    if (k == K_OTHER || (any_value && k != kind)) homogeneous = false;
    kind = k;
    any_value = true;
    if (k == K_INT && homogeneous) {
      int overflow = 0;
      long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
      int w = overflow == 0 && v > INT_MIN && v <= INT_MAX ? 1
              : overflow == 0 && v >= -k_max_exact_int && v <= k_max_exact_int ? 2
                                                                                : 0;
      if (w == 0) {
        items.pin();  // int_fits() reads options(tandem.int64), which may load bit64
        w = int_fits(elements()[i], &v);
      }
      int_width = std::max(int_width, w);
    }
  }
  if (homogeneous && any_value) {
    PyObject* const* data = elements();  // nothing below pins
    SEXPTYPE type = kind == K_BOOL ? LGLSXP
                    : kind == K_INT ? (int_width > 1 ? REALSXP : INTSXP)
                    : kind == K_FLOAT ? REALSXP
                    : kind == K_COMPLEX ? CPLXSXP
                                        : STRSXP;
    protect_scope p;
    SEXP out = p(r_alloc(type, n));
    if (type == STRSXP) {
      py_strs_to_strsxp(out, data, n);
      return out;
    }
    interrupt_check ic;
    for (Py_ssize_t i = 0; i < n; i++) {
      if ((i & (k_poll_every - 1)) == 0) ic.poll();
      PyObject* o = data[i];
      bool na = o == Py_None || (scalar_kind(o) == K_OTHER && is_pandas_na(o));
      switch (type) {
        case LGLSXP: LOGICAL(out)[i] = na ? NA_LOGICAL : (o == Py_True); break;
        case INTSXP: INTEGER(out)[i] = na ? NA_INTEGER : (int)PyLong_AsLong(o); break;
        case REALSXP:
          if (kind == K_INT && int_width == 3) {  // integer64: int64 bits, NA as its minimum
            long long v = std::numeric_limits<long long>::min();
            if (!na) int_fits(o, &v);
            std::memcpy(REAL(out) + i, &v, sizeof v);
          } else if (na) REAL(out)[i] = NA_REAL;
          else if (kind == K_INT) {
            long long v;
            int_fits(o, &v);
            REAL(out)[i] = (double)v;
          } else REAL(out)[i] = PyFloat_AS_DOUBLE(o);
          break;
        default:
          if (na) { COMPLEX(out)[i].r = NA_REAL; COMPLEX(out)[i].i = NA_REAL; }
          else { Py_complex c = PyComplex_AsCComplex(o); COMPLEX(out)[i].r = c.real; COMPLEX(out)[i].i = c.imag; }
          break;
      }
    }
    if (kind == K_INT && int_width == 3) set_integer64_class(out);
    return out;
  }
  items.pin();  // converting an element may run any code (py_to_r methods)
  PyObject* const* data = items.data();
  protect_scope p;
  SEXP out = p(r_alloc(VECSXP, n));
  interrupt_check ic;
  for (Py_ssize_t i = 0; i < n; i++) {
    if ((i & (k_poll_list - 1)) == 0) ic.poll();
    SET_VECTOR_ELT(out, i, py_to_r(data[i]));
  }
  return out;
}

// A snapshot first (as reticulate does): converting a value may run code that changes the
// dict, and Python itself refuses to go on iterating a dict that changed.
SEXP dict_to_r(PyObject* d0) {
  recursion_guard guard;
  py::object copy = py::reinterpret_steal<py::object>(PyDict_Copy(d0));
  if (!copy) throw py::error_already_set();
  release_later_on_interrupt later(copy);
  PyObject* d = copy.ptr();
  Py_ssize_t n = PyDict_GET_SIZE(d);
  protect_scope p;
  SEXP out = p(r_alloc(VECSXP, n));
  SEXP names = p(r_alloc(STRSXP, n));
  Py_ssize_t pos = 0, i = 0;
  PyObject *key, *value;
  interrupt_check ic;
  while (i < n && PyDict_Next(d, &pos, &key, &value)) {
    if ((i & (k_poll_list - 1)) == 0) ic.poll();
    py::object k = py::reinterpret_borrow<py::object>(key), v = py::reinterpret_borrow<py::object>(value);
    if (PyUnicode_Check(key)) {
      SET_STRING_ELT(names, i, py_str_to_charsxp(key));
    } else {
      py::str text = py::str(k);
      SET_STRING_ELT(names, i, py_str_to_charsxp(text.ptr()));
    }
    SET_VECTOR_ELT(out, i, py_to_r(v.ptr()));
    i++;
  }
  r_safe([&] {
    Rf_setAttrib(out, R_NamesSymbol, names);
    return R_NilValue;
  });
  return out;
}

// One element as a new Python object. Reads through *_ELT, so that ALTREP vectors (NumPy
// buffers included) are not materialized.
PyObject* r_element_to_py(SEXP x, R_xlen_t i) {
  switch (TYPEOF(x)) {
    case LGLSXP: {
      int v = LOGICAL_ELT(x, i);
      if (v == NA_LOGICAL) Py_RETURN_NONE;
      return PyBool_FromLong(v);
    }
    case INTSXP: {
      int v = INTEGER_ELT(x, i);
      if (v == NA_INTEGER) Py_RETURN_NONE;
      return PyLong_FromLong(v);
    }
    case REALSXP:
      return PyFloat_FromDouble(REAL_ELT(x, i));  // NA keeps R's payload inside the NaN
    case CPLXSXP: {
      Rcomplex c = COMPLEX_ELT(x, i);
      return PyComplex_FromDoubles(c.r, c.i);
    }
    case STRSXP:
      return charsxp_to_py(STRING_ELT(x, i));
    default:
      return nullptr;
  }
}

// A dict holds each key once: a named list with empty, missing or duplicate names would
// lose elements silently (issue 11), so it is an error that names them.
std::string quoted_names(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < 5; i++) out += (i ? ", `" : "`") + names[i] + "`";
  if (names.size() > 5) out += ", ...";
  return out;
}

void check_dict_names(SEXP names) {
  R_xlen_t n = XLENGTH(names);
  std::vector<R_xlen_t> empty;
  for (R_xlen_t i = 0; i < n; i++) {
    SEXP c = STRING_ELT(names, i);
    if (c == NA_STRING || LENGTH(c) == 0) empty.push_back(i + 1);
  }
  if (empty.empty()) return;
  std::string where;
  for (size_t i = 0; i < empty.size() && i < 5; i++) where += (i ? ", " : "") + std::to_string(empty[i]);
  if (empty.size() > 5) where += ", ...";
  throw tandem_error("a named list with empty or missing names (element" + std::string(empty.size() > 1 ? "s " : " ") +
                         where + ") cannot become a Python dict, which needs a key for every element; "
                         "name every element, or use unname() for a Python list",
                     tandem_error::value);
}

[[noreturn]] void throw_duplicate_names(SEXP names) {
  std::vector<std::string> dups;
  std::unordered_map<std::string, int> seen;
  for (R_xlen_t i = 0; i < XLENGTH(names); i++) {
    py::object key = py::reinterpret_steal<py::object>(charsxp_to_py(STRING_ELT(names, i)));
    const char* utf8 = PyUnicode_AsUTF8(key.ptr());
    if (utf8 == nullptr) throw py::error_already_set();
    std::string k = utf8;
    if (++seen[k] == 2) dups.push_back(k);
  }
  throw tandem_error("a named list with duplicate names (" + quoted_names(dups) +
                         ") cannot become a Python dict, which holds each key once; "
                         "give the elements unique names, or use unname() for a Python list",
                     tandem_error::value);
}

}  // namespace

namespace {

py::object r_to_py_value(SEXP x, bool dispatch) {
  TANDEM_ASSERT_R_THREAD();
  if (PyObject* h = handle_ptr(x)) return py::reinterpret_borrow<py::object>(h);
  if (dispatch && OBJECT(x) && g_r_to_py_dispatch != nullptr && !Rf_inherits(x, "AsIs")) {
    protect_scope p;
    SEXP arg = p(as_call_argument(x));  // a classed call (a formula) is not evaluated
    SEXP call = p(r_safe([&] { return Rf_lang2(g_r_to_py_dispatch, arg); }));
    SEXP res = p(r_eval(call, R_BaseEnv));
    if (PyObject* h = handle_ptr(res)) return py::reinterpret_borrow<py::object>(h);
    return r_to_py(res, false);
  }
  recursion_guard guard;
  if (OBJECT(x)) {
    py::object classed = r_to_py_classed(x);
    if (classed) return classed;
  }
  switch (TYPEOF(x)) {
    case NILSXP:
      return py::none();
    case LGLSXP:
    case INTSXP:
    case REALSXP:
    case CPLXSXP:
    case STRSXP: {
      if (Rf_getAttrib(x, R_DimSymbol) != R_NilValue) return r_array_to_numpy(x);
      R_xlen_t n = XLENGTH(x);
      if (n == 1 && !Rf_inherits(x, "AsIs")) return py::reinterpret_steal<py::object>(r_element_to_py(x, 0));
      PyObject* list = PyList_New(n);
      if (list == nullptr) throw py::error_already_set();
      py::object out = py::reinterpret_steal<py::object>(list);
      release_later_on_interrupt later(out);
      if (TYPEOF(x) == STRSXP) {  // PyList_New filled the list with NULL: a partial list is safe to drop
        strsxp_to_py_items(x, n, PySequence_Fast_ITEMS(list));
        return out;
      }
      interrupt_check ic;
      for (R_xlen_t i = 0; i < n; i++) {
        if ((i & (k_poll_every - 1)) == 0) ic.poll();
        PyObject* e = r_element_to_py(x, i);
        if (e == nullptr) throw py::error_already_set();
        PyList_SET_ITEM(list, i, e);
      }
      return out;
    }
    case RAWSXP: {  // as reticulate: a bytearray (copy), a raw array a NumPy void (V1) array
      if (Rf_getAttrib(x, R_DimSymbol) != R_NilValue) return r_array_to_numpy(x);
      PyObject* b = PyByteArray_FromStringAndSize(reinterpret_cast<const char*>(RAW(x)), XLENGTH(x));
      if (b == nullptr) throw py::error_already_set();
      return py::reinterpret_steal<py::object>(b);
    }
    case VECSXP: {
      R_xlen_t n = XLENGTH(x);
      SEXP names = Rf_getAttrib(x, R_NamesSymbol);
      if (names != R_NilValue) {
        check_dict_names(names);
        py::dict d;
        release_later_on_interrupt later(d);
        interrupt_check ic;
        for (R_xlen_t i = 0; i < n; i++) {
          if ((i & (k_poll_list - 1)) == 0) ic.poll();
          py::object key = py::reinterpret_steal<py::object>(charsxp_to_py(STRING_ELT(names, i)));
          d[key] = r_to_py(VECTOR_ELT(x, i), true);
        }
        if ((R_xlen_t)PyDict_GET_SIZE(d.ptr()) != n) throw_duplicate_names(names);
        return std::move(d);
      }
      py::list l(n);
      release_later_on_interrupt later(l);
      interrupt_check ic;
      for (R_xlen_t i = 0; i < n; i++) {
        if ((i & (k_poll_list - 1)) == 0) ic.poll();
        l[i] = r_to_py(VECTOR_ELT(x, i), true);
      }
      return std::move(l);
    }
    default:
      return robject_new(x);
  }
}

SEXP py_to_r_value(PyObject* o, bool dispatch_top) {
  TANDEM_ASSERT_R_THREAD();
  kind_t k = scalar_kind(o);
  if (k == K_NONE) return R_NilValue;
  if (k != K_OTHER) return scalar_to_r(o, k);
  if (PyList_CheckExact(o) || PyTuple_CheckExact(o)) {
    py::object fast = py::reinterpret_steal<py::object>(PySequence_Fast(o, "not a sequence"));
    if (!fast) throw py::error_already_set();
    return sequence_to_r(fast.ptr(), PyList_CheckExact(o));
  }
  if (PyDict_CheckExact(o)) return dict_to_r(o);
  if (SEXP r = robject_sexp(o)) return r;
  if (is_pandas_na(o)) return r_safe([] { return Rf_ScalarLogical(NA_LOGICAL); });  // as reticulate
  if (is_pandas_nat(o)) {
    protect_scope p;
    SEXP out = p(r_safe([] { return Rf_ScalarReal(NA_REAL); }));
    SEXP cls = p(r_alloc(STRSXP, 2));
    SET_STRING_ELT(cls, 0, Rf_mkChar("POSIXct"));
    SET_STRING_ELT(cls, 1, Rf_mkChar("POSIXt"));
    r_safe([&] {
      Rf_setAttrib(out, R_ClassSymbol, cls);
      return R_NilValue;
    });
    return out;
  }
  // bytearray is raw; bytes stays a Python object, as in reticulate (as.raw() and
  // as.character() convert it)
  if (PyByteArray_Check(o)) {
    Py_ssize_t n = PyByteArray_GET_SIZE(o);
    SEXP out = r_alloc(RAWSXP, n);
    if (n > 0) std::memcpy(RAW(out), PyByteArray_AS_STRING(o), n);
    return out;
  }
  if (numpy_loaded()) {
    if (PyObject_TypeCheck(o, g_ndarray_type)) return ndarray_to_r(o);
    if (PyObject_TypeCheck(o, g_npgeneric_type)) {
      if (SEXP r = py_to_r_classed(o)) return r;  // datetime64 / timedelta64 scalars
      py::object item = py::reinterpret_borrow<py::object>(o).attr("item")();
      if (scalar_kind(item.ptr()) != K_OTHER) return py_to_r(item.ptr());
    }
  }
  // Subclasses of the scalar types (IntEnum, numpy.float64, ...) convert by value.
  if (PyBool_Check(o)) return scalar_to_r(o, K_BOOL);
  if (PyFloat_Check(o)) return r_safe([&] { return Rf_ScalarReal(PyFloat_AsDouble(o)); });
  if (PyLong_Check(o)) return scalar_to_r(o, K_INT);
  if (PyUnicode_Check(o)) return scalar_to_r(o, K_STR);
  // Subclasses of list, tuple and dict (namedtuple, defaultdict, Counter, Keras' tracked
  // containers, ...) stay Python objects, as in reticulate: they are often classes of their
  // own (a namedtuple's fields are read with `$`). OrderedDict is the exception reticulate
  // makes (a py_to_r method): a named list in its own order.
  protect_scope p;
  SEXP method = p(dispatch_top ? find_s3_method(s3_generic::py_to_r, Py_TYPE(o)) : R_NilValue);
  if (method == R_NilValue) {
    if (PyODict_Check(o)) {
      py::object items = py::reinterpret_borrow<py::object>(o).attr("items")();
      return dict_to_r(py::dict(items).ptr());
    }
    if (SEXP r = py_to_r_classed(o)) return r;  // datetime, pandas, scipy.sparse
  }
  SEXP h = p(wrap_handle(Py_NewRef(o), true));
  if (method != R_NilValue) {
    // Through the generic, as reticulate dispatches: py_to_r(h) evaluated in tandem's
    // namespace, so that the method runs under UseMethod() and can call NextMethod().
    // Without tandem's namespace (Python hosts R, the package not loaded): the method.
    static SEXP generic = Rf_install("py_to_r");  // symbols are never collected
    SEXP env = tandem_r_namespace();
    SEXP call = p(r_safe([&] { return Rf_lang2(env != nullptr ? generic : method, h); }));
    return r_eval(call, env != nullptr ? env : R_GlobalEnv);
  }
  return h;
}

}  // namespace

// Ctrl-C from the entry on interrupts the conversion, also a signal that arrives while the
// result is allocated (before the copy loops start polling; R's GC may run Python
// finalizers then, which would otherwise swallow Python's KeyboardInterrupt). The
// outermost conversion also polls at its end: a SIGINT that came during a part without
// polls (pandas' constructors, NumPy's casts, a py_to_r method) interrupts the conversion
// itself, instead of surfacing after its result was returned (or assigned) in unrelated code.
py::object r_to_py(SEXP x, bool dispatch) {
  interrupt_check ic;
  py::object out = r_to_py_value(x, dispatch);
  release_later_on_interrupt later(out);
  if (ic.outermost()) ic.poll();
  return out;
}

SEXP py_to_r(PyObject* o, bool dispatch_top) {
  interrupt_check ic;
  SEXP out = py_to_r_value(o, dispatch_top);
  if (ic.outermost()) {
    protect_scope p;
    p(out);  // poll() may run Python's signal handlers, which may call R
    ic.poll();
  }
  return out;
}

SEXP py_list_to_r_list(PyObject* list) { return sequence_to_r(list, false); }

SEXP py_to_r_maybe(PyObject* o, bool convert) {
  if (convert) return py_to_r(o);
  return wrap_handle(Py_NewRef(o), false);
}

}  // namespace tandem
