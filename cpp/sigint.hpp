// sigint.hpp: Ctrl-C interrupts whichever language is running: one SIGINT handler for the
// process that sets R's interrupt flag while R runs and trips Python's while Python runs.
#pragma once

#include <atomic>
#include <csignal>

// R's interrupt flags (public: R_ext/GraphicsDevice.h declares them). R's thread only.
extern "C" {
extern int R_interrupts_pending;
extern int R_interrupts_suspended;  // Rboolean
}

namespace tandem {

enum : int { RUNS_R = 0, RUNS_PYTHON = 1 };
extern volatile std::sig_atomic_t g_runs;

// Every SIGINT the handler saw (lock-free: async-signal-safe). Long conversions compare it
// with the value they started with, also without the GIL (convert_internal.hpp).
extern std::atomic<unsigned> g_sigint_count;

// Installs the handler (once). The handler found before it is called when Python runs
// and Python hosts. Thread safety: R main thread.
void install_sigint_handler();

// R hosts: SIGPIPE while Python runs is ignored, so the write fails with EPIPE and Python
// raises BrokenPipeError (as in a plain Python process); while R runs, R's own handler
// acts. Thread safety: R main thread, once.
void install_sigpipe_handler();

// Marks which language runs for the lifetime of the scope (nests).
struct runs_scope {
  std::sig_atomic_t saved;
  explicit runs_scope(int who) : saved(g_runs) { g_runs = who; }
  ~runs_scope() { g_runs = saved; }
  runs_scope(const runs_scope&) = delete;
};

}  // namespace tandem
