// rsession.cpp: Python hosts R: tandem.r's functions (eval, get, set, library) and the
// tandem.RObject proxy (call, repr, len, class, attribute and item access).
#include "rsession.hpp"

#include "convert.hpp"
#include "error.hpp"
#include "handle.hpp"
#include "rsafe.hpp"
#include "sigint.hpp"
#include "threads.hpp"

namespace tandem {

void require_r_thread() {
  if (!r_started())
    throw tandem_error("R is not running; use tandem.r (it starts R on first use)", tandem_error::runtime);
  if (!on_r_thread())
    throw tandem_error("tandem internal error (rsession.cpp): R touched off R's main thread", tandem_error::runtime);
}

// Runs f on R's main thread: here, or queued from another thread (threads.hpp).
template <typename F>
auto in_r(F&& f) -> decltype(f()) {
  if (!r_started())
    throw tandem_error("R is not running; use tandem.r (it starts R on first use)", tandem_error::runtime);
  if (on_r_thread()) return f();
  decltype(f()) result;
  run_on_r_thread([&] { result = f(); });
  return result;
}

namespace {

// Releases the GIL while R evaluates; R code calling Python takes it back (PyGILState).
struct gil_release {
  PyThreadState* state;
  gil_release() : state(PyEval_SaveThread()) {}
  ~gil_release() { PyEval_RestoreThread(state); }
  gil_release(const gil_release&) = delete;
};

SEXP eval_r(SEXP expr, SEXP env) {
  runs_scope runs(RUNS_R);
  gil_release nogil;
  return r_eval(expr, env);
}


SEXP symbol(const std::string& name) {
  return r_safe([&] { return Rf_installChar(Rf_mkCharCE(name.c_str(), CE_UTF8)); });
}

}  // namespace

py::object r_eval_string(const std::string& code) {
  require_r_thread();
  py::object result;
  run_toplevel([&] {
    protect_scope p;
    SEXP text = p(r_safe([&] { return Rf_ScalarString(Rf_mkCharCE(code.c_str(), CE_UTF8)); }));
    SEXP call = p(r_safe([&] {
      SEXP c = PROTECT(Rf_lang3(Rf_install("parse"), text, Rf_ScalarLogical(0)));
      SET_TAG(CDR(c), Rf_install("text"));
      SET_TAG(CDDR(c), Rf_install("keep.source"));
      UNPROTECT(1);
      return c;
    }));
    SEXP exprs = p(r_eval(call, R_BaseEnv));
    SEXP value = R_NilValue;
    for (R_xlen_t i = 0; i < XLENGTH(exprs); i++) {
      value = eval_r(VECTOR_ELT(exprs, i), R_GlobalEnv);
      p(value);
    }
    result = r_to_py(value);
  });
  return result;
}

py::object robject_call(SEXP fn, py::args args, py::kwargs kwargs) {
  require_r_thread();
  py::object result;
  run_toplevel([&] {
    protect_scope p;
    R_xlen_t n = (R_xlen_t)(args.size() + kwargs.size());
    SEXP call = p(r_safe([&] {
      SEXP c = Rf_allocList((int)n + 1);
      SET_TYPEOF(c, LANGSXP);
      return c;
    }));
    SETCAR(call, fn);
    SEXP cell = CDR(call);
    for (auto a : args) {
      SETCAR(cell, py_to_r(a.ptr()));
      SETCAR(cell, as_call_argument(CAR(cell)));
      cell = CDR(cell);
    }
    for (auto kv : kwargs) {
      std::string name = py::str(kv.first);
      SETCAR(cell, py_to_r(kv.second.ptr()));
      SETCAR(cell, as_call_argument(CAR(cell)));
      SET_TAG(cell, symbol(name));
      cell = CDR(cell);
    }
    SEXP value = p(eval_r(call, R_GlobalEnv));
    result = r_to_py(value);
  });
  return result;
}

py::object r_get(SEXP env, const std::string& name, bool inherits) {
  require_r_thread();
  py::object result;
  bool found = true;
  run_toplevel([&] {
    protect_scope p;
    SEXP sym = symbol(name);
    SEXP v = inherits ? Rf_findVar(sym, env) : Rf_findVarInFrame3(env, sym, TRUE);
    if (v == R_UnboundValue) {
      found = false;
      return;
    }
    if (TYPEOF(v) == PROMSXP) v = eval_r(v, env);
    p(v);
    result = r_to_py(v);
  });
  if (!found) throw py::key_error("no R variable named '" + name + "'");
  return result;
}

void r_set(SEXP env, const std::string& name, py::handle value) {
  require_r_thread();
  run_toplevel([&] {
    protect_scope p;
    SEXP v = p(py_to_r(value.ptr()));
    SEXP sym = symbol(name);
    r_safe([&] {
      Rf_defineVar(sym, v, env);
      return R_NilValue;
    });
  });
}

py::object to_robject(py::handle value) {
  require_r_thread();
  if (SEXP s = robject_sexp(value.ptr())) return robject_new(s);
  py::object result;
  run_toplevel([&] {
    protect_scope p;
    SEXP v = p(py_to_r(value.ptr()));
    result = robject_new(v);
  });
  return result;
}

py::object from_robject(SEXP x) {
  require_r_thread();
  py::object result;
  run_toplevel([&] { result = r_to_py(x); });
  return result;
}

// Runs an R function of the base environment (by name) on x and returns its R result
// wrapped for Python by `wrap`.
static SEXP call_base(const char* fn, SEXP x, protect_scope& p) {
  SEXP arg = p(as_call_argument(x));
  SEXP call = p(r_safe([&] { return Rf_lang2(Rf_install(fn), arg); }));
  return p(eval_r(call, R_BaseEnv));
}

std::string robject_repr(SEXP x) {
  require_r_thread();
  std::string out;
  run_toplevel([&] {
    protect_scope p;
    SEXP arg = p(as_call_argument(x));
    SEXP print_call = p(r_safe([&] { return Rf_lang2(Rf_install("print"), arg); }));
    SEXP capture = p(r_safe([&] { return Rf_lang2(Rf_install("capture.output"), print_call); }));
    SEXP lines = p(eval_r(capture, R_GlobalEnv));
    for (R_xlen_t i = 0; i < XLENGTH(lines); i++) {
      if (i) out += "\n";
      out += charsxp_text(STRING_ELT(lines, i));
    }
  });
  return out;
}

py::tuple robject_class(SEXP x) {
  require_r_thread();
  py::list out;
  run_toplevel([&] {
    protect_scope p;
    SEXP cls = call_base("class", x, p);
    for (R_xlen_t i = 0; i < XLENGTH(cls); i++) out.append(py::str(charsxp_text(STRING_ELT(cls, i))));
  });
  return py::tuple(out);
}

py::object robject_getattr(SEXP x, const std::string& name) {
  require_r_thread();
  if (TYPEOF(x) == ENVSXP) {
    try {
      return r_get(x, name, false);
    } catch (py::key_error&) {
      throw py::attribute_error("R environment has no binding '" + name + "'");
    }
  }
  if (TYPEOF(x) == VECSXP) {
    SEXP names = Rf_getAttrib(x, R_NamesSymbol);
    for (R_xlen_t i = 0; names != R_NilValue && i < XLENGTH(names); i++) {
      if (name == charsxp_text(STRING_ELT(names, i))) return from_robject(VECTOR_ELT(x, i));
    }
  }
  throw py::attribute_error("R object of type " + std::string(Rf_type2char(TYPEOF(x))) + " has no element '" + name + "'");
}

py::object robject_getitem(SEXP x, py::handle key) {
  require_r_thread();
  if (py::isinstance<py::str>(key)) {
    std::string name = py::str(key);
    if (TYPEOF(x) == ENVSXP) return r_get(x, name, false);
    try {
      return robject_getattr(x, name);
    } catch (py::attribute_error&) {
      throw py::key_error(name);
    }
  }
  if (PyLong_Check(key.ptr())) {
    long long i = key.cast<long long>();
    R_xlen_t n = Rf_xlength(x);
    if (i < 0) i += n;
    if (i < 0 || i >= n) throw py::index_error("index out of range for an R object of length " + std::to_string(n));
    py::object result;
    run_toplevel([&] {
      protect_scope p;
      SEXP idx = p(r_safe([&] { return Rf_ScalarReal((double)i + 1); }));
      SEXP arg = p(as_call_argument(x));
      SEXP call = p(r_safe([&] { return Rf_lang3(Rf_install("[["), arg, idx); }));
      SEXP v = p(eval_r(call, R_BaseEnv));
      result = r_to_py(v);
    });
    return result;
  }
  throw py::type_error("R objects are indexed by str (names) or int (0-based positions)");
}

void register_rsession(py::module_& m) {
  auto cls = py::class_<RObject>(m, "RObject", R"doc(An R object held by Python.

The R object stays alive as long as this proxy does. R functions are callable
(positional and keyword arguments are converted by tandem's table); environments and
named lists give their bindings as attributes and items. `repr()` is R's print().)doc");
  g_robject_type = reinterpret_cast<PyTypeObject*>(cls.ptr());
  cls.def("__call__", [](RObject& self, py::args args, py::kwargs kwargs) {
        return in_r([&] { return robject_call(self.get(), args, kwargs); });
      })
      .def("__repr__", [](RObject& self) { return in_r([&] { return robject_repr(self.get()); }); })
      .def("__len__", [](RObject& self) { return in_r([&] { return (Py_ssize_t)Rf_xlength(self.get()); }); })
      .def("__getattr__", [](RObject& self, const std::string& name) {
        if (name.size() > 1 && name[0] == '_' && name[1] == '_') throw py::attribute_error(name);
        return in_r([&] { return robject_getattr(self.get(), name); });
      })
      .def("__getitem__", [](RObject& self, py::handle key) { return in_r([&] { return robject_getitem(self.get(), key); }); })
      .def("__setitem__", [](RObject& self, const std::string& name, py::handle value) {
        if (TYPEOF(self.get()) != ENVSXP) throw py::type_error("only R environments support item assignment");
        in_r([&] { r_set(self.get(), name, value); return 0; });
      })
      .def("to_py", [](RObject& self) { return in_r([&] { return from_robject(self.get()); }); },
           "Converts the R value by tandem's conversion table.")
      .def_property_readonly("rclass", [](RObject& self) { return in_r([&] { return robject_class(self.get()); }); },
                             "class(x) in R, as a tuple of str.")
      .def_property_readonly("rtype", [](RObject& self) {
        return std::string(Rf_type2char(TYPEOF(self.get())));
      }, "typeof(x) in R.")
      .def_property_readonly("_address", [](RObject& self) { return reinterpret_cast<uintptr_t>(self.get()); });

  m.def("start_r", [](bool interactive, const std::string& python_exe) { start_r(interactive, python_exe); },
        py::arg("interactive"), py::arg("python_exe"));
  m.def("r_started", &r_started);
  m.def("r_eval", [](const std::string& code) { return in_r([&] { return r_eval_string(code); }); }, py::arg("code"));
  m.def("r_get", [](const std::string& name) { return in_r([&] { return r_get(R_GlobalEnv, name, true); }); });
  m.def("r_set", [](const std::string& name, py::handle value) {
    in_r([&] { r_set(R_GlobalEnv, name, value); return 0; });
  });
  m.def("r_global_env", [] { return in_r([&] { return robject_new(R_GlobalEnv); }); });
  m.def("to_r", [](py::handle value) { return in_r([&] { return to_robject(value); }); }, py::arg("value"));
  m.def("to_py", [](py::handle x) {
    SEXP s = robject_sexp(x.ptr());
    if (s == nullptr) return py::reinterpret_borrow<py::object>(x);
    return in_r([&] { return from_robject(s); });
  }, py::arg("x"));
  m.def("service_r_queue", &service_r_queue, "Runs R calls queued by other threads (R's main thread only).");
  m.def("wake_signal", &wake_signal);
  m.def("shutdown_r_queue", &shutdown_r_queue,
        "R stops serving other threads: their pending and later calls raise RuntimeError (at exit).");
  m.def("_preserved_count", [] { return g_preserved_count; }, "R objects currently held by Python proxies.");
  m.def("call_on_r_thread", [](py::object fn, bool urgent) {
    if (on_r_thread()) return fn();
    py::object result;
    run_on_r_thread([&] { result = fn(); }, urgent);
    return result;
  }, py::arg("fn"), py::arg("urgent") = false,
     "Calls fn() on R's main thread and returns its result (any thread). urgent=True: served "
     "at R's thread's next service point even when fairness would defer it.");
  m.def("post_to_r_thread", [](py::object fn, bool urgent) {
    auto holder = std::make_shared<py::object>(std::move(fn));
    post_to_r_thread([holder] {
      (*holder)();
      *holder = py::none();  // drop the callable while the GIL is held
    }, urgent);
  }, py::arg("fn"), py::arg("urgent") = false,
     "Calls fn() on R's main thread soon, without waiting (any thread).");
  m.def("_enable_wake_signal", &enable_wake_signal);
  m.def("_r_queue_length", &r_queue_length, py::arg("urgent_only") = false,
        "Calls queued for R's main thread, not yet started (tests).");
  m.def("r_write", [](const std::string& text, bool err) { write_to_r_console(text, err); });
  m.def("r_flush", [] {
    if (!g_console_pending) return;
    py::gil_scoped_release nogil;
    flush_console_pending();
  }, "Writes Python output held back on R's console (R hosts).");
  m.def("on_r_thread", &on_r_thread);
  m.def("host", [] {
    return g_host == host_kind::r_hosts ? "r" : g_host == host_kind::python_hosts ? "python" : "none";
  });
  m.def("core_path", &core_path);
  m.def("_robject_from_address", [](uintptr_t address) {
    return in_r([&] { return robject_new(reinterpret_cast<SEXP>(address)); });
  });
}

}  // namespace tandem
