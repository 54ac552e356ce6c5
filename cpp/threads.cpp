// threads.cpp: the queue of R calls made from other threads, and the service points where
// R's main thread runs them, in bounded turns. Nothing is ever evaluated by R on another thread.
#include "threads.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cxxabi.h>
#include <condition_variable>
#include <csignal>
#include <deque>
#include <exception>
#include <mutex>

#include <R_ext/eventloop.h>

#include "rsafe.hpp"
#include "sigint.hpp"

namespace tandem {

namespace {

using clock = std::chrono::steady_clock;

struct r_task {
  const std::function<void()>* fn;
  std::exception_ptr error;
  bool started = false;
  bool done = false;
  bool detached = false;  // posted: nobody waits; the task owns fn and is deleted after it ran
  bool urgent = false;    // served even when R's thread is owed time (see service_r_queue)
};

// The synchronization objects are allocated once and never destroyed: at process exit
// (R's quit(), Python's interpreter exit) threads may still wait on them, and destroying a
// condition variable that a thread waits on blocks exit() forever.
std::mutex& g_mutex = *new std::mutex;
std::condition_variable& g_done_cv = *new std::condition_variable;
std::condition_variable& g_task_cv = *new std::condition_variable;  // R's thread lingers on it
std::deque<r_task*>& g_queue = *new std::deque<r_task*>;
std::atomic<bool> g_pending{false};
std::atomic<int> g_urgent{0};  // urgent tasks in the queue
std::atomic<bool> g_shutdown{false};  // R is exiting: no task runs any more
pthread_t g_r_pthread;
int g_pipe[2] = {-1, -1};
void (*g_previous_polled)(void) = nullptr;
bool g_installed = false;
bool g_r_lingering = false;  // R's thread waits briefly for more tasks (guarded by g_mutex)
std::atomic<bool> g_wake_signal_ready{false};  // a handler for wake_signal() is installed

// ---- fairness (R's thread only) ------------------------------------------------------
// R's main thread serves queued calls in turns of at most k_turn. After a turn that took
// d and left calls queued, a busy R thread (running R code or Python bytecode of its own)
// gets k_share * d of its own work (at most k_max_owed) before the next turn; an R thread that was mostly blocked
// since its last turn (sleeping, joining, idle at the prompt) has nothing to yield to and
// serves again at once. A Python-level sleep() or join() on R's thread re-checks its
// deadline after every turn, so it returns on time however many threads call R.
constexpr auto k_turn = std::chrono::milliseconds(4);
constexpr int k_share = 3;
constexpr auto k_max_owed = std::chrono::milliseconds(20);
constexpr auto k_idle_probe = std::chrono::microseconds(100);
// After each task, R's thread waits this long (GIL released) for another one within its
// turn, so that a thread calling R in a loop is served without a signal per call.
constexpr auto k_linger = std::chrono::microseconds(200);

clock::time_point g_turn_end;
clock::duration g_owed{0};
long long g_turn_end_cpu = 0;  // R thread's CPU time (ns) when its last turn ended

long long thread_cpu_ns() {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

bool may_take_turn() {
  if (g_owed == clock::duration::zero()) return true;
  auto wall = clock::now() - g_turn_end;
  if (wall >= g_owed) return true;
  if (wall < k_idle_probe) return false;
  // Mostly blocked since the last turn: serving costs R's thread nothing.
  long long cpu = thread_cpu_ns() - g_turn_end_cpu;
  return cpu * 2 < std::chrono::duration_cast<std::chrono::nanoseconds>(wall).count();
}

r_task* pop_task() {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_queue.empty()) {
    g_pending.store(false);
    return nullptr;
  }
  r_task* t = g_queue.front();
  g_queue.pop_front();
  t->started = true;
  if (t->urgent) g_urgent.fetch_sub(1);
  if (g_queue.empty()) g_pending.store(false);
  return t;
}

int pending_call(void*) {
  service_r_queue();
  return 0;
}

void polled_events() {
  if (g_previous_polled != nullptr) g_previous_polled();
  if (g_pending.load(std::memory_order_relaxed)) service_r_queue();
}

void input_handler(void*) {
  char buf[64];
  while (read(g_pipe[0], buf, sizeof buf) > 0) {
  }
  service_r_queue();
}

void wake_r_thread() {
  // Python bytecode on R's thread runs pending calls; R code runs polled events; an idle R
  // watches the pipe; a Python-level wait on R's thread is broken by the signal.
  Py_AddPendingCall(pending_call, nullptr);
  if (g_pipe[1] >= 0) {
    char c = 1;
    ssize_t ignored = write(g_pipe[1], &c, 1);
    (void)ignored;
  }
  if (g_runs == RUNS_PYTHON && g_wake_signal_ready.load()) pthread_kill(g_r_pthread, wake_signal());
}

std::exception_ptr shutdown_error() {
  return std::make_exception_ptr(tandem_error(
      "R is shutting down (the process is exiting): this call to R from another thread was not run",
      tandem_error::runtime));
}

// Runs one task (GIL taken here). A waited task is marked done and its thread notified.
void run_task(r_task* t) {
  PyGILState_STATE gil = PyGILState_Ensure();
  entry_scope unrelated(true);  // the task cannot see the handlers of R code it interrupts
  try {
    (*t->fn)();
  } catch (...) {
    t->error = std::current_exception();
  }
  if (t->detached) {
    if (t->error) {
      try {
        std::rethrow_exception(t->error);
      } catch (py::error_already_set& e) {
        e.discard_as_unraisable("a call posted to R's main thread");
      } catch (...) {
      }
      t->error = nullptr;
    }
    delete t->fn;
    delete t;
    PyGILState_Release(gil);
    return;
  }
  PyGILState_Release(gil);
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    t->done = true;
  }
  g_done_cv.notify_all();
}

// Waits up to k_linger (GIL released) for another task; false if none came.
bool linger_for_tasks() {
  // Service points inside R code run without the GIL; pending calls run with it.
  PyThreadState* state = PyGILState_Check() ? PyEval_SaveThread() : nullptr;
  bool more;
  {
    std::unique_lock<std::mutex> lock(g_mutex);
    g_r_lingering = true;
    more = g_task_cv.wait_for(lock, k_linger, [] { return !g_queue.empty() || g_shutdown.load(); });
    g_r_lingering = false;
    more = more && !g_shutdown.load();
  }
  if (state != nullptr) PyEval_RestoreThread(state);
  return more;
}

}  // namespace

