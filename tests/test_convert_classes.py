"""Python hosts R: Date, POSIXct, POSIXlt, difftime, integer64, factor, data.frame and dgCMatrix
conversions."""
import datetime
import importlib.util
import zoneinfo

import numpy as np
import pytest

import tandem

from conftest import run_python

needs_pandas = pytest.mark.skipif(importlib.util.find_spec("pandas") is None, reason="pandas is not installed")
needs_scipy = pytest.mark.skipif(importlib.util.find_spec("scipy") is None, reason="scipy is not installed")


@pytest.fixture
def int64_option(r):
    """options(tandem.int64 = "integer64") for one test (bit64 must be installed)."""
    if not r.eval("requireNamespace('bit64', quietly = TRUE)"):
        pytest.skip("the R package bit64 is not installed")
    r.eval("options(tandem.int64 = 'integer64')")
    yield
    r.eval("options(tandem.int64 = NULL)")


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
    assert r.eval("function(x) c(as.numeric(x), is.null(attr(x, 'tzone')))")(ns) == [1577836800.5, 1]  # naive


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

    # A bare factor is its labels, as with reticulate; a data frame's factor column a Categorical.
    assert r.eval("factor(c('a', NA, 'b'), levels = c('b', 'a'))") == ["a", None, "b"]
    assert r.eval("factor('z')") == "z"
    c = r.eval("data.frame(f = factor(c('a', NA, 'b'), levels = c('b', 'a')))")["f"].array
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


@needs_pandas
def test_packed_data_frame_column_is_a_clear_error(r):
    """The same ValueError whether the core converts the value itself or R code does (R's
    dispatch of r_to_py(); then it is also an RError with the R condition's classes)."""
    r.eval("packed <- data.frame(a = 1:2); packed$sub <- data.frame(u = 1:2, v = c('x', 'y'))")
    with pytest.raises(ValueError, match="column 'sub' of the data frame is a data frame"):
        r.eval("packed")
    with pytest.raises(ValueError, match="column 'sub' of the data frame is a data frame") as raised:
        r.eval("tandem::r_to_py(packed)")
    assert isinstance(raised.value, tandem.RError)
    assert "tandem_value_error" in raised.value.rclass
    with pytest.raises(TypeError) as raised:  # another kind: a tandem_type_error raised in R code
        r.eval("stop(structure(class = c('tandem_type_error', 'error', 'condition'), list(message = 'm', call = NULL)))")
    assert isinstance(raised.value, tandem.RError) and str(raised.value) == "m"
    with pytest.raises(tandem.RError) as raised:  # any other R error is an RError only
        r.eval("stop('plain')")
    assert not isinstance(raised.value, (ValueError, TypeError))


@needs_pandas
def test_data_frame_index_as_row_names(r):
    """Python hosts: the index becomes row names by reticulate's rules (as under R)."""
    import pandas as pd

    r["sliced"] = pd.DataFrame({"a": [1, 2, 3, 4]}).iloc[1:3]
    assert r.eval("attr(sliced, 'row.names')") == ["2", "3"]
    r["multi"] = pd.DataFrame({"a": [1.5, 2.5]}, index=pd.MultiIndex.from_tuples([(1, "a"), (2, "b")]))
    assert r.eval("identical(multi, data.frame(a = c(1.5, 2.5)))") is True
    with pytest.warns(tandem.RWarning, match="index contains duplicated values: row names not set"):
        r["dup"] = pd.DataFrame({"a": [1.5, 2.5]}, index=["x", "x"])
    assert r.eval("identical(dup, data.frame(a = c(1.5, 2.5)))") is True


@needs_scipy
def test_sparse_matrices(r):
    import scipy.sparse as sp

    m = r.eval("Matrix::sparseMatrix(i = c(1, 3), j = c(1, 2), x = c(1.5, 2), dims = c(3, 3))")
    assert sp.issparse(m) and m.format == "csc" and m.shape == (3, 3)
    assert m.toarray().tolist() == [[1.5, 0, 0], [0, 0, 0], [0, 2.0, 0]]
    x = tandem.to_r(sp.csr_matrix(np.array([[0, 1.0], [2.0, 0]])))
    assert x.rclass == ("dgRMatrix",)  # as reticulate: CSR -> dgRMatrix, COO -> dgTMatrix, others dgCMatrix
    assert r.eval("function(x) as.vector(as.matrix(x))")(x) == [0.0, 2.0, 1.0, 0.0]
    assert tandem.to_r(sp.coo_matrix(np.eye(2))).rclass == ("dgTMatrix",)
    assert tandem.to_r(sp.csc_matrix(np.eye(2))).rclass == ("dgCMatrix",)


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


