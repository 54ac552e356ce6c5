// embed.cpp: starting or attaching to the other language: R hosts Python (.Call from the R
// package) and Python hosts R (tandem.r); console output is routed to the host's streams.
#include <dlfcn.h>
#include <unistd.h>
#include <sys/resource.h>

#include <cstdlib>
#include <cstring>

#define R_INTERFACE_PTRS
#include <Rembedded.h>
#include <Rinterface.h>
#include <R_ext/eventloop.h>

#include "common.hpp"
#include "convert.hpp"
#include "error.hpp"
#include "ffi.hpp"
#include "rsafe.hpp"
#include "sigint.hpp"
#include "threads.hpp"

namespace tandem {

host_kind g_host = host_kind::none;
std::thread::id g_r_thread;
bool g_r_thread_known = false;
bool g_module_initialized = false;  // set by PYBIND11_MODULE in this copy of the core

static void set_r_thread() {
  g_r_thread = std::this_thread::get_id();
  g_r_thread_known = true;
}

std::string core_path() {
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(&core_path), &info) && info.dli_fname) return info.dli_fname;
  return "";
}

static void detect_native_encoding() {
  // l10n_info()$`UTF-8`: R's own answer (known_to_be_utf8 is not API).
  SEXP call = PROTECT(Rf_lang1(Rf_install("l10n_info")));
  SEXP info = PROTECT(Rf_eval(call, R_BaseEnv));
  SEXP names = Rf_getAttrib(info, R_NamesSymbol);
  for (R_xlen_t i = 0; i < XLENGTH(info); i++)
    if (std::strcmp(CHAR(STRING_ELT(names, i)), "UTF-8") == 0) g_native_utf8 = LOGICAL(VECTOR_ELT(info, i))[0] != 0;
  UNPROTECT(2);
}

// ---- console ----------------------------------------------------------------------
// R output under a Python host goes to sys.stdout / sys.stderr.
static void write_console_to_python(const char* buf, int len, int otype) {
  if (python_unusable()) {
    std::fwrite(buf, 1, len, otype ? stderr : stdout);
    return;
  }
  PyGILState_STATE s = PyGILState_Ensure();
  PyObject* f = PySys_GetObject(otype ? "stderr" : "stdout");  // borrowed
  bool written = false;
  if (f != nullptr && f != Py_None) {
    PyObject* text = PyUnicode_DecodeUTF8(buf, len, "replace");
    if (text != nullptr) {
      PyObject* r = PyObject_CallMethod(f, "write", "O", text);
      written = r != nullptr;
      Py_XDECREF(r);
      Py_DECREF(text);
    }
    if (!written) PyErr_Clear();
  }
  if (!written) std::fwrite(buf, 1, len, otype ? stderr : stdout);
  PyGILState_Release(s);
}

static void flush_console_to_python() {
  if (python_unusable()) return;
  PyGILState_STATE s = PyGILState_Ensure();
  for (const char* name : {"stdout", "stderr"}) {
    PyObject* f = PySys_GetObject(name);
    if (f != nullptr && f != Py_None) {
      PyObject* r = PyObject_CallMethod(f, "flush", nullptr);
      if (r == nullptr) PyErr_Clear();
      Py_XDECREF(r);
    }
  }
  PyGILState_Release(s);
}

struct console_text {
  const char* s;
  Py_ssize_t n;
  bool err;
};

static void emit_to_r_console(const char* s, size_t n, bool err) {
  console_text t{s, (Py_ssize_t)n, err};
  R_ToplevelExec(
      [](void* d) {
        auto* t = static_cast<console_text*>(d);
        if (t->err)
          REprintf("%.*s", (int)t->n, t->s);
        else
          Rprintf("%.*s", (int)t->n, t->s);
      },
      &t);
}

// Held text per stream (rsafe.hpp): [0] stdout, [1] stderr.
bool g_console_pending = false;
static std::string g_console_held[2];

// Writes what stream k (1: stderr) holds.
static void emit_held(int k) {
  if (g_console_held[k].empty()) return;
  std::string text;
  text.swap(g_console_held[k]);  // emptied first: R's console may run code that writes again
  emit_to_r_console(text.data(), text.size(), k == 1);
}

void flush_console_pending() {
  if (!g_console_pending || !on_r_thread()) return;
  g_console_pending = false;
  emit_held(0);
  emit_held(1);
}

