"""Capturing what Python writes to sys.stdout / sys.stderr (R's py_capture_output()),
including logging handlers that hold a reference to those streams."""
import io
import logging
import sys


def _handlers():
    root = getattr(logging, "root", None)
    if root is not None:
        yield from getattr(root, "handlers", [])
    for logger in list(getattr(logging.Logger.manager, "loggerDict", {}).values()):
        yield from getattr(logger, "handlers", [])


def _set_stream(handler, stream):
    setter = getattr(handler, "setStream", None)
    if setter is not None:
        setter(stream)
    else:
        handler.stream = stream


class OutputCapture:
    """Context manager: while active, the chosen streams write to one buffer."""

    def __init__(self, stdout=True, stderr=True):
        self._names = [n for n, on in (("stdout", stdout), ("stderr", stderr)) if on]
        self._buffer = io.StringIO()
        self._saved = {}
        self._handlers = []

    def __enter__(self):
        for name in self._names:
            old = getattr(sys, name)
            self._saved[name] = old
            setattr(sys, name, self._buffer)
            for handler in _handlers():
                if getattr(handler, "stream", None) is old and old is not None:
                    self._handlers.append((handler, old))
                    _set_stream(handler, self._buffer)
        return self

    def __exit__(self, *exc):
        for name, old in self._saved.items():
            if getattr(sys, name) is self._buffer:
                setattr(sys, name, old)
        for handler, old in self._handlers:
            if getattr(handler, "stream", None) is self._buffer:
                _set_stream(handler, old)
        self._saved, self._handlers = {}, []
        return False

    def getvalue(self):
        return self._buffer.getvalue()
