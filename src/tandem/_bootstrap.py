"""Setup run by the core when R starts Python (R hosts): console and Ctrl-C routing."""
import os
import signal
import sys


def r_hosts():
    from . import _console
    import tandem  # noqa: F401  (registers tandem.RError with the core)

    sys.stdout = _console.RConsole(error=False)
    sys.stderr = _console.RConsole(error=True)
    # Python's own SIGINT handler must be registered so that the core can trip it while
    # Python runs; the core then installs its handler in front of it.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if not sys.argv:
        sys.argv = [""]
    # as reticulate: modules in R's working directory (at the time of the import) import
    if not sys.path or sys.path[0] != "":
        sys.path.insert(0, "")
    install_wake_handler()
    os.register_at_fork(after_in_child=_streams_in_forked_child)


def _streams_in_forked_child():
    """A child forked from Python (os.fork, multiprocessing) has no R console to write to
    (and leaves with os._exit, which would drop R's buffered output): it writes to the
    process' own standard streams instead."""
    import io

    def stream(fd):
        return io.TextIOWrapper(io.FileIO(fd, "w", closefd=False), encoding="utf-8",
                                errors="backslashreplace", line_buffering=True, write_through=True)

    from . import _console

    # Only tandem's console writers are replaced: streams the user set stay.
    if isinstance(sys.stdout, _console.RConsole):
        sys.stdout = stream(1)
    if isinstance(sys.stderr, _console.RConsole):
        sys.stderr = stream(2)
    if sys.__stdout__ is None or isinstance(sys.__stdout__, _console.RConsole):
        sys.__stdout__ = stream(1)
    if sys.__stderr__ is None or isinstance(sys.__stderr__, _console.RConsole):
        sys.__stderr__ = stream(2)


def install_wake_handler():
    """R calls from other threads wake R's main thread with a signal when that thread is
    blocked in a Python-level wait (join, sleep); the handler runs the queued calls."""
    from . import _core

    signal.signal(_core.wake_signal(), lambda signum, frame: _core.service_r_queue())
    _core._enable_wake_signal()
