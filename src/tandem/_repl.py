"""_repl.py: the Python side of repl_python(): a console in __main__ fed one line at a time
by R's readline(), so R keeps the terminal, its history and its interrupt handling.
The magics (%pwd, %cd, !cmd, ...) are parsed and run in R (r/tandem/R/repl.R); their
values reach Python through set_last() and assign()."""
import code
import sys

from ._rmain import ensure_r_in_main

_EXIT = {"exit", "quit", "exit()", "quit()"}


class Repl(code.InteractiveConsole):
    """push_line(line) -> "more" (a block continues), "done", or "exit" (leave the REPL)."""

    def __init__(self):
        main = sys.modules["__main__"]
        ensure_r_in_main()
        super().__init__(locals=main.__dict__, filename="<stdin>")
        # The object this console last stored as __main__._ (a magic's value), or a
        # sentinel. While __main__._ is still that object, displayed values replace it
        # (as sys.displayhook does for builtins._); a `_` the user assigned is left alone.
        self._owned = _NOTHING

    # R sets this to a function that signals the text as an R message (tracebacks are
    # R messages in reticulate's REPL, so expect_message() and suppressMessages() see them)
    on_write = None

    def write(self, data):
        if self.on_write is not None:
            self.on_write(data)
        else:
            sys.stderr.write(data)

    def push_line(self, line):
        """One console line. At top level, leading and trailing blanks are dropped and
        an empty line does nothing. A line that cannot continue the pending block runs
        that block first, then starts anew (so a block needs no empty line before the
        next statement)."""
        if not self.buffer:
            line = line.strip()
            if not line:
                return "done"
            if line in _EXIT:
                return "exit"
        self.buffer.append(line)
        source = "\n".join(self.buffer)
        try:
            compiled = self.compile(source, self.filename, "single")
        except (OverflowError, SyntaxError, ValueError):
            if len(self.buffer) > 1:
                previous = "\n".join(self.buffer[:-1])
                self.resetbuffer()
                if self._run_source(previous) == "exit":
                    return "exit"
                return self.push_line(line)
            self.resetbuffer()
            self.showsyntaxerror(self.filename)
            return "done"
        if compiled is None:
            return "more"
        self.resetbuffer()
        return self._run(compiled)

    def _run_source(self, source):
        try:
            compiled = compile(source.rstrip() + "\n", self.filename, "single")
        except (OverflowError, SyntaxError, ValueError):
            self.showsyntaxerror(self.filename)
            return "done"
        return self._run(compiled)

    def _run(self, compiled):
        hook = sys.displayhook

        def display(value):
            hook(value)
            if value is not None:
                self._track(value)

        sys.displayhook = display
        try:
            self.runcode(compiled)
        except SystemExit:
            return "exit"
        finally:
            if sys.displayhook is display:
                sys.displayhook = hook
        return "done"

    def _track(self, value):
        main = self.locals
        if "_" in main and main["_"] is self._owned:
            main["_"] = value
            self._owned = value

    def set_last(self, value):
        """Stores a magic's value as __main__._ (as reticulate does)."""
        self.locals["_"] = value
        self._owned = value

    def assign(self, target, value):
        """`target = %magic`: the value becomes `_`, then `target = _` runs in __main__
        (tuple targets and starred unpacking included)."""
        self.set_last(value)
        exec(compile(f"{target} = _\n", self.filename, "exec"), self.locals)

    def show(self, value):
        """Displays a value as the console displays an expression's value."""
        print(repr(value))

    def help(self, topic):
        """`?topic` / `topic?`: help() on the object the name evaluates to in __main__,
        else on the topic string (modules, keywords, dotted names)."""
        import pydoc

        try:
            obj = eval(topic, self.locals)
        except Exception:
            obj = topic
        pydoc.help(obj)

    def pending(self):
        return list(self.buffer)

    def set_pending(self, lines):
        self.buffer = [str(x) for x in lines]

    def reset(self):
        self.resetbuffer()


class _Nothing:
    pass


_NOTHING = _Nothing()
