"""Python hosts R: Ctrl-C inside long conversions, both directions (issue 11), raises
KeyboardInterrupt from the conversion itself; nothing half made is returned and the session
keeps working. A conversion hook sends the SIGINT first; a second hook after the long part
records whether the conversion went on past it."""
import __main__
import os
import signal
import sys
import threading
import time

import numpy as np
import pytest

import tandem


@pytest.fixture
def hooks(r):
    r.eval(
        "library(tandem)\n"
        "tandem_test_state <- new.env(); tandem_test_state$reached <- FALSE\n"
        "r_to_py.tandem_test_sigint <- function(x, convert = FALSE) { tools::pskill(Sys.getpid(), tools::SIGINT); r_to_py(NULL) }\n"
        "r_to_py.tandem_test_mark <- function(x, convert = FALSE) { tandem_test_state$reached <- TRUE; r_to_py(NULL) }\n"
        "py_run_string('class SigintNow: pass\\nclass Mark: pass')\n"
        "py_to_r.__main__.SigintNow <- function(x) { tools::pskill(Sys.getpid(), tools::SIGINT); NULL }\n"
        "py_to_r.__main__.Mark <- function(x) { tandem_test_state$reached <- TRUE; NULL }\n"
    )
    reached = r.eval("function() { r <- tandem_test_state$reached; tandem_test_state$reached <- FALSE; r }")
    yield reached
    r.eval("rm(list = c('tandem_test_state', 'r_to_py.tandem_test_sigint', 'r_to_py.tandem_test_mark', "
           "'py_to_r.__main__.SigintNow', 'py_to_r.__main__.Mark'), envir = globalenv())")


@pytest.mark.parametrize("long", [
    "rep(1.5, 2e6)",
    "as.character(seq_len(5e5))",
    "as.list(seq_len(2e4))",
    "array(c(TRUE, NA), c(1e3, 1e3))",
    "as.POSIXct('2020-01-01', tz = 'UTC') + seq_len(2e6)",
])
def test_r_to_python_stops_at_ctrl_c(r, hooks, long):
    code = f"list(structure(1, class = 'tandem_test_sigint'), {long}, structure(1, class = 'tandem_test_mark'))"
    with pytest.raises(KeyboardInterrupt):
        r.eval(code)
    assert hooks() is False  # stopped inside the long part
    assert r.eval("1 + 1") == 2.0


@pytest.mark.parametrize("long", [
    lambda: [float(i) for i in range(2_000_000)],
    lambda: [str(i) for i in range(500_000)],
    lambda: [object() for _ in range(20_000)],
    lambda: np.ones((3000, 1000)),
    lambda: np.asfortranarray(np.ones((3000, 1000), dtype="float32")),
    lambda: np.array([str(i) for i in range(300_000)]),
    lambda: {str(i): i for i in range(20_000)},
], ids=["floats", "strings", "objects", "c_matrix", "f_float32", "str_array", "dict"])
def test_python_to_r_stops_at_ctrl_c(r, hooks, long):
    value = [__main__.SigintNow(), long(), __main__.Mark()]
    with pytest.raises(KeyboardInterrupt):
        tandem.to_r(value)
    assert hooks() is False
    assert r.eval("1 + 1") == 2.0


def test_a_real_ctrl_c_from_another_thread(r):
    """os.kill from a timer thread while the main thread converts 3e7 doubles over and over."""
    big = np.ones(30_000_000)[::2]  # strided: one copying pass each time
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            for _ in range(500):
                tandem.to_r(big)
    finally:
        timer.cancel()
    assert r.eval("sum(1:10)") == 55


def _eventually(condition, r):
    """Polls condition() for up to 60 s while R and Python reach their service points (a
    half-made result that a Ctrl-C left is released in slices there)."""
    for _ in range(6000):
        if condition():
            return True
        r.eval("invisible(gc())")
        time.sleep(0.01)
    return condition()


def test_what_an_interrupted_r_to_python_conversion_built_is_released(r, hooks):
    """Ctrl-C after 50,000 of 100,001 elements: the R environments already converted (each
    a proxy that keeps its R object alive) are all released again, and nothing is assigned."""
    from tandem import _core

    r.eval("tandem_test_envs <- rep(list(new.env()), 5e4)")
    base = _core._preserved_count()
    value = None
    with pytest.raises(KeyboardInterrupt):
        value = r.eval("c(tandem_test_envs, list(structure(1, class = 'tandem_test_sigint')), tandem_test_envs, "
                       "list(structure(1, class = 'tandem_test_mark')))")
    assert value is None
    assert hooks() is False
    assert _eventually(lambda: _core._deferred_releases() == 0 and _core._preserved_count() == base, r)
    r.eval("rm(tandem_test_envs)")
    assert r.eval("1 + 1") == 2.0


def test_what_an_interrupted_python_to_r_conversion_held_is_released(r, hooks):
    """Ctrl-C in the middle of a list of 100,001 objects: the references the conversion took
    (its snapshot of the list, the handles made so far) are all given back."""
    marker = object()
    value = [marker] * 50_000 + [__main__.SigintNow()] + [marker] * 50_000 + [__main__.Mark()]
    before = sys.getrefcount(marker)
    result = None
    with pytest.raises(KeyboardInterrupt):
        result = tandem.to_r(value)
    assert result is None
    assert hooks() is False
    assert _eventually(lambda: sys.getrefcount(marker) == before, r)
