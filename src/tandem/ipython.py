"""ipython.py: the %R / %%R magics for IPython and Jupyter (``%load_ext tandem.ipython``).

R runs embedded in the kernel's process (``tandem.r``). The options follow rpy2's
``rpy2.ipython`` magics: ``-i``/``-o`` move variables in and out (by tandem's conversion
table, so NumPy arrays and pandas data frames are not copied where the table allows),
``-w``/``-h``/``-u``/``-r``/``-p``/``-b`` set the PNG device that R plots of the cell
are drawn on (shown as image/png output), ``-n`` returns nothing. R's ``cat()`` and
``print()`` write to the cell's output, R warnings to its stderr; an R error is raised as :class:`RInterpreterError`,
shown as R's message and R's call stack instead of a Python traceback.
"""
import os
import shutil
import sys
import tempfile

from IPython.core.magic import (Magics, line_cell_magic, line_magic, magics_class,
                                needs_local_scope, no_var_expand)
from IPython.core.magic_arguments import argument, argument_group, magic_arguments, parse_argstring
from IPython.display import Image, display

from ._errors import RError
from ._session import r

__all__ = ["RMagics", "RInterpreterError", "load_ipython_extension"]


class RInterpreterError(RError):
    """An R error raised by the code of a %R / %%R cell.

    Attributes (besides RError's): ``code`` (the R code), ``err`` (R's error message) and
    ``rtraceback`` (the R calls active when the error happened, outermost first).
    """

    def __init__(self, code, err, rtraceback=(), original=None):
        super().__init__(err)
        self.code = code
        self.err = err
        self.rtraceback = list(rtraceback)
        if original is not None:
            self.rclass = getattr(original, "rclass", self.rclass)
            self.call = getattr(original, "call", None)
            self.condition = getattr(original, "condition", None)

    def __str__(self):
        return self.err

    def _render_traceback_(self):
        # IPython shows this instead of the Python frames of the magic itself.
        lines = [self.err]
        if self.rtraceback:
            lines.append("R traceback (outermost call first):")
            lines.extend(f"  {i}: {c}" for i, c in enumerate(self.rtraceback, 1))
        return lines


# Evaluates the cell in R's global environment like R's console: returns the last value and
# whether it is visible, prints it when asked, and keeps the calls active at an error.
_EVAL_R = r"""
function(.tandem_code, .tandem_print, state) {
  state$trace <- character()
  warnings <- list()
  # R warnings are shown as R shows them, on the cell's stderr, after the cell's code.
  on.exit(for (w in warnings) {
    call <- conditionCall(w)
    if (!is.null(call) && identical(call[[1L]], quote(eval)) && identical(call[[2L]], quote(.tandem_expr))) call <- NULL
    cat("Warning message:\n", if (!is.null(call)) paste0("In ", paste(deparse(call, nlines = 1L), collapse = " "), " : "),
        conditionMessage(w), "\n", sep = "", file = stderr())
  })
  exprs <- parse(text = .tandem_code, keep.source = FALSE)
  res <- list(value = NULL, visible = FALSE)
  withCallingHandlers({
    for (.tandem_expr in exprs) res <- withVisible(eval(.tandem_expr, globalenv()))
    if (.tandem_print && res$visible) print(res$value)
  }, warning = function(w) {
    warnings[[length(warnings) + 1L]] <<- w
    invokeRestart("muffleWarning")
  }, error = function(e) {
    calls <- vapply(sys.calls(), function(cl) paste(deparse(cl, nlines = 1L), collapse = " "), "")
    start <- max(c(0L, grep("^eval\\(\\.tandem_expr", calls)))
    calls <- calls[seq_len(length(calls))[-seq_len(start)]]
    drop <- grep("^(\\.handleSimpleError|h\\(simpleError|stop\\(|withCallingHandlers)", calls)
    state$trace <- if (length(drop)) calls[seq_len(min(drop) - 1L)] else calls
  })
  list(value = res$value, visible = res$visible)
}
"""

def _find(name, namespaces):
    """The value named `name` (possibly dotted: 'module.attr') in the first namespace
    that has its first part."""
    head, *rest = name.split(".")
    for ns in namespaces:
        if ns is not None and head in ns:
            value = ns[head]
            for part in rest:
                value = getattr(value, part)
            return value
    raise NameError(f"name '{name}' is not defined")


def _names(values):
    """-i a,b -i c  ->  ['a', 'b', 'c']"""
    out = []
    for v in values or []:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


