// release.cpp: the queue of half-made Python containers that a Ctrl-C left to release;
// they are released later, in slices at R's thread's service points (release.hpp).
#include "release.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "threads.hpp"

namespace tandem {

bool g_interrupt_unwinding = false;

namespace {

using clock = std::chrono::steady_clock;

// Owned references; the container being emptied is the last. Never destroyed: at exit,
// what is left stays (Python objects may not be released then).
std::vector<PyObject*>& g_queue = *new std::vector<PyObject*>;
bool g_running = false;  // a slice runs (releasing an item can run code that converts)

// Smaller containers are released at once: a thousand items take microseconds.
constexpr Py_ssize_t k_min_deferred = 1024;

bool sole_big_container(PyObject* o) {
  if (Py_REFCNT(o) != 1) return false;
  if (PyList_CheckExact(o)) return PyList_GET_SIZE(o) >= k_min_deferred;
  if (PyDict_CheckExact(o)) return PyDict_GET_SIZE(o) >= k_min_deferred;
  return false;
}

// An item taken out of a queued container: a big container that only it held is queued
// (emptied in later steps), anything else released now.
void drop(PyObject* o) {
  if (o == nullptr) return;
  if (sole_big_container(o)) g_queue.push_back(o);
  else Py_DECREF(o);
}

// ---- the pacer ------------------------------------------------------------------------
// A thread that posts one slice (k_slice of work) to R's thread every k_period while the
// queue is not empty: R's thread then spends about a quarter of its time releasing, in
// whatever it does (R code, Python bytecode, waiting at the prompt). The slices do not
// post each other: a task that re-posts itself leaves a backlog, for which the fair
// scheduler (threads.cpp) defers the next turn, and then nothing would wake R's thread.
// Thread safety: the pacer touches no Python object and no R object (post_to_r_thread
// only); its synchronization objects are never destroyed (it may wait on them at exit).
constexpr double k_slice = 0.001;
constexpr auto k_period = std::chrono::milliseconds(4);
std::mutex& g_pacer_mutex = *new std::mutex;
std::condition_variable& g_pacer_cv = *new std::condition_variable;
std::atomic<bool> g_has_work{false};
std::atomic<int> g_slices_queued{0};
std::atomic<bool> g_no_service{false};  // R's thread serves no posted calls: release at once
bool g_pacer_started = false;           // R's thread only

void slice() {  // a posted task: R's thread, GIL held
  g_slices_queued.fetch_sub(1);
  if (release_deferred_now(k_slice)) g_has_work.store(false);
}

void pacer() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(g_pacer_mutex);
      g_pacer_cv.wait(lock, [] { return g_has_work.load(); });
    }
    if (r_queue_shut_down()) return;  // the process is exiting: what is left stays
    if (g_slices_queued.load() < 2) {
      g_slices_queued.fetch_add(1);
      try {
        post_to_r_thread(slice);
      } catch (...) {
        g_slices_queued.fetch_sub(1);
        g_no_service.store(true);
      }
    } else {
      // Slices wait unserved: R's thread deferred its turn (fairness) after the last
      // wake-up, and nothing else may wake it (a Python host sleeping in time.sleep()):
      // without this the queue stayed full and nothing was released any more.
      wake_r_thread_again();
    }
    std::this_thread::sleep_for(k_period);
  }
}

bool start_pacer() {
  if (g_pacer_started) return true;
  try {
    std::thread(pacer).detach();
  } catch (...) {
    return false;
  }
  g_pacer_started = true;
  return true;
}

}  // namespace

void release_later(PyObject* o) {
  if (o == nullptr) return;
  if (!sole_big_container(o) || g_no_service.load() || !start_pacer()) {
    Py_DECREF(o);
    return;
  }
  g_queue.push_back(o);
  {
    std::lock_guard<std::mutex> lock(g_pacer_mutex);
    g_has_work.store(true);
  }
  g_pacer_cv.notify_one();
}

size_t deferred_releases() { return g_queue.size(); }

bool release_deferred_now(double max_seconds) {
  if (g_running) return g_queue.empty();
  g_running = true;
  const bool bounded = max_seconds < 1e9;
  const auto deadline = bounded ? clock::now() + std::chrono::duration_cast<clock::duration>(
                                                     std::chrono::duration<double>(max_seconds))
                                : clock::time_point::max();
  long steps = 0;
  // Each step releases one item, or a container that is empty or shared; nothing is held
  // across a release (it may run code that queues more).
  while (!g_queue.empty()) {
    if ((++steps & 63) == 0 && bounded && clock::now() >= deadline) break;
    PyObject* top = g_queue.back();
    if (Py_REFCNT(top) == 1 && PyList_CheckExact(top) && PyList_GET_SIZE(top) > 0) {
      Py_ssize_t n = PyList_GET_SIZE(top);
      PyObject* item = PyList_GET_ITEM(top, n - 1);
      PyList_SET_ITEM(top, n - 1, nullptr);
      Py_SET_SIZE(top, n - 1);  // the list is shorter, never holding a released item
      drop(item);
      continue;
    }
    g_queue.pop_back();
    if (Py_REFCNT(top) == 1 && PyDict_CheckExact(top) && PyDict_GET_SIZE(top) >= k_min_deferred) {
      // The values move to a list (emptied in later steps); the keys go with the dict.
      PyObject* values = PyDict_Values(top);
      if (values == nullptr) {
        PyErr_Clear();
      } else {
        PyDict_Clear(top);
        g_queue.push_back(values);
      }
    }
    Py_DECREF(top);
  }
  g_running = false;
  return g_queue.empty();
}

}  // namespace tandem
