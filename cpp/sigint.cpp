// sigint.cpp: one SIGINT handler for both languages (flags only: async-signal-safe).
// While R runs it does what R's own handler does; while Python runs it trips Python's flag.
#include "sigint.hpp"

#include "common.hpp"


namespace tandem {

volatile std::sig_atomic_t g_runs = RUNS_R;
std::atomic<unsigned> g_sigint_count{0};
static struct sigaction g_previous;
static bool g_installed = false;

static void on_sigint(int sig, siginfo_t* info, void* ctx) {
  g_sigint_count.fetch_add(1, std::memory_order_relaxed);
  if (g_runs == RUNS_PYTHON) {
    if (g_host == host_kind::python_hosts) {
      if (g_previous.sa_flags & SA_SIGINFO) {
        if (g_previous.sa_sigaction) g_previous.sa_sigaction(sig, info, ctx);
        return;
      }
      if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != SIG_IGN && g_previous.sa_handler)
        g_previous.sa_handler(sig);
      return;
    }
    PyErr_SetInterruptEx(SIGINT);
    return;
  }
  R_interrupts_pending = 1;
}

static struct sigaction g_previous_pipe;
static bool g_pipe_installed = false;

static void on_sigpipe(int sig, siginfo_t* info, void* ctx) {
  // Python runs (on any thread: R's own handler must never run off R's thread), or the
  // previous disposition was to ignore: nothing to do, the write fails with EPIPE.
  if (g_runs == RUNS_PYTHON) return;
  if (g_previous_pipe.sa_flags & SA_SIGINFO) {
    if (g_previous_pipe.sa_sigaction) g_previous_pipe.sa_sigaction(sig, info, ctx);
    return;
  }
  if (g_previous_pipe.sa_handler != SIG_DFL && g_previous_pipe.sa_handler != SIG_IGN && g_previous_pipe.sa_handler)
    g_previous_pipe.sa_handler(sig);
}

void install_sigpipe_handler() {
  if (g_pipe_installed) return;
  struct sigaction sa;
  std::memset(&sa, 0, sizeof(sa));
  sa.sa_sigaction = on_sigpipe;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGPIPE, &sa, &g_previous_pipe);
  g_pipe_installed = true;
}

void install_sigint_handler() {
  if (g_installed) return;
  struct sigaction sa;
  std::memset(&sa, 0, sizeof(sa));
  sa.sa_sigaction = on_sigint;
  sa.sa_flags = SA_SIGINFO;  // no SA_RESTART: a sleeping call must wake up
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &g_previous);
  g_installed = true;
}

}  // namespace tandem
