// threads.cpp: the queue of R calls made from other threads, and the service points where
// R's main thread runs them. Nothing is ever evaluated by R on another thread.
#include "threads.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <deque>
#include <exception>
#include <mutex>

#include <R_ext/eventloop.h>

#include "sigint.hpp"

namespace tandem {

static void service_r_queue_once();

namespace {

struct r_task {
  const std::function<void()>* fn;
  std::exception_ptr error;
  bool started = false;
  bool done = false;
  bool detached = false;  // posted: nobody waits; the task owns fn and is deleted after it ran
};

std::mutex g_mutex;
std::condition_variable g_done_cv;
std::condition_variable g_task_cv;  // R's thread lingers on it after a service
std::deque<r_task*> g_queue;
std::atomic<bool> g_pending{false};
pthread_t g_r_pthread;
int g_pipe[2] = {-1, -1};
void (*g_previous_polled)(void) = nullptr;
bool g_installed = false;
bool g_r_lingering = false;  // R's thread waits briefly for more tasks (guarded by g_mutex)
std::atomic<bool> g_wake_signal_ready{false};  // a handler for wake_signal() is installed

r_task* pop_task() {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_queue.empty()) {
    g_pending.store(false);
    return nullptr;
  }
  r_task* t = g_queue.front();
  g_queue.pop_front();
  t->started = true;
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

}  // namespace

int wake_signal() { return SIGRTMIN + 7; }
void enable_wake_signal() { g_wake_signal_ready.store(true); }

void run_on_r_thread(const std::function<void()>& fn) {
  if (!g_installed)
    throw tandem_error("R cannot be called from this thread: R's main thread does not service other threads",
                       tandem_error::runtime);
  r_task task;
  task.fn = &fn;
  bool lingering;
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    g_queue.push_back(&task);
    g_pending.store(true);
    lingering = g_r_lingering;
  }
  if (lingering)
    g_task_cv.notify_one();
  else
    wake_r_thread();
  {
    // A wake-up can be lost (it arrives while R's thread is finishing a service and then
    // goes back to a blocking wait), so wake it again, after 50 us, 100 us, ... 5 ms,
    // until the task has started.
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
    PyEval_RestoreThread(state);
  }
  if (task.error) std::rethrow_exception(task.error);
}

void post_to_r_thread(std::function<void()> fn) {
  if (!g_installed) throw tandem_error("R's main thread does not service other threads", tandem_error::runtime);
  auto* task = new r_task;
  task->fn = new std::function<void()>(std::move(fn));
  task->detached = true;
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    g_queue.push_back(task);
    g_pending.store(true);
  }
  wake_r_thread();
}

// After a service, R's thread waits this long (GIL released) for another task, so that a
// thread calling R in a loop is served without a signal per call.
constexpr auto k_linger = std::chrono::microseconds(200);

static bool linger_for_tasks() {
  // Service points inside R code run without the GIL; pending calls run with it.
  PyThreadState* state = PyGILState_Check() ? PyEval_SaveThread() : nullptr;
  bool more;
  {
    std::unique_lock<std::mutex> lock(g_mutex);
    g_r_lingering = true;
    more = g_task_cv.wait_for(lock, k_linger, [] { return !g_queue.empty(); });
    g_r_lingering = false;
  }
  if (state != nullptr) PyEval_RestoreThread(state);
  return more;
}

void service_r_queue() {
  if (!on_r_thread()) return;
  // Nested services are fine (a task's R code may wait for a thread that calls R).
  do {
    service_r_queue_once();
  } while (linger_for_tasks());
}

static void service_r_queue_once() {
  while (r_task* t = pop_task()) {
    PyGILState_STATE gil = PyGILState_Ensure();
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
      continue;
    }
    PyGILState_Release(gil);
    {
      std::lock_guard<std::mutex> lock(g_mutex);
      t->done = true;
    }
    g_done_cv.notify_all();
  }
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

}  // namespace tandem
