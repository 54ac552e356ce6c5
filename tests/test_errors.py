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


def test_r_error_is_a_runtime_error(r):
    with pytest.raises(RuntimeError, match="plain"):
        r.eval("stop('plain')")


def test_conditions_reach_r_handlers_across_python_frames(r):
    r.eval("library(tandem)")
    import __main__

    cleanups = []

    def call_with_cleanup(f):
        try:
            return f()
        finally:
            cleanups.append(1)

    __main__.call_with_cleanup = call_with_cleanup
    # A calling handler in R sees the warning signalled in the R callback in place.
    got = r.eval("""
      seen <- NULL
      res <- withCallingHandlers(
        py$call_with_cleanup(function() { warning('w in callback'); 'value' }),
        warning = function(w) { seen <<- conditionMessage(w); invokeRestart('muffleWarning') })
      c(res, seen)
    """)
    assert list(got) == ["value", "w in callback"]
    # A tryCatch() exit unwinds the Python frame (its finally runs) and lands in R.
    got = r.eval("""
      tryCatch(py$call_with_cleanup(function() {
        signalCondition(structure(class = c('jump', 'condition'), list(message = 'j', call = NULL)))
        'not reached'
      }), jump = function(c) 'landed')
    """)
    assert got == "landed"
    assert len(cleanups) == 2
    # A restart of the R code below the Python frame.
    assert r.eval("withRestarts(py$call_with_cleanup(function() invokeRestart('again', 20)), again = function(v) v + 1)") == 21
    assert len(cleanups) == 3


def test_warning_with_no_r_handler_still_reaches_python(r):
    import warnings

    r.eval("library(tandem)")
    import __main__

    __main__.call_it = lambda f: f()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        assert r.eval("py$call_it(function() { warning('from deep'); 3 })") == 3.0
    assert [str(x.message) for x in w if issubclass(x.category, tandem.RWarning)] == ["from deep"]


def test_r_unwind_raised_for_an_exited_entry_is_not_resumed(r):
    # Python keeps the RUnwind of a jump that never reached R (it swallowed it): it is an
    # ordinary exception later, never a jump to an R frame that is gone.
    r.eval("library(tandem)")
    import __main__

    kept = []

    def swallow(f):
        try:
            f()
        except BaseException as e:  # noqa: B036 - the test keeps the RUnwind on purpose
            kept.append(e)
        return "swallowed"

    __main__.swallow = swallow
    got = r.eval("tryCatch(py$swallow(function() invokeRestart('abort_me')), error = function(e) 'error')")
    assert got in ("swallowed", "error")
    got = r.eval("withRestarts(py$swallow(function() invokeRestart('r1')), r1 = function() 'restarted')")
    assert got == "swallowed"
    assert type(kept[-1]).__name__ == "RUnwind"

    def reraise():
        raise kept[-1]

    __main__.reraise = reraise
    with pytest.raises(BaseException) as info:
        r.eval("py$reraise()")
    assert "RUnwind" in str(info.value) or type(info.value).__name__ == "RUnwind"
    assert r.eval("1 + 1") == 2


def test_python_exceptions_are_r_conditions_and_come_back_as_themselves(r):
    r.eval("library(tandem)")
    exc = ValueError("given from Python")
    r["given_exc"] = exc
    assert r.eval("inherits(given_exc, c('python.builtin.ValueError'), which = TRUE)") == 1
    assert r.eval("inherits(given_exc, 'error')") is True
    assert r.eval("conditionMessage(given_exc)") == "ValueError: given from Python"
    assert r.eval("given_exc") is exc
    # caught in R as a condition, returned to Python: the exception object itself
    caught = r.eval("tryCatch(py_eval('1 / 0'), error = function(e) e)")
    assert isinstance(caught, ZeroDivisionError)
    # stop() of it in R code called from Python raises it again
    with pytest.raises(ValueError) as info:
        r.eval("stop(given_exc)")
    assert info.value is exc


def test_r_text_that_is_not_utf8_is_an_error_or_escaped_never_a_crash(r):
    # an R string value: a clear UnicodeDecodeError (one marked "bytes": a ValueError)
    with pytest.raises(UnicodeDecodeError, match="an R string that is not valid UTF-8"):
        r.eval('"caf\\xe9"')
    with pytest.raises(ValueError, match='marked as "bytes"'):
        r.eval('x <- "caf\\xe9"; Encoding(x) <- "bytes"; x')
    with pytest.raises(UnicodeDecodeError):
        r.eval('list("caf\\xe9" = 1)')
    # messages and classes keep the bytes as escapes
    with pytest.raises(tandem.RError) as info:
        r.eval('stop("caf\\xe9 and more")')
    assert str(info.value) == "caf\\xe9 and more"
    with pytest.raises(tandem.RError) as info:
        r.eval('stop(structure(class = c("caf\\xe9", "error", "condition"), list(message = "m\\xe9", call = NULL)))')
    assert info.value.rclass == ("caf\\xe9", "error", "condition")
    assert str(info.value) == "m\\xe9"
    # Latin-1 text R can translate arrives as what it says
    assert r.eval('iconv("caf\\u00e9", "UTF-8", "latin1")') == "caf\u00e9"
