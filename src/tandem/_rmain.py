"""_rmain.py: an `r` object in __main__ for Python code that R runs (knitr chunks,
repl_python()) when nothing else defined one: r.x reads the R object x, r.x = v assigns
it, in knitr's document environment while knitting, else in R's global environment."""
import sys


class _RProxy:
    def _fun(self, code):
        from ._session import r

        return r.eval(code)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self._fun("function(name) get(name, envir = tandem:::r_proxy_env())")(name)
        except Exception as e:
            raise AttributeError(f"no R object named '{name}'") from e

    def __setattr__(self, name, value):
        self._fun("function(name, value) assign(name, value, envir = tandem:::r_proxy_env())")(name, value)

    __getitem__ = __getattr__
    __setitem__ = __setattr__

    def __repr__(self):
        return "<R environment proxy: r.x reads the R object x>"


def ensure_r_in_main():
    ns = sys.modules["__main__"].__dict__
    if "r" not in ns:
        ns["r"] = _RProxy()
