"""Property-based hostile input for the conversion layer (issue 11, "a systematic guard"),
Python hosting R. Hypothesis generates nested values with NA and odd dtypes, objects whose
__len__/__iter__/__getattr__/__str__/__int__ misbehave, py_to_r hooks that change the
container being converted, and deep nesting, in both directions. The properties: every
conversion either gives a value or raises an ordinary Python exception (never a crash, a
hang or a pending error), what converted converts back, and the session keeps working.
Bounded: a few dozen examples per property (`make sanitize` runs it on the ASan core)."""
import __main__
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tandem

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
EXPECTED = (ValueError, TypeError, OverflowError, RecursionError, KeyError, IndexError, AttributeError,
            UnicodeError, ZeroDivisionError, RuntimeError, tandem.RError)


def session_works(r):
    assert r.eval("1L + 1L") == 2


def convert_both_ways(r, value):
    """to_r, then back to Python, then R's view of it (str()): each step a value or an expected error."""
    try:
        x = tandem.to_r(value)
    except EXPECTED:
        return None
    try:
        back = tandem.to_py(x)
        r.eval("function(x) invisible(capture.output(str(x)))")(x)
    except EXPECTED:
        back = None
    return back


scalars = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.complex_numbers(allow_nan=True),
    st.text(max_size=8),  # may hold NUL: an error, never a truncated string
    st.binary(max_size=8),
)
dtypes = st.sampled_from(["float16", "float32", "float64", "int8", "uint16", "int32", "uint32", "int64", "uint64",
                          "complex64", "bool", "U3", "S3", "O", "datetime64[s]", "timedelta64[ms]", "V1", "V3"])


@st.composite
def arrays(draw):
    dtype = draw(dtypes)
    shape = draw(st.sampled_from([(), (0,), (3,), (2, 3), (1, 0, 2), (2, 2, 2)]))
    n = int(np.prod(shape)) if shape else 1
    raw = draw(st.lists(st.integers(min_value=-(2**40), max_value=2**40), min_size=n, max_size=n))
    a = np.array(raw, dtype="int64")
    if dtype in ("U3", "S3"):
        a = a.astype(str).astype(dtype)
    elif dtype == "O":
        a = np.array([draw(scalars) for _ in range(n)] + [None], dtype=object)[:n]
    elif dtype.startswith("V"):
        a = np.zeros(n, dtype=dtype)
    else:
        with np.errstate(all="ignore"):
            a = a.astype(dtype)
    a = a.reshape(shape)
    if draw(st.booleans()) and a.ndim >= 2:
        a = a.T  # Fortran order
    return a


values = st.recursive(
    st.one_of(scalars, arrays()),
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.tuples(children, children),
        st.dictionaries(st.text(max_size=4), children, max_size=4),
        st.dictionaries(st.integers(-3, 3), children, max_size=3),
    ),
    max_leaves=12,
)


@SETTINGS
@given(value=values)
def test_nested_values_convert_or_raise(r, value):
    convert_both_ways(r, value)
    session_works(r)


@SETTINGS
@given(values=st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=20))
def test_floats_keep_nan_inf_and_r_na(r, values):
    back = tandem.to_py(tandem.to_r(values))
    back = back if isinstance(back, list) else [back]
    for a, b in zip(values, back):
        assert (math.isnan(a) and math.isnan(b)) or a == b


# ---- misbehaving objects -----------------------------------------------------------------
def boom(*args, **kwargs):
    raise ZeroDivisionError("boom")


