// error.hpp: errors across the boundary: Python exceptions as R conditions, R conditions as
// Python exceptions, and the round trip that gives back the original error object.
#pragma once

#include "common.hpp"

namespace tandem {

// tandem.RError and tandem.RWarning, registered by the Python package at import.
extern PyObject* g_rerror_type;
extern PyObject* g_rwarning_type;

// Python -> R. Takes the current Python error (clearing it) and returns an R condition
// (unprotected). A tandem.RError that carries an R condition gives that original condition.
// Sets *interrupt (and returns R_NilValue) for KeyboardInterrupt.
// Thread safety: R main thread, GIL held.
SEXP py_error_to_condition(bool* interrupt);
// Drops the frames kept from the last R error that became an RError (error.cpp); called
// when the outermost R -> Python entry ends.
void forget_rerror_frames();

// A Python exception instance as R sees it (reticulate >= 1.38): an R condition that is
// also the Python object. A list(message, call) classed by the Python MRO, then
// "python.builtin.object", then "error" ("interrupt" for KeyboardInterrupt), "condition",
// with the attribute `py_object` = `handle` (the exception's plain external-pointer handle,
// see plain_handle()). A tandem.RError carrying an R condition gives that condition, with
// the Python classes added and `py_object`. Returns an unprotected SEXP.
// Thread safety: R main thread, GIL held.
SEXP exception_condition(SEXP handle);

// "TypeName: str(exc)" (the bare type name when str() is empty): the condition message.
std::string exception_message(PyObject* exc);

// A plain R error condition with the given message and extra classes (first).
SEXP make_r_condition(const std::string& message, const char* klass);

// R -> Python. Sets the Python error for an R condition, then throws
// py::error_already_set. A condition that came from Python re-raises the original exception.
// `frames`: the R frames on the stack where the error was signalled (see
// r_frames_function()), kept on the RError as `r_frames` for py_last_error()'s R trace and
// the `trace` of the condition it comes back as; R_NilValue if unknown.
[[noreturn]] void raise_r_condition(SEXP cond, SEXP frames = R_NilValue);

// An R function of no arguments that returns the frames of its caller's stack:
// list(calls, parents, functions) as sys.calls(), sys.parents() and sys.function() give
// them (without its own frame). Preserved for the process. R main thread.
SEXP r_frames_function();
// The first `keep` frames of such a record (R_NilValue for anything else). Unprotected.
SEXP trim_r_frames(SEXP frames, R_xlen_t keep);

// An exit to R code below Python frames (tryCatch(), a restart, return() from a frame
// below): raises tandem._core.RUnwind (a BaseException, so `except Exception` lets it
// pass) carrying the continuation `cont` and the R -> Python entry it must cross, then
// throws py::error_already_set. Thread safety: R main thread, GIL held.
[[noreturn]] void raise_r_unwind(SEXP cont, long entry);
// The continuation carried by a Python RUnwind exception `exc` for the entry `entry`, or
// nullptr (not an RUnwind, or one raised for another entry: it cannot be resumed here).
SEXP r_unwind_continuation(PyObject* exc, long entry);
// The Python type tandem._core.RUnwind (created on first use; borrowed).
PyObject* r_unwind_type();

// Issues the recorded R warnings (pairlist, newest first) as tandem.RWarning.
void emit_r_warnings(SEXP warnings);

// The message element of an R condition ("" if there is none).
std::string condition_message(SEXP cond);

// The last Python error seen by R: list(exception = handle, r_frames = the R frames
// active when it reached R, see r_frames_function()), or NULL; `clear` forgets it (and
// returns NULL).
SEXP last_py_error(bool clear);
// Makes `exc` (with the R frames `frames`, a list, or NULL) the last Python error, as
// reticulate's py_last_error(exception) restores one. Thread safety: R main thread, GIL held.
void set_last_py_error(PyObject* exc, SEXP frames);

}  // namespace tandem
