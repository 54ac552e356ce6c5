// release.hpp: big Python containers that a conversion dropped half made (Ctrl-C) are
// released later, in short slices on R's thread, so that the interrupt's handler runs at once.
#pragma once

#include <exception>

#include "common.hpp"

namespace tandem {

// Takes over the reference `o` (a new reference; nullptr is ignored) and releases it later:
// a pacer thread posts a slice of about 1 ms to R's thread every 4 ms (threads.hpp), so R's
// thread spends about a quarter of its time on it, whatever it does meanwhile. A list (or
// dict) that only this reference holds is emptied from its end, and the lists among its
// items that only it held are emptied the same way; anything else, and containers of
// fewer than 1024 items, are released at once. Why: freeing 3e7 Python floats takes
// about a second, which would stand between a Ctrl-C and its handler. What is left when
// the process exits stays. Thread safety: R main thread, GIL held.
void release_later(PyObject* o);

// Python containers waiting in release_later()'s queue (tests). Thread safety: GIL held.
size_t deferred_releases();

// Releases the queue for up to max_seconds (all of it for infinity); true when it is
// empty. Thread safety: R main thread, GIL held.
bool release_deferred_now(double max_seconds);

// Whether an interrupt (interrupt_check in convert_internal.hpp) is unwinding the current
// conversion; set when it is raised, cleared when the next conversion starts.
extern bool g_interrupt_unwinding;

// An owned Python container that is being built (a conversion's result so far). When an
// interrupt unwinds the scope, the container goes to release_later(); otherwise `obj`
// releases it as usual. Declare it right after the object it guards.
class release_later_on_interrupt {
 public:
  explicit release_later_on_interrupt(py::object& obj) : obj_(obj), uncaught_(std::uncaught_exceptions()) {}
  ~release_later_on_interrupt() {
    if (std::uncaught_exceptions() > uncaught_ && g_interrupt_unwinding && obj_) release_later(obj_.release().ptr());
  }
  release_later_on_interrupt(const release_later_on_interrupt&) = delete;

 private:
  py::object& obj_;
  int uncaught_;
};

}  // namespace tandem
