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

    @classmethod
    def _for_rclass(cls, rclass):
        """The exception type for an R condition of classes `rclass`: a tandem conversion
        error that reached Python through R code (an R method, R's S3 dispatch of r_to_py())
        is also the built-in exception that tandem raises without R code in between
        (``tandem_value_error`` is a ValueError, ...)."""
        for name in rclass:
            kind = _KINDS.get(name)
            if kind is not None:
                return kind
        return cls


class RValueError(RError, ValueError):
    """A tandem conversion error (R class ``tandem_value_error``) raised in R code."""


class RTypeError(RError, TypeError):
    """A tandem type error (R class ``tandem_type_error``) raised in R code."""


class RAttributeError(RError, AttributeError):
    """A tandem attribute error (R class ``tandem_attribute_error``) raised in R code."""


class RKeyError(RError, KeyError):
    """A tandem key error (R class ``tandem_key_error``) raised in R code."""


class RIndexError(RError, IndexError):
    """A tandem index error (R class ``tandem_index_error``) raised in R code."""


_KINDS = {"tandem_value_error": RValueError, "tandem_type_error": RTypeError,
          "tandem_attribute_error": RAttributeError, "tandem_key_error": RKeyError,
          "tandem_index_error": RIndexError}


class RWarning(UserWarning):
    """An R warning raised while Python was calling R."""


_core._register_types(RError, RWarning)