def make_hostile(kind, base):
    ns = {}
    if kind == "len_raises":
        ns["__len__"] = boom
    elif kind == "len_negative":
        ns["__len__"] = lambda self: -1
    elif kind == "len_huge":
        ns["__len__"] = lambda self: 2**62
    elif kind == "iter_raises":
        ns["__iter__"] = boom
    elif kind == "getitem_raises":
        ns["__getitem__"] = boom
    elif kind == "getattr_everything":
        ns["__getattr__"] = lambda self, name: (_ for _ in ()).throw(RuntimeError(name))
    elif kind == "str_raises":
        ns["__str__"] = boom
        ns["__repr__"] = boom
    elif kind == "int_raises":
        ns["__int__"] = boom
        ns["__index__"] = boom
    elif kind == "bool_raises":
        ns["__bool__"] = boom
        ns["__len__"] = boom
    cls = type(f"Hostile_{kind}", (base,), ns)
    if base is dict:
        return cls({"a": 1})
    if base in (list, tuple):
        return cls([1, 2, 3])
    if base is str:
        return cls("abc")
    if base is int:
        return cls(5)
    return cls()


hostile = st.builds(
    make_hostile,
    st.sampled_from(["len_raises", "len_negative", "len_huge", "iter_raises", "getitem_raises",
                     "getattr_everything", "str_raises", "int_raises", "bool_raises"]),
    st.sampled_from([object, list, tuple, dict, str, int]),
)


@SETTINGS
@given(obj=hostile, wrap=st.sampled_from(["bare", "in_list", "as_dict_key", "in_object_array"]))
def test_misbehaving_objects_convert_or_raise(r, obj, wrap):
    try:
        value = {"bare": lambda: obj, "in_list": lambda: [1.5, obj, "x"], "as_dict_key": lambda: {obj: 1},
                 "in_object_array": lambda: np.array([obj, None], dtype=object)}[wrap]()
    except EXPECTED:  # e.g. an unhashable key, a __len__ NumPy calls
        return
    try:
        x = tandem.to_r(value)
    except EXPECTED:
        session_works(r)
        return
    # Whatever came back, R's generics on it never crash; length() never errors.
    n = r.eval("function(x) length(x)")(x)
    assert n is None or isinstance(n, (int, float, list))
    try:
        r.eval("function(x) invisible(capture.output(print(x)))")(x)
    except EXPECTED:
        pass
    session_works(r)


# ---- py_to_r hooks that change the container being converted ------------------------------
MUTATIONS = {
    "clear": "C.clear()",
    "shrink": "del C[len(C) // 2:]",
    "grow": "C.extend([object()] * 1000) if isinstance(C, list) else C.update({i: i for i in range(1000)})",
    "replace": "C[0] = 'replaced'" ,
    "rebind": "globals()['C'] = None",
}


@pytest.fixture(scope="module")
def mutating_hook(r):
    r.eval("library(tandem); py_run_string('class Mutator:\\n    pass\\n')")
    r.eval("py_to_r.__main__.Mutator <- function(x) { py_run_string(tandem_hostile_code); 'hooked' }")
    yield
    r.eval("rm(list = c('py_to_r.__main__.Mutator', 'tandem_hostile_code'), envir = globalenv())")


@SETTINGS
@given(kind=st.sampled_from(["list", "dict", "tuple_of_lists", "object_array"]),
       mutation=st.sampled_from(sorted(MUTATIONS)), n=st.integers(0, 300), at=st.integers(0, 300))
def test_containers_changed_by_hooks_convert_as_they_were(r, mutating_hook, kind, mutation, n, at):
    M = __main__.Mutator
    items = [float(i) for i in range(n)]
    items.insert(min(at, n), M())
    if kind == "list":
        c = items
    elif kind == "dict":
        c = {f"k{i}": v for i, v in enumerate(items)}
    elif kind == "tuple_of_lists":
        c = items  # mutated; converted inside a tuple
    else:
        c = np.array(items + [None], dtype=object)[:-1]
    __main__.C = c
    r["tandem_hostile_code"] = MUTATIONS[mutation]
    snapshot = list(c.values()) if kind == "dict" else list(c)
    value = (c, [1.5]) if kind == "tuple_of_lists" else c
    try:
        x = tandem.to_r(value)
    except EXPECTED:
        session_works(r)
        return
    got = r.eval("function(x) unname(lapply(x, function(e) if (is.character(e)) e else as.numeric(e)))")(
        x[0] if kind == "tuple_of_lists" else x)
    expected = ["hooked" if isinstance(v, M) else v for v in snapshot]
    assert (got if isinstance(got, list) else [got]) == expected or got == expected
    session_works(r)


