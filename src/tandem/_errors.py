"""Exceptions for R conditions seen from Python."""
from . import _core


class RError(RuntimeError):
    """An R error raised by R code that Python called (a RuntimeError, as reticulate
    raises R errors in Python).

    Attributes:
        rclass: the R condition's class vector, as a tuple of str
            (e.g. ``("simpleError", "error", "condition")``).
        call: the R call the error names, deparsed, or None.
        condition: the original R condition (a tandem.RObject). When this exception
            travels back into R, R sees that original condition again.
    """

    rclass: tuple = ("error", "condition")
    call = None
    condition = None

    def __str__(self):
        return self.args[0] if self.args else ""


class RWarning(UserWarning):
    """An R warning raised while Python was calling R."""


_core._register_types(RError, RWarning)
