"""Python hosts R, R runs Python code: that code sees R through ``r`` in ``__main__``
(reticulate's ``r`` object), and py_run_string() returns the dict it ran in."""
import __main__

import pytest


@pytest.fixture(scope="module")
def rt(r):
    r.eval("library(tandem)")
    return r


def test_r_reads_calls_and_assigns_in_r(rt):
    rt.eval("rproxy_x <- 20; rproxy_double <- function(v) v * 2")
    assert rt.eval("py_eval('r.rproxy_x + 1')") == 21.0
    assert rt.eval("py_eval('r.rproxy_double(4)')") == 8.0
    rt.eval("py_run_string('r.rproxy_set = [1, 2]')")
    assert rt.eval("rproxy_set") == [1, 2]
    assert rt.eval("py_eval(\"r['1 + 2']\")") == 3.0


def test_r_reads_the_calling_function_frame(rt):
    f = rt.eval("function() { only_local <- 'local value'; py_eval('r.only_local') }")
    assert f() == "local value"


def test_py_run_string_returns_main_dict(rt):
    assert rt.eval("py_run_string('rproxy_val = 5')$rproxy_val") == 5
    assert __main__.rproxy_val == 5


def test_r_object_missing_names_are_attribute_errors(rt):
    import tandem._rproxy as rp

    with pytest.raises(AttributeError):
        rp.r.surely_no_such_r_name_tandem
    assert not hasattr(rp.r, "surely_no_such_r_name_tandem")


def test_python_class_names_follow_reticulate(rt):
    cls = rt.eval("library(tandem); Hi <- PyClass('Hi', list(hello = function(self) 'hi')); class(Hi())")
    assert cls == ["Hi", "python.builtin.object"]
