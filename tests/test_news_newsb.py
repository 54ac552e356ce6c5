"""Python hosts R: behaviour from reticulate's NEWS (1.20 to 1.37.0) that tandem had not
matched."""
import datetime

import numpy as np


def test_posixct_without_time_zone_is_datetime64(r):
    # reticulate 1.36 NEWS: only a POSIXct with a time zone becomes a datetime
    a = r.eval(".POSIXct(1.7e9)")
    assert isinstance(a, np.ndarray) and a.dtype == np.dtype("datetime64[ns]")
    assert a.tolist() == [1700000000 * 10**9]
    t = r.eval(".POSIXct(1.7e9, tz = 'UTC')")
    assert t == datetime.datetime.fromtimestamp(1.7e9, datetime.timezone.utc)



def test_factor_column_with_na_level(r):
    # reticulate 1.29 NEWS: a factor column whose levels include NA converts to pandas
    df = r.eval("data.frame(f = factor(c('a', NA, 'b'), exclude = NULL))")
    assert list(df["f"].cat.categories) == ["a", "b"]
    assert df["f"].cat.codes.tolist() == [0, -1, 1]


def test_pandas_use_nullable_dtypes_option(r):
    # reticulate 1.32 NEWS: options(reticulate.pandas_use_nullable_dtypes = TRUE)
    code = "data.frame(i = c(NA, 1L), d = c(NA, 1.5), b = c(NA, TRUE), s = c(NA, 'x'))"
    r.eval("options(reticulate.pandas_use_nullable_dtypes = TRUE)")
    try:
        df = r.eval(code)
    finally:
        r.eval("options(reticulate.pandas_use_nullable_dtypes = NULL)")
    assert [str(t) for t in df.dtypes] == ["Int32", "Float64", "boolean", "string"]
    assert df.isna().iloc[0].tolist() == [True] * 4
    assert df["d"].iloc[1] == 1.5
    plain = r.eval("data.frame(d = c(NA, 1.5))")
    assert str(plain["d"].dtype) == "float64"
