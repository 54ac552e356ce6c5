// threads.hpp: R is single-threaded: calls into R from other threads are queued and run on
// R's main thread while the calling thread waits with the GIL released.
#pragma once

#include <functional>

#include "common.hpp"

namespace tandem {

// Runs fn on R's main thread and waits for it; an exception thrown by fn is rethrown here.
// Thread safety: any thread but R's, GIL held (released while waiting).
// Deadlocks: R's main thread must reach a service point (below). It does when it runs
// Python bytecode (pending call), runs R code (R_PolledEvents, checked every ~1000 R
// evaluation steps: one atomic load), idles or sleeps in R (input handler), or blocks in
// a Python-level wait such as join() or sleep() (a real-time signal wakes it). It does not
// while it is blocked in native code that waits for this thread: prefetch instead.
// urgent: served at R's thread's next service point even when fairness would defer it
// (for calls R's thread may next wait for from native code; keep them short).
void run_on_r_thread(const std::function<void()>& fn, bool urgent = false);

// Queues fn for R's main thread and returns at once (fn runs with the GIL held; an
// exception it raises is reported as unraisable). Thread safety: any thread.
void post_to_r_thread(std::function<void()> fn, bool urgent = false);

// Runs fn here when on R's thread, else on R's thread (above).
template <typename F>
void on_r_thread_do(F&& fn) {
  if (on_r_thread())
    fn();
  else
    run_on_r_thread(std::function<void()>(fn));
}

// Runs queued calls for one bounded turn (about 4 ms), unless R's thread, busy with its
// own work, has not yet had three times the time of its previous turn (DESIGN.md "Threads,
// fairness, exit") and no urgent call is queued. Thread safety: R main thread (a no-op elsewhere); takes the GIL.
void service_r_queue();

// R (and with it the process) is exiting: every queued call fails with a Python
// RuntimeError in its thread, and later calls fail at once. Returns how many waiting
// calls failed. Thread safety: any thread.
int shutdown_r_queue();
bool r_queue_shut_down();
// Calls queued for R's thread and not yet started (for tests). Thread safety: any thread.
size_t r_queue_length(bool urgent_only = false);
// Wakes R's main thread to serve its queue again, without posting: a turn that the
// fairness rule deferred is otherwise retried only when the next call is posted (waiting
// callers re-wake by themselves; a detached poster that stops posting must). Any thread.
void wake_r_thread_again();

// Installs the service points (R_PolledEvents hook, input handler). R main thread, once.
void install_r_services();

// The signal that wakes R's main thread from Python-level waits (Python hosts it).
int wake_signal();
// Called once a (Python-level) handler for wake_signal() is installed on R's thread.
void enable_wake_signal();

}  // namespace tandem
