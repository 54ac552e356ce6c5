"""Setup run by the core when R starts Python (R hosts): console and Ctrl-C routing."""
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
