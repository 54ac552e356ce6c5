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

