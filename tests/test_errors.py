"""Errors across the boundary, with Python hosting R."""
import pytest

import tandem


def test_r_error_carries_message_call_and_classes(r):
    with pytest.raises(tandem.RError) as info:
        r.eval("f <- function() stop('inner failure'); f()")
    e = info.value
    assert str(e) == "inner failure"
    assert e.rclass == ("simpleError", "error", "condition")
    assert e.call == "f()"
    assert isinstance(e.condition, tandem.RObject)


def test_custom_condition_classes_are_kept(r):
    with pytest.raises(tandem.RError) as info:
        r.eval("stop(structure(class = c('my_error', 'error', 'condition'), list(message = 'mine', call = NULL)))")
    assert info.value.rclass[0] == "my_error"
    assert info.value.call is None


def test_python_error_through_r_comes_back_as_itself(r):
    r.eval("library(tandem)")
    with pytest.raises(ValueError, match="invalid literal"):
        r.eval("py_eval(\"int('x')\")")


def test_r_error_through_python_keeps_its_r_class(r):
    r.eval("library(tandem)")
    r["thrower"] = r.eval("function() stop(structure(class = c('cls_a', 'error', 'condition'), list(message = 'A', call = NULL)))")
    assert r.eval("tryCatch(py_call(r_to_py(thrower)), cls_a = function(e) 'caught cls_a')") == "caught cls_a"


def test_nested_errors_unwind_through_four_levels(r):
    r.eval("library(tandem)")

    def py_level(depth):
        return r.eval(f"py_call(r_to_py(function() stop('bottom at {depth}')))")

    import __main__

    __main__.py_level = py_level
    with pytest.raises(tandem.RError, match="bottom at 3"):
        r.eval("py$py_level(3L)")


def test_deep_recursion_is_an_error_not_a_crash(r):
    with pytest.raises(tandem.RError, match="(C stack|nested too deeply|infinite recursion)"):
        r.eval("deep <- function(n) deep(n + 1); deep(1)")
    assert r.eval("1 + 1") == 2


def test_session_survives_many_errors(r):
    for i in range(50):
        with pytest.raises(tandem.RError):
            r.eval(f"stop('e{i}')")
    assert r.eval("sum(1:10)") == 55
