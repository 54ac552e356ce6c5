// ffi.cpp: the R entry points on Python objects: calls, attributes, items, operators,
// modules, code, iteration. Each runs under r_entry(); names match the R functions.
#include "ffi.hpp"

#include <csetjmp>
#include <cstdlib>
#include <unordered_map>
#include <vector>

#include "convert.hpp"
#include "error.hpp"
#include "handle.hpp"
#include "sigint.hpp"


namespace tandem {

void require_python() {
  if (!Py_IsInitialized() || _Py_IsFinalizing())
    Rf_error("Python is not running in this process; call tandem::py_config() or import() first");
}

SEXP current_exception_to_condition(SEXP* token, bool* interrupt) noexcept {
  try {
    try {
      throw;
    } catch (r_unwind_exception& u) {
      *token = u.token;
      return nullptr;
    } catch (py::error_already_set& e) {
      // An R exit that unwound the Python frames above this entry resumes here.
      if (SEXP cont = r_unwind_continuation(e.value().ptr(), g_entry_id)) {
        *token = PROTECT(cont);
        return nullptr;
      }
      e.restore();
      return PROTECT(py_error_to_condition(interrupt));
    } catch (tandem_error& e) {
      const char* klass = e.kind == tandem_error::value       ? "tandem_value_error"
                          : e.kind == tandem_error::type      ? "tandem_type_error"
                          : e.kind == tandem_error::attribute ? "tandem_attribute_error"
                          : e.kind == tandem_error::key       ? "tandem_key_error"
                          : e.kind == tandem_error::index     ? "tandem_index_error"
                                                              : "tandem_error";
      return PROTECT(make_r_condition(e.what(), klass));
    } catch (std::exception& e) {
      return PROTECT(make_r_condition(std::string("tandem internal error: ") + e.what(), "tandem_error"));
    }
  } catch (r_unwind_exception& u) {
    *token = u.token;
  } catch (...) {
  }
  if (*token == nullptr && !*interrupt) {
    static SEXP fallback = nullptr;
    if (fallback == nullptr) {
      fallback = Rf_mkString("tandem internal error (ffi.cpp): unknown exception");
      R_PreserveObject(fallback);
    }
    return fallback;
  }
  return nullptr;
}

void raise_in_r(SEXP token, SEXP cond, bool interrupt) {
  if (token != nullptr) R_ContinueUnwind(token);
  if (interrupt) {
    R_interrupts_pending = 1;
    R_CheckUserInterrupt();
    cond = PROTECT(make_r_condition("KeyboardInterrupt", "interrupt"));
  }
  if (TYPEOF(cond) == STRSXP) Rf_error("%s", CHAR(STRING_ELT(cond, 0)));
  SEXP call = PROTECT(Rf_lang2(Rf_install("stop"), cond));
  Rf_eval(call, R_BaseEnv);
  Rf_error("tandem internal error (ffi.cpp): stop() returned");
}

namespace {

PyObject* need_py(SEXP x, const char* what = "x") {
  PyObject* o = handle_ptr(x);
  if (o == nullptr)
    throw tandem_error(std::string("`") + what + "` must be a Python object, not " +
                           (OBJECT(x) ? "an R object of class " + std::string(CHAR(STRING_ELT(Rf_getAttrib(x, R_ClassSymbol), 0)))
                                      : std::string("an R ") + Rf_type2char(TYPEOF(x))) +
                           ".",
                       tandem_error::type);
  return o;
}

std::string need_string(SEXP x, const char* what) {
  if (TYPEOF(x) != STRSXP || XLENGTH(x) != 1 || STRING_ELT(x, 0) == NA_STRING)
    throw tandem_error(std::string("`") + what + "` must be a single string, not " +
                           (TYPEOF(x) == STRSXP ? "a character vector of length " + std::to_string(XLENGTH(x))
                                                : std::string("an R ") + Rf_type2char(TYPEOF(x))) +
                           ".",
                       tandem_error::type);
  return charsxp_utf8(STRING_ELT(x, 0));
}

// Attribute names as interned Python strings, cached per R CHARSXP (kept alive here).
PyObject* interned_name(SEXP name) {
  if (TYPEOF(name) != STRSXP || XLENGTH(name) != 1 || STRING_ELT(name, 0) == NA_STRING)
    need_string(name, "name");  // throws the message
  static std::unordered_map<SEXP, PyObject*>* cache = new std::unordered_map<SEXP, PyObject*>();
  SEXP c = STRING_ELT(name, 0);
  auto it = cache->find(c);
  if (it != cache->end()) return it->second;
  if (cache->size() > 8192) {
    for (auto& kv : *cache) {
      R_ReleaseObject(kv.first);
      Py_DECREF(kv.second);
    }
    cache->clear();
  }
  PyObject* s = charsxp_to_py(c);
  PyUnicode_InternInPlace(&s);
  R_PreserveObject(c);
  (*cache)[c] = s;
  return s;
}

bool need_flag(SEXP x, const char* what) {
  if (TYPEOF(x) != LGLSXP || XLENGTH(x) != 1 || LOGICAL(x)[0] == NA_LOGICAL)
    throw tandem_error(std::string("`") + what + "` must be TRUE or FALSE.", tandem_error::type);
  return LOGICAL(x)[0] != 0;
}

py::object check(PyObject* o) {
  if (o == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(o);
}

SEXP mk_bool(bool b) { return b ? Rf_ScalarLogical(1) : Rf_ScalarLogical(0); }

// A value reached through `parent`: callables stay handles (closures), others follow convert.
SEXP result_for(PyObject* o, bool convert) {
  if (PyCallable_Check(o)) return wrap_handle(Py_NewRef(o), convert);
  return py_to_r_maybe(o, convert);
}

}  // namespace
}  // namespace tandem

using namespace tandem;

extern "C" {

// .External2(sym, callable) from a handle's closure `function(...)`: the arguments are
// the closure's dots, taken from its environment. Plain ones are evaluated as R would;
// rlang's dynamic dots (`!!!x`, `!!x`, `"{name}" := value`, a trailing empty argument)
// go through rlang::list2(), as reticulate does. Only C frames here: an R error while
// the arguments are evaluated unwinds nothing of C++.
static bool is_call_to(SEXP x, SEXP fn) { return TYPEOF(x) == LANGSXP && CAR(x) == fn; }

static bool uses_dynamic_dots(SEXP dots) {
  static SEXP bang = Rf_install("!");
  static SEXP define = Rf_install(":=");
  for (SEXP d = dots; TYPEOF(d) == DOTSXP || TYPEOF(d) == LISTSXP; d = CDR(d)) {
    SEXP v = CAR(d);
    if (v == R_MissingArg) return true;
    SEXP code = TYPEOF(v) == PROMSXP ? PRCODE(v) : v;
    if (is_call_to(code, define)) return true;
    if (is_call_to(code, bang) && CDR(code) != R_NilValue && is_call_to(CADR(code), bang)) return true;
  }
  return false;
}

SEXP tandem_ffi_call(SEXP args);

// Calls the callable of handle `target` with `dots` (a pairlist of promises or values,
// named as written). Dynamic dots go through rlang::list2(...) evaluated in `dots_env`,
// an environment where `...` is `dots`; `dots_env` R_NilValue: one is made for them.
static SEXP call_with_dots(SEXP target, SEXP dots, SEXP dots_env) {
  SEXP evaluated = R_NilValue;
  int nprot = 0;
  if (dots != R_UnboundValue && dots != R_MissingArg && dots != R_NilValue) {
    if (uses_dynamic_dots(dots)) {
      SEXP load = PROTECT(Rf_lang3(Rf_install("requireNamespace"), Rf_mkString("rlang"), Rf_ScalarLogical(1)));
      SET_TAG(CDDR(load), Rf_install("quietly"));
      if (!Rf_asLogical(Rf_eval(load, R_BaseEnv)))
        Rf_error("dynamic dots (`!!!`, `!!`, `:=`) in a call to a Python function need the rlang package");
      UNPROTECT(1);
      if (dots_env == R_NilValue) {
        dots_env = PROTECT(R_NewEnv(R_BaseEnv, FALSE, 0));
        SEXP d = PROTECT(Rf_shallow_duplicate(dots));
        SET_TYPEOF(d, DOTSXP);
        Rf_defineVar(R_DotsSymbol, d, dots_env);
        UNPROTECT(1);
        nprot++;
      }
      SEXP list2 = PROTECT(Rf_lang3(Rf_install("::"), Rf_install("rlang"), Rf_install("list2")));
      SEXP lcall = PROTECT(Rf_lang2(list2, R_DotsSymbol));
      SEXP values = PROTECT(Rf_eval(lcall, dots_env));
      nprot += 3;
      SEXP names = Rf_getAttrib(values, R_NamesSymbol);
      R_xlen_t n = XLENGTH(values);
      evaluated = PROTECT(Rf_allocList((int)n));
      nprot++;
      SEXP cell = evaluated;
      for (R_xlen_t i = 0; i < n; i++, cell = CDR(cell)) {
        SETCAR(cell, VECTOR_ELT(values, i));
        if (names != R_NilValue && CHAR(STRING_ELT(names, i))[0] != '\0')
          SET_TAG(cell, Rf_installChar(STRING_ELT(names, i)));
      }
    } else {
      int n = Rf_length(dots);
      evaluated = PROTECT(Rf_allocList(n));
      nprot++;
      SEXP cell = evaluated;
      for (SEXP d = dots; d != R_NilValue; d = CDR(d), cell = CDR(cell)) {
        SEXP v = CAR(d);
        // promises are forced; the values a byte-compiled caller passes are constants
        SETCAR(cell, TYPEOF(v) == PROMSXP ? Rf_eval(v, R_BaseEnv) : v);
        SET_TAG(cell, TAG(d));
      }
    }
  }
  SEXP full = PROTECT(Rf_cons(R_NilValue, PROTECT(Rf_cons(target, evaluated))));
  SEXP res = tandem_ffi_call(full);
  UNPROTECT(nprot + 2);
  return res;
}

SEXP tandem_ffi_call_dots(SEXP call, SEXP op, SEXP args, SEXP rho) {
  (void)call;
  (void)op;
  return call_with_dots(CADR(args), Rf_findVarInFrame3(rho, R_DotsSymbol, TRUE), rho);
}

// R's evaluation context (RCNTXT in R's Defn.h, not installed) up to the fields read here,
// the same from R 3.0 to 4.5. libR exports R_GlobalContext, the innermost context.
namespace {
struct r_context_head {
  r_context_head* nextcontext;
  int callflag;
  sigjmp_buf cjmpbuf;
  int cstacktop;
  int evaldepth;
  SEXP promargs;
  SEXP callfun;
  SEXP sysparent;
  SEXP call;
  SEXP cloenv;
};
constexpr int k_ctxt_function = 4;
constexpr int k_ctxt_builtin = 64;
}  // namespace
extern void* R_GlobalContext;

// The arguments that called the closure whose environment is `rho` (its context's
// promargs): promises in the order of the call, named as written, `...` expanded. Read
// only when both contexts check out: this .External2's own (R gives foreign calls a
// builtin context; byte code gives none) and the closure's; nullptr otherwise.
static SEXP closure_promargs(SEXP call, SEXP rho) {
  static const bool disabled = std::getenv("TANDEM_NO_CONTEXT_PEEK") != nullptr;
  if (disabled) return nullptr;
  auto* c = static_cast<r_context_head*>(R_GlobalContext);
  if (c == nullptr) return nullptr;
  if (c->callflag == k_ctxt_builtin) {
    if (c->call != call || c->cloenv != R_BaseEnv || c->sysparent != R_BaseEnv) return nullptr;
    c = c->nextcontext;
    if (c == nullptr) return nullptr;
  }
  if (!(c->callflag & k_ctxt_function) || c->cloenv != rho) return nullptr;
  SEXP p = c->promargs;
  if (p != R_NilValue && TYPEOF(p) != LISTSXP) return nullptr;
  return p;
}

// .External2(sym, callable) from the closure of a callable with formals (its Python
// signature): R has matched the call to the formals, but the arguments reach Python as
// written, as in reticulate: positional ones in order, named ones by the names written
// (no partial matching: `f(l = 1)` is `l=1` even with a formal `long`). They are the
// closure's promargs; when the contexts do not check out, the same arguments come from
// sys.call() evaluated again in parent.frame() (as reticulate takes them).
SEXP tandem_ffi_call_args(SEXP call, SEXP op, SEXP args, SEXP rho) {
  (void)op;
  SEXP dots = closure_promargs(call, rho);
  if (dots != nullptr) return call_with_dots(CADR(args), dots, R_NilValue);
  static SEXP sys_call = nullptr, parent_frame = nullptr, capture = nullptr;
  if (capture == nullptr) {
    sys_call = Rf_lang1(Rf_findFun(Rf_install("sys.call"), R_BaseEnv));
    R_PreserveObject(sys_call);
    parent_frame = Rf_lang1(Rf_findFun(Rf_install("parent.frame"), R_BaseEnv));
    R_PreserveObject(parent_frame);
    SEXP formals = PROTECT(Rf_cons(R_MissingArg, R_NilValue));
    SET_TAG(formals, R_DotsSymbol);
    SEXP body = PROTECT(Rf_lang1(Rf_install("environment")));
    capture = Rf_allocSExp(CLOSXP);  // function(...) environment()
    SET_FORMALS(capture, formals);
    SET_BODY(capture, body);
    SET_CLOENV(capture, R_BaseEnv);
    R_PreserveObject(capture);
    UNPROTECT(2);
  }
  SEXP cl = PROTECT(Rf_eval(sys_call, rho));
  SEXP env = PROTECT(Rf_eval(parent_frame, rho));
  SEXP again = PROTECT(Rf_lcons(capture, CDR(cl)));
  SEXP frame = PROTECT(Rf_eval(again, env));
  SEXP res = call_with_dots(CADR(args), Rf_findVarInFrame3(frame, R_DotsSymbol, TRUE), frame);
  UNPROTECT(4);
  return res;
}

// .External(sym, callable, ...): call a Python callable with R arguments.
static SEXP call_python(SEXP args, bool as_handle);

SEXP tandem_ffi_call(SEXP args) { return call_python(args, false); }

// .External(sym, callable, ...) for py_call(): the result as a Python object (a handle
// with the callable's convert flag), as reticulate's py_call() returns it.
SEXP tandem_ffi_call_ref(SEXP args) { return call_python(args, true); }

static SEXP call_python(SEXP args, bool as_handle) {
  return r_entry([&]() -> SEXP {
    SEXP rest = CDR(args);
    SEXP target = CAR(rest);
    PyObject* fn = need_py(target, "x");
    bool convert = handle_convert(target);
    int n = 0, nkw = 0;
    for (SEXP a = CDR(rest); a != R_NilValue; a = CDR(a)) {
      n++;
      if (TAG(a) != R_NilValue && CHAR(PRINTNAME(TAG(a)))[0] != '\0') nkw++;
    }
    constexpr int k_small = 12;
    py::object small_values[k_small];
    PyObject* small_stack[k_small + 1];
    std::vector<py::object> big_values;
    std::vector<PyObject*> big_stack;
    py::object* values = small_values;
    PyObject** stack = small_stack;
    if (n > k_small) {
      big_values.resize(n);
      big_stack.resize(n + 1);
      values = big_values.data();
      stack = big_stack.data();
    }
    py::object kwnames;
    if (nkw > 0) kwnames = py::reinterpret_steal<py::object>(PyTuple_New(nkw));
    int index = 0, npos = 0, ikw = 0;
    for (SEXP a = CDR(rest); a != R_NilValue; a = CDR(a), ++index) {
      SEXP v = CAR(a);
      if (v == R_MissingArg) throw tandem_error("argument " + std::to_string(index + 1) + " is empty", tandem_error::value);
      bool named = TAG(a) != R_NilValue && CHAR(PRINTNAME(TAG(a)))[0] != '\0';
      if (named) {
        PyObject* key = charsxp_to_py(PRINTNAME(TAG(a)));
        for (SEXP b = CDR(rest); nkw > 1 && b != a; b = CDR(b))  // f(a = 1, a = 2): Python's error, not a silent merge
          if (TAG(b) == TAG(a)) {
            PyErr_Format(PyExc_TypeError, "%R got multiple values for keyword argument '%U'", fn, key);
            Py_DECREF(key);
            throw py::error_already_set();
          }
        PyTuple_SET_ITEM(kwnames.ptr(), ikw, key);
        values[n - nkw + ikw] = r_to_py(v);
        ikw++;
      } else {  // as reticulate: unnamed arguments are positional wherever they are written
        values[npos++] = r_to_py(v);
      }
    }
    for (int i = 0; i < n; i++) stack[i + 1] = values[i].ptr();
    PyObject* res = PyObject_Vectorcall(fn, stack + 1, (size_t)npos | PY_VECTORCALL_ARGUMENTS_OFFSET,
                                        nkw > 0 ? kwnames.ptr() : nullptr);
    py::object result = check(res);
    if (as_handle) return wrap_handle(result.release().ptr(), convert);
    return py_to_r_maybe(result.ptr(), convert);
  });
}

// raw: the attribute as a handle (py_get_attr); otherwise as `$` gives it.
SEXP tandem_ffi_getattr(SEXP x, SEXP name, SEXP silent, SEXP raw) {
  return r_entry([&]() -> SEXP {
    PyObject* o = need_py(x);
    PyObject* v = PyObject_GetAttr(o, interned_name(name));
    if (v == nullptr) {
      if (need_flag(silent, "silent") && PyErr_ExceptionMatches(PyExc_AttributeError)) {
        PyErr_Clear();
        return R_NilValue;
      }
      throw py::error_already_set();
    }
    py::object value = py::reinterpret_steal<py::object>(v);
    bool convert = handle_convert(x);
    if (need_flag(raw, "raw")) return wrap_handle(value.release().ptr(), convert);
    if (PyModule_Check(o) && PyCallable_Check(v)) return wrap_module_callable(value.release().ptr(), convert);
    return result_for(value.ptr(), convert);
  });
}

SEXP tandem_ffi_setattr(SEXP x, SEXP name, SEXP value) {
  return r_entry([&]() -> SEXP {
    PyObject* o = need_py(x);
    PyObject* n = interned_name(name);
    py::object v = r_to_py(value);
    if (PyObject_SetAttr(o, n, v.ptr()) < 0) throw py::error_already_set();
    return x;
  });
}

SEXP tandem_ffi_delattr(SEXP x, SEXP name) {
  return r_entry([&]() -> SEXP {
    PyObject* o = need_py(x);
    if (PyObject_DelAttr(o, interned_name(name)) < 0) throw py::error_already_set();
    return x;
  });
}

SEXP tandem_ffi_hasattr(SEXP x, SEXP name) {
  return r_entry([&]() -> SEXP {
    PyObject* o = need_py(x);
    return mk_bool(PyObject_HasAttr(o, interned_name(name)));
  });
}

SEXP tandem_ffi_getitem(SEXP x, SEXP key, SEXP silent, SEXP raw) {
  return r_entry([&]() -> SEXP {
    PyObject* o = need_py(x);
    py::object k = r_to_py(key);
    PyObject* v = PyObject_GetItem(o, k.ptr());
    if (v == nullptr) {
      if (need_flag(silent, "silent") &&
          (PyErr_ExceptionMatches(PyExc_KeyError) || PyErr_ExceptionMatches(PyExc_IndexError))) {
        PyErr_Clear();
        return R_NilValue;
      }
      throw py::error_already_set();
    }
    py::object value = py::reinterpret_steal<py::object>(v);
    if (need_flag(raw, "raw")) return wrap_handle(value.release().ptr(), handle_convert(x));
    return result_for(value.ptr(), handle_convert(x));
  });
}

SEXP tandem_ffi_setitem(SEXP x, SEXP key, SEXP value) {
  return r_entry([&]() -> SEXP {
    PyObject* o = need_py(x);
    py::object k = r_to_py(key);
    py::object v = r_to_py(value);
    if (PyObject_SetItem(o, k.ptr(), v.ptr()) < 0) throw py::error_already_set();
    return x;
  });
}

SEXP tandem_ffi_delitem(SEXP x, SEXP key) {
  return r_entry([&]() -> SEXP {
    PyObject* o = need_py(x);
    py::object k = r_to_py(key);
    if (PyObject_DelItem(o, k.ptr()) < 0) throw py::error_already_set();
    return x;
  });
}

SEXP tandem_ffi_contains(SEXP x, SEXP key) {
  return r_entry([&]() -> SEXP {
    PyObject* o = need_py(x);
    py::object k = r_to_py(key);
    int r = PySequence_Contains(o, k.ptr());
    if (r < 0) throw py::error_already_set();
    return mk_bool(r == 1);
  });
}

// A Python error that `dflt` (not NULL) stands in for: an Exception, cleared without a
// trace, so that length() and py_len(x, default) leave py_last_error() as it was (as
// reticulate's py_len_impl). BaseExceptions (KeyboardInterrupt, SystemExit) still raise.
static bool use_default(SEXP dflt) {
  if (dflt == R_NilValue || !PyErr_ExceptionMatches(PyExc_Exception)) return false;
  PyErr_Clear();
  return true;
}

SEXP tandem_ffi_len(SEXP x, SEXP dflt) {
  return r_entry([&]() -> SEXP {
    Py_ssize_t n = PyObject_Length(need_py(x));
    if (n < 0) {
      if (use_default(dflt)) return dflt;
      throw py::error_already_set();
    }
    return n <= INT_MAX ? Rf_ScalarInteger((int)n) : Rf_ScalarReal((double)n);
  });
}

static SEXP py_text(PyObject* s) {
  py::object str = check(s);
  Py_ssize_t n;
  const char* c = PyUnicode_AsUTF8AndSize(str.ptr(), &n);
  if (c == nullptr) throw py::error_already_set();
  return r_safe([&] { return Rf_ScalarString(Rf_mkCharLenCE(c, (int)n, CE_UTF8)); });
}

SEXP tandem_ffi_str(SEXP x) {
  return r_entry([&]() -> SEXP { return py_text(PyObject_Str(need_py(x))); });
}

SEXP tandem_ffi_repr(SEXP x) {
  return r_entry([&]() -> SEXP { return py_text(PyObject_Repr(need_py(x))); });
}

SEXP tandem_ffi_bool(SEXP x, SEXP dflt) {
  return r_entry([&]() -> SEXP {
    int t = PyObject_IsTrue(need_py(x));
    if (t < 0) {
      if (use_default(dflt)) return dflt;
      throw py::error_already_set();
    }
    return mk_bool(t);
  });
}

SEXP tandem_ffi_id(SEXP x) {
  return r_entry([&]() -> SEXP {
    uintptr_t id = reinterpret_cast<uintptr_t>(need_py(x));
    return r_safe([&] { return Rf_ScalarString(Rf_mkChar(std::to_string(id).c_str())); });
  });
}

SEXP tandem_ffi_is_null_xptr(SEXP x) {
  return r_entry([&]() -> SEXP {
    SEXP xp = handle_xptr(x);
    if (xp == R_NilValue) throw tandem_error("`x` must be a Python object.", tandem_error::type);
    return mk_bool(handle_is_dead(xp));
  });
}

SEXP tandem_ffi_weak_handle(SEXP x) {
  return r_entry([&]() -> SEXP { return wrap_weak_handle(need_py(x), handle_convert(x)); });
}

SEXP tandem_ffi_dir(SEXP x) {
  return r_entry([&]() -> SEXP {
    py::object names = check(PyObject_Dir(need_py(x)));
    return py_to_r(names.ptr());
  });
}

SEXP tandem_ffi_set_convert(SEXP x, SEXP convert) {
  return r_entry([&]() -> SEXP {
    PyObject* o = need_py(x);
    return wrap_handle(Py_NewRef(o), need_flag(convert, "convert"));
  });
}

SEXP tandem_ffi_get_convert(SEXP x) {
  return r_entry([&]() -> SEXP {
    need_py(x);
    return mk_bool(handle_convert(x));
  });
}

SEXP tandem_ffi_import(SEXP name, SEXP convert) {
  return r_entry([&]() -> SEXP {
    std::string n = need_string(name, "module");
    bool conv = need_flag(convert, "convert");
    py::object m = check(PyImport_ImportModule(n.c_str()));
    return wrap_handle(m.release().ptr(), conv);
  });
}

SEXP tandem_ffi_builtins(SEXP convert) {
  return r_entry([&]() -> SEXP {
    py::object m = check(PyImport_ImportModule("builtins"));
    return wrap_handle(m.release().ptr(), need_flag(convert, "convert"));
  });
}

SEXP tandem_ffi_main(SEXP convert) {
  return r_entry([&]() -> SEXP {
    py::object m = check(PyImport_ImportModule("__main__"));
    return wrap_handle(m.release().ptr(), need_flag(convert, "convert"));
  });
}

// mode: 0 eval (an expression), 1 exec (statements). Globals: __main__'s dict, or a fresh
// dict that inherits it when `local` is TRUE.
SEXP tandem_ffi_run(SEXP code, SEXP mode, SEXP local, SEXP convert, SEXP filename) {
  return r_entry([&]() -> SEXP {
    std::string src = need_string(code, "code");
    std::string file = need_string(filename, "filename");
    bool exec = Rf_asInteger(mode) == 1;
    bool conv = need_flag(convert, "convert");
    py::object main = check(PyImport_ImportModule("__main__"));
    py::object globals = py::reinterpret_borrow<py::object>(PyModule_GetDict(main.ptr()));
    py::object locals = globals;
    if (need_flag(local, "local")) {
      py::dict d;
      locals = d;
    }
    py::object compiled = check(Py_CompileString(src.c_str(), file.c_str(), exec ? Py_file_input : Py_eval_input));
    py::object res = check(PyEval_EvalCode(compiled.ptr(), globals.ptr(), locals.ptr()));
    if (exec) return need_flag(local, "local") ? wrap_handle(locals.release().ptr(), conv) : R_NilValue;
    return py_to_r_maybe(res.ptr(), conv);
  });
}

SEXP tandem_ffi_r_to_py(SEXP x, SEXP dispatch) {
  return r_entry([&]() -> SEXP {
    py::object o = r_to_py(x, need_flag(dispatch, "dispatch"));
    return wrap_handle(o.release().ptr(), false);
  });
}

SEXP tandem_ffi_py_to_r(SEXP x) {
  return r_entry([&]() -> SEXP {
    PyObject* o = handle_ptr(x);
    if (o == nullptr) return x;  // already an R value
    return py_to_r(o, false);
  });
}

SEXP tandem_ffi_tuple(SEXP items) {
  return r_entry([&]() -> SEXP {
    if (TYPEOF(items) != VECSXP) throw tandem_error("`...` must be a list", tandem_error::type);
    py::tuple t(XLENGTH(items));
    for (R_xlen_t i = 0; i < XLENGTH(items); i++) t[i] = r_to_py(VECTOR_ELT(items, i));
    return wrap_handle(t.release().ptr(), false);
  });
}

SEXP tandem_ffi_dict(SEXP keys, SEXP values, SEXP convert) {
  return r_entry([&]() -> SEXP {
    if (TYPEOF(keys) != VECSXP || TYPEOF(values) != VECSXP || XLENGTH(keys) != XLENGTH(values))
      throw tandem_error("`keys` and `values` must be lists of the same length", tandem_error::type);
    py::dict d;
    for (R_xlen_t i = 0; i < XLENGTH(keys); i++) d[r_to_py(VECTOR_ELT(keys, i))] = r_to_py(VECTOR_ELT(values, i));
    return wrap_handle(d.release().ptr(), need_flag(convert, "convert"));
  });
}

SEXP tandem_ffi_none() {
  return r_entry([&]() -> SEXP { return wrap_handle(Py_NewRef(Py_None), false); });
}

// Binary and unary operators of R's Ops group, by name.
SEXP tandem_ffi_op(SEXP op, SEXP e1, SEXP e2, SEXP unary) {
  return r_entry([&]() -> SEXP {
    std::string name = need_string(op, "op");
    py::object a = r_to_py(e1);
    bool convert = handle_convert(handle_xptr(e1) != R_NilValue ? e1 : e2);
    PyObject* r = nullptr;
    if (need_flag(unary, "unary")) {
      if (name == "-") r = PyNumber_Negative(a.ptr());
      else if (name == "+") r = PyNumber_Positive(a.ptr());
      else if (name == "!") r = PyNumber_Invert(a.ptr());
      else throw tandem_error("unary `" + name + "` is not supported for Python objects", tandem_error::type);
    } else {
      py::object b = r_to_py(e2);
      PyObject *x = a.ptr(), *y = b.ptr();
      if (name == "+") r = PyNumber_Add(x, y);
      else if (name == "-") r = PyNumber_Subtract(x, y);
      else if (name == "*") r = PyNumber_Multiply(x, y);
      else if (name == "/") r = PyNumber_TrueDivide(x, y);
      else if (name == "^") r = PyNumber_Power(x, y, Py_None);
      else if (name == "%%") r = PyNumber_Remainder(x, y);
      else if (name == "%/%") r = PyNumber_FloorDivide(x, y);
      else if (name == "%*%") r = PyNumber_MatrixMultiply(x, y);
      else if (name == "&") r = PyNumber_And(x, y);
      else if (name == "|") r = PyNumber_Or(x, y);
      else if (name == "==") r = PyObject_RichCompare(x, y, Py_EQ);
      else if (name == "!=") r = PyObject_RichCompare(x, y, Py_NE);
      else if (name == "<") r = PyObject_RichCompare(x, y, Py_LT);
      else if (name == "<=") r = PyObject_RichCompare(x, y, Py_LE);
      else if (name == ">") r = PyObject_RichCompare(x, y, Py_GT);
      else if (name == ">=") r = PyObject_RichCompare(x, y, Py_GE);
      else throw tandem_error("`" + name + "` is not supported for Python objects", tandem_error::type);
    }
    py::object res = check(r);
    return py_to_r_maybe(res.ptr(), convert);
  });
}

SEXP tandem_ffi_iter(SEXP x) {
  return r_entry([&]() -> SEXP {
    py::object it = check(PyObject_GetIter(need_py(x)));
    return wrap_handle(it.release().ptr(), handle_convert(x));
  });
}

// The next item, or `completed` when the iterator is exhausted.
SEXP tandem_ffi_iter_next(SEXP it, SEXP completed) {
  return r_entry([&]() -> SEXP {
    PyObject* o = need_py(it, "it");
    if (!PyIter_Check(o)) throw tandem_error("`it` must be a Python iterator; use as_iterator()", tandem_error::type);
    PyObject* item = PyIter_Next(o);
    if (item == nullptr) {
      if (PyErr_Occurred()) throw py::error_already_set();
      return completed;
    }
    py::object v = py::reinterpret_steal<py::object>(item);
    return py_to_r_maybe(v.ptr(), handle_convert(it));
  });
}

SEXP tandem_ffi_last_error(SEXP clear) {
  return r_entry([&]() -> SEXP { return last_py_error(need_flag(clear, "clear")); });
}

SEXP tandem_ffi_set_last_error(SEXP exc, SEXP frames) {
  return r_entry([&]() -> SEXP {
    PyObject* o = need_py(exc, "exception");
    if (!PyExceptionInstance_Check(o)) throw tandem_error("`exception` must be a Python exception.", tandem_error::type);
    if (frames != R_NilValue && (TYPEOF(frames) != VECSXP || XLENGTH(frames) != 3))
      throw tandem_error("`frames` must be a list(calls, parents, functions).", tandem_error::type);
    set_last_py_error(o, frames);
    return R_NilValue;
  });
}

// The Python exception an R condition becomes when it crosses into Python (tandem.RError
// carrying the condition, the original exception for one that came from Python,
// KeyboardInterrupt for an interrupt), as a handle; for with()'s __exit__.
SEXP tandem_ffi_condition_to_py(SEXP cond) {
  return r_entry([&]() -> SEXP {
    if (!Rf_inherits(cond, "condition")) throw tandem_error("`cond` must be an R condition.", tandem_error::type);
    try {
      raise_r_condition(cond);
    } catch (py::error_already_set& e) {
      return wrap_handle(py::object(e.value()).release().ptr(), false);
    }
    throw tandem_error("tandem internal error (ffi.cpp): no exception for the condition", tandem_error::runtime);
  });
}

SEXP tandem_ffi_register(SEXP r_to_py_dispatch, SEXP s3_table) {
  if (g_r_to_py_dispatch != nullptr) R_ReleaseObject(g_r_to_py_dispatch);
  if (g_s3_methods_table != nullptr) R_ReleaseObject(g_s3_methods_table);
  R_PreserveObject(r_to_py_dispatch);
  R_PreserveObject(s3_table);
  g_r_to_py_dispatch = r_to_py_dispatch;
  g_s3_methods_table = s3_table;
  return R_NilValue;
}

}  // extern "C"
