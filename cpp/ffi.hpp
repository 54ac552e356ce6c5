// ffi.hpp: the guard shared by every R entry point (.Call/.External into the core).
// Catch, let C++ unwind, then raise the R condition; the GIL is held inside.
#pragma once

#include "common.hpp"
#include "error.hpp"
#include "handle.hpp"
#include "rsafe.hpp"
#include "sigint.hpp"

namespace tandem {

// Converts the exception being handled into an R condition (or an unwind token /
// interrupt). Never throws.
SEXP current_exception_to_condition(SEXP* token, bool* interrupt) noexcept;
// Continues an R unwind, raises an R interrupt, or signals cond. Never returns.
[[noreturn]] void raise_in_r(SEXP token, SEXP cond, bool interrupt);
// Raises an R error if Python is not running in this process.
void require_python();

struct gil_acquire {
  PyGILState_STATE state;
  gil_acquire() : state(PyGILState_Ensure()) {}
  ~gil_acquire() { PyGILState_Release(state); }
  gil_acquire(const gil_acquire&) = delete;
};

// Thread safety: R main thread (R calls .Call there).
template <typename F>
SEXP r_entry(F&& body) {
  require_python();
  SEXP token = nullptr, cond = nullptr, out = nullptr;
  bool interrupt = false, ok = false;
  {
    gil_acquire gil;
    runs_scope runs(RUNS_PYTHON);
    entry_scope entry;  // R code that Python calls back runs in place (rsafe.hpp)
    drain_pending_releases();
    try {
      out = body();
      count_unseen_memory(out);  // body's own references are gone: a fresh result has one
      ok = true;
    } catch (...) {
      cond = current_exception_to_condition(&token, &interrupt);
    }
  }
  if (g_console_pending) flush_console_pending();  // before R goes on (and prints)
  if (g_entry_id == 0) forget_rerror_frames();  // the outermost entry ended
  if (ok) {
    if (unseen_memory_due()) {  // handles hold much Python memory: let R free the unreachable ones
      PROTECT(out);
      collect_unseen_memory();
      UNPROTECT(1);
    }
    return out;
  }
  raise_in_r(token, cond, interrupt);
}

}  // namespace tandem
