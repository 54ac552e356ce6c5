// module.cpp: the module tandem._core: Python-facing registration and the table of R
// entry points handed to the R package (one copy of the core serves both languages).
#include "common.hpp"
#include "error.hpp"
#include "ffi.hpp"
#include "handle.hpp"
#include "release.hpp"
#include "rsafe.hpp"
#include "rsession.hpp"

namespace tandem {
extern bool g_module_initialized;
}

using namespace tandem;

extern "C" {
SEXP tandem_ffi_call(SEXP);
SEXP tandem_ffi_call_ref(SEXP);
SEXP tandem_ffi_getattr(SEXP, SEXP, SEXP, SEXP);
SEXP tandem_ffi_setattr(SEXP, SEXP, SEXP);
SEXP tandem_ffi_delattr(SEXP, SEXP);
SEXP tandem_ffi_hasattr(SEXP, SEXP);
SEXP tandem_ffi_getitem(SEXP, SEXP, SEXP, SEXP);
SEXP tandem_ffi_setitem(SEXP, SEXP, SEXP);
SEXP tandem_ffi_delitem(SEXP, SEXP);
SEXP tandem_ffi_contains(SEXP, SEXP);
SEXP tandem_ffi_len(SEXP, SEXP);
SEXP tandem_ffi_str(SEXP);
SEXP tandem_ffi_repr(SEXP);
SEXP tandem_ffi_bool(SEXP, SEXP);
SEXP tandem_ffi_id(SEXP);
SEXP tandem_ffi_is_null_xptr(SEXP);
SEXP tandem_ffi_weak_handle(SEXP);
SEXP tandem_ffi_dir(SEXP);
SEXP tandem_ffi_set_convert(SEXP, SEXP);
SEXP tandem_ffi_get_convert(SEXP);
SEXP tandem_ffi_import(SEXP, SEXP);
SEXP tandem_ffi_builtins(SEXP);
SEXP tandem_ffi_main(SEXP);
SEXP tandem_ffi_run(SEXP, SEXP, SEXP, SEXP, SEXP);
SEXP tandem_ffi_r_to_py(SEXP, SEXP);
SEXP tandem_ffi_py_to_r(SEXP);
SEXP tandem_ffi_tuple(SEXP);
SEXP tandem_ffi_dict(SEXP, SEXP, SEXP);
SEXP tandem_ffi_none();
SEXP tandem_ffi_op(SEXP, SEXP, SEXP, SEXP);
SEXP tandem_ffi_iter(SEXP);
SEXP tandem_ffi_iter_next(SEXP, SEXP);
SEXP tandem_ffi_last_error(SEXP);
SEXP tandem_ffi_set_last_error(SEXP, SEXP);
SEXP tandem_ffi_condition_to_py(SEXP);
SEXP tandem_ffi_register(SEXP, SEXP);

// register_class_filter(): an R function applied to every class vector built from now on.
SEXP tandem_ffi_set_class_filter(SEXP fn) {
  return r_entry([&]() -> SEXP {
    if (fn != R_NilValue && TYPEOF(fn) != CLOSXP) throw tandem_error("`filter` must be an R function", tandem_error::type);
    set_class_filter(fn);
    return R_NilValue;
  });
}

// A named list of NativeSymbol pointers: the R package's `.ffi` environment.
SEXP tandem_symbols() {
  struct entry {
    const char* name;
    DL_FUNC fn;
  };
  static const entry table[] = {
      {"call", as_dl_func(tandem_ffi_call)},
      {"call_ref", as_dl_func(tandem_ffi_call_ref)},
      {"getattr", as_dl_func(tandem_ffi_getattr)},
      {"setattr", as_dl_func(tandem_ffi_setattr)},
      {"delattr", as_dl_func(tandem_ffi_delattr)},
      {"hasattr", as_dl_func(tandem_ffi_hasattr)},
      {"getitem", as_dl_func(tandem_ffi_getitem)},
      {"setitem", as_dl_func(tandem_ffi_setitem)},
      {"delitem", as_dl_func(tandem_ffi_delitem)},
      {"contains", as_dl_func(tandem_ffi_contains)},
      {"len", as_dl_func(tandem_ffi_len)},
      {"str", as_dl_func(tandem_ffi_str)},
      {"repr", as_dl_func(tandem_ffi_repr)},
      {"bool", as_dl_func(tandem_ffi_bool)},
      {"id", as_dl_func(tandem_ffi_id)},
      {"is_null_xptr", as_dl_func(tandem_ffi_is_null_xptr)},
      {"weak_handle", as_dl_func(tandem_ffi_weak_handle)},
      {"dir", as_dl_func(tandem_ffi_dir)},
      {"set_convert", as_dl_func(tandem_ffi_set_convert)},
      {"get_convert", as_dl_func(tandem_ffi_get_convert)},
      {"import", as_dl_func(tandem_ffi_import)},
      {"builtins", as_dl_func(tandem_ffi_builtins)},
      {"main", as_dl_func(tandem_ffi_main)},
      {"run", as_dl_func(tandem_ffi_run)},
      {"r_to_py", as_dl_func(tandem_ffi_r_to_py)},
      {"py_to_r", as_dl_func(tandem_ffi_py_to_r)},
      {"tuple", as_dl_func(tandem_ffi_tuple)},
      {"dict", as_dl_func(tandem_ffi_dict)},
      {"none", as_dl_func(tandem_ffi_none)},
      {"op", as_dl_func(tandem_ffi_op)},
      {"iter", as_dl_func(tandem_ffi_iter)},
      {"iter_next", as_dl_func(tandem_ffi_iter_next)},
      {"last_error", as_dl_func(tandem_ffi_last_error)},
      {"set_last_error", as_dl_func(tandem_ffi_set_last_error)},
      {"condition_to_py", as_dl_func(tandem_ffi_condition_to_py)},
      {"register", as_dl_func(tandem_ffi_register)},
      {"set_class_filter", as_dl_func(tandem_ffi_set_class_filter)},
  };
  const int n = sizeof(table) / sizeof(table[0]);
  SEXP out = PROTECT(Rf_allocVector(VECSXP, n));
  SEXP names = PROTECT(Rf_allocVector(STRSXP, n));
  for (int i = 0; i < n; i++) {
    SET_VECTOR_ELT(out, i, native_symbol(table[i].fn));
    SET_STRING_ELT(names, i, Rf_mkChar(table[i].name));
  }
  Rf_setAttrib(out, R_NamesSymbol, names);
  UNPROTECT(2);
  return out;
}
}

PYBIND11_MODULE(_core, m) {
  g_module_initialized = true;
  m.doc() = "tandem's native core: one copy per process, serving R and Python.";
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const tandem_error& e) {
      PyObject* type = e.kind == tandem_error::value       ? PyExc_ValueError
                       : e.kind == tandem_error::type      ? PyExc_TypeError
                       : e.kind == tandem_error::key       ? PyExc_KeyError
                       : e.kind == tandem_error::attribute ? PyExc_AttributeError
                       : e.kind == tandem_error::index     ? PyExc_IndexError
                                                           : PyExc_RuntimeError;
      PyErr_SetString(type, e.what());
    } catch (const r_unwind_exception&) {
      PyErr_SetString(PyExc_SystemError, "tandem internal error (module.cpp): an R jump reached Python");
    }
  });
  m.def("_register_types", [](py::object rerror, py::object rwarning) {
    Py_XSETREF(g_rerror_type, rerror.release().ptr());
    Py_XSETREF(g_rwarning_type, rwarning.release().ptr());
  });
  register_rsession(m);
  m.def("_deferred_releases", [] { return deferred_releases(); },
        "Half-made containers that a Ctrl-C left, not yet released (tests; release.hpp).");
}
