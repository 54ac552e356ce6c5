"""tandem: R and Python in one process, through one native core.

Python hosts R::

    import tandem
    r = tandem.r                      # embedded R, started on first use
    r.eval("1 + 1")                   # 2.0
    f = r.eval("function(a, b = 2) a * b")
    f(3, b=4)                         # 12.0

R hosts Python through the R package ``tandem`` (``library(tandem)``).
"""
from ._core import RObject
from ._errors import RError, RWarning
from ._session import RSession, r, to_r, to_py, from_rpy2, to_rpy2
from . import keras

__all__ = ["r", "keras", "RSession", "RObject", "RError", "RWarning", "to_r", "to_py", "from_rpy2", "to_rpy2"]
__version__ = "0.1.0"