int wake_signal() { return SIGRTMIN + 7; }
void enable_wake_signal() { g_wake_signal_ready.store(true); }

// Takes the GIL back for a thread that called R. During Python's finalization,
// PyEval_RestoreThread() ends a daemon thread with pthread_exit(), a forced unwind: the
// frames above this one hold Python objects (pybind11's argument tuples and dicts) whose
// destructors would then run without the GIL and abort the process. So the unwind stops
// here and the thread waits, without the GIL, until the process has exited.
static void restore_thread_or_park(PyThreadState* state) {
  try {
    PyEval_RestoreThread(state);
  } catch (abi::__forced_unwind&) {
    for (;;) pause();  // never leaves the handler: the forced unwind is not resumed
  }
}

void run_on_r_thread(const std::function<void()>& fn, bool urgent) {
  if (!g_installed)
    throw tandem_error("R cannot be called from this thread: R's main thread does not service other threads",
                       tandem_error::runtime);
  if (g_shutdown.load()) std::rethrow_exception(shutdown_error());
  r_task task;
  task.fn = &fn;
  task.urgent = urgent;
  bool lingering;
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    if (g_shutdown.load()) std::rethrow_exception(shutdown_error());
    g_queue.push_back(&task);
    if (urgent) g_urgent.fetch_add(1);
    g_pending.store(true);
    lingering = g_r_lingering;
  }
  if (lingering)
    g_task_cv.notify_one();
  else
    wake_r_thread();
  {
    // A wake-up can be lost (it arrives while R's thread is finishing a service and then
    // goes back to a blocking wait), or refused (R's thread is having its own share of
    // time), so wake it again, after 50 us, 100 us, ... 5 ms, until the task has started.
    PyThreadState* state = PyEval_SaveThread();
    std::unique_lock<std::mutex> lock(g_mutex);
    auto delay = std::chrono::microseconds(50);
    while (!g_done_cv.wait_for(lock, delay, [&] { return task.done; })) {
      if (!task.started) {
        lock.unlock();
        wake_r_thread();
        lock.lock();
      }
      if (delay < std::chrono::microseconds(5000)) delay *= 2;
    }
    lock.unlock();
    restore_thread_or_park(state);
  }
  if (task.error) std::rethrow_exception(task.error);
}

