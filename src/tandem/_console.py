"""Python's sys.stdout / sys.stderr when R hosts Python: text goes through R's console,
so R's sink() and capture.output() see what Python prints."""
import io
import os

from . import _core


class RConsole(io.TextIOBase):
    def __init__(self, error: bool):
        super().__init__()
        self._error = error
        self._fd = 2 if error else 1

    @property
    def encoding(self):
        return "utf-8"

    @property
    def errors(self):
        return "replace"

    def writable(self):
        return True

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if text:
            _core.r_write(text, self._error)
        return len(text)

    def flush(self):
        _core.r_flush()  # text after the last newline is held until now (whole lines)

    def isatty(self):
        try:
            return os.isatty(self._fd)
        except OSError:
            return False

    def fileno(self):
        return self._fd
