"""Python hosts R: containers changed while they are converted (an R py_to_r method that
runs Python code) give the state they had when the conversion started, never freed memory
or a mix; named lists a dict cannot hold are errors (issue 11)."""
import __main__
import importlib.util

import numpy as np
import pytest

import tandem


@pytest.fixture
def hook(r):
    """hook(code): each conversion of an M object runs `code` in __main__ and gives "M"."""
    r.eval("library(tandem); py_run_string('class M:\\n    pass\\n')")

    def install(code):
        r["mutation_code"] = code
        r.eval("py_to_r.__main__.M <- function(x) { py_run_string(mutation_code); 'M' }")
        return __main__.M

    yield install
    r.eval("rm(list = intersect(c('py_to_r.__main__.M', 'mutation_code'), ls(globalenv())), envir = globalenv())")


def test_list_cleared_during_its_conversion(r, hook):
    M = hook("L.clear(); L.extend(['x%d' % i for i in range(5000)])")
    __main__.L = [M()] + [float(i) for i in range(2000)]
    x = tandem.to_r(__main__.L)
    assert r.eval("function(x) identical(x, c(list('M'), as.list(as.double(0:1999))))")(x) is True
    assert len(__main__.L) == 5000


def test_dict_changed_during_its_conversion(r, hook):
    M = hook("D.clear(); D.update({'z%d' % i: i for i in range(10)})")
    __main__.D = {"m": M(), **{f"k{i}": float(i) for i in range(2000)}}
    x = tandem.to_r(__main__.D)
    assert r.eval("function(x) identical(names(x), c('m', paste0('k', 0:1999)))")(x) is True
    assert r.eval("function(x) identical(unname(x), c(list('M'), as.list(as.double(0:1999))))")(x) is True


def test_tuples_of_lists_and_object_arrays(r, hook):
    M = hook("T[0].clear(); A[:] = 'gone'")
    __main__.A = np.zeros(1, dtype=object)
    __main__.T = ([M()] + [float(i) for i in range(100)], [1.5, 2.5])
    x = tandem.to_r(__main__.T)
    assert r.eval("function(x) identical(x, list(c(list('M'), as.list(as.double(0:99))), c(1.5, 2.5)))")(x) is True
    __main__.A = np.array([M(), "b", "c"], dtype=object)
    a = tandem.to_r(__main__.A)
    assert r.eval("function(x) identical(x, array(list('M', 'b', 'c')))")(a) is True


@pytest.mark.skipif(importlib.util.find_spec("pandas") is None, reason="pandas is not installed")
def test_pandas_frame_changed_during_its_conversion(r, hook):
    import pandas as pd

    M = hook("del df['b']; df['c'] = 0")
    __main__.df = pd.DataFrame({"a": [M(), 1.0, 2.0], "b": [1.5, 2.5, 3.5]})
    x = tandem.to_r(__main__.df)
    assert r.eval("function(x) identical(names(x), c('a', 'b')) && identical(x$b, c(1.5, 2.5, 3.5))")(x) is True
    assert r.eval("function(x) identical(x$a, list('M', 1, 2))")(x) is True
    assert list(__main__.df.columns) == ["a", "c"]


def test_named_lists_a_dict_cannot_hold_are_errors(r):
    with pytest.raises(ValueError, match=r"duplicate names \(`a`\).*unname\(\)"):
        r.eval("list(a = 1, a = 2)")
    with pytest.raises(ValueError, match=r"empty or missing names \(elements 1, 2\)"):
        r.eval("list(1, 2, b = 3)")
    f = r.eval("function() list(ok = 1, inner = list(b = 1, b = 2))")
    with pytest.raises(ValueError, match="duplicate names"):
        f()
    assert r.eval("list(a = 1, b = 2)") == {"a": 1.0, "b": 2.0}
    assert r.eval("unname(list(a = 1, a = 2))") == [1.0, 2.0]
