// handle.hpp: objects of one language held by the other. Python objects in R are external
// pointers (callables: closures) classed by the Python MRO; R objects in Python are RObject.
#pragma once

#include "common.hpp"
#include "rsafe.hpp"

extern "C" SEXP tandem_ffi_call(SEXP args);
// .External2 entry of a callable handle's closure (its dots: plain or rlang dynamic dots).
extern "C" SEXP tandem_ffi_call_dots(SEXP call, SEXP op, SEXP args, SEXP rho);
// .External2 entry of a callable's closure with the callable's formals: the arguments of
// the closure's call, as written (reticulate's semantics: no partial matching).
extern "C" SEXP tandem_ffi_call_args(SEXP call, SEXP op, SEXP args, SEXP rho);

namespace tandem {

// --- Python objects seen from R -------------------------------------------------
// The class vector for a Python type: its MRO as "module.Name" ("python.builtin.Name"
// for builtins). Cached per type (the cache holds a reference to the type); preserved.
// Thread safety: R main thread, GIL held.
SEXP py_class_vector(PyTypeObject* type);
// Installs the R function (classes -> classes) applied to class vectors built from now
// on (R_NilValue removes it) and empties the cache. Thread safety: R main thread, GIL held.
void set_class_filter(SEXP fn);

// The S3 methods table of the R package's namespace (set by the package at load), where
// S3method() registrations land; methods are looked up there and in the global env.
extern SEXP g_s3_methods_table;
enum class s3_generic { py_to_r, py_to_r_wrapper };
// The method of `generic` for a Python type (by its class vector, first match), or
// R_NilValue. Thread safety: R main thread, GIL held.
SEXP find_s3_method(s3_generic generic, PyTypeObject* type);
// tandem's R namespace (where py_to_r() dispatch is evaluated), nullptr if not loaded.
SEXP tandem_r_namespace();

// Wraps a Python object for R. Steals the reference `o`. Callables become R closures
// (attribute "py_object" holds the external pointer), passed through the user's
// py_to_r_wrapper.<class> method when there is one (as reticulate does). `convert` is the
// handle's flag: whether results reached through it are converted to R. Returns an
// unprotected SEXP. Thread safety: R main thread, GIL held.
// Exception instances (not callable) become R conditions that are also the object (see
// exception_condition() in error.hpp).
SEXP wrap_handle(PyObject* o, bool convert);

// Python memory that R cannot see. count_unseen_memory(): an R -> Python entry's result,
// when it is a handle that alone owns its object (a fresh result), adds an estimate of
// what the object holds (lists, tuples, dicts, strings, bytes, NumPy arrays that own their
// data). unseen_memory_due(): enough was added since the last collect_unseen_memory()
// that R's garbage collector should run (R's GC only runs on R allocations, which handles
// barely make). Thread safety: R main thread; count_unseen_memory() with the GIL,
// collect_unseen_memory() without, every value the caller still needs protected.
void count_unseen_memory(SEXP result);
bool unseen_memory_due();
void collect_unseen_memory();

// The external pointer handle for `o`, classed by its MRO, whatever `o` is (never a
// closure or a condition): what a condition's `py_object` attribute holds. Steals `o`.
// Thread safety: R main thread, GIL held.
SEXP plain_handle(PyObject* o, bool convert);

// A weak handle to `o` (borrowed): it does not keep `o` alive, so R closures that capture
// it (a method's `self`) make no reference cycle through R. Using it after `o` died is an
// R error. Types without weak references get a strong handle.
// Thread safety: R main thread, GIL held.
SEXP wrap_weak_handle(PyObject* o, bool convert);

// wrap_handle for a callable that is an attribute of a module (cached; steals `o`).
SEXP wrap_module_callable(PyObject* o, bool convert);

// The symbol `py_object`: the attribute of callable handles and exception conditions that
// holds the external pointer.
SEXP py_object_symbol();

// The Python object behind an R value (borrowed), or nullptr if it is not a handle.
// Handles are external pointers, closures (callables) and lists (exception conditions)
// whose `py_object` attribute is a handle, and as.environment() environments.
// A handle whose pointer was cleared (e.g. restored from a saved workspace) raises.
PyObject* handle_ptr(SEXP x);
// The external pointer behind a handle (closure or pointer), or R_NilValue.
SEXP handle_xptr(SEXP x);
bool handle_convert(SEXP x);
// Whether a handle's external pointer lost its object (cleared, or a dead weak handle).
bool handle_is_dead(SEXP xp);

// --- R objects seen from Python -----------------------------------------------
// An R object kept alive by the preserve list for as long as the Python proxy lives.
struct RObject {
  r_object obj;
  explicit RObject(SEXP x) : obj(x) {}
  SEXP get() const { return obj.get(); }
};
extern PyTypeObject* g_robject_type;
// A new tandem.RObject for x. Thread safety: R main thread, GIL held.
py::object robject_new(SEXP x);
// The SEXP behind a tandem.RObject (borrowed), or nullptr if o is not one.
SEXP robject_sexp(PyObject* o);

}  // namespace tandem
