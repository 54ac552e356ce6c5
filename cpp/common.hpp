// common.hpp: the header every core file includes first: pybind11, the R API, shared state.
// Thread facts: the R API is called on R's main thread only; the Python API only with the GIL.
#pragma once

#include <pybind11/pybind11.h>

#define R_NO_REMAP
#define STRICT_R_HEADERS
#include <Rinternals.h>
#include <R_ext/Rdynload.h>
#include <R_ext/Parse.h>

#include <string>
#include <thread>

namespace py = pybind11;

namespace tandem {

// Which language started the process. Set once by the first initialization.
enum class host_kind { none, r_hosts, python_hosts };
extern host_kind g_host;

// R's main thread: the only thread that may call the R API.
extern std::thread::id g_r_thread;
extern bool g_r_thread_known;
inline bool on_r_thread() {
  return g_r_thread_known && std::this_thread::get_id() == g_r_thread;
}

// A C++ exception carrying a message for the R or Python side (no Python error is set).
struct tandem_error : std::runtime_error {
  enum kind_t { value, type, runtime, key, attribute, index } kind;
  explicit tandem_error(const std::string& msg, kind_t k = runtime)
      : std::runtime_error(msg), kind(k) {}
};

// Python is shutting down (or never started): Python objects must not be touched.
bool python_unusable();

}  // namespace tandem

#ifdef TANDEM_DEBUG
#include <cassert>
#define TANDEM_ASSERT_R_THREAD() assert(tandem::on_r_thread())
#define TANDEM_ASSERT_GIL() assert(PyGILState_Check())
#else
#define TANDEM_ASSERT_R_THREAD() ((void)0)
#define TANDEM_ASSERT_GIL() ((void)0)
#endif
