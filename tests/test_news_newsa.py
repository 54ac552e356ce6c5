"""reticulate NEWS items (development version back to 1.38.0), Python hosting R."""
import __main__

import pytest

import tandem


@pytest.fixture(scope="module")
def rt(r):
    r.eval("library(tandem)")
    return r


def test_abort_restart_in_r_called_from_python_is_a_python_exception(rt):
    # R -> Python -> R: the inner R code runs in place; its "abort" restart stops that
    # code only and reaches the Python frame as a RuntimeError (reticulate, NEWS dev).
    seen = []

    def call_and_catch(f):
        try:
            f()
        except RuntimeError as e:
            seen.append(str(e))
            return "caught"
        return "returned"

    __main__.news_call_and_catch = call_and_catch
    got = rt.eval("py$news_call_and_catch(function() invokeRestart('abort'))")
    assert got == "caught"
    got = rt.eval("py$news_call_and_catch(function() invokeRestart('abort', simpleError('stop here')))")
    assert got == "caught"
    assert seen == ["R evaluation aborted", "stop here"]
    # uncaught in Python, it is an R error where R called Python, seen by R's tryCatch()
    msg = rt.eval("tryCatch(py_eval('lambda f: f()')(function() invokeRestart('abort')), error = conditionMessage)")
    assert "R evaluation aborted" in msg
    assert rt.eval("1 + 1") == 2


def test_numpy_t_and_str(rt):
    np = pytest.importorskip("numpy")
    __main__.news_arr = np.arange(6.0).reshape(2, 3)
    assert list(rt.eval("dim(t(py_eval('news_arr', convert = FALSE)))")) == [3, 2]
    out = rt.eval("capture.output(str(py_eval('news_arr', convert = FALSE)))")
    assert out == "<numpy.ndarray shape(2,3), dtype=float64>"


def test_class_names_for_non_string_module(rt):
    class NewsPyNoModule:
        pass

    NewsPyNoModule.__module__ = None

    class NewsPyMeta(type):
        pass

    class NewsPyWithMeta(metaclass=NewsPyMeta):
        pass

    NewsPyWithMeta.__module__ = 42
    __main__.news_objs = [NewsPyNoModule(), NewsPyWithMeta()]
    first = rt.eval("class(py_eval('news_objs[0]', convert = FALSE))[[1]]")
    second = rt.eval("class(py_eval('news_objs[1]', convert = FALSE))[[1]]")
    assert first == "NewsPyNoModule"
    assert second == NewsPyMeta.__module__ + ".NewsPyWithMeta"
