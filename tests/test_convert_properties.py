"""Property-based round trips (hypothesis) for the conversion rows: NumPy arrays of every
dtype in the table, R arrays and their views, dates, times, factors and data frames."""
import datetime
import importlib.util

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tandem

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5)


def r_identical(r, x, code):
    return r.eval(f"function(x) identical(x, {code})")(x)


def round_trip(value):
    return tandem.to_py(tandem.to_r(value))


def as_list(x):
    return x.tolist() if isinstance(x, np.ndarray) else x


@SETTINGS
@given(a=hnp.arrays(st.sampled_from([np.float64, np.float32, np.int32, np.int16, np.uint8, np.bool_, np.complex128]), shapes))
def test_numpy_arrays_round_trip(r, a):
    back = round_trip(a)  # every rank keeps its shape, 1-D included (1-d R arrays)
    assert back.shape == a.shape
    np.testing.assert_array_equal(back.astype(a.dtype), a)


@SETTINGS
@given(a=hnp.arrays(np.float64, shapes, elements=st.floats(allow_nan=False)), order=st.sampled_from(["C", "F"]))
def test_float_arrays_keep_every_element_at_its_index(r, a, order):
    a = np.asarray(a, order=order)
    x = tandem.to_r(a)
    if a.ndim >= 2:
        idx = tuple(s - 1 for s in a.shape)
        assert r.eval("function(x, i) x[matrix(i, 1)]")(x, [i + 1 for i in idx]) == a[idx]
        back = tandem.to_py(x)
        np.testing.assert_array_equal(back, a)
        if a.flags.f_contiguous:
            assert back.ctypes.data == a.ctypes.data  # ALTREP there, view back: no copy


@SETTINGS
@given(shape=hnp.array_shapes(min_dims=2, max_dims=4, min_side=1, max_side=24),
       dtype=st.sampled_from(["float64", "float32", "int32", "int16", "uint8", "bool", "complex128"]),
       offset=st.booleans())
def test_c_order_arrays_of_any_rank_are_copied_in_r_order(r, shape, dtype, offset):
    """The blocked transpose (tiles, edges, middle axes, misaligned buffers) against NumPy's own
    Fortran-order copy: every element at its index."""
    n = int(np.prod(shape))
    base = np.arange(1, n + 2).astype(dtype)
    a = (base[1:] if offset else base[:-1]).reshape(shape)  # offset: a buffer 1 element off
    assert a.flags.c_contiguous
    x = tandem.to_r(a)
    same = r.eval("function(x, y) identical(x, y)")
    assert same(x, tandem.to_r(np.asfortranarray(a))) is True
    np.testing.assert_array_equal(tandem.to_py(x), a)


@SETTINGS
@given(values=st.lists(st.integers(min_value=-(2**53), max_value=2**53), min_size=2, max_size=20))
def test_int64_exact_values_are_doubles(r, values):
    a = np.array(values, dtype=np.int64)
    assert as_list(round_trip(a)) == [float(v) for v in values]


@SETTINGS
@given(values=st.lists(st.integers(min_value=2**53 + 1, max_value=2**63 - 1), min_size=1, max_size=5),
       pos=st.integers(min_value=0, max_value=4))
def test_int64_inexact_values_are_errors(r, values, pos):
    a = np.zeros(6, dtype=np.int64)
    pos = min(pos, len(values) - 1)
    a[pos + 1] = values[pos]
    with pytest.raises(ValueError, match=f"value {values[pos]} at index {pos + 1}"):
        tandem.to_r(a)


@SETTINGS
@given(values=st.lists(st.one_of(st.none(), st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"))),
                       min_size=2, max_size=10))
def test_string_arrays(r, values):
    obj = np.array(values, dtype=object)
    if all(v is None for v in values):
        return
    assert as_list(round_trip(obj)) == values
    strs = [v for v in values if v is not None]
    if len(strs) >= 2:
        assert as_list(round_trip(np.array(strs))) == [s.rstrip("\x00") for s in strs]


text = st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"))


@SETTINGS
@given(pool=st.lists(st.one_of(st.none(), text), min_size=1, max_size=8), picks=st.lists(st.integers(0, 7), min_size=64, max_size=300))
def test_long_string_lists_with_repeats_round_trip(r, pool, picks):
    """Long lists (the per-conversion repeat caches are used from 64 elements on): values,
    NA positions and UTF-8 lengths survive both ways."""
    values = [pool[i % len(pool)] for i in picks]
    if all(v is None for v in values):
        values[0] = "x"
    x = tandem.to_r(values)
    assert x.rtype == "character"
    na_positions = r.eval("function(x) paste(which(is.na(x)), collapse = ',')")(x)
    assert na_positions == ",".join(str(i + 1) for i, v in enumerate(values) if v is None)
    assert r.eval("function(x) nchar(x, type = 'chars')")(x) == [None if v is None else len(v) for v in values]
    assert tandem.to_py(x) == values


def test_equal_r_strings_become_one_python_str(r):
    values = r.eval("rep(c('apple', 'b\u00e9', NA, ''), 30)")
    assert values == ["apple", "b\u00e9", None, ""] * 30
    assert values[0] is values[4] and values[1] is values[5]
    latin = r.eval("x <- rep(c('gr\u00fc\u00dfe', 'abc'), 40); Encoding(x)[1] <- 'unknown'; "
                   "y <- iconv(x, 'UTF-8', 'latin1'); stopifnot(Encoding(y[1]) == 'latin1'); y")
    assert latin == ["gr\u00fc\u00dfe", "abc"] * 40  # re-encoded, not passed raw


@SETTINGS
@given(m=hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=3, max_side=4), elements=st.floats(allow_nan=False)))
def test_r_arrays_are_views_and_come_back_identical(r, m):
    r["m_prop"] = m
    v = r["m_prop"]
    assert not v.flags.writeable
    np.testing.assert_array_equal(v, m)
    assert r.eval("identical(m_prop, m_prop)")
    assert r_identical(r, v, "m_prop") is True


