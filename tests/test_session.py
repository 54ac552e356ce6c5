"""Python hosts R: tandem.r, RObject, conversion of results."""
import warnings

import pytest

import tandem


def test_eval_returns_converted_values(r):
    assert r.eval("1 + 1") == 2.0
    assert isinstance(r.eval("1 + 1"), float)
    assert r.eval("1L") == 1 and isinstance(r.eval("1L"), int)
    assert r.eval("c(1, 2, 3)") == [1.0, 2.0, 3.0]
    assert r.eval("list(a = 1, b = 'x')") == {"a": 1.0, "b": "x"}
    assert r.eval("NULL") is None
    assert r.eval("c(1L, NA)") == [1, None]
    assert r.eval("TRUE") is True
    assert r.eval("'\u00e9t\u00e9'") == "\u00e9t\u00e9"


def test_several_expressions_give_the_last(r):
    assert r.eval("a <- 2; b <- 3; a * b") == 6.0


def test_global_environment_items(r):
    r["x"] = [1, 2, 3]
    assert r.eval("sum(x)") == 6
    assert r.eval("class(x)") == "integer"
    assert r["x"] == [1, 2, 3]
    assert "x" in r
    assert "surely_not_defined_xyz" not in r
    with pytest.raises(KeyError):
        r["surely_not_defined_xyz"]


def test_library_returns_the_namespace(r):
    stats = r.library("stats")
    draws = stats.rnorm(3)
    assert len(draws) == 3 and all(isinstance(v, float) for v in draws)
    assert stats.median([1, 5, 3]) == 3
    with pytest.raises(tandem.RError, match="no package called"):
        r.library("no.such.package.xyz")


def test_r_functions_are_callable_with_keywords(r):
    f = r.eval("function(a, b = 2) a * b")
    assert isinstance(f, tandem.RObject)
    assert f(3, b=4) == 12
    assert f(3.0) == 6.0
    assert f.rclass == ("function",)
    assert f.rtype == "closure"
    assert "a * b" in repr(f)


def test_robject_len_getattr_getitem(r):
    env = r.eval("e <- new.env(); e$v <- 10; e")
    assert env.v == 10.0
    assert env["v"] == 10.0
    env["w"] = "s"
    assert r.eval("e$w") == "s"
    with pytest.raises(AttributeError):
        env.missing_binding
    lst = tandem.to_r({"a": 1, "b": [1, 2]})
    assert len(lst) == 2
    assert lst.a == 1
    assert lst[1] == [1, 2]
    assert lst[-1] == [1, 2]
    with pytest.raises(IndexError):
        lst[5]
    assert r.sum([1, 2, 3]) == 6


def test_to_r_and_to_py(r):
    obj = tandem.to_r([1.5, None, 2.5])
    assert obj.rclass == ("numeric",)
    assert r.eval("function(x) is.na(x)")(obj) == [False, True, False]
    assert tandem.to_py(obj)[0] == 1.5
    assert tandem.to_py(5) == 5


def test_r_output_reaches_sys_stdout_and_stderr(r, capsys):
    r.eval("cat('hello from R\\n')")
    r.eval("message('to stderr')")
    out, err = capsys.readouterr()
    assert out == "hello from R\n"
    assert "to stderr" in err


def test_print_output_of_repr(r):
    assert repr(r.eval("function(x) x")).startswith("function")
    assert repr(tandem.to_r([1, 2])) == "[1] 1 2"


def test_language_objects_are_never_evaluated_again(r):
    # a call or a symbol held by Python: its repr, class, [[ ]] and a call back into R see
    # the object itself, not the value of evaluating it (x and y do not exist)
    call = r.eval("quote(x + y)")
    sym = r.eval("as.name('no_such_variable')")
    assert repr(call) == "x + y"
    assert repr(sym) == "no_such_variable"
    assert call.rclass == ("call",) and sym.rclass == ("name",)
    ident = r.eval("function(v) list(class(v), deparse(v))")
    assert ident(call) == ["call", "x + y"]
    assert ident(sym) == ["name", "no_such_variable"]
    assert repr(call[1]) == "x"
    # a `...` object (evaluating it is an R error) and byte code (evaluating it runs it)
    dots = r.eval("(function(...) get('...'))(1, 2)")
    assert repr(dots) == "<...>" and dots.rclass == ("...",)
    assert r.eval("function(v) typeof(v)")(dots) == "..."
    code = r.eval("compiler::compile(quote(stop('ran')))")
    assert r.eval("function(v) typeof(v)")(code) == "bytecode"


def test_r_warnings_become_python_warnings(r):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        assert r.eval("warning('careful'); 5") == 5.0
    assert [str(x.message) for x in w] == ["careful"]
    assert issubclass(w[0].category, tandem.RWarning)


def test_r_reaches_the_same_python(r):
    assert r.eval("library(tandem); np <- import('numpy'); np$pi") == pytest.approx(3.141592653589793)
    r.eval("py_run_string('shared_value = 41')")
    import __main__

    assert __main__.shared_value == 41
    __main__.shared_value = 42
    assert r.eval("py$shared_value") == 42
    assert r.eval("py_config()$host") == "python"


def test_bad_input(r):
    with pytest.raises(TypeError):
        r.eval(1)
    with pytest.raises(TypeError):
        r.library(3)
    with pytest.raises(tandem.RError, match="unexpected"):
        r.eval("1 +* 2")
    with pytest.raises(ValueError, match="Embedded NUL in string"):
        r["bad"] = "a\x00b"
    with pytest.raises(UnicodeEncodeError):
        r["bad"] = "\udcff"
    big = 2**70
    r["big"] = 2**40
    assert r.eval("big") == 2**40
    with pytest.raises(ValueError, match="losing precision"):
        r["big"] = big


def test_values_passed_as_arguments_are_not_evaluated_again(r):
    ident = r.eval("function(x) x")
    sym = r.eval("as.name('undefined_symbol_xyz')")
    out = ident(sym)
    assert isinstance(out, tandem.RObject) and out.rtype == "symbol"
