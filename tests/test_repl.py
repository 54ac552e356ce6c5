"""Python hosts R, and R runs repl_python() with magics on the hosting interpreter: the
magic values land in this process's __main__, %cd moves this process, %env reaches
os.environ."""
import os
import sys

import pytest


@pytest.fixture(scope="module")
def rt(r):
    r.eval("library(tandem)")
    return r


def test_magics_reach_the_hosting_python(rt, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TANDEM_HOSTED_REPL_VAR", raising=False)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "one.txt").write_text("")
    (tmp_path / "sub" / "two.txt").write_text("")
    main = sys.modules["__main__"]
    out = rt.eval(
        """capture.output(repl_python(quiet = TRUE, input = c(
             "start = %pwd", "%cd sub", "hosted_files = !ls", "first, *rest = !!ls",
             "%env TANDEM_HOSTED_REPL_VAR=v{6 * 7}", "%cd -")))"""
    )
    try:
        assert out[0] == ">>>  start = %pwd"
        assert main.start == str(tmp_path)
        assert main.hosted_files == ["one.txt", "two.txt"]
        assert (main.first, main.rest) == ("one.txt", ["two.txt"])
        assert os.environ["TANDEM_HOSTED_REPL_VAR"] == "v42"
        assert os.getcwd() == str(tmp_path)  # back after %cd -
        assert str(tmp_path / "sub") in out
    finally:
        for name in ("start", "hosted_files", "first", "rest", "_"):
            main.__dict__.pop(name, None)
        os.environ.pop("TANDEM_HOSTED_REPL_VAR", None)


def test_bad_magic_is_an_r_error_in_python(rt):
    import tandem

    with pytest.raises(tandem.RError, match="%pwd magic takes no arguments"):
        rt.eval('repl_python(quiet = TRUE, input = "%pwd extra")')
