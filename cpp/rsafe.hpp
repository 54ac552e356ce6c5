// rsafe.hpp: the R boundary: no R longjmp ever crosses a C++ frame.
// R calls that can error run in r_safe(); entries from Python run R under run_toplevel().
#pragma once

#include "common.hpp"

#include <csetjmp>
#include <exception>

namespace tandem {

// An R longjmp intercepted by r_safe(). The entry point that catches it continues the
// jump with R_ContinueUnwind(token) once every C++ destructor has run.
struct r_unwind_exception {
  SEXP token;
};

SEXP unwind_token();

// Runs `code` (returning SEXP) so that an R error inside it becomes r_unwind_exception.
// Thread safety: R main thread only.
template <typename F>
SEXP r_safe(F&& code) {
  SEXP token = unwind_token();
  std::jmp_buf jmpbuf;
  if (setjmp(jmpbuf)) {
    throw r_unwind_exception{token};
  }
  SEXP res = R_UnwindProtect(
      [](void* data) -> SEXP {
        auto* c = static_cast<std::remove_reference_t<F>*>(data);
        return (*c)();
      },
      &code,
      [](void* jb, Rboolean jump) {
        if (jump == TRUE) std::longjmp(*static_cast<std::jmp_buf*>(jb), 1);
      },
      &jmpbuf, token);
  SETCAR(token, R_NilValue);
  return res;
}

inline SEXP r_eval(SEXP expr, SEXP env) {
  return r_safe([&] { return Rf_eval(expr, env); });
}
inline SEXP r_alloc(SEXPTYPE type, R_xlen_t n) {
  return r_safe([&] { return Rf_allocVector(type, n); });
}

// PROTECTs made through a scope are released when it ends, also when an exception passes.
class protect_scope {
 public:
  protect_scope() = default;
  protect_scope(const protect_scope&) = delete;
  ~protect_scope() {
    if (n_) UNPROTECT(n_);
  }
  SEXP operator()(SEXP x) {
    PROTECT(x);
    ++n_;
    return x;
  }

 private:
  int n_ = 0;
};

// O(1) preserve list (a doubly linked pairlist, as in cpp11). insert returns the cell.
SEXP preserve_insert(SEXP x);
void preserve_release(SEXP cell);
// How many R objects the preserve list holds for Python (for tests and leak checks).
extern long g_preserved_count;
// Releases requested from threads other than R's; drained on R's thread.
void preserve_release_later(SEXP cell);
void drain_pending_releases();

// An owning reference to an R object. Move: the new object owns the cell, the old none.
class r_object {
 public:
  r_object() = default;
  explicit r_object(SEXP x) : obj_(x), cell_(preserve_insert(x)) {}
  r_object(const r_object&) = delete;
  r_object& operator=(const r_object&) = delete;
  r_object(r_object&& o) noexcept : obj_(o.obj_), cell_(o.cell_) { o.obj_ = o.cell_ = nullptr; }
  ~r_object() { reset(); }
  void reset();
  SEXP get() const { return obj_ ? obj_ : R_NilValue; }

 private:
  SEXP obj_ = nullptr;
  SEXP cell_ = nullptr;
};

// Entries from Python into R. Runs fn under R_ToplevelExec with tandem's calling
// handlers (error, interrupt, warning); an R error, interrupt or C++ exception inside
// comes out as a C++ exception (py::error_already_set for R conditions).
// Thread safety: R main thread only, GIL held.
void run_toplevel_impl(void (*invoke)(void*), void* fn);
template <typename F>
void run_toplevel(F&& fn) {
  run_toplevel_impl([](void* f) { (*static_cast<std::remove_reference_t<F>*>(f))(); }, &fn);
}
// Depth of run_toplevel nesting on R's thread (0: R is idle or R hosts at its prompt).
extern int g_toplevel_depth;

// R -> Python entries (ffi.hpp's r_entry) open on R's thread. While one is open, R code
// that Python calls runs in place: it sees the condition handlers and restarts of the R
// code that called Python, and an exit to them (tryCatch(), invokeRestart()) unwinds the
// Python frames as a Python exception (error.hpp's raise_r_unwind) that the entry turns
// back into the same R jump. Otherwise (Python hosts, or R's thread runs a call queued by
// another thread) R runs under R_ToplevelExec with tandem's handlers only.
// g_entry_id: the innermost open entry, 0 for none. Thread safety: R main thread.
extern long g_entry_id;
// The entry whose handler stack tandem keeps for its callbacks (rsafe.cpp), -1 for none;
// forget_entry_handlers() lets go of that stack (and of the R handlers in it).
extern long g_handlers_entry_id;
void forget_entry_handlers();
struct entry_scope {
  long saved;
  // isolate: R's thread starts unrelated work (a queued call): no entry is open for it.
  explicit entry_scope(bool isolate = false);
  ~entry_scope() {
    if (g_handlers_entry_id == g_entry_id) forget_entry_handlers();
    g_entry_id = saved;
  }
  entry_scope(const entry_scope&) = delete;
};

// Set up the condition handlers (called once R is running).
void init_toplevel_handlers();

// Python's output under an R host (write_to_r_console, rsession.hpp) is held back after its
// last line end, so that whole lines reach R's console in one write (print() writes its
// text and its newline separately): what is held is written when Python flushes, when a
// call from R returns, and when Python calls R. g_console_pending: something is held.
// Thread safety: R main thread.
extern bool g_console_pending;
void flush_console_pending();

// A value to place into a call as an argument: what R would evaluate (language objects,
// symbols, promises, a `...` object, byte code) is wrapped in quote(), so R does not
// evaluate it again; other values as they are.
SEXP as_call_argument(SEXP v);

// A NativeSymbol external pointer that .Call/.External accept.
SEXP native_symbol(DL_FUNC fn);
// An entry point as R's generic DL_FUNC (through void (*)(), the cast C and GCC allow).
template <typename F>
DL_FUNC as_dl_func(F* fn) {
  return reinterpret_cast<DL_FUNC>(reinterpret_cast<void (*)()>(fn));
}

}  // namespace tandem
