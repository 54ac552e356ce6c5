"""The %R / %%R magics (tandem.ipython) in a real IPython shell and in a notebook run by
jupyter nbconvert."""
import base64
import json
import os
import subprocess
import sys

import pytest

IPython = pytest.importorskip("IPython")
np = pytest.importorskip("numpy")

from IPython.core.interactiveshell import InteractiveShell  # noqa: E402
from IPython.utils.capture import capture_output  # noqa: E402

from conftest import ROOT, child_env  # noqa: E402


@pytest.fixture(scope="module")
def shell(r):
    import builtins
    import gc

    saved = (sys.displayhook, sys.excepthook, sys.stdout, sys.stderr, sys.modules["__main__"])
    saved_builtins = dict(vars(builtins))
    sh = InteractiveShell.instance()
    sh.run_line_magic("load_ext", "tandem.ipython")
    yield sh
    # Leave the process as the other tests expect it: IPython made its own module
    # __main__ and keeps every result in its history.
    sh.reset(new_session=False)
    InteractiveShell.clear_instance()
    sys.displayhook, sys.excepthook, sys.stdout, sys.stderr, sys.modules["__main__"] = saved
    for name in set(vars(builtins)) - set(saved_builtins):
        delattr(builtins, name)
    vars(builtins).update(saved_builtins)
    gc.collect()


def run(shell, code):
    with capture_output() as cap:
        result = shell.run_cell(code)
    return result, cap


def png_size(data):
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_cell_magic_moves_variables_in_and_out(shell):
    shell.user_ns["xs"] = [1.5, 2.5, 4.0]
    shell.user_ns["label"] = "total"
    result, cap = run(shell, "%%R -i xs,label -o s,msg\ns <- sum(xs)\nmsg <- paste(label, s)")
    assert result.error_in_exec is None
    assert shell.user_ns["s"] == 8.0
    assert shell.user_ns["msg"] == "total 8"


def test_input_renamed_and_dotted(shell):
    import types

    shell.user_ns["cfg"] = types.SimpleNamespace(n=7)
    result, _ = run(shell, "%R -i k=cfg.n -o twice twice <- k * 2L")
    assert result.error_in_exec is None
    assert shell.user_ns["twice"] == 14


def test_numpy_arrays_cross_without_copies(shell):
    x = np.asfortranarray(np.arange(6.0).reshape(2, 3))
    shell.user_ns["x"] = x
    run(shell, "%R -i x")
    x[0, 0] = 42.0  # R sees NumPy's memory: no copy was made
    result, _ = run(shell, "%R x[1, 1]")
    assert result.result == 42.0
    result, _ = run(shell, "%R dim(x)")
    assert list(result.result) == [2, 3]
    run(shell, "%R -o m m <- matrix(as.numeric(1:6), 2)")
    m = shell.user_ns["m"]
    assert isinstance(m, np.ndarray) and m.shape == (2, 3)
    assert m[1, 2] == 6.0
    assert not m.flags.owndata and not m.flags.writeable  # a view of R's memory


def test_pandas_data_frames_round_trip(shell):
    pd = pytest.importorskip("pandas")
    shell.user_ns["df"] = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": ["u", "v", "w"]})
    result, _ = run(shell, "%%R -i df -o df2\ndf2 <- df[df$a > 1, ]\ndf2$c <- toupper(df2$b)")
    assert result.error_in_exec is None
    df2 = shell.user_ns["df2"]
    assert isinstance(df2, pd.DataFrame)
    assert list(df2["c"]) == ["V", "W"]
    assert list(df2["a"]) == [2.0, 3.0]


def test_line_magic_returns_the_visible_value(shell):
    result, _ = run(shell, "%R sqrt(16)")
    assert result.result == 4.0
    result, _ = run(shell, "%R invisible(5)")
    assert result.result is None
    result, _ = run(shell, "%R -n 1 + 1")
    assert result.result is None


def test_output_goes_to_the_cell(shell):
    result, cap = run(shell, "%%R\ncat('from cat\\n')\nprint(1:3)\nmessage('to stderr')\nc(a = 1, b = 2)")
    assert result.error_in_exec is None
    assert "from cat" in cap.stdout
    assert "[1] 1 2 3" in cap.stdout
    assert "to stderr" in cap.stderr
    # the visible last value is printed by R, names and all
    assert "a b \n1 2 " in cap.stdout


def test_r_warnings_show_as_r_shows_them(shell):
    code = "%%R\nx <- as.integer('a')\nwf <- function() warning('inner warn')\nwf()\n3"
    result, cap = run(shell, code)
    assert result.error_in_exec is None
    assert "[1] 3" in cap.stdout
    assert "Warning message:\nNAs introduced by coercion\n" in cap.stderr
    assert "Warning message:\nIn wf() : inner warn\n" in cap.stderr
    assert "ipython.py" not in cap.stderr


def test_plots_become_png_outputs(shell):
    result, cap = run(shell, "%%R -w 300 -h 200\nplot(1:10)\nhist(rnorm(50))")
    assert result.error_in_exec is None
    pngs = [o.data["image/png"] for o in cap.outputs if "image/png" in o.data]
    assert len(pngs) == 2
    for data in pngs:
        raw = data if isinstance(data, bytes) else base64.b64decode(data)
        assert raw[1:4] == b"PNG"
        assert png_size(raw) == (300, 200)
    # a cell without plots shows no image
    _, cap = run(shell, "%R x <- 1")
    assert not [o for o in cap.outputs if "image/png" in o.data]