@magics_class
class RMagics(Magics):
    """The %R, %%R, %Rpush, %Rpull and %Rget magics."""

    def __init__(self, shell):
        super().__init__(shell)
        r.start()
        self._eval_fun = None

    # -- evaluation -------------------------------------------------------------------
    def _evaluator(self):
        if self._eval_fun is None:
            self._eval_fun = r.eval(_EVAL_R)
        return self._eval_fun

    def eval(self, code, print_result=False):
        """Evaluates R code in R's global environment; returns (value, visible). An R
        error raises RInterpreterError with R's calls at the error."""
        f = self._evaluator()
        state = r.eval("new.env()")
        try:
            out = f(code, bool(print_result), state)
        except RError as e:
            trace = r.eval("function(s) as.list(s$trace)")(state)
            call = getattr(e, "call", None)
            message = f"Error in {call} : {e}" if call else f"Error: {e}"
            raise RInterpreterError(code, message, list(trace or []), original=e) from None
        return out["value"], bool(out["visible"])

    # -- variables --------------------------------------------------------------------
    def _push(self, spec, local_ns):
        lhs, _, rhs = spec.partition("=")
        lhs, rhs = lhs.strip(), (rhs or lhs).strip()
        value = _find(rhs, [local_ns, self.shell.user_ns])
        r[lhs] = value

    def _pull(self, name):
        try:
            return r[name]
        except KeyError:
            raise NameError(f"R has no object named '{name}'") from None

    # -- graphics ---------------------------------------------------------------------
    @staticmethod
    def _open_device(args):
        directory = tempfile.mkdtemp(prefix="tandem-rmagic-")
        units = args.units or "px"
        res = args.res
        if res is None and units != "px":
            res = 72
        opts = {"units": units}
        if args.width is not None:
            opts["width"] = args.width
        if args.height is not None:
            opts["height"] = args.height
        if res is not None:
            opts["res"] = res
        if args.pointsize is not None:
            opts["pointsize"] = args.pointsize
        if args.bg is not None:
            opts["bg"] = args.bg
        open_png = r.eval(
            "function(filename, ...) { grDevices::png(filename, ...); grDevices::dev.cur() }"
        )
        device = open_png(os.path.join(directory, "Rplot%03d.png"), **opts)
        return directory, device

    @staticmethod
    def _close_device(directory, device):
        close = r.eval(
            "function(d) if (d %in% grDevices::dev.list()) invisible(grDevices::dev.off(d))"
        )
        try:
            close(device)
        finally:
            images = []
            for name in sorted(os.listdir(directory)):
                path = os.path.join(directory, name)
                if name.endswith(".png") and os.path.getsize(path) > 0:
                    with open(path, "rb") as fh:
                        images.append(fh.read())
            shutil.rmtree(directory, ignore_errors=True)
            sys.stdout.flush()
            sys.stderr.flush()
            for data in images:
                display(Image(data=data, format="png"))

    # -- magics -----------------------------------------------------------------------
    @magic_arguments()
    @argument("inputs", nargs="*", help="Python names to assign in R (r_name=py_name allowed).")
    @needs_local_scope
    @line_magic
    def Rpush(self, line, local_ns=None):
        """Assigns Python variables in R's global environment: %Rpush x y"""
        args = parse_argstring(self.Rpush, line)
        for spec in _names(args.inputs):
            self._push(spec, local_ns or {})

    @magic_arguments()
    @argument("outputs", nargs="*", help="R names to copy into the IPython namespace.")
    @line_magic
    def Rpull(self, line):
        """Copies R variables into the IPython namespace: %Rpull x y"""
        args = parse_argstring(self.Rpull, line)
        self.shell.push({name: self._pull(name) for name in _names(args.outputs)})

    @magic_arguments()
    @argument("output", nargs=1, help="An R name.")
    @line_magic
    def Rget(self, line):
        """Returns the R variable: x = %Rget x"""
        args = parse_argstring(self.Rget, line)
        return self._pull(args.output[0])

    @magic_arguments()
    @argument("-i", "--input", action="append",
              help="Python names assigned in R before the code runs; comma separated, "
                   "each 'name' or 'r_name=python_name' (dotted Python names allowed).")
    @argument("-o", "--output", action="append",
              help="R names copied into the IPython namespace after the code ran; comma separated.")
    @argument("-n", "--noreturn", action="store_true", default=False,
              help="Return nothing (line mode) and print nothing (cell mode).")
    @argument_group("Plot", "Arguments to the PNG device the cell's R plots are drawn on")
    @argument("-w", "--width", type=float, help="Width of the plot (in --units).")
    @argument("-h", "--height", type=float, help="Height of the plot (in --units).")
    @argument("-p", "--pointsize", type=int, help="Point size of text.")
    @argument("-b", "--bg", help="Background colour.")
    @argument("-u", "--units", type=str, choices=["px", "in", "cm", "mm"],
              help="Units of --width and --height (default px).")
    @argument("-r", "--res", type=int,
              help="Resolution in ppi (default 72 when --units is in, cm or mm).")
    @argument("code", nargs="*")
    @needs_local_scope
    @line_cell_magic
    @no_var_expand
    def R(self, line, cell=None, local_ns=None):
        """Runs R code in the embedded R.

        %R expr            line mode: returns the value (converted to Python) when visible
        %%R [options]      cell mode: runs the cell; a visible last value is printed by R

        Example::

            %%R -i df -o fit -w 400 -h 300
            fit <- lm(y ~ x, data = df)
            plot(df$x, df$y)
        """
        args = parse_argstring(self.R, line)
        line_mode = cell is None
        code = " ".join(args.code) if line_mode else (" ".join(args.code) + "\n" + cell)
        local_ns = local_ns or {}
        for spec in _names(args.input):
            self._push(spec, local_ns)
        directory, device = self._open_device(args)
        try:
            value, visible = self.eval(code, print_result=not line_mode and not args.noreturn)
        finally:
            self._close_device(directory, device)
        for name in _names(args.output):
            self.shell.push({name: self._pull(name)})
        if line_mode and visible and not args.noreturn:
            return value
        return None


def load_ipython_extension(ipython):
    """Called by ``%load_ext tandem.ipython``."""
    ipython.register_magics(RMagics)
