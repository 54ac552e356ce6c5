"""Python hosts R: Date, POSIXct, difftime, factor, data.frame and dgCMatrix conversions."""
import datetime
import importlib.util
import zoneinfo

import numpy as np
import pytest

import tandem

from conftest import run_python

needs_pandas = pytest.mark.skipif(importlib.util.find_spec("pandas") is None, reason="pandas is not installed")
needs_scipy = pytest.mark.skipif(importlib.util.find_spec("scipy") is None, reason="scipy is not installed")


def test_dates(r):
    assert r.eval("as.Date('2024-03-04')") == datetime.date(2024, 3, 4)
    a = r.eval("as.Date(c('2024-01-02', NA))")
    assert a.dtype == np.dtype("datetime64[D]")
    assert a[0] == np.datetime64("2024-01-02") and np.isnat(a[1])
    same = r.eval("function(x, y) identical(x, y)")
    assert same(datetime.date(1969, 12, 31), r.eval("as.Date('1969-12-31')")) is True
    assert same(np.array(["2020-01-01", "NaT"], dtype="datetime64[D]"), r.eval("as.Date(c('2020-01-01', NA))")) is True


def test_datetimes(r):
    t = r.eval("as.POSIXct('2024-01-02 03:04:05', tz = 'America/New_York')")
    assert t == datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=zoneinfo.ZoneInfo("America/New_York"))
    assert t.tzinfo.key == "America/New_York"
    aware = datetime.datetime(2021, 7, 1, 12, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo"))
    x = tandem.to_r(aware)
    assert x.rclass == ("POSIXct", "POSIXt")
    assert r.eval("function(x) attr(x, 'tzone')")(x) == "Asia/Tokyo"
    assert r.eval("function(x) format(x, '%H:%M')")(x) == "12:30"
    assert tandem.to_py(x) == aware
    utc = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
    assert r.eval("function(x) as.numeric(x)")(utc) == 946684800.0
    a = r.eval("as.POSIXct(c('2024-01-02 08:04:05.25', NA), tz = 'UTC')")
    assert a.dtype == np.dtype("datetime64[ns]")
    assert a[0] == np.datetime64("2024-01-02T08:04:05.250000000") and np.isnat(a[1])
    ns = np.array(["2020-01-01T00:00:00.5"], dtype="datetime64[ns]")
    assert r.eval("function(x) c(as.numeric(x), attr(x, 'tzone'))")(ns) == ["1577836800.5", "UTC"]


def test_difftimes(r):
    assert r.eval("as.difftime(90, units = 'secs')") == datetime.timedelta(seconds=90)
    h = r.eval("as.difftime(c(1, NA), units = 'hours')")
    assert h.dtype == np.dtype("timedelta64[h]") and h[0] == np.timedelta64(1, "h") and np.isnat(h[1])
    units = r.eval("function(x) c(units(x), format(as.numeric(x)))")
    assert units(np.array([2, 3], dtype="timedelta64[D]")) == ["days", "2", "3"]
    assert units(np.array([1500], dtype="timedelta64[ms]")) == ["secs", "1.5"]
    assert units(datetime.timedelta(minutes=1)) == ["secs", "60"]


@needs_pandas
def test_factor_and_categorical(r):
    import pandas as pd

    c = r.eval("factor(c('a', NA, 'b'), levels = c('b', 'a'))")
    assert isinstance(c, pd.Categorical)
    assert c.codes.tolist() == [1, -1, 0] and list(c.categories) == ["b", "a"] and not c.ordered
    o = tandem.to_r(pd.Categorical(["lo", "hi", None], categories=["lo", "hi"], ordered=True))
    assert o.rclass == ("ordered", "factor")
    assert r.eval("function(x) c(levels(x), as.character(x))")(o) == ["lo", "hi", "lo", "hi", None]


@needs_pandas
def test_data_frame_round_trip(r):
    import pandas as pd

    df = r.eval(
        "data.frame(x = c(1.5, NA), i = c(1L, NA), l = c(TRUE, NA), s = c('a', NA), "
        "f = factor(c('u', 'v')), row.names = c('r1', 'r2'))"
    )
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == ["x", "i", "l", "s", "f"]
    assert list(df.index) == ["r1", "r2"]
    assert str(df["i"].dtype) == "Int32" and df["i"].isna().tolist() == [False, True]
    assert str(df["l"].dtype) == "boolean"
    assert df["s"].tolist()[0] == "a" and pd.isna(df["s"].tolist()[1])
    assert isinstance(df["f"].dtype, pd.CategoricalDtype)
    r["df_back"] = df
    assert r.eval(
        "identical(df_back, data.frame(x = c(1.5, NA), i = c(1L, NA), l = c(TRUE, NA), s = c('a', NA), "
        "f = factor(c('u', 'v')), row.names = c('r1', 'r2')))"
    ) is True
    py_df = pd.DataFrame({"a": [1, 2], "t": pd.to_datetime(["2020-01-01", None]).tz_localize("Europe/Paris")})
    r["pdf"] = py_df
    assert r.eval("class(pdf)") == "data.frame"
    assert r.eval("attr(pdf$t, 'tzone')") == "Europe/Paris"
    assert r.eval("is.na(pdf$t)") == [False, True]
    assert r.eval("pdf$a") == [1.0, 2.0]


@needs_scipy
def test_sparse_matrices(r):
    import scipy.sparse as sp

    m = r.eval("Matrix::sparseMatrix(i = c(1, 3), j = c(1, 2), x = c(1.5, 2), dims = c(3, 3))")
    assert sp.issparse(m) and m.format == "csc" and m.shape == (3, 3)
    assert m.toarray().tolist() == [[1.5, 0, 0], [0, 0, 0], [0, 2.0, 0]]
    x = tandem.to_r(sp.csr_matrix(np.array([[0, 1.0], [2.0, 0]])))
    assert x.rclass == ("dgCMatrix",)
    assert r.eval("function(x) as.vector(as.matrix(x))")(x) == [0.0, 2.0, 1.0, 0.0]


def test_without_pandas_factors_are_labels_and_data_frames_dicts():
    code = "\n".join([
        "import sys",
        "sys.modules['pandas'] = None  # import pandas now raises ImportError",
        "import tandem",
        "r = tandem.r",
        "print(r.eval(\"factor(c('a', NA, 'b'))\"))",
        "d = r.eval(\"data.frame(x = c(1.5, 2), s = c('a', NA), f = factor(c('u', 'v')))\")",
        "print(type(d).__name__, list(d), d['x'].dtype, d['x'].tolist(), list(d['s']), d['f'])",
    ])
    res = run_python(code)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.strip().splitlines()
    assert lines[0] == "['a', None, 'b']"
    assert lines[1] == "dict ['x', 's', 'f'] float64 [1.5, 2.0] ['a', None] ['u', 'v']"
