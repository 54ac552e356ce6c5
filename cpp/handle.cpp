// handle.cpp: Python handles in R (external pointers, class vectors, callable closures)
// and R objects in Python (RObject on the preserve list).
#include "handle.hpp"

#include <algorithm>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "convert.hpp"
#include "error.hpp"

namespace tandem {

PyTypeObject* g_robject_type = nullptr;

bool python_unusable() { return !Py_IsInitialized() || _Py_IsFinalizing(); }

// prot of every handle's external pointer: tells tandem's pointers from others in O(1).
// A weak handle's pointer is a weakref.ref to the object (see wrap_weak_handle).
static SEXP handle_marker() {
  static SEXP marker = nullptr;
  if (marker == nullptr) marker = Rf_install("tandem.py_handle");  // symbols are never collected
  return marker;
}
static SEXP weak_marker() {
  static SEXP marker = nullptr;
  if (marker == nullptr) marker = Rf_install("tandem.py_weak_handle");
  return marker;
}
static bool is_handle_xptr(SEXP xp) {
  if (TYPEOF(xp) != EXTPTRSXP) return false;
  SEXP prot = R_ExternalPtrProtected(xp);
  return prot == handle_marker() || prot == weak_marker();
}

// The module part of a class's R class name, as reticulate (>= 1.40) resolves it:
// "python.builtin" for builtins; empty (the bare name) for a class without a `__module__`
// (one made by type() outside any Python frame, as PyClass() makes them) or with one that
// is not a string; for a class whose metaclass is not `type`, such a `__module__` is
// looked up once more on the metaclass.
static std::string type_module_name(PyObject* type, bool again) {
  std::string module;
  PyObject* mod = PyObject_GetAttrString(type, "__module__");
  if (mod == nullptr) {
    PyErr_Clear();
  } else if (PyUnicode_Check(mod)) {
    const char* m = PyUnicode_AsUTF8(mod);
    if (m == nullptr) PyErr_Clear();
    else module = std::strcmp(m, "builtins") == 0 ? "python.builtin" : m;
  } else if (again && !PyType_CheckExact(type)) {
    module = type_module_name((PyObject*)Py_TYPE(type), false);
  }
  Py_XDECREF(mod);
  return module;
}

// "module.Name" (see type_module_name()), as reticulate names classes.
static std::string type_class_name(PyObject* type) {
  std::string module = type_module_name(type, true);
  std::string name = ((PyTypeObject*)type)->tp_name;
  PyObject* n = PyObject_GetAttrString(type, "__name__");
  if (n != nullptr && PyUnicode_Check(n)) {
    const char* c = PyUnicode_AsUTF8(n);
    if (c != nullptr) name = c;
  }
  if (n == nullptr || PyErr_Occurred()) PyErr_Clear();
  Py_XDECREF(n);
  return module.empty() ? name : module + "." + name;
}

// The R function that register_class_filter() installs (classes -> classes), or nullptr.
static SEXP g_class_filter = nullptr;
static std::unordered_map<PyTypeObject*, SEXP>* class_cache() {
  static std::unordered_map<PyTypeObject*, SEXP>* cache = new std::unordered_map<PyTypeObject*, SEXP>();
  return cache;
}

SEXP py_class_vector(PyTypeObject* type) {
  std::unordered_map<PyTypeObject*, SEXP>* cache = class_cache();
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
  protect_scope p;
  SEXP cls = p(r_safe([&] {
    SEXP v = PROTECT(Rf_allocVector(STRSXP, (R_xlen_t)names.size()));
    for (size_t i = 0; i < names.size(); i++) SET_STRING_ELT(v, (R_xlen_t)i, Rf_mkCharCE(names[i].c_str(), CE_UTF8));
    UNPROTECT(1);
    return v;
  }));
  if (g_class_filter != nullptr) {  // the R filter catches its own errors
    SEXP call = p(r_safe([&] { return Rf_lang2(g_class_filter, cls); }));
    SEXP out = p(r_eval(call, R_BaseEnv));
    if (TYPEOF(out) == STRSXP && XLENGTH(out) > 0) cls = out;
  }
  r_safe([&] {
    R_PreserveObject(cls);
    MARK_NOT_MUTABLE(cls);
    return R_NilValue;
  });
  Py_INCREF(type);  // the cache keys on the type: keep it alive
  (*cache)[type] = cls;
  return cls;
}

SEXP g_s3_methods_table = nullptr;

SEXP tandem_r_namespace() {
  if (g_r_to_py_dispatch != nullptr) return CLOENV(g_r_to_py_dispatch);
  // Python hosts R and tandem's R package has not started its side yet: its namespace
  // when it is loaded (registerS3method(..., envir = asNamespace("tandem")) loads it).
  static SEXP name = Rf_install("tandem");  // symbols are never collected
  SEXP ns = Rf_findVarInFrame3(R_NamespaceRegistry, name, TRUE);
  return TYPEOF(ns) == ENVSXP ? ns : nullptr;
}

SEXP find_s3_method(s3_generic generic, PyTypeObject* type) {
  // Before tandem's R package registered its table (Python hosts R): the methods table
  // of its namespace if loaded, and the global environment, as R's dispatch looks.
  SEXP table = g_s3_methods_table;
  if (table == nullptr) {
    static SEXP table_name = Rf_install(".__S3MethodsTable__.");
    SEXP ns = tandem_r_namespace();
    SEXP t = ns == nullptr ? R_UnboundValue : Rf_findVarInFrame3(ns, table_name, TRUE);
    if (TYPEOF(t) == PROMSXP) t = r_eval(t, R_BaseEnv);  // a lazy-load promise
    table = TYPEOF(t) == ENVSXP ? t : R_EmptyEnv;
  }
  // "<generic>.<class>" symbols per type (symbols are never collected); the types are kept
  // alive by py_class_vector()'s cache, which holds a reference to each.
  using symbol_map = std::unordered_map<PyTypeObject*, std::vector<SEXP>>;
  static symbol_map* maps = new symbol_map[2];
  symbol_map& symbols = maps[generic == s3_generic::py_to_r ? 0 : 1];
  auto it = symbols.find(type);
  if (it == symbols.end()) {
    const char* prefix = generic == s3_generic::py_to_r ? "py_to_r." : "py_to_r_wrapper.";
    SEXP cls = py_class_vector(type);
    std::vector<SEXP> syms;
    for (R_xlen_t i = 0; i < XLENGTH(cls); i++) {
      std::string name = std::string(prefix) + CHAR(STRING_ELT(cls, i));
      syms.push_back(Rf_install(name.c_str()));
    }
    it = symbols.emplace(type, std::move(syms)).first;
  }
  for (SEXP sym : it->second) {
    SEXP fn = Rf_findVarInFrame3(R_GlobalEnv, sym, TRUE);
    if (fn == R_UnboundValue && table != R_EmptyEnv) fn = Rf_findVarInFrame3(table, sym, TRUE);
    if (fn == R_UnboundValue) continue;
    if (TYPEOF(fn) == PROMSXP) fn = r_eval(fn, R_BaseEnv);
    if (Rf_isFunction(fn)) return fn;
  }
  return R_NilValue;
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

SEXP py_object_symbol() {
  static SEXP sym = Rf_install("py_object");  // symbols are never collected
  return sym;
}

// --- memory R cannot see ---------------------------------------------------------
// R collects garbage when R allocates; a handle is a few bytes to R whatever it holds, so
// a loop that replaces `y <- r_to_py(big)` or `a <- np_nc$ones(1e8)` would pile up
// unreachable Python objects until the process runs out of memory.
// An R -> Python entry whose result is a handle that alone owns its object adds a cheap
// estimate of what that holds (count_unseen_memory()); past k_unseen_gc_bytes, the entry
// runs R's garbage collector once it has its value (collect_unseen_memory()), and the
// finalizers free the Python objects of the handles R no longer reaches.
static size_t g_unseen_bytes = 0;
constexpr size_t k_unseen_gc_bytes = size_t(1) << 30;

static size_t estimate_bytes(PyObject* o) {
  // Only what the new handle alone keeps alive (a fresh result): a handle to an object that
  // Python also holds (a module's list, reached again and again) frees nothing when it goes.
  if (Py_REFCNT(o) != 1) return 0;
  if (PyList_Check(o) || PyTuple_Check(o)) return (size_t)Py_SIZE(o) * 32;  // pointer + a boxed number
  if (PyDict_Check(o)) return (size_t)PyDict_GET_SIZE(o) * 100;
  if (PyBytes_Check(o) || PyByteArray_Check(o)) return (size_t)Py_SIZE(o);
  if (PyUnicode_Check(o)) return (size_t)PyUnicode_GET_LENGTH(o);
  if (g_ndarray_type == nullptr && std::strcmp(Py_TYPE(o)->tp_name, "numpy.ndarray") == 0) numpy_loaded();
  if (g_ndarray_type != nullptr && PyObject_TypeCheck(o, g_ndarray_type)) {
    // Only an array that owns its memory: a view (of R's memory, of another array) frees
    // nothing when it goes, and counting views ran a full collection every few zero-copy
    // conversions of a big matrix.
    PyObject* base = PyObject_GetAttrString(o, "base");
    bool owns = base == Py_None;
    Py_XDECREF(base);
    if (!owns) {
      PyErr_Clear();
      return 0;
    }
    PyObject* n = PyObject_GetAttrString(o, "nbytes");
    size_t bytes = n != nullptr ? PyLong_AsSize_t(n) : 0;
    Py_XDECREF(n);
    if (PyErr_Occurred()) {
      PyErr_Clear();
      bytes = 0;
    }
    return bytes;
  }
  return 0;
}

void count_unseen_memory(SEXP result) {
  // Plain and callable handles only (not a delayed module, which handle_xptr() would load).
  if (TYPEOF(result) != EXTPTRSXP && TYPEOF(result) != CLOSXP) return;
  SEXP xp = handle_xptr(result);
  if (xp == R_NilValue || R_ExternalPtrProtected(xp) == weak_marker()) return;  // weak: owned elsewhere
  PyObject* o = static_cast<PyObject*>(R_ExternalPtrAddr(xp));
  if (o != nullptr) g_unseen_bytes += estimate_bytes(o);
}

bool unseen_memory_due() { return g_unseen_bytes >= k_unseen_gc_bytes; }

void collect_unseen_memory() {
  g_unseen_bytes = 0;
  R_gc();
}

static SEXP g_call_symbol = nullptr;  // .External2 entry: takes the closure's dots
static SEXP g_call_sig_symbol = nullptr;  // .External2 entry: takes the closure's call's arguments
static SEXP g_dots_formals = nullptr;
// The closure body calls the primitives themselves (not their names): no lookup through
// the closure's frame, where the formals are (a Python parameter may be `invisible`).
static SEXP g_external_fn = nullptr;
static SEXP g_value_sym = nullptr;
static SEXP g_is_null_fn = nullptr;
static SEXP g_invisible_call = nullptr;
static SEXP g_if_fn = nullptr;
static SEXP g_assign_fn = nullptr;

static void init_wrap_statics() {
  g_call_symbol = native_symbol(as_dl_func(tandem_ffi_call_dots));
  R_PreserveObject(g_call_symbol);
  g_call_sig_symbol = native_symbol(as_dl_func(tandem_ffi_call_args));
  R_PreserveObject(g_call_sig_symbol);
  g_dots_formals = Rf_cons(R_MissingArg, R_NilValue);
  SET_TAG(g_dots_formals, R_DotsSymbol);
  R_PreserveObject(g_dots_formals);
  // primitives are never collected
  g_external_fn = Rf_findFun(Rf_install(".External2"), R_BaseEnv);
  g_is_null_fn = Rf_findFun(Rf_install("is.null"), R_BaseEnv);
  g_if_fn = Rf_findFun(Rf_install("if"), R_BaseEnv);
  g_assign_fn = Rf_findFun(Rf_install("<-"), R_BaseEnv);
  g_value_sym = Rf_install(".value");  // not a Python identifier: never one of the formals
  g_invisible_call = Rf_lang1(Rf_findFun(Rf_install("invisible"), R_BaseEnv));
  R_PreserveObject(g_invisible_call);
}

// --- the formals of a callable's closure ----------------------------------------------
// As in reticulate (>= 1.29), the closure of a Python callable has the callable's signature
// as its formals (tandem._signature.formals(): *args and **kwargs become `...`); the
// arguments still reach Python as written in the call (tandem_ffi_call_args). The formals
// are cached on the Python tuple that describes them (the same object each time a
// signature is cached there), in a direct-mapped cache that holds a reference to it.
namespace {
constexpr size_t k_formals_cache_size = 256;
PyObject* g_formals_keys[k_formals_cache_size];
SEXP g_formals_values = nullptr;
PyObject* g_formals_fn = nullptr;
PyObject* g_formals_empty = nullptr;
int g_formals_depth = 0;  // > 0 while defaults convert: callables among them take `...`

// The pairlist for a tuple of (name, default) pairs; throws on failure.
SEXP formals_from_spec(PyObject* spec) {
  protect_scope p;
  Py_ssize_t n = PyTuple_GET_SIZE(spec);
  SEXP head = R_NilValue, tail = R_NilValue;
  for (Py_ssize_t i = 0; i < n; i++) {
    PyObject* item = PyTuple_GET_ITEM(spec, i);
    if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2 || !PyUnicode_Check(PyTuple_GET_ITEM(item, 0)))
      throw tandem_error("bad formals", tandem_error::value);
    const char* name = PyUnicode_AsUTF8(PyTuple_GET_ITEM(item, 0));
    if (name == nullptr) throw py::error_already_set();
    PyObject* dflt = PyTuple_GET_ITEM(item, 1);
    bool dots = std::strcmp(name, "...") == 0;
    SEXP value = R_MissingArg;
    if (!dots && dflt != g_formals_empty) {
      // scalars and short lists convert, as reticulate shows them; anything else (a big
      // array, a DataFrame, an object) stays a Python object, not converted per closure
      auto scalar = [](PyObject* v) {
        return v == Py_None || PyBool_Check(v) || PyLong_Check(v) || PyFloat_Check(v) || PyUnicode_Check(v) ||
               PyComplex_Check(v);
      };
      bool simple = scalar(dflt);
      if ((PyTuple_CheckExact(dflt) || PyList_CheckExact(dflt)) && Py_SIZE(dflt) <= 64) {
        PyObject** items = PySequence_Fast_ITEMS(dflt);
        simple = std::all_of(items, items + Py_SIZE(dflt), scalar);
      }
      value = p(simple ? py_to_r(dflt, false) : wrap_handle(Py_NewRef(dflt), true));
    }
    SEXP cell = p(r_safe([&] {
      // the tag first: installing it allocates, and the new cell would be unprotected
      SEXP tag = dots ? R_DotsSymbol : Rf_installChar(PROTECT(Rf_mkCharCE(name, CE_UTF8)));
      if (!dots) UNPROTECT(1);
      PROTECT(tag);
      SEXP c = Rf_cons(value, R_NilValue);
      SET_TAG(c, tag);
      UNPROTECT(1);
      return c;
    }));
    if (head == R_NilValue) head = cell;
    else SETCDR(tail, cell);
    tail = cell;
  }
  return head;
}
}  // namespace

// The formals for callable `o`, or nullptr for `...` (no signature, or none R can hold).
static SEXP formals_via_python(PyObject* o) {
  if (g_formals_fn == nullptr) {
    PyObject* mod = PyImport_ImportModule("tandem._signature");
    if (mod == nullptr) {
      PyErr_Clear();
      return nullptr;
    }
    g_formals_fn = PyObject_GetAttrString(mod, "formals");
    g_formals_empty = PyObject_GetAttrString(mod, "EMPTY");
    Py_DECREF(mod);
    if (g_formals_fn == nullptr || g_formals_empty == nullptr) {
      PyErr_Clear();
      Py_CLEAR(g_formals_fn);
      Py_CLEAR(g_formals_empty);
      return nullptr;
    }
  }
  PyObject* spec = PyObject_CallOneArg(g_formals_fn, o);
  if (spec == nullptr) {
    if (PyErr_ExceptionMatches(PyExc_KeyboardInterrupt)) throw py::error_already_set();
    PyErr_Clear();
    return nullptr;
  }
  py::object owner = py::reinterpret_steal<py::object>(spec);
  if (!PyTuple_Check(spec)) return nullptr;
  size_t i = (reinterpret_cast<uintptr_t>(spec) >> 4) % k_formals_cache_size;
  if (g_formals_values != nullptr && g_formals_keys[i] == spec) return VECTOR_ELT(g_formals_values, (R_xlen_t)i);
  SEXP formals;
  try {
    struct depth_guard {
      depth_guard() { g_formals_depth++; }
      ~depth_guard() { g_formals_depth--; }
    } converting_defaults;
    formals = formals_from_spec(spec);
  } catch (const r_unwind_exception&) {
    throw;
  } catch (py::error_already_set& e) {
    if (e.matches(PyExc_KeyboardInterrupt)) throw;
    return nullptr;  // a default R cannot hold: the closure takes `...`
  } catch (...) {
    if (PyErr_Occurred()) PyErr_Clear();
    return nullptr;
  }
  if (formals == R_NilValue) return R_NilValue;
  protect_scope p;
  p(formals);
  MARK_NOT_MUTABLE(formals);  // shared by every closure of this signature
  if (g_formals_values == nullptr) {
    g_formals_values = r_alloc(VECSXP, k_formals_cache_size);
    R_PreserveObject(g_formals_values);
  }
  SET_VECTOR_ELT(g_formals_values, (R_xlen_t)i, formals);
  PyObject* old = g_formals_keys[i];
  g_formals_keys[i] = owner.release().ptr();
  Py_XDECREF(old);
  return formals;
}

// Bound methods of Python functions (`obj$method` makes a new one each time) are looked up
// in C++ first: a direct-mapped cache on the method's function, holding a weak reference
// to it (a dead one never matches a new function at the same address).
namespace {
constexpr size_t k_method_cache_size = 256;
struct method_slot {
  PyObject* func = nullptr;
  PyObject* ref = nullptr;
};
method_slot g_method_slots[k_method_cache_size];
SEXP g_method_formals = nullptr;  // R_UnboundValue for `...`
}  // namespace

static SEXP callable_formals(PyObject* o) {
  if (g_formals_depth > 0) return nullptr;
  if (!PyMethod_Check(o) || !PyFunction_Check(PyMethod_GET_FUNCTION(o))) return formals_via_python(o);
  PyObject* func = PyMethod_GET_FUNCTION(o);
  size_t i = (reinterpret_cast<uintptr_t>(func) >> 4) % k_method_cache_size;
  method_slot& slot = g_method_slots[i];
  if (slot.func == func && g_method_formals != nullptr && PyWeakref_GetObject(slot.ref) == func) {
    SEXP v = VECTOR_ELT(g_method_formals, (R_xlen_t)i);
    return v == R_UnboundValue ? nullptr : v;
  }
  protect_scope p;
  SEXP formals = formals_via_python(o);
  if (formals != nullptr) p(formals);
  PyObject* ref = PyWeakref_NewRef(func, nullptr);
  if (ref == nullptr) {
    PyErr_Clear();
    return formals;
  }
  if (g_method_formals == nullptr) {
    g_method_formals = r_alloc(VECSXP, k_method_cache_size);
    R_PreserveObject(g_method_formals);
  }
  SET_VECTOR_ELT(g_method_formals, (R_xlen_t)i, formals != nullptr ? formals : R_UnboundValue);
  Py_XDECREF(slot.ref);
  slot.func = func;
  slot.ref = ref;
  return formals;
}

// The R value for a handle whose external pointer holds `stored` (owned by the finalizer
// once registered), classed and called as an object of type `type`; `target` is the
// object itself (for a callable's formals).
static SEXP make_handle(PyObject* stored, PyObject* target, PyTypeObject* type, bool callable, bool convert,
                        SEXP marker) {
  TANDEM_ASSERT_R_THREAD();
  // Own the reference until the finalizer is registered.
  py::object owner = py::reinterpret_steal<py::object>(stored);
  SEXP cls = py_class_vector(type);
  if (g_call_symbol == nullptr) init_wrap_statics();
  protect_scope p;
  SEXP formals = callable ? callable_formals(target) : nullptr;
  if (formals != nullptr) p(formals);
  SEXP res = r_safe([&] {
    SEXP xp = PROTECT(R_MakeExternalPtr(stored, Rf_ScalarLogical(convert ? 1 : 0), marker));
    R_RegisterCFinalizerEx(xp, handle_finalizer, FALSE);
    // Attributes are set directly (class vectors are shared, valid and never modified).
    if (!callable) {
      SEXP attr = Rf_cons(cls, R_NilValue);
      SET_TAG(attr, R_ClassSymbol);
      SET_ATTRIB(xp, attr);
      SET_OBJECT(xp, 1);
      UNPROTECT(1);
      return xp;
    }
    // if (is.null(.value <- .External2(call, xp))) invisible() else .value: as reticulate,
    // a call that returns None (NULL) returns it invisibly.
    SEXP ext = PROTECT(Rf_lang3(g_external_fn, formals != nullptr ? g_call_sig_symbol : g_call_symbol, xp));
    SEXP assign = PROTECT(Rf_lang3(g_assign_fn, g_value_sym, ext));
    SEXP test = PROTECT(Rf_lang2(g_is_null_fn, assign));
    SEXP body = Rf_lang4(g_if_fn, test, g_invisible_call, g_value_sym);
    UNPROTECT(3);
    PROTECT(body);
    SEXP fn = PROTECT(Rf_allocSExp(CLOSXP));
    SET_FORMALS(fn, formals != nullptr ? formals : g_dots_formals);
    SET_BODY(fn, body);
    SET_CLOENV(fn, R_BaseEnv);
    SEXP attr = PROTECT(Rf_cons(xp, R_NilValue));
    SET_TAG(attr, py_object_symbol());
    attr = Rf_cons(cls, attr);
    SET_TAG(attr, R_ClassSymbol);
    SET_ATTRIB(fn, attr);
    SET_OBJECT(fn, 1);
    UNPROTECT(4);
    return fn;
  });
  owner.release();  // the finalizer owns it now
  return res;
}

// A callable's closure `fn` through the user's py_to_r_wrapper.<class> method, as
// reticulate applies it: the method's result, carrying fn's attributes (class, py_object),
// so it still is the Python object; fn itself when there is no method or it returns fn.
static SEXP apply_wrapper(SEXP fn, PyTypeObject* type) {
  protect_scope p;
  p(fn);
  SEXP method = p(find_s3_method(s3_generic::py_to_r_wrapper, type));
  if (method == R_NilValue) return fn;
  SEXP call = p(r_safe([&] { return Rf_lang2(method, fn); }));
  SEXP res = p(r_eval(call, R_GlobalEnv));
  if (res == fn) return fn;
  return r_safe([&] {
    SEXP out = PROTECT(Rf_shallow_duplicate(res));  // the method's value may be shared
    DUPLICATE_ATTRIB(out, fn);
    UNPROTECT(1);
    return out;
  });
}

SEXP wrap_handle(PyObject* o, bool convert) {
  bool callable = PyCallable_Check(o);
  PyTypeObject* type = Py_TYPE(o);
  bool exception = !callable && PyExceptionInstance_Check(o);
  SEXP h = make_handle(o, o, type, callable, convert, handle_marker());
  if (exception) {
    protect_scope p;
    return exception_condition(p(h));
  }
  return callable ? apply_wrapper(h, type) : h;
}

SEXP plain_handle(PyObject* o, bool convert) { return make_handle(o, o, Py_TYPE(o), false, convert, handle_marker()); }

SEXP wrap_weak_handle(PyObject* o, bool convert) {
  PyObject* ref = PyWeakref_NewRef(o, nullptr);
  if (ref == nullptr) {  // the type has no weak references: a strong handle
    PyErr_Clear();
    Py_INCREF(o);
    return wrap_handle(o, convert);
  }
  bool callable = PyCallable_Check(o);
  SEXP h = make_handle(ref, o, Py_TYPE(o), callable, convert, weak_marker());
  if (!callable && PyExceptionInstance_Check(o)) {
    protect_scope p;
    return exception_condition(p(h));
  }
  return callable ? apply_wrapper(h, Py_TYPE(o)) : h;
}

// Callables reached as attributes of modules (functions, classes) live as long as their
// module: their R closures are cached (direct-mapped on the object's address), so that
// math$sqrt does not build a closure each time. The cache holds a reference to each
// object and its closure (marked not mutable, so R copies it before any change).
namespace {
constexpr size_t k_closure_cache_size = 1024;
struct closure_slot {
  PyObject* key = nullptr;
  bool convert = false;
};
closure_slot g_closure_keys[k_closure_cache_size];
SEXP g_closure_values = nullptr;
}  // namespace

SEXP wrap_module_callable(PyObject* o, bool convert) {
  // A callable with a py_to_r_wrapper method gets a new wrapper each time, as in reticulate
  // (the method may return a different wrapper each time); only plain closures are cached.
  if (find_s3_method(s3_generic::py_to_r_wrapper, Py_TYPE(o)) != R_NilValue) return wrap_handle(o, convert);
  size_t i = (reinterpret_cast<uintptr_t>(o) >> 4) % k_closure_cache_size;
  closure_slot& slot = g_closure_keys[i];
  if (slot.key == o && slot.convert == convert && g_closure_values != nullptr) {
    Py_DECREF(o);  // the cache holds its own reference
    return VECTOR_ELT(g_closure_values, (R_xlen_t)i);
  }
  if (g_closure_values == nullptr) {
    g_closure_values = r_alloc(VECSXP, k_closure_cache_size);
    R_PreserveObject(g_closure_values);
  }
  Py_INCREF(o);  // for the cache
  SEXP fn = wrap_handle(o, convert);  // steals the caller's reference
  MARK_NOT_MUTABLE(fn);
  SET_VECTOR_ELT(g_closure_values, (R_xlen_t)i, fn);
  PyObject* old = slot.key;
  slot.key = o;
  slot.convert = convert;
  Py_XDECREF(old);
  return fn;
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
  if (TYPEOF(x) == CLOSXP) {
    SEXP a = ATTRIB(x);  // wrap_handle puts py_object second: check the first two cells
    for (int k = 0; k < 2 && a != R_NilValue; k++, a = CDR(a)) {
      if (TAG(a) == py_object_symbol()) {
        SEXP xp = CAR(a);
        return is_handle_xptr(xp) ? xp : R_NilValue;
      }
    }
  }
  if (TYPEOF(x) == VECSXP && OBJECT(x)) {
    // an exception condition (wrap_handle): its `py_object` attribute, a plain handle
    for (SEXP a = ATTRIB(x); a != R_NilValue; a = CDR(a)) {
      if (TAG(a) != py_object_symbol()) continue;
      SEXP h = CAR(a);
      return TYPEOF(h) == EXTPTRSXP || TYPEOF(h) == CLOSXP ? handle_xptr(h) : R_NilValue;
    }
    return R_NilValue;
  }
  if (TYPEOF(x) == ENVSXP && OBJECT(x)) {
    if (Rf_inherits(x, "tandem_delayed_module")) return resolve_delayed(x);
    // as.environment() of a Python object: its `py_object` binding (a plain one: reading an
    // active binding would run R code here).
    SEXP sym = py_object_symbol();
    if (!Rf_inherits(x, "python.builtin.object") || !R_existsVarInFrame(x, sym) || R_BindingIsActive(sym, x))
      return R_NilValue;
    SEXP h = Rf_findVarInFrame3(x, sym, TRUE);
    if (TYPEOF(h) != CLOSXP && TYPEOF(h) != EXTPTRSXP) return R_NilValue;
    return handle_xptr(h);
  }
  if (TYPEOF(x) == CLOSXP) {
    if (ATTRIB(x) == R_NilValue) return R_NilValue;
    x = Rf_getAttrib(x, py_object_symbol());
  }
  if (is_handle_xptr(x)) return x;
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
  if (R_ExternalPtrProtected(xp) == weak_marker()) {
    PyObject* target = PyWeakref_GetObject(o);  // borrowed; the object lives elsewhere
    if (target == nullptr) throw py::error_already_set();
    if (target == Py_None)
      throw tandem_error("This Python object was deleted: a method's `self` does not keep its instance alive. "
                         "Keep the instance itself (as returned by the class) to use it later.",
                         tandem_error::value);
    return target;
  }
  return o;
}

bool handle_is_dead(SEXP xp) {
  PyObject* o = static_cast<PyObject*>(R_ExternalPtrAddr(xp));
  if (o == nullptr) return true;
  return R_ExternalPtrProtected(xp) == weak_marker() && PyWeakref_GetObject(o) == Py_None;
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

void set_class_filter(SEXP fn) {
  if (g_class_filter != nullptr) R_ReleaseObject(g_class_filter);
  g_class_filter = nullptr;
  if (fn != R_NilValue) {
    R_PreserveObject(fn);
    g_class_filter = fn;
  }
  std::unordered_map<PyTypeObject*, SEXP>* cache = class_cache();
  for (auto& kv : *cache) {
    R_ReleaseObject(kv.second);
    Py_DECREF(kv.first);
  }
  cache->clear();
}

}  // namespace tandem
