// rsession.hpp: Python hosts R: starting R and the functions behind tandem.r / RObject.
#pragma once

#include "common.hpp"

namespace tandem {

// Starts embedded R on this thread (the process' main thread), or attaches to an R that
// rpy2 started. Thread safety: main thread, GIL held.
void start_r(bool interactive, const std::string& python_exe);
bool r_started();
std::string core_path();
void write_to_r_console(const std::string& text, bool err);
// Raises unless called on R's main thread after R started.
void require_r_thread();
void register_rsession(py::module_& m);

}  // namespace tandem
