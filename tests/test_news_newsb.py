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


def test_py_to_r_method_can_call_next_method(r):
    # reticulate 1.36 NEWS (py_to_r methods for pandas subtypes): the method runs under the
    # py_to_r() generic, so NextMethod() gives the default conversion
    import pandas as pd

    class NewsbFrame(pd.DataFrame):
        @property
        def _constructor(self):
            return NewsbFrame

    cls = f"{NewsbFrame.__module__}.NewsbFrame"
    r.eval(f"""registerS3method("py_to_r", "{cls}", function(x) {{
        out <- NextMethod()
        attr(out, "newsb") <- "mine"
        out
    }}, envir = asNamespace("tandem"))""")
    try:
        f = r.eval("function(x) list(class(x), attr(x, 'newsb'), x$a)")
        got = f(NewsbFrame({"a": [1.0, 2.0]}))
        assert got[0] == "data.frame" and got[1] == "mine" and list(got[2]) == [1.0, 2.0]
    finally:
        r.eval(f'rm("py_to_r.{cls}", envir = get(".__S3MethodsTable__.", envir = asNamespace("tandem")))')


def test_py_to_r_method_in_global_env_converts_arguments(r):
    # reticulate 1.36 NEWS: py_to_r() methods apply to arguments of R functions that
    # Python calls, also a method defined in R's global environment
    class NewsbBox:
        def __init__(self, v):
            self.v = v

    cls = f"{NewsbBox.__module__}.NewsbBox"
    r.eval(f"`py_to_r.{cls}` <- function(x) paste0('box-', x$v)")
    try:
        assert r.eval("function(x) x")(NewsbBox(7)) == "box-7"
    finally:
        r.eval(f'rm("py_to_r.{cls}", envir = globalenv())')