void post_to_r_thread(std::function<void()> fn, bool urgent) {
  if (!g_installed) throw tandem_error("R's main thread does not service other threads", tandem_error::runtime);
  if (g_shutdown.load()) return;  // R is exiting: nothing more runs on its thread
  auto* task = new r_task;
  task->fn = new std::function<void()>(std::move(fn));
  task->detached = true;
  task->urgent = urgent;
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    g_queue.push_back(task);
    if (urgent) g_urgent.fetch_add(1);
    g_pending.store(true);
  }
  wake_r_thread();
}

void service_r_queue() {
  if (!on_r_thread() || g_shutdown.load()) return;
  // An urgent task is one that R's thread may soon wait for from native code, where it
  // serves nothing (py_iterator's prefetch for tf.data's threads): deferring it for
  // fairness could leave it unserved when R's thread enters that wait, a deadlock.
  if (!may_take_turn() && g_urgent.load() == 0) return;
  auto start = clock::now();
  auto deadline = start + k_turn;
  // Nested turns are fine (a task's R code may wait for a thread that calls R).
  do {
    while (r_task* t = pop_task()) {
      run_task(t);  // catches everything
      if (clock::now() >= deadline) break;
    }
  } while (clock::now() < deadline && !g_shutdown.load() && linger_for_tasks());
  // A nested turn's time is part of the enclosing task's, which its own turn accounts for.
  // R's thread is owed time only when calls are still queued (threads compete for it):
  // a deferred call is not served if R's thread next waits in native code, so a call
  // that arrives alone is never deferred.
  const bool backlog = g_pending.load();  // true exactly while the queue is not empty
  g_turn_end = clock::now();
  g_owed = backlog ? std::min<clock::duration>(k_share * (g_turn_end - start), k_max_owed) : clock::duration::zero();
  g_turn_end_cpu = thread_cpu_ns();
}

int shutdown_r_queue() {
  std::deque<r_task*> dropped;
  int failed = 0;
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    if (g_shutdown.exchange(true)) return 0;
    // No more wake-up signals: once Python finalizes, the signal's disposition is the
    // default one again, which would end the process.
    g_wake_signal_ready.store(false);
    dropped.swap(g_queue);
    g_pending.store(false);
    g_urgent.store(0);
    for (r_task* t : dropped) {
      // Posted tasks hold Python objects, which may not be released here: leaked.
      if (t->detached) continue;
      t->error = shutdown_error();
      t->done = true;
      ++failed;
    }
  }
  g_done_cv.notify_all();
  g_task_cv.notify_all();
  return failed;
}

bool r_queue_shut_down() { return g_shutdown.load(); }

size_t r_queue_length(bool urgent_only) {
  if (urgent_only) return (size_t)g_urgent.load();
  std::lock_guard<std::mutex> lock(g_mutex);
  return g_queue.size();
}

void install_r_services() {
  if (g_installed) return;
  g_r_pthread = pthread_self();
  g_previous_polled = R_PolledEvents;
  R_PolledEvents = polled_events;
  if (pipe(g_pipe) == 0) {
    fcntl(g_pipe[0], F_SETFL, O_NONBLOCK);
    fcntl(g_pipe[1], F_SETFL, O_NONBLOCK);
    fcntl(g_pipe[0], F_SETFD, FD_CLOEXEC);
    fcntl(g_pipe[1], F_SETFD, FD_CLOEXEC);
    addInputHandler(R_InputHandlers, g_pipe[0], input_handler, 77);
  }
  g_installed = true;
}

void wake_r_thread_again() { wake_r_thread(); }

}  // namespace tandem