// Python output under an R host goes through R's console (so sink() and capture.output()
// see it), whole lines at a time (see flush_console_pending()). Off R's thread it goes to
// the process' own stdout/stderr.
void write_to_r_console(const std::string& text, bool err) {
  if (!on_r_thread()) {
    std::fwrite(text.data(), 1, text.size(), err ? stderr : stdout);
    std::fflush(err ? stderr : stdout);
    return;
  }
  py::gil_scoped_release nogil;
  emit_held(err ? 0 : 1);  // the other stream's held text first: stdout and stderr keep their order
  std::string& held = g_console_held[err ? 1 : 0];
  held += text;
  size_t end = held.find_last_of("\n\r");
  if (end != std::string::npos || held.size() >= 8192) {
    size_t n = end != std::string::npos ? end + 1 : held.size();
    std::string out = held.substr(0, n);
    held.erase(0, n);
    emit_to_r_console(out.data(), out.size(), err);
  }
  g_console_pending = !g_console_held[0].empty() || !g_console_held[1].empty();
}

// ---- exit ---------------------------------------------------------------------------
// R's exit (quit(), the end of Rscript) runs R's exit finalizers: calls queued by other
// threads fail at once (their threads get a Python RuntimeError instead of waiting on an
// R that is gone), and when R hosts, Python is finalized so that its atexit handlers and
// object finalizers run (Py_FinalizeEx first waits for non-daemon threads, as Python's
// own exit does; daemon threads stop when they next need the GIL).
static void at_r_exit(SEXP) {
  int failed = shutdown_r_queue();
  flush_console_pending();
  if (g_host != host_kind::r_hosts || !Py_IsInitialized() || _Py_IsFinalizing()) return;
  // Let the threads whose calls failed raise their RuntimeError (they need the GIL,
  // which R's thread does not hold here) before finalization stops them.
  if (failed > 0) usleep(50000);
  if (std::getenv("TANDEM_NO_PYTHON_FINALIZE") != nullptr) return;
  flush_console_to_python();
  PyGILState_Ensure();
  runs_scope runs(RUNS_PYTHON);
  Py_FinalizeEx();  // the thread state is gone with the interpreter: nothing to release
}

static void register_exit_hook() {
  static bool done = false;
  if (done) return;
  done = true;
  SEXP anchor = PROTECT(R_NewEnv(R_EmptyEnv, FALSE, 0));
  R_PreserveObject(anchor);
  R_RegisterCFinalizerEx(anchor, at_r_exit, TRUE);
  UNPROTECT(1);
}

// ---- Python hosts R -----------------------------------------------------------------
extern "C" uintptr_t R_CStackLimit;

static bool r_is_running() { return R_GlobalEnv != nullptr && R_GlobalEnv != R_NilValue; }

void start_r(bool interactive, const std::string& python_exe) {
  if (g_host == host_kind::r_hosts || g_host == host_kind::python_hosts) return;
  if (r_is_running()) {
    // Someone else (rpy2) started R in this process: attach, and undo what hurts.
    if (R_CStackLimit == (uintptr_t)-1) {
      struct rlimit rl;
      // 95% as setup_Rmainloop() sets it: R's overflow handling needs the rest.
      if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        R_CStackLimit = (uintptr_t)(0.95 * (double)rl.rlim_cur);
    }
    ptr_R_ProcessEvents = nullptr;  // rpy2's hook calls into Python every ~1000 R steps
  } else {
    if (std::getenv("R_HOME") == nullptr) setenv("R_HOME", TANDEM_R_HOME, 1);
    R_SignalHandlers = 0;
    const char* argv[] = {"tandem", "--quiet", "--no-save", "--no-restore", "--no-readline"};
    Rf_initialize_R(5, const_cast<char**>(argv));
    R_Interactive = interactive ? TRUE : FALSE;
    R_Outputfile = nullptr;
    R_Consolefile = nullptr;
    ptr_R_WriteConsole = nullptr;
    ptr_R_WriteConsoleEx = write_console_to_python;
    ptr_R_FlushConsole = flush_console_to_python;
    setup_Rmainloop();
  }
  g_host = host_kind::python_hosts;
  g_runs = RUNS_PYTHON;
  set_r_thread();
  // For library(tandem) in this R (attach to this core) and for rpy2 (R is running):
  // both compare the PID, so child processes that inherit the variables ignore them.
  std::string pid = std::to_string(getpid());
  setenv("TANDEM_CORE_PATH", core_path().c_str(), 1);
  setenv("TANDEM_PYTHON", python_exe.c_str(), 1);
  setenv("TANDEM_HOST_PID", pid.c_str(), 1);
  setenv("R_SESSION_INITIALIZED", ("PID=" + pid + ":NAME=tandem").c_str(), 1);
  init_toplevel_handlers();
  detect_native_encoding();
  install_sigint_handler();
  install_r_services();
  register_exit_hook();
}

