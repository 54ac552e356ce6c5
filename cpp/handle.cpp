// handle.cpp: Python handles in R (external pointers, class vectors, callable closures)
// and R objects in Python (RObject on the preserve list).
#include "handle.hpp"

#include <cstring>
#include <unordered_map>
#include <vector>

namespace tandem {

PyTypeObject* g_robject_type = nullptr;

bool python_unusable() { return !Py_IsInitialized() || _Py_IsFinalizing(); }

// prot of every handle's external pointer: tells tandem's pointers from others in O(1).
static SEXP handle_marker() {
  static SEXP marker = nullptr;
  if (marker == nullptr) marker = Rf_install("tandem.py_handle");  // symbols are never collected
  return marker;
}

static std::string type_class_name(PyObject* type) {
  std::string module = "python.builtin";
  PyObject* mod = PyObject_GetAttrString(type, "__module__");
  if (mod != nullptr && PyUnicode_Check(mod)) {
    const char* m = PyUnicode_AsUTF8(mod);
    if (m != nullptr && std::strcmp(m, "builtins") != 0) module = m;
  }
  if (mod == nullptr || PyErr_Occurred()) PyErr_Clear();
  Py_XDECREF(mod);
  std::string name = ((PyTypeObject*)type)->tp_name;
  PyObject* n = PyObject_GetAttrString(type, "__name__");
  if (n != nullptr && PyUnicode_Check(n)) {
    const char* c = PyUnicode_AsUTF8(n);
    if (c != nullptr) name = c;
  }
  if (n == nullptr || PyErr_Occurred()) PyErr_Clear();
  Py_XDECREF(n);
  return module + "." + name;
}

SEXP py_class_vector(PyTypeObject* type) {
  static std::unordered_map<PyTypeObject*, SEXP>* cache = new std::unordered_map<PyTypeObject*, SEXP>();
  auto it = cache->find(type);
  if (it != cache->end()) return it->second;
  PyObject* mro = type->tp_mro;
  std::vector<std::string> names;
  if (mro != nullptr && PyTuple_Check(mro)) {
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(mro); i++) names.push_back(type_class_name(PyTuple_GET_ITEM(mro, i)));
  } else {
    names.push_back(type_class_name((PyObject*)type));
  }
  if (names.empty() || names.back() != "python.builtin.object") names.push_back("python.builtin.object");
  SEXP cls = r_safe([&] {
    SEXP v = PROTECT(Rf_allocVector(STRSXP, (R_xlen_t)names.size()));
    for (size_t i = 0; i < names.size(); i++) SET_STRING_ELT(v, (R_xlen_t)i, Rf_mkCharCE(names[i].c_str(), CE_UTF8));
    R_PreserveObject(v);
    MARK_NOT_MUTABLE(v);
    UNPROTECT(1);
    return v;
  });
  Py_INCREF(type);  // the cache keys on the type: keep it alive
  (*cache)[type] = cls;
  return cls;
}

static void handle_finalizer(SEXP xp) {
  PyObject* o = static_cast<PyObject*>(R_ExternalPtrAddr(xp));
  if (o == nullptr) return;
  R_ClearExternalPtr(xp);
  if (python_unusable()) return;
  PyGILState_STATE s = PyGILState_Ensure();
  Py_DECREF(o);
  PyGILState_Release(s);
}

static SEXP g_call_symbol = nullptr;
static SEXP g_dots_formals = nullptr;

SEXP wrap_handle(PyObject* o, bool convert) {
  TANDEM_ASSERT_R_THREAD();
  // Own the reference until the finalizer is registered.
  py::object owner = py::reinterpret_steal<py::object>(o);
  SEXP cls = py_class_vector(Py_TYPE(o));
  bool callable = PyCallable_Check(o);
  if (g_call_symbol == nullptr) {
    g_call_symbol = native_symbol((DL_FUNC)tandem_ffi_call);
    R_PreserveObject(g_call_symbol);
    g_dots_formals = Rf_cons(R_MissingArg, R_NilValue);
    SET_TAG(g_dots_formals, R_DotsSymbol);
    R_PreserveObject(g_dots_formals);
  }
  SEXP res = r_safe([&] {
    SEXP xp = PROTECT(R_MakeExternalPtr(o, convert ? Rf_ScalarLogical(1) : Rf_ScalarLogical(0), handle_marker()));
    R_RegisterCFinalizerEx(xp, handle_finalizer, FALSE);
    if (!callable) {
      Rf_setAttrib(xp, R_ClassSymbol, cls);
      UNPROTECT(1);
      return xp;
    }
    SEXP body = PROTECT(Rf_lang4(Rf_install(".External"), g_call_symbol, xp, R_DotsSymbol));
    SEXP fn = PROTECT(Rf_allocSExp(CLOSXP));
    SET_FORMALS(fn, g_dots_formals);
    SET_BODY(fn, body);
    SET_CLOENV(fn, R_BaseEnv);
    Rf_setAttrib(fn, Rf_install("py_object"), xp);
    Rf_setAttrib(fn, R_ClassSymbol, cls);
    UNPROTECT(3);
    return fn;
  });
  owner.release();  // the finalizer owns it now
  return res;
}

// A delay-loaded module (R environment of class tandem_delayed_module) is imported on
// first use by its `resolve` function; its handle is then bound as `module`.
static SEXP resolve_delayed(SEXP env) {
  SEXP module_sym = Rf_install("module");
  SEXP h = Rf_findVarInFrame3(env, module_sym, TRUE);
  if (h == R_UnboundValue || h == R_NilValue) {
    SEXP fn = Rf_findVarInFrame3(env, Rf_install("resolve"), TRUE);
    if (TYPEOF(fn) != CLOSXP) return R_NilValue;
    protect_scope p;
    SEXP call = p(r_safe([&] { return Rf_lang1(fn); }));
    h = p(r_eval(call, R_BaseEnv));
  }
  return handle_xptr(h);
}

SEXP handle_xptr(SEXP x) {
  if (TYPEOF(x) == ENVSXP && OBJECT(x) && Rf_inherits(x, "tandem_delayed_module")) return resolve_delayed(x);
  if (TYPEOF(x) == CLOSXP) {
    if (ATTRIB(x) == R_NilValue) return R_NilValue;
    x = Rf_getAttrib(x, Rf_install("py_object"));
  }
  if (TYPEOF(x) == EXTPTRSXP && R_ExternalPtrProtected(x) == handle_marker()) return x;
  return R_NilValue;
}

PyObject* handle_ptr(SEXP x) {
  SEXP xp = handle_xptr(x);
  if (xp == R_NilValue) return nullptr;
  PyObject* o = static_cast<PyObject*>(R_ExternalPtrAddr(xp));
  if (o == nullptr)
    throw tandem_error("This Python object is no longer available (its pointer is NULL: it was saved and "
                       "restored, or Python was restarted); create it again.",
                       tandem_error::value);
  return o;
}

bool handle_convert(SEXP x) {
  SEXP xp = handle_xptr(x);
  if (xp == R_NilValue) return false;
  SEXP tag = R_ExternalPtrTag(xp);
  return TYPEOF(tag) == LGLSXP && LOGICAL(tag)[0] == 1;
}

py::object robject_new(SEXP x) { return py::cast(new RObject(x), py::return_value_policy::take_ownership); }

SEXP robject_sexp(PyObject* o) {
  if (g_robject_type == nullptr || !PyObject_TypeCheck(o, g_robject_type)) return nullptr;
  return py::handle(o).cast<RObject&>().get();
}

}  // namespace tandem
