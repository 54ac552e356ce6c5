"""The ``r`` object that Python code run from R finds in ``__main__`` (reticulate's ``r``):
``r.x`` reads the R variable ``x``, ``r.f(1)`` calls the R function ``f``, ``r.x = 1``
assigns in R, ``r["x + 1"]`` evaluates R code. The R side installs the two R functions
that do the work (``install()``), so the environment they read and write is chosen by R
(the environment that called ``py_run_string()``, knitr's, testthat's, the global one).
"""
import threading

_lock = threading.Lock()
_getter = None
_setter = None


class _Missing:
    """Returned by the R getter for a name that R does not have."""

    def __repr__(self):
        return "<no such R object>"


MISSING = _Missing()


def install(getter, setter):
    """Called by the R package: ``getter(name, code)`` reads (``code=True``: evaluates R
    code), ``setter(name, value)`` assigns."""
    global _getter, _setter
    with _lock:
        _getter, _setter = getter, setter


def _functions():
    getter, setter = _getter, _setter
    if getter is None:
        raise RuntimeError("the R interface object is not ready: load the R package tandem first")
    return getter, setter


class R:
    """R, seen from Python: attributes are R objects of the calling R environment."""

    __slots__ = ()

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        getter, _ = _functions()
        value = getter(name, False)
        if value is MISSING:
            raise AttributeError(f"R has no object named '{name}'")
        return value

    def __setattr__(self, name, value):
        _, setter = _functions()
        setter(name, value)

    def __delattr__(self, name):
        raise AttributeError("R objects cannot be deleted through `r`; use r['rm(name)']")

    def __getitem__(self, code):
        if not isinstance(code, str):
            raise TypeError(f"R code must be a str, not {type(code).__name__}")
        getter, _ = _functions()
        return getter(code, True)

    def __setitem__(self, name, value):
        if not isinstance(name, str):
            raise TypeError(f"an R name must be a str, not {type(name).__name__}")
        _, setter = _functions()
        setter(name, value)

    def __repr__(self):
        return "<R interface object (tandem): r.name reads R, r.name = value assigns>"


r = R()
