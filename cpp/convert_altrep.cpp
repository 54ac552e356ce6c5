// convert_altrep.cpp: NumPy buffers seen from R without a copy: ALTREP vectors (double,
// integer, complex) whose data pointer is the NumPy array's memory; R writes go to a copy.
#include "convert_internal.hpp"

#include <R_ext/Altrep.h>

#include <cstring>

namespace tandem {

namespace {

// data1 of every tandem NumPy ALTREP vector: an external pointer to this struct. The
// struct owns one reference to `owner` (the ndarray whose buffer `data` points into),
// dropped with the GIL held by the external pointer's finalizer.
struct numpy_buffer {
  PyObject* owner;
  void* data;
  R_xlen_t length;
  size_t elt_size;
};

R_altrep_class_t g_real_class, g_integer_class, g_complex_class;
bool g_classes_made = false;

numpy_buffer* buffer_of(SEXP x) { return static_cast<numpy_buffer*>(R_ExternalPtrAddr(R_altrep_data1(x))); }

// The memory R reads: the private copy once R asked to write, else the NumPy buffer.
const void* read_pointer(SEXP x) {
  SEXP copy = R_altrep_data2(x);
  if (copy != R_NilValue) return DATAPTR(copy);
  return buffer_of(x)->data;
}

// Runs on R's thread during a garbage collection (or at exit); takes the GIL to drop the
// reference unless Python is already gone.
void buffer_finalizer(SEXP xp) {
  auto* b = static_cast<numpy_buffer*>(R_ExternalPtrAddr(xp));
  if (b == nullptr) return;
  R_ClearExternalPtr(xp);
  if (!python_unusable()) {
    PyGILState_STATE s = PyGILState_Ensure();
    Py_DECREF(b->owner);
    PyGILState_Release(s);
  }
  delete b;
}

// ALTREP methods. Thread safety: called by R's C code on R's main thread, without needing
// the GIL (they never touch Python objects). No C++ object with a destructor lives in these
// frames, so R errors (allocation failure) may longjmp through them.
R_xlen_t m_length(SEXP x) { return buffer_of(x)->length; }

void* m_dataptr(SEXP x, Rboolean writable) {
  SEXP copy = R_altrep_data2(x);
  if (copy != R_NilValue) return DATAPTR(copy);
  numpy_buffer* b = buffer_of(x);
  if (!writable) return b->data;
  // R may write through this pointer: give it a private copy, never the NumPy buffer.
  copy = Rf_allocVector(TYPEOF(x), b->length);
  std::memcpy(DATAPTR(copy), b->data, b->length * b->elt_size);
  R_set_altrep_data2(x, copy);
  return DATAPTR(copy);
}

const void* m_dataptr_or_null(SEXP x) { return read_pointer(x); }

R_altrep_class_t class_of(SEXP x);

// Before any write, a duplicate shares the buffer (and data1, so the NumPy reference is
// dropped when the last of them is collected); its own writes materialize its own copy.
SEXP m_duplicate(SEXP x, Rboolean) {
  if (R_altrep_data2(x) == R_NilValue) return R_new_altrep(class_of(x), R_altrep_data1(x), R_NilValue);
  numpy_buffer* b = buffer_of(x);
  SEXP out = Rf_allocVector(TYPEOF(x), b->length);
  std::memcpy(DATAPTR(out), read_pointer(x), b->length * b->elt_size);
  return out;
}

Rboolean m_inspect(SEXP x, int, int, int, void (*)(SEXP, int, int, int)) {
  numpy_buffer* b = buffer_of(x);
  Rprintf(" tandem NumPy buffer %p (length %lld)%s\n", b->data, (long long)b->length,
          R_altrep_data2(x) != R_NilValue ? ", materialized copy" : "");
  return TRUE;
}

double m_real_elt(SEXP x, R_xlen_t i) { return static_cast<const double*>(read_pointer(x))[i]; }
int m_integer_elt(SEXP x, R_xlen_t i) { return static_cast<const int*>(read_pointer(x))[i]; }
Rcomplex m_complex_elt(SEXP x, R_xlen_t i) { return static_cast<const Rcomplex*>(read_pointer(x))[i]; }

template <typename T>
R_xlen_t m_get_region(SEXP x, R_xlen_t i, R_xlen_t n, T* out) {
  R_xlen_t len = buffer_of(x)->length;
  R_xlen_t k = i + n > len ? len - i : n;
  if (k <= 0) return 0;
  std::memcpy(out, static_cast<const T*>(read_pointer(x)) + i, k * sizeof(T));
  return k;
}

int m_integer_no_na(SEXP) { return 1; }  // numpy_altrep() refuses int32 data holding INT_MIN

R_altrep_class_t class_of(SEXP x) {
  return TYPEOF(x) == REALSXP ? g_real_class : TYPEOF(x) == INTSXP ? g_integer_class : g_complex_class;
}

void set_common(R_altrep_class_t cls) {
  R_set_altrep_Length_method(cls, m_length);
  R_set_altrep_Duplicate_method(cls, m_duplicate);
  R_set_altrep_Inspect_method(cls, m_inspect);
  R_set_altvec_Dataptr_method(cls, m_dataptr);
  R_set_altvec_Dataptr_or_null_method(cls, m_dataptr_or_null);
}

void make_classes() {
  if (g_classes_made) return;
  DllInfo* dll = R_getEmbeddingDllInfo();
  g_real_class = R_make_altreal_class("tandem_numpy_double", "tandem", dll);
  set_common(g_real_class);
  R_set_altreal_Elt_method(g_real_class, m_real_elt);
  R_set_altreal_Get_region_method(g_real_class, m_get_region<double>);
  g_integer_class = R_make_altinteger_class("tandem_numpy_int32", "tandem", dll);
  set_common(g_integer_class);
  R_set_altinteger_Elt_method(g_integer_class, m_integer_elt);
  R_set_altinteger_Get_region_method(g_integer_class, m_get_region<int>);
  R_set_altinteger_No_NA_method(g_integer_class, m_integer_no_na);
  g_complex_class = R_make_altcomplex_class("tandem_numpy_complex128", "tandem", dll);
  set_common(g_complex_class);
  R_set_altcomplex_Elt_method(g_complex_class, m_complex_elt);
  R_set_altcomplex_Get_region_method(g_complex_class, m_get_region<Rcomplex>);
  g_classes_made = true;
}

}  // namespace

SEXP numpy_altrep(PyObject* owner, const void* data, R_xlen_t length, SEXPTYPE type) {
  TANDEM_ASSERT_R_THREAD();
  TANDEM_ASSERT_GIL();
  r_safe([] {
    make_classes();
    return R_NilValue;
  });
  size_t elt = type == REALSXP ? sizeof(double) : type == INTSXP ? sizeof(int) : sizeof(Rcomplex);
  R_altrep_class_t cls = type == REALSXP ? g_real_class : type == INTSXP ? g_integer_class : g_complex_class;
  auto* b = new numpy_buffer{owner, const_cast<void*>(data), length, elt};  // R never writes there
  protect_scope p;
  SEXP xp = r_safe([&] { return R_MakeExternalPtr(b, R_NilValue, R_NilValue); });
  p(xp);
  Py_INCREF(owner);  // owned by `b` from here on; the finalizer drops it
  r_safe([&] {
    R_RegisterCFinalizerEx(xp, buffer_finalizer, TRUE);
    return R_NilValue;
  });
  return r_safe([&] { return R_new_altrep(cls, xp, R_NilValue); });
}

}  // namespace tandem