bool r_started() { return g_host != host_kind::none && g_r_thread_known; }



}  // namespace tandem

using namespace tandem;

extern "C" SEXP tandem_symbols();

// ---- R hosts Python -----------------------------------------------------------------
// .Call from the R package after dyn.load(libpython, local = FALSE) and dyn.load(core).
// Starts Python with `python` as its executable (so a venv's site-packages are seen), or
// attaches to the Python already in the process. Returns the entry points.
extern "C" __attribute__((visibility("default"))) SEXP tandem_init_python(SEXP python) {
  if (TYPEOF(python) != STRSXP || XLENGTH(python) != 1) Rf_error("`python` must be a single string");
  std::string exe = CHAR(STRING_ELT(python, 0));
  std::string failure;
  if (!Py_IsInitialized()) {
    PyConfig config;
    PyConfig_InitPythonConfig(&config);
    config.install_signal_handlers = 0;
    config.parse_argv = 0;
    PyStatus status = PyConfig_SetBytesString(&config, &config.program_name, exe.c_str());
    if (!PyStatus_Exception(status)) {
      wchar_t empty[] = L"";
      wchar_t* argv[] = {empty};
      status = PyConfig_SetArgv(&config, 1, argv);
    }
    if (!PyStatus_Exception(status)) status = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(status))
      Rf_error("could not start Python '%s': %s", exe.c_str(), status.err_msg ? status.err_msg : "unknown error");
    g_host = host_kind::r_hosts;
    set_r_thread();
    g_runs = RUNS_R;
    // Holding the GIL (Py_Initialize took it). Import the core so its module init runs
    // in this copy, then route output and Ctrl-C.
    PyObject* boot = PyImport_ImportModule("tandem._bootstrap");
    if (boot == nullptr) {
      PyObject *t, *v, *tb;
      PyErr_Fetch(&t, &v, &tb);
      PyObject* s = v ? PyObject_Str(v) : nullptr;
      failure = std::string("Python '") + exe + "' started, but `import tandem` failed: " +
                (s ? PyUnicode_AsUTF8(s) : "unknown error") +
                ". Install tandem into that Python (pip install <tandem checkout>) or set TANDEM_PYTHON.";
      Py_XDECREF(s);
      Py_XDECREF(t);
      Py_XDECREF(v);
      Py_XDECREF(tb);
      PyErr_Clear();
    } else {
      PyObject* r = PyObject_CallMethod(boot, "r_hosts", nullptr);
      if (r == nullptr) {
        PyErr_Print();
        failure = "tandem's Python-side setup failed (see the traceback above)";
      }
      Py_XDECREF(r);
      Py_DECREF(boot);
    }
    install_sigint_handler();
    install_sigpipe_handler();
    install_r_services();
    register_exit_hook();
    PyEval_SaveThread();  // R idles without the GIL
    if (!failure.empty()) Rf_error("%s", failure.c_str());
  } else {
    if (g_host == host_kind::none) {
      // Python was started by another library (not tandem): make sure it uses this copy.
      PyGILState_STATE s = PyGILState_Ensure();
      PyObject* m = PyImport_ImportModule("tandem._core");
      if (m == nullptr) PyErr_Clear();
      Py_XDECREF(m);
      PyGILState_Release(s);
      if (!g_module_initialized)
        Rf_error("Python is already running in this process (started by another package) and its "
                 "`tandem._core` is not the copy at %s. Start R without the other package, or point "
                 "TANDEM_PYTHON at that Python.",
                 core_path().c_str());
      g_host = host_kind::r_hosts;
      set_r_thread();
    }
  }
  if (g_host == host_kind::r_hosts)
    setenv("R_SESSION_INITIALIZED", ("PID=" + std::to_string(getpid()) + ":NAME=tandem").c_str(), 1);
  detect_native_encoding();
  return tandem_symbols();
}
