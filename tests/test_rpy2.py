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