def test_date_and_time_arrays_keep_their_shape(r):
    same = r.eval("function(x, y) identical(x, y)")
    a = r.eval("structure(c(19000, NA, 19002, 19003, -1, 19005), dim = 2:3, class = 'Date')")
    assert a.dtype == np.dtype("datetime64[D]") and a.shape == (2, 3)
    assert a[1, 2] == np.datetime64("2022-01-13") and a[0, 1] == np.datetime64("2022-01-10")
    assert np.isnat(a).tolist() == [[False, False, False], [True, False, False]]
    assert same(a, r.eval("structure(c(19000, NA, 19002, 19003, -1, 19005), dim = 2:3, class = 'Date')")) is True
    d = np.array([[["2020-01-01", "NaT"], ["2020-01-03", "2020-01-04"]]], dtype="datetime64[D]")  # shape (1, 2, 2)
    x = tandem.to_r(d)
    assert x.rclass == ("Date",)
    assert r.eval("function(x) dim(x)")(x) == [1, 2, 2]
    assert r.eval("function(x) format(x[1, 2, 1])")(x) == "2020-01-03"
    assert r.eval("function(x) which(is.na(x))")(x) == 3
    np.testing.assert_array_equal(tandem.to_py(x), d)
    t = np.array([["2024-01-02T03:04:05.5", "NaT"]], dtype="datetime64[ns]")
    xt = tandem.to_r(t)
    assert r.eval("function(x) c(dim(x), is.null(attr(x, 'tzone')))")(xt) == [1, 2, 1]  # naive
    back = tandem.to_py(xt)
    assert back.dtype == np.dtype("datetime64[ns]") and back.shape == (1, 2)
    np.testing.assert_array_equal(back, t)
    h = r.eval("structure(c(1, 2, NA, 4), dim = c(2L, 2L), units = 'hours', class = 'difftime')")
    assert h.dtype == np.dtype("timedelta64[h]") and h[1, 1] == np.timedelta64(4, "h") and np.isnat(h[0, 1])


def test_posixlt_crosses_as_its_posixct(r):
    a = r.eval("as.POSIXlt(c('2024-01-02 03:04:05', NA), tz = 'UTC')")
    assert a.dtype == np.dtype("datetime64[ns]")
    assert a[0] == np.datetime64("2024-01-02T03:04:05") and np.isnat(a[1])
    assert r.eval("function(x) identical(x, {y <- as.POSIXct(as.POSIXlt(c('2024-01-02 03:04:05', NA), tz = 'UTC')); dim(y) <- 2L; attr(y, 'tzone') <- NULL; y})")(a)
    t = r.eval("as.POSIXlt('2024-01-02 03:04:05', tz = 'Asia/Tokyo')")
    assert t == datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert tandem.to_py(r.eval("function(x) x")(r.eval("as.POSIXlt(NA, tz = 'UTC')"))) is None
    # no time zone: a datetime64[ns] array, also for length 1 (reticulate 1.36)
    na = tandem.to_py(r.eval("function(x) x")(r.eval("as.POSIXlt(NA)")))
    assert na.dtype == np.dtype("datetime64[ns]") and na.shape == (1,) and np.isnat(na[0])


def test_integer64_becomes_int64(r):
    if not r.eval("requireNamespace('bit64', quietly = TRUE)"):
        pytest.skip("the R package bit64 is not installed")
    a = r.eval("bit64::as.integer64(c('9007199254740993', '-5', '9223372036854775807'))")
    assert a.dtype == np.int64 and a.tolist() == [2**53 + 1, -5, 2**63 - 1]
    assert not a.flags.writeable and isinstance(a.base, tandem.RObject)  # a view of R's memory
    assert r.eval("bit64::as.integer64('123456789012345678')") == 123456789012345678
    assert r.eval("bit64::NA_integer64_") is None
    m = r.eval("bit64::as.integer64(c(1, NA, 3))")
    assert isinstance(m, np.ma.MaskedArray) and m.dtype == np.int64
    assert m.mask.tolist() == [False, True, False] and m.compressed().tolist() == [1, 3]
    mat = r.eval("x <- bit64::as.integer64(c(1, 2, 3, 2^40, 5, 6)); dim(x) <- 2:3; x")
    assert mat.shape == (2, 3) and mat[1, 1] == 2**40
    # Default: double when exact, else an error that names the value and the option.
    with pytest.raises(ValueError, match=r"int64 value 9007199254740993 at index 0 .*tandem.int64"):
        tandem.to_r(a)
    assert tandem.to_py(tandem.to_r(np.array([1, -2], dtype=np.int64))).tolist() == [1.0, -2.0]
    with pytest.raises(ValueError, match="Python int 1152921504606846976 cannot be converted"):
        tandem.to_r(2**60)


