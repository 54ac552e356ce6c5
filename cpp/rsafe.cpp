// rsafe.cpp: the R boundary: unwind tokens, the preserve list, top-level execution.
// Every jump R makes out of code that tandem called ends in one of the guards here.
#include "rsafe.hpp"

#include <cstring>
#include <mutex>
#include <vector>

#include "error.hpp"

// libR exports the closure flag that keeps R's JIT compiler away from a function (Defn.h;
// not in the public headers).
extern "C" void SET_NOJIT(SEXP x);

namespace tandem {

int g_toplevel_depth = 0;
long g_entry_id = 0;
static long g_entry_serial = 0;

entry_scope::entry_scope(bool isolate) : saved(g_entry_id) { g_entry_id = isolate ? 0 : ++g_entry_serial; }

SEXP unwind_token() {
  static SEXP token = nullptr;
  if (token == nullptr) {
    token = R_MakeUnwindCont();
    R_PreserveObject(token);
  }
  return token;
}

// --- preserve list ---------------------------------------------------------------
// Cells: CAR = previous, CDR = next, TAG = the protected value. Head and tail are
// sentinels, so insertion and release never test for the ends.
static SEXP preserve_head() {
  static SEXP head = nullptr;
  if (head == nullptr) {
    head = Rf_cons(R_NilValue, Rf_cons(R_NilValue, R_NilValue));
    R_PreserveObject(head);
    SETCAR(CDR(head), head);
  }
  return head;
}

long g_preserved_count = 0;

SEXP preserve_insert(SEXP x) {
  TANDEM_ASSERT_R_THREAD();
  if (x == R_NilValue) return R_NilValue;
  ++g_preserved_count;
  SEXP head = preserve_head();
  SEXP next = CDR(head);
  SEXP cell = r_safe([&] { return Rf_cons(head, next); });
  SET_TAG(cell, x);
  SETCDR(head, cell);
  SETCAR(next, cell);
  return cell;
}

void preserve_release(SEXP cell) {
  TANDEM_ASSERT_R_THREAD();
  if (cell == R_NilValue || cell == nullptr) return;
  --g_preserved_count;
  SEXP prev = CAR(cell);
  SEXP next = CDR(cell);
  SETCDR(prev, next);
  SETCAR(next, prev);
  SET_TAG(cell, R_NilValue);
}

static std::mutex g_pending_mutex;
static std::vector<SEXP> g_pending_releases;
static bool g_any_pending = false;

void preserve_release_later(SEXP cell) {
  std::lock_guard<std::mutex> lock(g_pending_mutex);
  g_pending_releases.push_back(cell);
  g_any_pending = true;
}

void drain_pending_releases() {
  if (!g_any_pending) return;
  std::vector<SEXP> cells;
  {
    std::lock_guard<std::mutex> lock(g_pending_mutex);
    cells.swap(g_pending_releases);
    g_any_pending = false;
  }
  for (SEXP c : cells) preserve_release(c);
}

void r_object::reset() {
  if (cell_ != nullptr) {
    if (on_r_thread())
      preserve_release(cell_);
    else
      preserve_release_later(cell_);
  }
  obj_ = cell_ = nullptr;
}

SEXP as_call_argument(SEXP v) {
  switch (TYPEOF(v)) {
    case SYMSXP:
    case LANGSXP:
    case PROMSXP:
    case DOTSXP:    // evaluating it is R's "'...' used in an incorrect context"
    case BCODESXP:  // evaluating it runs it
      return r_safe([&] { return Rf_lang2(R_QuoteSymbol, v); });
    default:
      return v;
  }
}

SEXP native_symbol(DL_FUNC fn) {
  return R_MakeExternalPtrFn(fn, Rf_install("native symbol"), R_NilValue);
}

// --- top-level execution ---------------------------------------------------------
// Slot 0: the error or interrupt condition of the innermost top-level call;
// slot 1: a pairlist of warnings (newest first).
static SEXP g_slots = nullptr;
static SEXP g_handler_call = nullptr;    // entries from Python at R's top level: sets tandem's handlers
static SEXP g_inplace_runner = nullptr;  // error and interrupt only: warnings go on to R's handlers

extern "C" SEXP tandem_record_condition(SEXP cond, SEXP kind, SEXP frames) {
  if (Rf_asInteger(kind) == 1) {
    SET_VECTOR_ELT(g_slots, 0, cond);
    SET_VECTOR_ELT(g_slots, 2, frames);
  } else {
    SET_VECTOR_ELT(g_slots, 1, Rf_cons(cond, VECTOR_ELT(g_slots, 1)));
  }
  return R_NilValue;
}

namespace {
struct toplevel_frame {
  void (*invoke)(void*);
  void* fn;
  std::exception_ptr exc;
  SEXP handlers;  // top level: the call that sets tandem's handlers
};
}  // namespace

static SEXP g_inplace_handler_call = nullptr;  // in place: sets tandem's handlers
static SEXP g_abort_restart = nullptr;        // in place: the "abort" restart (its exit set per entry)
static SEXP g_add_restart_call = nullptr;     // .Internal(.addRestart(g_abort_restart))
static SEXP g_runner_call = nullptr;          // (runner)()
static SEXP g_current_handlers_call = nullptr;  // the handler stack as it is, changed in nothing
static SEXP g_reset_handlers_call = nullptr;    // .Internal(.resetCondHands(<stack>)), its stack per entry
static SEXP g_handler_entries[2] = {nullptr, nullptr};  // made by g_inplace_handler_call once
static std::vector<toplevel_frame*> g_frames;  // in-place entries under way, innermost last

// The runner's value when the entry's code ran to its end (a symbol: never a restart's
// arguments, which are a list, or NULL when R's error handling invoked the restart).
static SEXP entry_done() {
  static SEXP done = Rf_install("tandem.entry.done");
  return done;
}

// The C++ code of an entry in place, called by the runner closure (below) through
// .External2, which gives the closure's environment: tandem's handlers and an "abort"
// restart that exits to that environment's frame are set first. They stay set until the
// closure returns (R restores its handler and restart stacks when a closure's context
// ends). One restart object serves every entry: each sets its exit and restores the
// outer entry's when it ends (entries nest), which keeps a callback fast.
// Runs the entry's C++ code: an R jump that crossed it (caught as r_unwind_exception)
// continues once the C++ frames are gone; any other exception is kept for the entry.
static void invoke_frame(toplevel_frame* f) {
  SEXP token = nullptr;
  try {
    f->invoke(f->fn);
  } catch (r_unwind_exception& u) {
    token = u.token;
  } catch (...) {
    f->exc = std::current_exception();
  }
  if (token != nullptr) R_ContinueUnwind(token);
}

// Sets tandem's in-place handlers (error and interrupt) on R's handler stack, as
// g_inplace_handler_call does, for less: R's .addCondHands() makes new entries each time
// (10 allocations, ~0.5 us a callback). The handler stack a callback starts with is the
// one its R -> Python entry started with (every R evaluation in between ends in a context
// that restores it), so the stack with tandem's entries on top is built once per entry,
// from entries made once by R itself, and set with .resetCondHands().
long g_handlers_entry_id = -1;  // the entry g_reset_handlers_call's stack was built for

// The entry ended: its stack goes, so that the handlers in it (R closures, and what their
// environments hold) are not kept alive until the next entry's first callback.
void forget_entry_handlers() {
  SETCAR(CDR(CADR(g_reset_handlers_call)), R_NilValue);
  g_handlers_entry_id = -1;
}

// .Internal(<name>(arg))
static SEXP internal_call(const char* name, SEXP arg) {
  SEXP inner = PROTECT(Rf_lang2(Rf_install(name), arg));
  SEXP call = Rf_lang2(Rf_install(".Internal"), inner);
  UNPROTECT(1);
  return call;
}

// The handler stack `below` with entries[0..n-1] on top, entries[0] first (the order
// .addCondHands() gives its classes).
static SEXP push_entries(const SEXP* entries, int n, SEXP below) {
  PROTECT_INDEX ipx;
  SEXP stack = below;
  PROTECT_WITH_INDEX(stack, &ipx);
  for (int i = n - 1; i >= 0; i--) REPROTECT(stack = Rf_cons(entries[i], stack), ipx);
  UNPROTECT(1);
  return stack;
}

static void set_inplace_handlers() {
  if (g_handler_entries[0] == nullptr) {
    Rf_eval(g_inplace_handler_call, R_BaseEnv);
    return;
  }
  SEXP stack_arg = CDR(CADR(g_reset_handlers_call));
  if (g_handlers_entry_id != g_entry_id) {
    SEXP outer = PROTECT(Rf_eval(g_current_handlers_call, R_BaseEnv));
    SETCAR(stack_arg, push_entries(g_handler_entries, 2, outer));
    UNPROTECT(1);
    g_handlers_entry_id = g_entry_id;
  }
  Rf_eval(g_reset_handlers_call, R_BaseEnv);
}

extern "C" SEXP tandem_run_frame(SEXP, SEXP, SEXP, SEXP env) {
  toplevel_frame* f = g_frames.back();
  set_inplace_handlers();
  SET_VECTOR_ELT(g_abort_restart, 1, env);
  Rf_eval(g_add_restart_call, R_BaseEnv);
  invoke_frame(f);
  return entry_done();
}

// tandem's handler entries as R made them (`entries`: a list, the top of the handler stack
// that .addCondHands() made, NULL without .resetCondHands(); only the entries, as the rest
// of that stack is the handlers of whatever R code ran when tandem started, which must not
// be kept alive): R 4's layout, a list of 5, class first, flagged as calling. Anything else
// (another R) is false, out is left as it is, and .addCondHands() runs per entry instead.
static bool handler_entries(SEXP entries, const char* const* classes, SEXP* out, int n) {
  if (TYPEOF(entries) != VECSXP || XLENGTH(entries) != n) return false;
  for (int i = 0; i < n; i++) {
    SEXP e = VECTOR_ELT(entries, i);
    if (TYPEOF(e) != VECSXP || XLENGTH(e) != 5 || TYPEOF(VECTOR_ELT(e, 0)) != CHARSXP ||
        std::strcmp(CHAR(VECTOR_ELT(e, 0)), classes[i]) != 0 || LEVELS(e) == 0)
      return false;
  }
  for (int i = 0; i < n; i++) out[i] = VECTOR_ELT(entries, i);
  return true;
}

// Every entry from Python sets tandem's calling handlers: an error or interrupt is
// recorded, then unwinds with the "abort" restart. An entry while R called Python (in
// place) runs its R code inside a runner closure that also sets its own "abort" restart,
// as reticulate does around R functions that Python calls: invokeRestart("abort") in
// such code stops that code only and becomes a Python exception ("R evaluation aborted",
// or the condition given to the restart), instead of a jump to R's top level through the
// Python frames. The runner returns entry_done() when the code ran to its end, the
// restart's arguments (a list) when the restart was invoked, and NULL when R's error
// handling invoked it (no calling handler). At R's top level (Python hosts R) the abort
// restart is R's own, caught by R_ToplevelExec: there the code may run inside R's polled
// events, in byte code, where a closure context in between crashed R (R_ENABLE_JIT=3).
void init_toplevel_handlers() {
  if (g_handler_call != nullptr) return;
  g_slots = Rf_allocVector(VECSXP, 3);  // slot 2: the R frames on the stack at the error
  R_PreserveObject(g_slots);
  const char* code =
      "function(rec, in_place, frames, run) {\n"
      "  on_error <- function(cond) { .Call(rec, cond, 1L, frames()); invokeRestart('abort') }\n"
      "  on_warning <- function(cond) { .Call(rec, cond, 2L, NULL); invokeRestart('muffleWarning') }\n"
      "  if (in_place) { classes <- c('error', 'interrupt'); handlers <- list(on_error, on_error) }\n"
      "  else { classes <- c('error', 'interrupt', 'warning'); handlers <- list(on_error, on_error, on_warning) }\n"
      "  hands <- as.call(list(as.name('.Internal'), as.call(list(as.name('.addCondHands'),\n"
      "    classes, handlers, globalenv(), NULL, TRUE))))\n"
      "  current <- quote(.Internal(.addCondHands(character(0), list(), globalenv(), NULL, TRUE)))\n"
      "  push <- function() NULL\n"
      "  body(push) <- call('{', hands, current)\n"
      "  entries <- if ('.resetCondHands' %in% builtins(TRUE)) as.list(push())[seq_along(classes)]\n"
      "  if (is.null(run)) return(list(hands, entries))\n"
      "  restart <- structure(list(name = 'abort', exit = NULL, handler = function(...) NULL,\n"
      "    description = '', test = function(c) TRUE, interactive = TRUE), class = 'restart')\n"
      "  list(hands, restart, structure(function() .External2(run), tandem_runner = TRUE), current, entries)\n"
      "}";
  ParseStatus status;
  SEXP text = PROTECT(Rf_mkString(code));
  SEXP parsed = PROTECT(R_ParseVector(text, -1, &status, R_NilValue));
  if (status != PARSE_OK) Rf_error("tandem internal error (rsafe.cpp): handler code does not parse");
  SEXP maker = PROTECT(Rf_eval(VECTOR_ELT(parsed, 0), R_BaseEnv));
  SEXP frames = r_frames_function();  // preserved
  SEXP rec = PROTECT(native_symbol(as_dl_func(tandem_record_condition)));
  SEXP run = PROTECT(native_symbol(as_dl_func(tandem_run_frame)));
  SEXP no = PROTECT(Rf_ScalarLogical(0));
  SEXP call = PROTECT(Rf_lang5(maker, rec, no, frames, R_NilValue));
  SEXP handlers = Rf_eval(call, R_BaseEnv);
  R_PreserveObject(handlers);
  // R_ToplevelExec() starts R's handler stack empty: there tandem's entries alone are the
  // stack, the same for every entry
  static const char* const top_classes[] = {"error", "interrupt", "warning"};
  SEXP top_entries[3];
  SEXP top_call = VECTOR_ELT(handlers, 0);
  if (handler_entries(VECTOR_ELT(handlers, 1), top_classes, top_entries, 3)) {
    top_call = internal_call(".resetCondHands", PROTECT(push_entries(top_entries, 3, R_NilValue)));
    UNPROTECT(1);
  }
  R_PreserveObject(top_call);
  SETCADDR(call, Rf_ScalarLogical(1));
  SETCADDDR(CDR(call), run);
  SEXP in_place = Rf_eval(call, R_BaseEnv);
  R_PreserveObject(in_place);
  g_inplace_handler_call = VECTOR_ELT(in_place, 0);
  g_abort_restart = VECTOR_ELT(in_place, 1);
  g_inplace_runner = VECTOR_ELT(in_place, 2);
  g_current_handlers_call = VECTOR_ELT(in_place, 3);
  static const char* const in_place_classes[] = {"error", "interrupt"};
  handler_entries(VECTOR_ELT(in_place, 4), in_place_classes, g_handler_entries, 2);
  g_reset_handlers_call = internal_call(".resetCondHands", R_NilValue);
  R_PreserveObject(g_reset_handlers_call);
  // Not byte code: the maker ran compiled (R's JIT), so the runner it made had a compiled
  // body, and a byte-code frame per callback cost so much C stack that R -> Python -> R
  // nesting stopped near 175 levels deep instead of about 290 ("C stack nearly full"). Its
  // body as a plain call, kept from the JIT, has a small frame. The call holds the
  // .External2 primitive itself and the runner's environment is base: no name is looked up
  // per callback (looking up `.External2` through the maker's frame cost ~0.1 us each).
  SEXP external2 = PROTECT(Rf_eval(Rf_install(".External2"), R_BaseEnv));
  SET_BODY(g_inplace_runner, Rf_lang2(external2, run));
  SET_CLOENV(g_inplace_runner, R_BaseEnv);
  UNPROTECT(1);
  SET_NOJIT(g_inplace_runner);
  g_add_restart_call = internal_call(".addRestart", g_abort_restart);
  R_PreserveObject(g_add_restart_call);
  g_runner_call = Rf_lang1(g_inplace_runner);
  R_PreserveObject(g_runner_call);
  g_handler_call = top_call;  // last: init is done
  UNPROTECT(7);
}

namespace {
void toplevel_thunk(void* data) {
  auto* f = static_cast<toplevel_frame*>(data);
  Rf_eval(f->handlers, R_BaseEnv);
  invoke_frame(f);
}

// The condition an "abort" restart ended the code with (see init_toplevel_handlers()):
// the condition passed to invokeRestart("abort", cond), else "R evaluation aborted".
SEXP abort_condition(SEXP args) {
  if (TYPEOF(args) == VECSXP && XLENGTH(args) > 0 && Rf_inherits(VECTOR_ELT(args, 0), "condition"))
    return VECTOR_ELT(args, 0);
  return r_safe([&] {
    SEXP call = PROTECT(Rf_lang2(Rf_install("simpleError"), Rf_mkString("R evaluation aborted")));
    SEXP cond = Rf_eval(call, R_BaseEnv);
    UNPROTECT(1);
    return cond;
  });
}
}  // namespace

// A copy of an unwind continuation (the shared token is reused by the next r_safe()).
static SEXP copy_unwind_token(SEXP token) {
  protect_scope p;
  SEXP value = p(CAR(token));
  SEXP target = p(CDR(token));
  return r_safe([&] {
    SEXP raw = PROTECT(Rf_duplicate(target));
    SEXP cont = Rf_cons(value, raw);
    UNPROTECT(1);
    return cont;
  });
}

// The frames taken in tandem's error handler end with the frames of R's condition
// machinery (the handler's own call, .handleSimpleError() for stop()): drop them, keeping
// the frames up to where the error was signalled.
static SEXP trim_handler_frames(SEXP frames) {
  if (TYPEOF(frames) != VECSXP || XLENGTH(frames) != 3 || TYPEOF(VECTOR_ELT(frames, 0)) != VECSXP) return R_NilValue;
  static SEXP handle_simple = Rf_install(".handleSimpleError");
  static SEXP signal_cond = Rf_install(".signalSimpleWarning");
  SEXP calls = VECTOR_ELT(frames, 0);
  R_xlen_t n = XLENGTH(calls), keep = n > 0 ? n - 1 : 0;  // the handler's own call
  for (R_xlen_t i = 0; i < n; i++) {
    SEXP call = VECTOR_ELT(calls, i);
    if (TYPEOF(call) == LANGSXP && (CAR(call) == handle_simple || CAR(call) == signal_cond)) {
      keep = i;
      break;
    }
  }
  // tandem's own stop(<condition>) that signalled a Python exception in R (ffi.cpp): the
  // condition object itself in the call, which R code never writes
  static SEXP stop_sym = Rf_install("stop");
  if (keep > 0) {
    SEXP last = VECTOR_ELT(calls, keep - 1);
    if (TYPEOF(last) == LANGSXP && CAR(last) == stop_sym && TYPEOF(CDR(last)) == LISTSXP &&
        TYPEOF(CADR(last)) == VECSXP && Rf_inherits(CADR(last), "condition"))
      keep--;
  }
  return trim_r_frames(frames, keep);
}

// Python calls R while R called Python: R runs in place (see entry_scope), under
// R_UnwindProtect rather than R_ToplevelExec, so R's handler and restart stacks stay
// visible. Errors and interrupts are caught by tandem's innermost handlers (and become
// RError / KeyboardInterrupt, as reticulate does), so is the "abort" restart; any other
// exit to R code below becomes a Python exception carrying the jump, resumed by the
// R -> Python entry.
static void run_in_place(void (*invoke)(void*), void* fn) {
  toplevel_frame frame{invoke, fn, nullptr, R_NilValue};
  // this entry's frame and the outer entry's restart exit, restored however it ends
  struct entry_guard {
    SEXP exit;
    explicit entry_guard(toplevel_frame* f) : exit(VECTOR_ELT(g_abort_restart, 1)) { g_frames.push_back(f); }
    ~entry_guard() {
      g_frames.pop_back();
      SET_VECTOR_ELT(g_abort_restart, 1, exit);
    }
  } guard_entry(&frame);
  SEXP saved_cond = PROTECT(VECTOR_ELT(g_slots, 0));
  SET_VECTOR_ELT(g_slots, 0, R_NilValue);
  SEXP jump = nullptr;
  SEXP result = R_NilValue;
  ++g_toplevel_depth;
  try {
    result = r_safe([&] { return Rf_eval(g_runner_call, R_GlobalEnv); });
  } catch (r_unwind_exception& u) {
    jump = u.token;
  }
  --g_toplevel_depth;
  PROTECT(result);
  SEXP cond = PROTECT(VECTOR_ELT(g_slots, 0));
  SEXP frames = PROTECT(VECTOR_ELT(g_slots, 2));
  SET_VECTOR_ELT(g_slots, 0, saved_cond);
  SET_VECTOR_ELT(g_slots, 2, R_NilValue);
  protect_scope guard;
  UNPROTECT(4);
  guard(result);
  guard(cond);
  guard(frames);
  bool aborted = jump == nullptr && result != entry_done();
  if (jump != nullptr || aborted) {
    if (cond != R_NilValue) raise_r_condition(cond, guard(trim_handler_frames(frames)));  // throws
    if (aborted) raise_r_condition(result == R_NilValue ? R_NilValue : guard(abort_condition(result)));
    jump = guard(copy_unwind_token(jump));
    raise_r_unwind(jump, g_entry_id);  // throws
  }
  if (frame.exc) std::rethrow_exception(frame.exc);
}

void run_toplevel_impl(void (*invoke)(void*), void* fn) {
  TANDEM_ASSERT_R_THREAD();
  if (g_console_pending) flush_console_pending();  // Python's text before R's
  init_toplevel_handlers();
  drain_pending_releases();
  if (g_entry_id != 0) return run_in_place(invoke, fn);
  toplevel_frame frame{invoke, fn, nullptr, g_handler_call};
  SEXP saved_cond = VECTOR_ELT(g_slots, 0);
  SEXP saved_warn = VECTOR_ELT(g_slots, 1);
  PROTECT(saved_cond);
  PROTECT(saved_warn);
  SET_VECTOR_ELT(g_slots, 0, R_NilValue);
  SET_VECTOR_ELT(g_slots, 1, R_NilValue);
  ++g_toplevel_depth;
  Rboolean ok = R_ToplevelExec(toplevel_thunk, &frame);
  --g_toplevel_depth;
  SEXP cond = PROTECT(VECTOR_ELT(g_slots, 0));
  SEXP warnings = PROTECT(VECTOR_ELT(g_slots, 1));
  SET_VECTOR_ELT(g_slots, 0, saved_cond);
  SET_VECTOR_ELT(g_slots, 1, saved_warn);
  // From here on, a C++ exception is fine: nothing below longjmps.
  protect_scope guard;
  UNPROTECT(4);
  guard(cond);
  guard(warnings);
  if (!ok) {
    if (frame.exc) std::rethrow_exception(frame.exc);
    raise_r_condition(cond);  // throws
  }
  if (frame.exc) std::rethrow_exception(frame.exc);
  if (warnings != R_NilValue) emit_r_warnings(warnings);
}

}  // namespace tandem
