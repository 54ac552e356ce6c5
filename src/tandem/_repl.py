"""_repl.py: the Python side of repl_python(): a console in __main__ fed one line at a time
by R's readline(), so R keeps the terminal, its history and its interrupt handling."""
import code
import sys

from ._rmain import ensure_r_in_main

_EXIT = {"exit", "quit", "exit()", "quit()"}


class Repl(code.InteractiveConsole):
    """push(line) -> "more" (a block continues), "done", or "exit" (leave the REPL)."""

    def __init__(self):
        main = sys.modules["__main__"]
        ensure_r_in_main()
        super().__init__(locals=main.__dict__, filename="<stdin>")

    def write(self, data):
        sys.stderr.write(data)

    def push_line(self, line):
        if not self.buffer and line.strip() in _EXIT:
            return "exit"
        try:
            more = self.push(line)
        except SystemExit:
            self.resetbuffer()
            return "exit"
        return "more" if more else "done"

    def reset(self):
        self.resetbuffer()