# ---- deep nesting, both directions -------------------------------------------------------
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(depth=st.sampled_from([10, 500, 5000, 50000]), kind=st.sampled_from(["list", "dict", "tuple"]))
def test_deep_nesting_is_a_value_or_a_recursion_error(r, depth, kind):
    v = 1.0
    for _ in range(depth):
        v = [v] if kind == "list" else {"a": v} if kind == "dict" else (v,)
    try:
        x = tandem.to_r(v)
    except (RecursionError, tandem.RError):
        session_works(r)
        return
    assert depth <= 5000
    try:
        tandem.to_py(x)
    except (RecursionError, tandem.RError):
        pass
    session_works(r)


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(depth=st.sampled_from([10, 1000, 20000]))
def test_deeply_nested_r_lists_reach_python_or_raise(r, depth):
    try:
        x = r.eval(f"x <- 1; for (i in seq_len({depth})) x <- list(x); x")
    except (RecursionError, tandem.RError):
        session_works(r)
        return
    assert isinstance(x, list)
    session_works(r)


# ---- R values with NA, odd classes and names, R -> Python -> R ------------------------------
r_atoms = st.sampled_from([
    "NA", "NA_integer_", "NA_real_", "NA_character_", "NaN", "Inf", "-Inf", "c(1L, NA)", "c(TRUE, NA)",
    "c('a', NA, '\\u00e9')", "as.Date(c('2020-01-01', NA))", "as.POSIXct(c(0, NA), origin = '1970-01-01', tz = 'UTC')",
    "factor(c('a', NA, 'b'))", "raw(0)", "as.raw(c(0, 255))", "matrix(c(1, NA, 3, 4), 2)", "array(1:8, c(2, 2, 2))",
    "character(0)", "integer(0)", "list()", "NULL", "complex(real = NA, imaginary = 1)", "I(1)", "2^31", "-2^53",
    "structure(1, class = 'unknown_class')", "as.difftime(c(1, NA), units = 'mins')", "environment()",
    "function(x) x", "quote(a + b)", "as.name('sym')", "data.frame(a = 1:2, b = c('x', NA))",
])


@st.composite
def r_values(draw, depth=0):
    if depth >= 3 or draw(st.booleans()):
        return draw(r_atoms)
    parts = [draw(r_values(depth + 1)) for _ in range(draw(st.integers(0, 4)))]
    names = draw(st.sampled_from(["none", "unique", "duplicate", "empty"]))
    if names == "none" or not parts:
        return "list(" + ", ".join(parts) + ")"
    labels = [f"n{i}" for i in range(len(parts))]
    if names == "duplicate" and len(parts) > 1:
        labels[-1] = labels[0]
    if names == "empty":
        labels[0] = ""
    return "list(" + ", ".join(f"`{l}` = {p}" if l else p for l, p in zip(labels, parts)) + ")"


@SETTINGS
@given(code=r_values())
def test_r_values_reach_python_or_raise(r, code):
    try:
        x = r.eval(code)
    except EXPECTED:
        session_works(r)
        return
    try:
        tandem.to_r(x)
    except EXPECTED:
        pass
    session_works(r)


def test_deep_nesting_with_a_raised_recursion_limit_is_a_recursion_error(r):
    """sys.setrecursionlimit() high enough that Python's own guard never fires: R's C stack
    limit stops the conversion first (it segfaulted before)."""
    import sys

    v = 1.0
    for _ in range(100_000):
        v = [v]
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(1_000_000)
    try:
        with pytest.raises(RecursionError, match="C stack"):
            tandem.to_r(v)
    finally:
        sys.setrecursionlimit(old)
    session_works(r)