def test_plot_units_and_resolution(shell):
    _, cap = run(shell, "%%R -w 2 -h 1 -u in -r 100\nplot(1)")
    pngs = [o.data["image/png"] for o in cap.outputs if "image/png" in o.data]
    assert len(pngs) == 1
    raw = pngs[0] if isinstance(pngs[0], bytes) else base64.b64decode(pngs[0])
    assert png_size(raw) == (200, 100)


def test_r_errors_are_readable(shell):
    from tandem.ipython import RInterpreterError

    result, cap = run(shell, "%%R\ninner <- function(v) stop('bad value: ', v)\nouter <- function() inner(3)\nouter()")
    err = result.error_in_exec
    assert isinstance(err, RInterpreterError)
    assert "bad value: 3" in err.err
    assert "inner(3)" in err.err
    assert err.rtraceback == ["outer()", "inner(3)"]
    shown = cap.stdout + cap.stderr
    assert "bad value: 3" in shown
    assert "1: outer()" in shown and "2: inner(3)" in shown
    assert "ipython.py" not in shown  # no Python frames of the magic
    # the session keeps working
    result, _ = run(shell, "%R 2 + 2")
    assert result.result == 4.0


def test_syntax_error_and_missing_names(shell):
    result, _ = run(shell, "%R 1 +* 2")
    assert "unexpected" in str(result.error_in_exec)
    result, _ = run(shell, "%R -i surely_missing_name_xyz 1")
    assert isinstance(result.error_in_exec, NameError)
    result, _ = run(shell, "%R -o surely_missing_r_name 1")
    assert isinstance(result.error_in_exec, NameError)


def test_push_pull_get(shell):
    shell.user_ns["pv"] = 3
    run(shell, "%Rpush pv")
    run(shell, "%R pv2 <- pv * 10L")
    run(shell, "%Rpull pv2")
    assert shell.user_ns["pv2"] == 30
    result, _ = run(shell, "%Rget pv2")
    assert result.result == 30


def test_notebook_runs_end_to_end_with_nbconvert(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("nbconvert")
    # A kernelspec that names this venv's Python, found first through JUPYTER_PATH, so the
    # kernel never resolves to another interpreter.
    spec_dir = tmp_path / "jupyter" / "kernels" / "tandem-test"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "tandem test", "language": "python"}))
    src = os.path.join(ROOT, "tests", "notebooks", "rmagic.ipynb")
    out = tmp_path / "executed.ipynb"
    env = child_env(JUPYTER_PATH=str(tmp_path / "jupyter"), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
                    JUPYTER_PLATFORM_DIRS="1", IPYTHONDIR=str(tmp_path / "ipython"))
    env.pop("TANDEM_PYTHON", None)
    proc = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--allow-errors",
         "--ExecutePreprocessor.kernel_name=tandem-test", "--ExecutePreprocessor.timeout=180",
         "--output", str(out), src],
        capture_output=True, text=True, timeout=400, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    nb = nbformat.read(str(out), as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code"]
    assert not [o for o in cells[0].outputs if o.output_type == "error"]
    r_cell = cells[1]
    text = "".join(o.get("text", "") for o in r_cell.outputs if o.output_type == "stream")
    assert "dims: 3 4" in text
    assert "[1] 21" in text  # the visible last value, printed by R
    images = [o for o in r_cell.outputs if o.output_type == "display_data" and "image/png" in o.data]
    assert len(images) == 1
    raw = base64.b64decode(images[0].data["image/png"])
    assert raw[1:4] == b"PNG" and png_size(raw) == (320, 240)
    py_text = "".join(o.get("text", "") for o in cells[2].outputs if o.output_type == "stream")
    assert "python sees [12.0, 15.0, 18.0, 21.0]" in py_text
    result = [o for o in cells[3].outputs if o.output_type == "execute_result"]
    assert result and result[0].data["text/plain"] == "12.0"
    errors = [o for o in cells[4].outputs if o.output_type == "error"]
    assert len(errors) == 1
    assert errors[0].ename == "RInterpreterError"
    tb = "\n".join(errors[0].traceback)
    assert "negative input: -1" in tb and "1: bad(-1)" in tb
    assert "ipython.py" not in tb


def test_ctrl_c_interrupts_the_r_cell_not_the_shell():
    from test_interrupt import interrupt_child

    code = (
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "sh = InteractiveShell.instance()\n"
        "sh.run_line_magic('load_ext', 'tandem.ipython')\n"
        "print('READY', flush=True)\n"
        "res = sh.run_cell('%%R\\nSys.sleep(60)\\ncat(\"not interrupted\\\\n\")')\n"
        "print('error:', type(res.error_in_exec).__name__, flush=True)\n"
        "print('after:', sh.run_cell('%R 2 + 2').result, flush=True)\n"
    )
    out, err, _, rc = interrupt_child([sys.executable, "-c", code])
    assert "error: KeyboardInterrupt" in out, err
    assert "\nnot interrupted\n" not in out
    assert "after: 4.0" in out
    assert rc == 0
