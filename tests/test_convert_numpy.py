"""Python hosts R: NumPy <-> R by the dtype table, views of R arrays, ALTREP views of NumPy."""
import gc

import numpy as np
import pytest

import tandem


def rtype(r, value):
    return r.eval("function(x) c(typeof(x), paste(dim(x), collapse = 'x'))")(tandem.to_r(value))


@pytest.mark.parametrize(
    "dtype,expected",
    [
        ("bool", "logical"),
        ("int8", "integer"),
        ("int16", "integer"),
        ("int32", "integer"),
        ("uint8", "integer"),
        ("uint16", "integer"),
        ("uint32", "double"),
        ("int64", "double"),
        ("uint64", "double"),
        ("float16", "double"),
        ("float32", "double"),
        ("float64", "double"),
        ("complex64", "complex"),
        ("complex128", "complex"),
        ("U", "character"),
        ("S", "character"),
    ],
)
def test_dtype_table(r, dtype, expected):
    a = np.array([1, 0, 1]).astype(dtype)
    assert rtype(r, a) == [expected, "3"]  # 1-D arrays are 1-d R arrays, as with reticulate
    assert rtype(r, a.reshape(3, 1)) == [expected, "3x1"]
    assert rtype(r, a[0:1].reshape(())) == [expected, "1"]  # 0-d: dim 1, as with reticulate
    same = r.eval("function(x, y) identical(x, y)")
    if expected in ("integer", "double", "logical"):
        assert same(tandem.to_r(a), r.eval(f"array(as.{expected}(c(1, 0, 1)))"))


def test_values_and_na(r):
    to_r_text = r.eval("function(x) paste(x, collapse = ',')")
    assert to_r_text(tandem.to_r(np.array(["a", None, "\u00e9"], dtype=object))) == "a,NA,\u00e9"
    assert r.eval("function(x) is.na(x)")(tandem.to_r(np.array(["a", None], dtype=object))).tolist() == [False, True]
    assert tandem.to_py(tandem.to_r(np.array(3.5))).tolist() == [3.5]
    assert tandem.to_py(tandem.to_r(np.arange(3, dtype="uint16"))).tolist() == [0, 1, 2]
    cplx = tandem.to_r(np.array([1 + 2j, -1j], dtype="complex64"))
    assert tandem.to_py(cplx).tolist() == [1 + 2j, -1j]
    assert r.eval("function(x) x[2, 3]")(np.arange(6, dtype="int8").reshape(2, 3)) == 5


def test_int64_beyond_2_53_is_an_error(r):
    with pytest.raises(ValueError, match=r"int64 value 9007199254740993 at index 2 cannot be converted"):
        tandem.to_r(np.array([0, 1, 2**53 + 1], dtype="int64"))
    with pytest.raises(ValueError, match=r"uint64 value 18446744073709551615 at index 0"):
        tandem.to_r(np.array([2**64 - 1], dtype="uint64"))
    assert tandem.to_py(tandem.to_r(np.array([2**53, 1], dtype="int64"))).tolist() == [2.0**53, 1.0]
    with pytest.raises(ValueError, match="float128"):
        tandem.to_r(np.zeros(2, dtype=np.longdouble))


def test_int32_na_pattern_becomes_double(r):
    x = tandem.to_r(np.array([1, -(2**31)], dtype="int32"))
    assert x.rtype == "double"
    assert r.eval("function(x) anyNA(x)")(x) is False


def test_r_arrays_are_read_only_views(r):
    a = r.eval("m <- matrix(as.double(1:6), 2); m")
    assert isinstance(a, np.ndarray) and a.dtype == np.float64 and a.shape == (2, 3)
    assert a[1, 2] == 6.0
    assert not a.flags.writeable and a.flags.f_contiguous
    assert isinstance(a.base, tandem.RObject)
    b = r["m"]
    assert b.ctypes.data == a.ctypes.data  # both read R's memory
    with pytest.raises(ValueError, match="read-only"):
        a[0, 0] = 1.0
    r.eval("rm(m); invisible(gc())")
    gc.collect()
    assert a.tolist() == [[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]]
    r.eval("m2 <- matrix(1:4, 2)")
    v = r["m2"]
    assert v.dtype == np.int32
    r.eval("m2[1, 1] <- 100L")
    assert v[0, 0] == 1  # R copied before writing
    c = r.eval("matrix(complex(real = 1:4, imaginary = 1), 2)")
    assert c.dtype == np.complex128 and c[1, 1] == 4 + 1j


def test_integer_arrays_with_na_are_float64_copies(r):
    a = r.eval("matrix(c(1L, NA), 1)")
    assert a.dtype == np.float64 and np.isnan(a[0, 1]) and a.flags.writeable
    assert r.eval("function(x) is.na(x[1, 2]) && !is.nan(x[1, 2])")(a) is True
    lgl = r.eval("matrix(c(TRUE, FALSE), 1)")
    assert lgl.dtype == np.bool_ and lgl.tolist() == [[True, False]]