def test_integer64_when_asked_for(r, int64_option):
    def is_r(x, code):
        return r.eval(f"function(x) identical(x, {code})")(x)

    def is_r1(x, code):  # 1-D arrays come back with dim (reticulate's rule)
        return r.eval(f"function(x) identical(x, {{y <- {code}; dim(y) <- length(y); y}})")(x)

    x = tandem.to_r(np.array([2**53 + 1, -5, 0], dtype=np.int64))
    assert x.rclass == ("integer64",)
    assert is_r1(x, "bit64::as.integer64(c('9007199254740993', '-5', '0'))") is True
    assert is_r1(tandem.to_r(np.array([7], dtype=np.int64)), "bit64::as.integer64(7)") is True  # type-stable
    assert is_r1(tandem.to_r(np.array([2**63 - 1], dtype=np.uint64)), "bit64::as.integer64('9223372036854775807')") is True
    with pytest.raises(ValueError, match="uint64 value 9223372036854775808 at index 1 is beyond integer64's range"):
        tandem.to_r(np.array([1, 2**63], dtype=np.uint64))
    with pytest.raises(ValueError, match="integer64's NA bit pattern"):
        tandem.to_r(np.array([-(2**63)], dtype=np.int64))
    assert is_r(tandem.to_r(2**60), "bit64::as.integer64('1152921504606846976')") is True
    assert is_r(tandem.to_r([1, None, -(2**60)]), "bit64::as.integer64(c('1', NA, '-1152921504606846976'))") is True
    assert tandem.to_r(5).rtype == "integer"
    with pytest.raises(ValueError, match="outside integer64's range"):
        tandem.to_r(2**70)
    m = np.ma.masked_array(np.array([[1, 2**60], [3, 4]], dtype=np.int64), mask=[[False, True], [False, False]])
    xm = tandem.to_r(m)
    assert r.eval("function(x) c(dim(x), which(is.na(x)))")(xm) == [2, 2, 3]
    back = tandem.to_py(xm)
    assert isinstance(back, np.ma.MaskedArray) and back.mask.tolist() == [[False, True], [False, False]]
    assert back.filled(0).tolist() == [[1, 0], [3, 4]]
    a = r.eval("bit64::as.integer64(c('9007199254740993', NA))")  # a masked array in Python
    assert is_r1(tandem.to_r(a), "bit64::as.integer64(c('9007199254740993', NA))") is True
    r.eval("options(tandem.int64 = 'int')")
    with pytest.raises(ValueError, match='`tandem.int64` option must be "double" or "integer64", not "int"'):
        tandem.to_r(np.array([1], dtype=np.int64))


@needs_pandas
def test_integer64_data_frame_columns(r, int64_option):
    import pandas as pd

    df = r.eval("data.frame(a = bit64::as.integer64(c(1, NA, 3)), b = bit64::as.integer64(c('1152921504606846977', '1', '2')))")
    assert [str(t) for t in df.dtypes] == ["Int64", "int64"]
    assert df["b"].tolist() == [2**60 + 1, 1, 2] and df["a"].isna().tolist() == [False, True, False]
    r["df64"] = df
    assert r.eval("identical(df64, data.frame(a = bit64::as.integer64(c(1, NA, 3)), "
                  "b = bit64::as.integer64(c('1152921504606846977', '1', '2'))))") is True
    r["py_df"] = pd.DataFrame({"n": pd.array([2**60, None], dtype="Int64")})
    assert r.eval("identical(py_df$n, bit64::as.integer64(c('1152921504606846976', NA)))") is True