@SETTINGS
@given(days=st.lists(st.one_of(st.none(), st.integers(min_value=-100000, max_value=100000)), min_size=2, max_size=10))
def test_dates_round_trip(r, days):
    code = "structure(as.double(c(" + ", ".join("NA" if d is None else str(d) for d in days) + ")), class = 'Date')"
    a = r.eval(code)
    assert a.dtype == np.dtype("datetime64[D]")
    assert [None if np.isnat(v) else int(v.astype(np.int64)) for v in a] == days
    assert r_identical(r, a, f"{{y <- {code}; dim(y) <- length(y); y}}") is True  # 1-D: a 1-d array


@SETTINGS
@given(d=st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31)))
def test_date_scalars_round_trip(r, d):
    assert round_trip(d) == d


@SETTINGS
@given(seconds=st.lists(st.one_of(st.none(), st.integers(min_value=-(2**33), max_value=2**33)), min_size=2, max_size=8),
       micros=st.integers(min_value=0, max_value=999999))
def test_posixct_round_trip(r, seconds, micros):
    values = [None if s is None else s + micros / 1e6 for s in seconds]
    code = "as.POSIXct(c(" + ", ".join("NA" if v is None else repr(v) for v in values) + "), origin = '1970-01-01', tz = 'UTC')"
    a = r.eval(code)
    assert a.dtype == np.dtype("datetime64[ns]")
    back = r.eval("function(x, y) isTRUE(all.equal(as.numeric(x), as.numeric(y), tolerance = 0)) || "
                  "max(abs(as.numeric(x) - as.numeric(y)), na.rm = TRUE) < 1e-6")(a, r.eval(code))
    assert back is True
    assert as_list(r.eval("function(x) is.na(x)")(a)) == [v is None for v in values]


@SETTINGS
@given(dt=st.datetimes(min_value=datetime.datetime(1900, 1, 1), max_value=datetime.datetime(2200, 1, 1),
                       timezones=st.sampled_from([datetime.timezone.utc] + [__import__("zoneinfo").ZoneInfo(k) for k in
                                                                              ("Europe/Paris", "America/New_York", "Asia/Kolkata")])))
def test_aware_datetimes_round_trip(r, dt):
    back = round_trip(dt)
    assert back.timestamp() == dt.timestamp()  # the same instant (also for times in a DST gap)
    assert back.tzinfo == dt.tzinfo


@SETTINGS
@given(values=st.lists(st.one_of(st.none(), st.integers(min_value=-(10**9), max_value=10**9)), min_size=2, max_size=8),
       units=st.sampled_from(["secs", "mins", "hours", "days", "weeks"]))
def test_difftime_round_trip(r, values, units):
    code = "structure(as.double(c(" + ", ".join("NA" if v is None else str(v) for v in values) + f")), units = '{units}', class = 'difftime')"
    a = r.eval(code)
    assert r_identical(r, a, f"{{y <- {code}; dim(y) <- length(y); y}}") is True  # 1-D: a 1-d array


needs_pandas = pytest.mark.skipif(importlib.util.find_spec("pandas") is None, reason="pandas is not installed")


@needs_pandas
@SETTINGS
@given(labels=st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "c\u00e9"])), min_size=1, max_size=10),
       ordered=st.booleans())
def test_factors_round_trip(r, labels, ordered):
    import pandas as pd

    cat = pd.Categorical(labels, categories=["c\u00e9", "a", "b"], ordered=ordered)
    assert tandem.to_r(cat).rclass in (("factor",), ("ordered", "factor"))
    back = round_trip(pd.DataFrame({"f": cat}))["f"].array  # a factor column is a Categorical
    assert isinstance(back, pd.Categorical)
    assert list(back.categories) == list(cat.categories) and back.ordered == ordered
    assert back.codes.tolist() == cat.codes.tolist()


@needs_pandas
@SETTINGS
@given(n=st.integers(min_value=0, max_value=6), data=st.data())
def test_data_frames_round_trip(r, n, data):
    cols = {
        "x": data.draw(st.lists(st.one_of(st.none(), st.floats(allow_nan=False)), min_size=n, max_size=n)),
        "i": data.draw(st.lists(st.one_of(st.none(), st.integers(-(2**31) + 1, 2**31 - 1)), min_size=n, max_size=n)),
        "l": data.draw(st.lists(st.one_of(st.none(), st.booleans()), min_size=n, max_size=n)),
        "s": data.draw(st.lists(st.one_of(st.none(), st.text(alphabet="abc\u00e9", max_size=3)), min_size=n, max_size=n)),
    }
    r["cols_prop"] = {k: list(v) for k, v in cols.items()}
    code = ("data.frame(x = as.double(unlist(lapply(cols_prop$x, function(v) if (is.null(v)) NA else v))), "
            "i = as.integer(unlist(lapply(cols_prop$i, function(v) if (is.null(v)) NA else v))), "
            "l = as.logical(unlist(lapply(cols_prop$l, function(v) if (is.null(v)) NA else v))), "
            "s = as.character(unlist(lapply(cols_prop$s, function(v) if (is.null(v)) NA else v))))")
    r.eval("df_prop <- " + code)
    df = r["df_prop"]
    assert len(df) == n and list(df.columns) == ["x", "i", "l", "s"]
    assert r_identical(r, df, "df_prop") is True
