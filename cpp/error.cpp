// error.cpp: Python exceptions <-> R conditions, keeping classes, messages and tracebacks.
// A Python exception reaching R becomes a condition classed by the Python MRO; an R
// condition reaching Python becomes tandem.RError; each keeps the other's original.
#include "error.hpp"

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <vector>

#include "convert.hpp"
#include "handle.hpp"
#include "rsafe.hpp"

namespace tandem {

PyObject* g_rerror_type = nullptr;
PyObject* g_rwarning_type = nullptr;

// Strong references, replaced on each new error (never static py::object: see STYLE.md).
static PyObject* g_last_exc = nullptr;

static std::string py_str_or(PyObject* o, const char* fallback) {
  PyObject* s = PyObject_Str(o);
  if (s == nullptr) {
    PyErr_Clear();
    return fallback;
  }
  Py_ssize_t n;
  const char* c = PyUnicode_AsUTF8AndSize(s, &n);
  std::string out = c ? std::string(c, n) : std::string(fallback);
  if (!c) PyErr_Clear();
  Py_DECREF(s);
  return out;
}

// traceback.<function>(<args>) as one string (its lines joined); "" when it fails (the
// Python error is cleared).
static std::string traceback_text(const char* function, std::initializer_list<PyObject*> args) {
  std::string out;
  PyObject* tb_mod = PyImport_ImportModule("traceback");
  PyObject* fn = tb_mod ? PyObject_GetAttrString(tb_mod, function) : nullptr;
  PyObject* argv = fn ? PyTuple_New((Py_ssize_t)args.size()) : nullptr;
  if (argv != nullptr) {
    Py_ssize_t i = 0;
    for (PyObject* a : args) PyTuple_SET_ITEM(argv, i++, Py_NewRef(a));
    PyObject* lines = PyObject_Call(fn, argv, nullptr);
    PyObject* empty = lines ? PyUnicode_FromString("") : nullptr;
    PyObject* joined = empty ? PyUnicode_Join(empty, lines) : nullptr;
    if (joined != nullptr) out = py_str_or(joined, "");
    Py_XDECREF(joined);
    Py_XDECREF(empty);
    Py_XDECREF(lines);
  }
  Py_XDECREF(argv);
  Py_XDECREF(fn);
  Py_XDECREF(tb_mod);
  if (PyErr_Occurred()) PyErr_Clear();
  return out;
}

static std::string format_traceback(PyObject* exc) { return traceback_text("format_exception", {exc}); }

SEXP make_r_condition(const std::string& message, const char* klass) {
  return r_safe([&] {
    SEXP cond = PROTECT(Rf_allocVector(VECSXP, 2));
    SET_VECTOR_ELT(cond, 0, Rf_ScalarString(Rf_mkCharLenCE(message.data(), (int)message.size(), CE_UTF8)));
    SET_VECTOR_ELT(cond, 1, R_NilValue);
    SEXP names = PROTECT(Rf_allocVector(STRSXP, 2));
    SET_STRING_ELT(names, 0, Rf_mkChar("message"));
    SET_STRING_ELT(names, 1, Rf_mkChar("call"));
    Rf_setAttrib(cond, R_NamesSymbol, names);
    int extra = klass ? 1 : 0;
    SEXP cls = PROTECT(Rf_allocVector(STRSXP, 2 + extra));
    if (klass) SET_STRING_ELT(cls, 0, Rf_mkChar(klass));
    SET_STRING_ELT(cls, extra, Rf_mkChar("error"));
    SET_STRING_ELT(cls, extra + 1, Rf_mkChar("condition"));
    Rf_setAttrib(cond, R_ClassSymbol, cls);
    UNPROTECT(3);
    return cond;
  });
}

// The R frames on the stack, for conditionCall(), py_last_error()'s R trace and an
// exception's `trace`: list(calls, parents, functions), as sys.calls(), sys.parents() and
// sys.function() give them, without the capturing function's own frame and without the
// frames of tandem's entry runner (a closure with attribute tandem_runner, rsafe.cpp;
// parents are renumbered). Byte-compiled: it runs at every Python exception that reaches
// R (about 17 us at depth 20).
SEXP r_frames_function() {
  static SEXP fn = nullptr;
  if (fn != nullptr) return fn;
  fn = r_safe([] {
    ParseStatus status;
    SEXP text = PROTECT(Rf_mkString(
        "function() {\n"
        "  n <- sys.nframe() - 1L\n"
        "  fns <- vector('list', n)\n"
        "  drop <- logical(n)\n"
        "  for (i in seq_len(n)) {\n"
        "    f <- sys.function(i)\n"
        "    if (is.null(attr(f, 'tandem_runner', exact = TRUE))) fns[[i]] <- f else drop[i] <- TRUE\n"
        "  }\n"
        "  calls <- as.list(sys.calls())[seq_len(n)]\n"
        "  parents <- sys.parents()[seq_len(n)]\n"
        "  if (any(drop)) {\n"
        "    index <- cumsum(!drop)\n"
        "    for (i in seq_len(n)) {\n"
        "      p <- parents[i]\n"
        "      while (p > 0L && drop[p]) p <- parents[p]\n"
        "      parents[i] <- if (p > 0L) index[p] else 0L\n"
        "    }\n"
        "    keep <- !drop\n"
        "    calls <- calls[keep]; parents <- parents[keep]; fns <- fns[keep]\n"
        "  }\n"
        "  list(calls = calls, parents = parents, functions = fns)\n"
        "}"));
    SEXP parsed = PROTECT(R_ParseVector(text, -1, &status, R_NilValue));
    SEXP f = Rf_eval(VECTOR_ELT(parsed, 0), R_BaseEnv);
    UNPROTECT(2);
    return f;
  });
  R_PreserveObject(fn);
  try {  // compiled if the compiler package loads; the interpreted function works the same
    SEXP compiled = r_safe([] {
      SEXP call = PROTECT(Rf_lang2(PROTECT(Rf_lang3(R_DoubleColonSymbol, Rf_install("compiler"), Rf_install("cmpfun"))), fn));
      SEXP out = R_tryCatchError([](void* c) { return Rf_eval(static_cast<SEXP>(c), R_BaseEnv); }, call,
                                 [](SEXP, void*) { return R_NilValue; }, nullptr);
      UNPROTECT(2);
      return out;
    });
    if (TYPEOF(compiled) == CLOSXP) {
      R_PreserveObject(compiled);
      R_ReleaseObject(fn);
      fn = compiled;
    }
  } catch (...) {
  }
  return fn;
}

// The frames of the R code calling in (see r_frames_function()).
static SEXP current_r_frames() {
  SEXP fn = r_frames_function();
  return r_safe([&] {
    SEXP call = PROTECT(Rf_lang1(fn));
    SEXP out = Rf_eval(call, R_BaseEnv);
    UNPROTECT(1);
    return out;
  });
}

SEXP trim_r_frames(SEXP frames, R_xlen_t keep) {
  if (TYPEOF(frames) != VECSXP || XLENGTH(frames) != 3) return R_NilValue;
  return r_safe([&] {
    SEXP out = PROTECT(Rf_allocVector(VECSXP, 3));
    for (int k = 0; k < 3; k++) {
      SEXP col = VECTOR_ELT(frames, k);
      R_xlen_t n = std::min(keep, Rf_xlength(col));
      SEXP cut = Rf_allocVector(TYPEOF(col), n);
      SET_VECTOR_ELT(out, k, cut);
      for (R_xlen_t i = 0; i < n; i++) {
        if (TYPEOF(col) == INTSXP) INTEGER(cut)[i] = INTEGER(col)[i];
        else SET_VECTOR_ELT(cut, i, VECTOR_ELT(col, i));
      }
    }
    Rf_setAttrib(out, R_NamesSymbol, Rf_getAttrib(frames, R_NamesSymbol));
    UNPROTECT(1);
    return out;
  });
}

static SEXP frame_calls(SEXP frames) {
  return TYPEOF(frames) == VECSXP && XLENGTH(frames) == 3 ? VECTOR_ELT(frames, 0) : R_NilValue;
}

// The call of the innermost R function on the stack (what conditionCall() gives for an
// error raised there).
static SEXP last_call_of(SEXP frames) {
  SEXP calls = frame_calls(frames);
  R_xlen_t n = TYPEOF(calls) == VECSXP ? XLENGTH(calls) : 0;
  return n > 0 ? VECTOR_ELT(calls, n - 1) : R_NilValue;
}

// The last Python error seen by R, with the R frames active when it arrived.
static SEXP g_last_r_frames = nullptr;  // preserved frames record, or nullptr

static void remember_error(PyObject* exc, SEXP frames) {
  Py_XSETREF(g_last_exc, Py_NewRef(exc));
  if (g_last_r_frames != nullptr) R_ReleaseObject(g_last_r_frames);
  g_last_r_frames = frames;
  R_PreserveObject(frames);
}

static SEXP r_frames_symbol() {
  static SEXP sym = Rf_install("r_frames");
  return sym;
}

// The classes of a condition that has been a Python exception of type `type`: its own R
// classes, then the Python MRO (with python.builtin.object), then error, condition.
static SEXP crossed_classes(SEXP own, PyTypeObject* type) {
  protect_scope p;
  SEXP py = p(py_class_vector(type));
  return r_safe([&] {
    R_xlen_t n_own = Rf_xlength(own), n_py = XLENGTH(py);
    SEXP out = PROTECT(Rf_allocVector(STRSXP, n_own + n_py + 2));
    R_xlen_t k = 0;
    auto has = [&](SEXP ch) {
      for (R_xlen_t j = 0; j < k; j++)
        if (std::strcmp(CHAR(STRING_ELT(out, j)), CHAR(ch)) == 0) return true;
      return false;
    };
    auto add = [&](SEXP ch) {
      const char* c = CHAR(ch);
      if (std::strcmp(c, "error") == 0 || std::strcmp(c, "condition") == 0 || has(ch)) return;
      SET_STRING_ELT(out, k++, ch);
    };
    for (R_xlen_t i = 0; i < n_own; i++) add(STRING_ELT(own, i));
    for (R_xlen_t i = 0; i < n_py; i++) add(STRING_ELT(py, i));
    SET_STRING_ELT(out, k++, Rf_mkChar("error"));
    SET_STRING_ELT(out, k++, Rf_mkChar("condition"));
    out = Rf_lengthgets(out, (R_len_t)k);
    UNPROTECT(1);
    return out;
  });
}

// The classes of an exception condition: the MRO (ending with python.builtin.object),
// then "error" ("interrupt" for a KeyboardInterrupt) and "condition", as reticulate has them.
static SEXP exception_classes(PyTypeObject* type) {
  protect_scope p;
  SEXP py = p(py_class_vector(type));
  bool interrupt = PyType_IsSubtype(type, (PyTypeObject*)PyExc_KeyboardInterrupt);
  return r_safe([&] {
    R_xlen_t n = XLENGTH(py);
    SEXP out = PROTECT(Rf_allocVector(STRSXP, n + 2));
    for (R_xlen_t i = 0; i < n; i++) SET_STRING_ELT(out, i, STRING_ELT(py, i));
    SET_STRING_ELT(out, n, Rf_mkChar(interrupt ? "interrupt" : "error"));
    SET_STRING_ELT(out, n + 1, Rf_mkChar("condition"));
    UNPROTECT(1);
    return out;
  });
}

struct condition_field {
  const char* name;
  SEXP value;  // protected by the caller
};

// list(<fields>) with `classes` and the attribute py_object = `handle` (all protected by
// the caller). Returns an unprotected SEXP.
static SEXP condition_list(std::initializer_list<condition_field> fields, SEXP classes, SEXP handle,
                           SEXP frames = R_NilValue) {
  return r_safe([&] {
    R_xlen_t n = (R_xlen_t)fields.size();
    SEXP cond = PROTECT(Rf_allocVector(VECSXP, n));
    SEXP names = PROTECT(Rf_allocVector(STRSXP, n));
    R_xlen_t i = 0;
    for (const condition_field& f : fields) {
      SET_VECTOR_ELT(cond, i, f.value);
      SET_STRING_ELT(names, i, Rf_mkChar(f.name));
      i++;
    }
    Rf_setAttrib(cond, R_NamesSymbol, names);
    Rf_setAttrib(cond, R_ClassSymbol, classes);
    Rf_setAttrib(cond, py_object_symbol(), handle);
    if (frames != R_NilValue) Rf_setAttrib(cond, r_frames_symbol(), frames);
    UNPROTECT(2);
    return cond;
  });
}

// The R value a tandem.RError keeps as attribute `name` (an RObject: `condition`,
// `r_frames`), borrowed, alive as long as `exc`; nullptr if `exc` is no RError or has none.
static SEXP rerror_r_value(PyObject* exc, const char* name) {
  if (g_rerror_type == nullptr || PyObject_IsInstance(exc, g_rerror_type) != 1) {
    PyErr_Clear();
    return nullptr;
  }
  PyObject* held = PyObject_GetAttrString(exc, name);
  if (held == nullptr) {
    PyErr_Clear();
    return nullptr;
  }
  SEXP value = robject_sexp(held);  // the RObject lives on `exc`
  Py_DECREF(held);
  return value;
}

// The R condition a tandem.RError carries, or nullptr.
static SEXP rerror_original(PyObject* exc) {
  SEXP original = rerror_r_value(exc, "condition");
  return original != nullptr && TYPEOF(original) == VECSXP ? original : nullptr;
}

// An R condition that went through Python comes back as itself (its fields and R classes,
// as reticulate keeps them), with the classes of the Python exception it was added and
// that exception as `py_object`, so that a further trip into Python raises the same
// exception object again.
static SEXP crossed_condition(SEXP original, PyObject* exc, SEXP handle, SEXP frames = R_NilValue) {
  protect_scope p;
  p(original);
  p(handle);
  p(frames);
  SEXP classes = p(crossed_classes(Rf_getAttrib(original, R_ClassSymbol), Py_TYPE(exc)));
  return r_safe([&] {
    SEXP cond = PROTECT(Rf_shallow_duplicate(original));
    Rf_setAttrib(cond, R_ClassSymbol, classes);
    Rf_setAttrib(cond, py_object_symbol(), handle);
    if (frames != R_NilValue) Rf_setAttrib(cond, r_frames_symbol(), frames);
    UNPROTECT(1);
    return cond;
  });
}

// "Type: str(exc)" as Python prints an exception's last lines (reticulate's condition
// message): traceback.format_exception_only(), so a type from a module other than
// builtins and __main__ is qualified (numpy.linalg.LinAlgError), a SyntaxError shows the
// line and the caret, and notes (add_note()) follow; without the trailing newline.
std::string exception_message(PyObject* exc) {
  std::string out = traceback_text("format_exception_only", {(PyObject*)Py_TYPE(exc), exc});
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  if (!out.empty()) return out;
  std::string tname = Py_TYPE(exc)->tp_name;  // the formatting failed: the short form
  auto dot = tname.rfind('.');
  if (dot != std::string::npos) tname = tname.substr(dot + 1);
  std::string text = py_str_or(exc, "");
  return text.empty() ? tname : tname + ": " + text;
}

static SEXP mk_string(const std::string& s) {
  return r_safe([&] { return Rf_ScalarString(Rf_mkCharLenCE(s.data(), (int)s.size(), CE_UTF8)); });
}

SEXP exception_condition(SEXP handle) {
  protect_scope p;
  p(handle);
  PyObject* exc = handle_ptr(handle);
  if (exc == nullptr) throw tandem_error("tandem internal error (error.cpp): an exception condition without its handle",
                                         tandem_error::runtime);
  if (SEXP original = rerror_original(exc)) {
    // with the frames where the R error was signalled: `e$trace` (errors.R), as the
    // trace reticulate adds to an R error that becomes a Python exception
    SEXP frames = rerror_r_value(exc, "r_frames");
    return crossed_condition(original, exc, handle, frames != nullptr ? frames : R_NilValue);
  }
  SEXP message = p(mk_string(exception_message(exc)));
  SEXP classes = p(exception_classes(Py_TYPE(exc)));
  return condition_list({{"message", message}, {"call", R_NilValue}}, classes, handle);
}

// The frames of the last R error that became an RError (raise_r_condition), kept until the
// outermost R -> Python entry ends (ffi.hpp's r_entry() calls forget_rerror_frames()).
// An exception whose chain lost that RError (Python code caught it and raised anew outside
// its except block) still shows where R failed, by reticulate's rule (get_r_trace(
// maybe_use_cached = TRUE)): the kept frames are its trace when they extend the stack
// where the exception reaches R.
static SEXP g_last_rerror_frames = nullptr;  // preserved, or nullptr

static void keep_rerror_frames(SEXP frames) {
  if (g_last_rerror_frames != nullptr) R_ReleaseObject(g_last_rerror_frames);
  g_last_rerror_frames = nullptr;
  if (frames != nullptr && frames != R_NilValue) {
    R_PreserveObject(frames);
    g_last_rerror_frames = frames;
  }
}

void forget_rerror_frames() { keep_rerror_frames(nullptr); }

// The kept frames when their calls start with those of `frames` and go deeper.
static SEXP kept_frames_extending(SEXP frames) {
  SEXP kept = g_last_rerror_frames;
  if (kept == nullptr || TYPEOF(kept) != VECSXP || XLENGTH(kept) < 1 || TYPEOF(frames) != VECSXP || XLENGTH(frames) < 1)
    return nullptr;
  SEXP a = VECTOR_ELT(frames, 0), b = VECTOR_ELT(kept, 0);
  if (TYPEOF(a) != VECSXP || TYPEOF(b) != VECSXP || XLENGTH(b) <= XLENGTH(a)) return nullptr;
  for (R_xlen_t i = 0; i < XLENGTH(a); i++)
    if (!R_compute_identical(VECTOR_ELT(a, i), VECTOR_ELT(b, i), 16)) return nullptr;
  return kept;
}

// A Python exception (not an RError) takes R frames along (as `_tandem_r_frames`), for
// its trace should R code re-raise it further out; crossed_r_frames() reads them back.
static void attach_r_frames(PyObject* exc, SEXP frames) {
  py::object held = robject_new(frames);
  if (PyObject_SetAttrString(exc, "_tandem_r_frames", held.ptr()) != 0) PyErr_Clear();
}

// The R frames a Python exception (not an RError) took with it (attach_r_frames()), or
// nullptr.
static SEXP crossed_r_frames(PyObject* exc) {
  PyObject* held = PyObject_GetAttrString(exc, "_tandem_r_frames");
  if (held == nullptr) {
    PyErr_Clear();
    return nullptr;
  }
  SEXP value = robject_sexp(held);  // the RObject lives on `exc`
  Py_DECREF(held);
  if (PyErr_Occurred()) PyErr_Clear();
  return value;
}

// The R frames at the innermost R error behind `exc`: the `r_frames` of the last
// tandem.RError along its chain of causes and contexts (an R error in an R function that
// Python called, maybe several Python and R levels down), or the frames another exception
// took along (crossed_r_frames()), so that py_last_error() shows the R frames where it
// happened. nullptr if there is none.
static SEXP innermost_r_frames(PyObject* exc) {
  SEXP found = nullptr;
  PyObject* e = exc;
  for (int depth = 0; e != nullptr && e != Py_None && depth < 100; depth++) {
    if (SEXP frames = rerror_r_value(e, "r_frames")) found = frames;
    else if (SEXP crossed = crossed_r_frames(e)) found = crossed;
    PyObject* next = PyException_GetCause(e);
    if (next == nullptr) next = PyException_GetContext(e);
    if (next != nullptr) Py_DECREF(next);  // borrowed from here on: `e` owns it
    e = next;
  }
  return found;
}

// R cuts an error message after getOption("warning.length") bytes (1000 by default) when
// it signals it, silently dropping the end, where a Python message keeps what matters most
// (TensorFlow puts its curated traceback last). As reticulate (NEWS 1.25): a longer message
// keeps its first two lines, then "<...truncated...>", then as much of its end as fits
// (with 20 bytes to spare for R's "Error: " and the like).
static std::string fit_warning_length(const std::string& msg) {
  int max = Rf_asInteger(Rf_GetOption1(Rf_install("warning.length")));
  if (max == NA_INTEGER || max <= 0 || msg.size() <= (size_t)max) return msg;
  static const std::string marker = "<...truncated...>";
  size_t first = msg.find('\n');
  size_t second = first == std::string::npos ? std::string::npos : msg.find('\n', first + 1);
  std::string head = second == std::string::npos ? std::string() : msg.substr(0, second + 1);
  if (head.size() + marker.size() + 20 + 40 > (size_t)max) head.clear();  // keep some of the end
  if (marker.size() + 20 + 40 > (size_t)max) return msg;  // nothing sensible fits: R cuts it
  size_t keep = (size_t)max - head.size() - marker.size() - 20;
  size_t start = msg.size() - keep;
  while (start < msg.size() && (static_cast<unsigned char>(msg[start]) & 0xC0) == 0x80) start++;  // a whole UTF-8 char
  return head + marker + msg.substr(start);
}

SEXP py_error_to_condition(bool* interrupt) {
  *interrupt = false;
  PyObject *type, *value, *tb;
  PyErr_Fetch(&type, &value, &tb);
  if (type == nullptr) return make_r_condition("unknown Python error (no exception was set)", nullptr);
  PyErr_NormalizeException(&type, &value, &tb);
  if (tb != nullptr && value != nullptr) PyException_SetTraceback(value, tb);
  Py_XDECREF(tb);
  Py_DECREF(type);
  if (value == nullptr) return make_r_condition("unknown Python error", nullptr);
  py::object exc = py::reinterpret_steal<py::object>(value);

  if (PyErr_GivenExceptionMatches(exc.ptr(), PyExc_KeyboardInterrupt)) {
    *interrupt = true;
    return R_NilValue;
  }
  protect_scope guard;
  SEXP frames = guard(current_r_frames());
  SEXP trace_frames = frames;
  if (SEXP inner = innermost_r_frames(exc.ptr())) {
    trace_frames = guard(inner);
  } else if (SEXP kept = kept_frames_extending(frames)) {
    trace_frames = guard(kept);
    attach_r_frames(exc.ptr(), kept);
  }
  remember_error(exc.ptr(), trace_frames);

  // The exception's plain handle (converting, as reticulate makes it): the condition's
  // py_object and its py_exception field.
  SEXP h = guard(plain_handle(Py_NewRef(exc.ptr()), true));
  if (SEXP original = rerror_original(exc.ptr())) return crossed_condition(original, exc.ptr(), h, trace_frames);

  SEXP message = guard(mk_string(fit_warning_length(exception_message(exc.ptr()))));
  SEXP trace = guard(mk_string(format_traceback(exc.ptr())));
  SEXP classes = guard(exception_classes(Py_TYPE(exc.ptr())));
  SEXP call = last_call_of(frames);
  return condition_list({{"message", message}, {"call", call}, {"traceback", trace}, {"py_exception", h}}, classes, h,
                        trace_frames);
}

static SEXP list_elt(SEXP list, const char* name) {
  if (TYPEOF(list) != VECSXP) return R_NilValue;
  SEXP names = Rf_getAttrib(list, R_NamesSymbol);
  if (names == R_NilValue) return R_NilValue;
  for (R_xlen_t i = 0; i < XLENGTH(list); i++)
    if (std::strcmp(CHAR(STRING_ELT(names, i)), name) == 0) return VECTOR_ELT(list, i);
  return R_NilValue;
}

std::string condition_message(SEXP cond) {
  SEXP msg = list_elt(cond, "message");
  if (TYPEOF(msg) == STRSXP && XLENGTH(msg) > 0 && STRING_ELT(msg, 0) != NA_STRING)
    return charsxp_text(STRING_ELT(msg, 0));
  return "";
}

static std::string deparse_call(SEXP call) {
  if (call == R_NilValue) return "";
  std::string out;
  try {
    run_toplevel([&] {
      protect_scope p;
      SEXP fn = p(r_safe([&] { return Rf_lang2(Rf_install("deparse"), Rf_lang2(Rf_install("quote"), call)); }));
      SEXP lines = p(r_eval(fn, R_BaseEnv));
      for (R_xlen_t i = 0; i < XLENGTH(lines); i++) {
        if (i) out += "\n";
        out += charsxp_text(STRING_ELT(lines, i));
      }
    });
  } catch (...) {
    PyErr_Clear();
  }
  return out;
}

void raise_r_condition(SEXP cond, SEXP frames) {
  protect_scope p;  // both stay alive while the exception is made (deparse below runs R code)
  if (cond != nullptr) p(cond);
  if (frames != nullptr) p(frames);
  if (cond == R_NilValue || cond == nullptr) {
    // No calling handler saw a condition: R signals some errors (C stack overflow) to
    // exiting handlers only. R's own error buffer still has the message.
    std::string text = R_curErrorBuf();
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    if (text.rfind("Error", 0) == 0) {
      auto colon = text.find(": ");
      if (colon != std::string::npos) text = text.substr(colon + 2);
    }
    if (text.empty()) text = "R evaluation was stopped by a jump to the top level";
    PyErr_SetString(g_rerror_type ? g_rerror_type : PyExc_RuntimeError, text.c_str());
    throw py::error_already_set();
  }
  if (Rf_inherits(cond, "interrupt")) {
    PyErr_SetNone(PyExc_KeyboardInterrupt);
    throw py::error_already_set();
  }
  PyObject* original = handle_ptr(cond);  // a condition that is a Python exception
  if (original != nullptr && PyExceptionInstance_Check(original)) {
    // it keeps the R frames where R code re-raised it first (its deepest), for its trace
    if (SEXP deepest = innermost_r_frames(original)) {
      keep_rerror_frames(deepest);
    } else if (frames != R_NilValue) {
      keep_rerror_frames(frames);
      attach_r_frames(original, frames);
    }
    PyErr_SetObject((PyObject*)Py_TYPE(original), original);
    throw py::error_already_set();
  }
  std::string message = condition_message(cond);
  std::string call = deparse_call(list_elt(cond, "call"));
  SEXP klass = Rf_getAttrib(cond, R_ClassSymbol);
  py::list rclass;
  for (R_xlen_t i = 0; i < Rf_xlength(klass); i++) rclass.append(py::str(charsxp_text(STRING_ELT(klass, i))));
  py::object err_type = py::reinterpret_borrow<py::object>(g_rerror_type ? g_rerror_type : PyExc_RuntimeError);
  if (g_rerror_type) err_type = err_type.attr("_for_rclass")(py::tuple(rclass));  // tandem_value_error: ValueError too
  py::object err = err_type(py::str(message));
  if (g_rerror_type) {
    err.attr("rclass") = py::tuple(rclass);
    err.attr("call") = call.empty() ? py::object(py::none()) : py::object(py::str(call));
    err.attr("condition") = robject_new(cond);
    if (frames != R_NilValue) {
      err.attr("r_frames") = robject_new(frames);
      keep_rerror_frames(frames);
    }
  }
  PyErr_SetObject(err_type.ptr(), err.ptr());
  throw py::error_already_set();
}

PyObject* r_unwind_type() {
  static PyObject* type = nullptr;  // a type object, alive for the process (never released)
  if (type == nullptr) {
    type = PyErr_NewExceptionWithDoc(
        "tandem._core.RUnwind",
        "An R exit (a tryCatch() handler, invokeRestart(), return() from an R frame) that\n"
        "crosses Python frames. Python code unwinds (finally blocks and __exit__ run) and R\n"
        "resumes the exit where R called Python. Do not swallow it.",
        PyExc_BaseException, nullptr);
    if (type == nullptr) throw py::error_already_set();
  }
  return type;
}

void raise_r_unwind(SEXP cont, long entry) {
  py::object type = py::reinterpret_borrow<py::object>(r_unwind_type());
  py::object exc = type(py::str(
      "an R exit (a tryCatch() handler or a restart) unwinds through these Python frames to the R code that called Python"));
  exc.attr("continuation") = robject_new(cont);
  exc.attr("entry") = py::int_(entry);
  PyErr_SetObject(type.ptr(), exc.ptr());
  throw py::error_already_set();
}

SEXP r_unwind_continuation(PyObject* exc, long entry) {
  if (exc == nullptr || !PyObject_TypeCheck(exc, (PyTypeObject*)r_unwind_type())) return nullptr;
  PyObject* id = PyObject_GetAttrString(exc, "entry");
  long got = id ? PyLong_AsLong(id) : -1;
  Py_XDECREF(id);
  PyObject* cont = PyObject_GetAttrString(exc, "continuation");
  SEXP out = cont ? robject_sexp(cont) : nullptr;
  Py_XDECREF(cont);
  if (PyErr_Occurred()) PyErr_Clear();
  return got == entry ? out : nullptr;
}

void emit_r_warnings(SEXP warnings) {
  std::vector<std::string> msgs;
  for (SEXP w = warnings; w != R_NilValue; w = CDR(w)) msgs.push_back(condition_message(CAR(w)));
  for (auto it = msgs.rbegin(); it != msgs.rend(); ++it) {
    if (PyErr_WarnEx(g_rwarning_type ? g_rwarning_type : PyExc_RuntimeWarning, it->c_str(), 1) < 0)
      throw py::error_already_set();
  }
}

void set_last_py_error(PyObject* exc, SEXP frames) {
  protect_scope p;
  if (frames == R_NilValue) frames = r_alloc(VECSXP, 0);
  remember_error(exc, p(frames));
}

SEXP last_py_error(bool clear) {
  if (clear) {
    Py_CLEAR(g_last_exc);
    if (g_last_r_frames != nullptr) R_ReleaseObject(g_last_r_frames);
    g_last_r_frames = nullptr;
    return R_NilValue;
  }
  if (g_last_exc == nullptr) return R_NilValue;
  protect_scope p;
  SEXP value_handle = p(wrap_handle(Py_NewRef(g_last_exc), true));
  SEXP frames = g_last_r_frames != nullptr ? g_last_r_frames : R_NilValue;
  return r_safe([&] {
    SEXP res = PROTECT(Rf_allocVector(VECSXP, 2));
    SET_VECTOR_ELT(res, 0, value_handle);
    SET_VECTOR_ELT(res, 1, frames);
    SEXP names = PROTECT(Rf_allocVector(STRSXP, 2));
    SET_STRING_ELT(names, 0, Rf_mkChar("exception"));
    SET_STRING_ELT(names, 1, Rf_mkChar("r_frames"));
    Rf_setAttrib(res, R_NamesSymbol, names);
    UNPROTECT(2);
    return res;
  });
}

}  // namespace tandem
