"""Load hooks for R's py_register_load_hook(): an R function runs right after a Python
module is first imported, whoever imports it (R, Python code, another module)."""
import sys
import threading

_lock = threading.Lock()
_watched = set()
_callback = None  # the R function called with the module's name


class _HookLoader:
    """Delegates to the real loader and reports the module once it has executed."""

    def __init__(self, loader, name):
        self._tandem_loader = loader
        self._tandem_name = name

    def __getattr__(self, attr):
        return getattr(self._tandem_loader, attr)

    def create_module(self, spec):
        create = getattr(self._tandem_loader, "create_module", None)
        return create(spec) if create is not None else None

    def exec_module(self, module):
        loader = self._tandem_loader
        # Put the real loader back before the module's code runs, so that it sees itself.
        spec = getattr(module, "__spec__", None)
        if spec is not None and spec.loader is self:
            spec.loader = loader
        if getattr(module, "__loader__", None) is self:
            module.__loader__ = loader
        loader.exec_module(module)
        _loaded(self._tandem_name)


class _Finder:
    """First on sys.meta_path; only answers for watched names, by asking the others."""

    def find_spec(self, fullname, path=None, target=None):
        with _lock:
            if fullname not in _watched:
                return None
        for finder in sys.meta_path:
            if finder is self or isinstance(finder, _Finder):
                continue
            find = getattr(finder, "find_spec", None)
            if find is None:
                continue
            spec = find(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        if spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _HookLoader(spec.loader, fullname)
        return spec

    def invalidate_caches(self):
        pass


_finder = _Finder()


def _loaded(name):
    with _lock:
        if name not in _watched:
            return
        _watched.discard(name)
        callback = _callback
    if callback is not None:
        callback(name)


def set_callback(callback):
    global _callback
    with _lock:
        _callback = callback
        if _finder not in sys.meta_path:
            sys.meta_path.insert(0, _finder)


def watch(name):
    """Reports ``name`` the next time it is imported; False if it is already imported."""
    with _lock:
        if name in sys.modules:
            return False
        _watched.add(name)
        if _finder not in sys.meta_path:
            sys.meta_path.insert(0, _finder)
        return True
