"""Keras adapters for R objects, shared by R-hosted training (tandem.keras) and Python
scripts.

``RCallback(cb)`` wraps an R callback object (an R6 object, an environment or a named
list of R functions with names like ``on_epoch_end``) as a ``keras.callbacks.Callback``:
each Keras hook calls the R function of the same name if there is one, with 1-based epoch
and batch numbers (``one_based=False`` keeps Keras' 0-based ones) and the logs as a named
list. A named list returned by the R function is merged into Keras' logs. The R object's
``model`` and ``params`` fields, when it has them, are set as Keras sets its own.
"""
from . import _core
from ._core import RObject

_HOOKS = {
    "on_train_begin": None, "on_train_end": None,
    "on_epoch_begin": "epoch", "on_epoch_end": "epoch",
    "on_train_batch_begin": "batch", "on_train_batch_end": "batch",
    "on_test_begin": None, "on_test_end": None,
    "on_test_batch_begin": "batch", "on_test_batch_end": "batch",
    "on_predict_begin": None, "on_predict_end": None,
    "on_predict_batch_begin": "batch", "on_predict_batch_end": "batch",
}
_ALIASES = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}

_class = None


def _r_function(obj, name):
    try:
        fn = getattr(obj, name)
    except (AttributeError, KeyError):
        return None
    return fn if isinstance(fn, RObject) and fn.rtype in ("closure", "builtin", "special") else None


def _make_class():
    import keras

    class _RCallback(keras.callbacks.Callback):
        def __init__(self, r_callback, one_based=True):
            super().__init__()
            if not isinstance(r_callback, RObject):
                raise TypeError(f"r_callback must be an R object (tandem.RObject), not {type(r_callback).__name__}")
            self.r_callback = r_callback
            self.one_based = one_based
            self._fns = {}
            for hook in _HOOKS:
                fn = _r_function(r_callback, hook) or (_r_function(r_callback, _ALIASES[hook]) if hook in _ALIASES else None)
                if fn is not None:
                    self._fns[hook] = fn

        def _set_field(self, name, value):
            obj = self.r_callback
            if obj.rtype == "environment":
                try:
                    getattr(obj, name)
                except AttributeError:
                    return
                obj[name] = value

        def set_model(self, model):
            super().set_model(model)
            self._set_field("model", model)

        def set_params(self, params):
            super().set_params(params)
            self._set_field("params", params)

    def make_hook(hook, counter):
        if counter is not None:
            def method(self, index, logs=None):
                fn = self._fns.get(hook)
                if fn is None:
                    return None
                result = fn(index + 1 if self.one_based else index, dict(logs or {}))
                if isinstance(result, dict) and logs is not None:
                    logs.update(result)
        else:
            def method(self, logs=None):
                fn = self._fns.get(hook)
                if fn is None:
                    return None
                result = fn(dict(logs or {}))
                if isinstance(result, dict) and logs is not None:
                    logs.update(result)

        method.__name__ = hook
        return method

    for hook, counter in _HOOKS.items():
        setattr(_RCallback, hook, make_hook(hook, counter))
    _RCallback.__name__ = _RCallback.__qualname__ = "RCallback"
    _RCallback.__module__ = __name__
    return _RCallback


def RCallback(r_callback, one_based=True):
    """A keras.callbacks.Callback that forwards Keras' hooks to an R callback object."""
    global _class
    if _class is None:
        _class = _make_class()
    return _class(r_callback, one_based=one_based)


__all__ = ["RCallback"]
