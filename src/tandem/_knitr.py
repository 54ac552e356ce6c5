"""_knitr.py: runs one knitr {python} chunk statement by statement in __main__, the way a
console would, and reports what each statement printed, the figures it drew and its error.

The R side (r/tandem/R/knitr.R) turns the events into knitr output. Python does the
splitting, running and capturing so that a chunk is one call across the bridge.
"""
import ast
import contextlib
import io
import os
import sys
import traceback
import warnings

from ._rmain import ensure_r_in_main


def _is_matplotlib_artist(value):
    """True for what pyplot calls return (an Artist, or a list/tuple of Artists): knitr
    shows the figure, not '[<matplotlib.lines.Line2D at 0x...>]'."""
    mpl = sys.modules.get("matplotlib.artist")
    if mpl is None:
        return False
    if isinstance(value, mpl.Artist):
        return True
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, mpl.Artist) for v in value):
        return True
    return False


class _Figures:
    """Saves every open matplotlib figure to '<prefix><n>.png' and closes it, when the chunk
    calls plt.show() and at the end of the chunk (as Jupyter's inline backend does)."""

    def __init__(self, prefix, dpi, size):
        self.prefix = prefix
        self.dpi = dpi
        self.size = size
        self.count = 0
        self.pending = []
        self._saved_show = None
        self._saved_size = None

    def prepare(self):
        # Before pyplot is first imported: a non-interactive backend, so that no window opens
        # and plt.show() never blocks. As reticulate (NEWS 1.36), RETICULATE_MPLBACKEND,
        # else the user's explicit MPLBACKEND, wins.
        if "matplotlib.pyplot" not in sys.modules:
            override = os.environ.get("RETICULATE_MPLBACKEND")
            if override:
                os.environ["MPLBACKEND"] = override
            else:
                os.environ.setdefault("MPLBACKEND", "Agg")

    def _pyplot(self):
        return sys.modules.get("matplotlib.pyplot")

    def hook(self):
        """Called before each statement: once pyplot is imported, plt.show() flushes figures
        and new figures get the chunk's fig.width x fig.height."""
        plt = self._pyplot()
        if plt is None or self._saved_show is not None:
            return
        self._saved_show = plt.show
        self._saved_size = plt.rcParams["figure.figsize"]
        if self.size is not None:
            plt.rcParams["figure.figsize"] = self.size
        figures = self

        def show(*args, **kwargs):
            figures.flush()

        plt.show = show

    def flush(self):
        plt = self._pyplot()
        if plt is None:
            return
        for num in plt.get_fignums():
            fig = plt.figure(num)
            self.count += 1
            path = f"{self.prefix}{self.count}.png"
            directory = os.path.dirname(path)
            if directory:
                os.makedirs(directory, exist_ok=True)
            fig.savefig(path, dpi=self.dpi, format="png")
            plt.close(fig)
            self.pending.append(path)

    def take(self):
        out, self.pending = self.pending, []
        return out

    def restore(self):
        plt = self._pyplot()
        if plt is not None and self._saved_show is not None:
            plt.show = self._saved_show
            plt.rcParams["figure.figsize"] = self._saved_size
        self._saved_show = None


def _statements(code):
    """[(first_line, last_line, source)] of the top-level statements (1-based lines, the
    comments and blank lines before a statement belong to it)."""
    tree = ast.parse(code, "<chunk>", "exec")
    lines = code.split("\n")
    out = []
    start = 1
    for node in tree.body:
        end = node.end_lineno
        if out and end <= out[-1][1]:  # several statements on one line: one unit
            continue
        out.append((start, end, "\n".join(lines[start - 1:end])))
        start = end + 1
    return out


def _format_error(exc):
    """'Traceback ...' without the frames of this module: what a console shows."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))


def run_chunk(code, fig_prefix="", dpi=72.0, fig_size=None, warn=True, stop_on_error=True,
              print_all=True):
    """Runs `code` in __main__ and returns a list of events, in order:

    ("source", first_line, last_line)  the statements that produced the outputs after it
    ("text", str)                      printed output (stdout, stderr, the displayed value)
    ("figure", path)                   a PNG file written for a figure
    ("error", str)                     the exception, formatted as a console would
    A syntax error gives one error event and nothing runs.
    """
    main = sys.modules["__main__"]
    ns = main.__dict__
    ensure_r_in_main()
    events = []
    try:
        statements = _statements(code)
    except SyntaxError as e:
        events.append(("error", "".join(traceback.format_exception_only(type(e), e))))
        return events

    figures = _Figures(fig_prefix, dpi, tuple(fig_size) if fig_size is not None else None)
    figures.prepare()
    pending_source = 1
    with contextlib.ExitStack() as stack:
        if not warn:
            stack.enter_context(warnings.catch_warnings())
            warnings.simplefilter("ignore")
        stack.callback(figures.restore)
        for index, (first, last, source) in enumerate(statements):
            is_last = index == len(statements) - 1
            figures.hook()
            buffer = io.StringIO()
            quiet = source.rstrip().endswith(";") or (not print_all and not is_last)
            error = None

            def display(value):
                if value is None or _is_matplotlib_artist(value):
                    return
                ns["_"] = value
                buffer.write(repr(value) + "\n")

            saved_hook = sys.displayhook
            sys.displayhook = display
            try:
                with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
                    compiled = compile(source + "\n", "<chunk>", "exec" if quiet else "single")
                    exec(compiled, ns)
                    figures.hook()
            except KeyboardInterrupt:
                raise
            except BaseException as e:  # SystemExit too: a chunk never ends the R session
                error = _format_error(e)
            finally:
                sys.displayhook = saved_hook
            if is_last and error is None:
                figures.hook()
                figures.flush()
            text = buffer.getvalue()
            plots = figures.take()
            if text or plots or error is not None:
                events.append(("source", pending_source, last))
                pending_source = last + 1
                if text:
                    events.append(("text", text))
                events.extend(("figure", p) for p in plots)
                if error is not None:
                    events.append(("error", error))
                    if stop_on_error:
                        break
        if pending_source <= len(code.split("\n")) and not (events and events[-1][0] == "error" and stop_on_error):
            events.append(("source", pending_source, len(code.split("\n"))))
        # Figures left open after an error would leak into the next chunk.
        figures.hook()
        figures.flush()
        events.extend(("figure", p) for p in figures.take())
    return events
