"""The embedded R session seen from Python (``tandem.r``) and exchange helpers."""
import atexit
import sys
import threading
import time

from . import _core
from ._core import RObject


def _shutdown_at_exit():
    if _core.shutdown_r_queue() > 0:
        # Let the threads whose calls failed raise their RuntimeError before the
        # interpreter stops running them.
        time.sleep(0.05)


class RSession:
    """The R session in this process. R starts on first use, on the main thread.

    ``r.eval(code)`` evaluates R code and converts the result; ``r["x"]`` and
    ``r["x"] = value`` read and write R's global environment; ``r.library("stats")``
    attaches a package and returns its namespace; ``r.sum`` is the R function ``sum``.
    """

    def start(self):
        """Starts R (idempotent). Called implicitly by every other method."""
        if not _core.r_started():
            if threading.current_thread() is not threading.main_thread():
                raise RuntimeError("R must be started from Python's main thread")
            interactive = bool(hasattr(sys, "ps1") or sys.flags.interactive)
            _core.start_r(interactive=interactive, python_exe=sys.executable)
            from ._bootstrap import install_wake_handler

            install_wake_handler()
            # At interpreter exit, threads still waiting on R calls get a RuntimeError
            # instead of waiting forever on an R that no longer serves them.
            atexit.register(_shutdown_at_exit)
            # Python objects reaching R are handles; their S3 methods live in the R package.
            _core.r_eval('invisible(requireNamespace("tandem", quietly = TRUE))')
        return self

    def eval(self, code: str):
        """Evaluates R code (one or more expressions) in R's global environment."""
        if not isinstance(code, str):
            raise TypeError(f"code must be a str, not {type(code).__name__}")
        self.start()
        return _core.r_eval(code)

    def library(self, name: str):
        """Attaches an R package (like R's library()) and returns its namespace."""
        if not isinstance(name, str):
            raise TypeError(f"name must be a str, not {type(name).__name__}")
        self.start()
        attach = _core.r_eval(
            "function(pkg) { suppressPackageStartupMessages(library(pkg, character.only = TRUE)); asNamespace(pkg) }"
        )
        return attach(name)

    @property
    def globalenv(self) -> RObject:
        self.start()
        return _core.r_global_env()

    def __getitem__(self, name: str):
        self.start()
        return _core.r_get(name)

    def __setitem__(self, name: str, value):
        self.start()
        _core.r_set(name, value)

    def __contains__(self, name: str):
        self.start()
        try:
            _core.r_get(name)
            return True
        except KeyError:
            return False

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        self.start()
        try:
            return _core.r_get(name)
        except KeyError:
            raise AttributeError(f"no R object named '{name}' on R's search path") from None

    def __repr__(self):
        return f"<tandem.RSession host={_core.host()!r} started={_core.r_started()}>"


r = RSession()


def to_r(value) -> RObject:
    """Converts a Python value to R by tandem's table and returns the R object."""
    r.start()
    return _core.to_r(value)


def to_py(value):
    """Converts an RObject to Python by tandem's table (other values pass through)."""
    return _core.to_py(value)


def _rpy2_ready():
    """Makes rpy2 usable on the R that tandem runs (rpy2 reads R_SESSION_INITIALIZED,
    which the core sets, and then attaches instead of starting a second R)."""
    try:
        import rpy2.rinterface as ri
        from rpy2.rinterface_lib import openrlib
    except ImportError as e:
        raise ImportError("rpy2 is not installed: pip install 'rpy2-rinterface==3.6.5' 'rpy2-robjects==3.6.5'") from e
    r.start()
    ri.initr()
    return openrlib


def to_rpy2(obj: RObject):
    """The same R object as an rpy2 object (no copy)."""
    if not isinstance(obj, RObject):
        obj = to_r(obj)
    openrlib = _rpy2_ready()
    from rpy2.rinterface_lib import conversion

    cdata = openrlib.ffi.cast("SEXP", obj._address)
    return conversion._cdata_to_rinterface(cdata)


def from_rpy2(obj) -> RObject:
    """The R object behind an rpy2 object, as a tandem.RObject (no copy)."""
    openrlib = _rpy2_ready()
    capsule = getattr(obj, "__sexp__", None)
    if capsule is None:
        raise TypeError(f"expected an rpy2 R object, not {type(obj).__name__}")
    address = int(openrlib.ffi.cast("uintptr_t", capsule._cdata))
    return _core._robject_from_address(address)