def test_a_view_comes_back_as_the_same_r_object(r):
    m = r.eval("m3 <- matrix(as.double(1:4), 2); m3")
    assert r.eval("function(x) identical(x, m3)")(m) is True
    back = tandem.to_r(m)
    assert back._address == tandem.to_r(r["m3"])._address


@pytest.mark.parametrize("dtype", ["float64", "int32", "complex128"])
def test_fortran_arrays_reach_r_without_copy(r, dtype):
    a = np.asfortranarray(np.arange(12).astype(dtype).reshape(3, 4))
    x = tandem.to_r(a)
    assert r.eval("function(x) dim(x)")(x) == [3, 4]
    assert r.eval("function(x) x[3, 4] == 11")(x) is True
    back = tandem.to_py(x)
    assert back.ctypes.data == a.ctypes.data  # R's vector is NumPy's memory
    np.testing.assert_array_equal(back, a)


def test_r_writes_do_not_reach_numpy(r):
    a = np.asfortranarray(np.ones((2, 2)))
    r["x"] = a
    r.eval("x[1, 1] <- 5")
    assert r.eval("x[1, 1]") == 5.0
    assert a[0, 0] == 1.0
    r["y"] = np.arange(3.0)
    r.eval("y[2] <- -1")
    assert r.eval("y").tolist() == [0.0, -1.0, 2.0]


def test_numpy_array_lives_as_long_as_r_vector(r):
    r["z"] = np.asfortranarray(np.arange(6.0).reshape(2, 3))
    gc.collect()
    assert r.eval("sum(z)") == 15.0
    assert r.eval("z[2, 3]") == 5.0


def test_c_order_is_copied_in_r_order(r):
    a = np.arange(6.0).reshape(2, 3)
    x = tandem.to_r(a)
    assert r.eval("function(x) identical(x, matrix(c(0, 3, 1, 4, 2, 5), 2))")(x) is True
    assert tandem.to_py(x).ctypes.data != a.ctypes.data
    assert tandem.to_py(tandem.to_r(np.arange(10.0)[::3])).tolist() == [0.0, 3.0, 6.0, 9.0]


def test_np_array_and_array_reshape_from_r(r):
    a = r.eval("library(tandem); np_array(matrix(1:6, 2), dtype = 'float32', order = 'F')")
    assert isinstance(a, np.ndarray) and a.dtype == np.float32
    assert a.flags.f_contiguous and a.flags.writeable
    assert a.tolist() == [[1, 3, 5], [2, 4, 6]]
    m = r.eval("array_reshape(1:6, c(2, 3))")
    np.testing.assert_array_equal(m, np.arange(1, 7).reshape(2, 3))
    assert r.eval("function(x) identical(array_reshape(x, c(3, 2)), matrix(0:5, 3, byrow = TRUE))")(
        np.arange(6, dtype="int32")
    ) is True


def test_masked_arrays_have_na_where_masked(r):
    m = np.ma.masked_array([[1, 2**60], [3, 4]], mask=[[False, True], [False, False]])
    assert r.eval("function(x) identical(x, matrix(c(1, 3, NA, 4), 2))")(m) is True
    b = np.ma.masked_array([True, False], mask=[False, True])
    assert r.eval("function(x) identical(x, array(c(TRUE, NA)))")(b) is True


def test_view_pointer_is_r_data_pointer(r):
    """The view reads R's own memory: rpy2 (attached to the same R) sees the same address."""
    pytest.importorskip("rpy2.rinterface", reason="rpy2 is not installed")
    a = r.eval("m_ptr <- matrix(as.double(1:6), 2); m_ptr")
    obj = tandem.to_r(a)  # the same R object (the view's source)
    assert obj._address == tandem.to_r(r["m_ptr"])._address
    assert np.asarray(tandem.to_rpy2(obj).memoryview()).ctypes.data == a.ctypes.data


def test_one_d_arrays_round_trip_with_their_dim(r):
    """reticulate's rule: a 1-D NumPy array is a 1-d R array (dim = n) and an R 1-d array is a
    1-D NumPy array, so both directions keep the shape; a plain R vector is still a list."""
    x = tandem.to_r(np.array([1.5, 2.5, 3.5]))
    assert r.eval("function(x) identical(x, array(c(1.5, 2.5, 3.5)))")(x) is True
    back = r.eval("array(1:3)")
    assert isinstance(back, np.ndarray) and back.shape == (3,) and back.dtype == np.int32
    assert r.eval("function(x) identical(x, array(1:3))")(back) is True
    s = r.eval("array(c('a', NA))")
    assert isinstance(s, np.ndarray) and s.shape == (2,) and s.tolist() == ["a", None]
    assert r.eval("c(1.5, 2.5)") == [1.5, 2.5]
