"""Exchanging objects with rpy2 (same R, no copy)."""
import pytest

import tandem

ri = pytest.importorskip("rpy2.rinterface")


def test_to_rpy2_and_back_share_the_object(r):
    v = tandem.to_r([1.5, 2.5])
    rp = tandem.to_rpy2(v)
    assert list(rp) == [1.5, 2.5]
    back = tandem.from_rpy2(rp)
    assert back._address == v._address
    assert ri.globalenv.find("sum")(rp)[0] == 4.0


def test_rpy2_objects_are_usable_by_tandem(r):
    rp = ri.IntSexpVector([1, 2, 3])
    obj = tandem.from_rpy2(rp)
    assert r.eval("function(x) sum(x)")(obj) == 6
    with pytest.raises(TypeError):
        tandem.from_rpy2(42)


def test_tandem_attaches_to_an_r_that_rpy2_started():
    from conftest import run_python

    code = (
        "import rpy2.rinterface as ri\n"
        "ri.initr()\n"
        "import tandem\n"
        "print('sum', tandem.r.eval('sum(1:10)'))\n"
        "try:\n"
        "    tandem.r.eval('deep <- function(n) deep(n + 1); deep(1)')\n"
        "except tandem.RError as e:\n"
        "    print('deep recursion is an RError')\n"
        "print('after', tandem.r.eval('1 + 1'))\n"
    )
    p = run_python(code)
    assert p.returncode == 0, p.stderr
    assert "sum 55" in p.stdout
    assert "deep recursion is an RError" in p.stdout
    assert "after 2.0" in p.stdout
