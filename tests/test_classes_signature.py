"""tandem._classes: functions and methods with R signatures, checked with Python callables
standing in for R functions (what they receive is what R would receive)."""
import functools
import inspect

from tandem import _classes as c


def record(*args, **kwargs):
    return args, kwargs


def test_py_func_has_a_real_signature_and_passes_only_given_arguments():
    f = c.py_func(record, ["x", "training", "mask", "..."], [None, False, None, None],
                  [False, True, True, False], 3, "f")
    assert str(inspect.signature(f)) == "(x, training=False, mask=None, *args, **kwargs)"
    assert f.__code__.co_varnames[:3] == ("x", "training", "mask")  # real parameters
    assert f(1) == ((), {"x": 1})  # defaults left to R
    assert f(1, True) == ((), {"x": 1, "training": True})
    assert f(1, 2, 3, 4, z=5) == ((4,), {"x": 1, "training": 2, "mask": 3, "z": 5})
    g = c.py_func(record, ["a", "b"], [None, c.R_DEFAULT], [False, True], None, "g")
    assert str(inspect.signature(g)) == "(a, b=<R default>)"
    assert g(1) == ((), {"a": 1})
    assert g(1, b=2) == ((), {"a": 1, "b": 2})
    h = c.py_func(record, ["...", "y"], [None, 1], [False, True], 0, "h")
    assert str(inspect.signature(h)) == "(*args, y=1, **kwargs)"
    assert h(1, 2, y=3) == ((1, 2), {"y": 3})
    assert f.__name__ == "f" and f.__wrapped_r__ is record
    assert f.__signature__ == inspect.signature(f)  # kept for callers that copy it


def test_methods_keep_their_signature_through_functools_wraps():
    # Keras wraps bound methods (Layer.build) with functools.wraps and then inspects the
    # wrapper: a __signature__ attribute would be copied onto it, self included.
    build = c.make_method(record, "build", ["input_shape"], [None], [False], None)
    init = c.make_method(record, "__init__", ["units", "..."], [None, None], [False, False], 1)
    Cls = c.make_class("Cls", (), {"build": build, "__init__": init}, {})
    obj = Cls(3, name="n")
    bound = obj.build

    @functools.wraps(bound)
    def wrapper(*args, **kwargs):
        return bound(*args, **kwargs)

    assert str(inspect.signature(wrapper)) == "(input_shape)"
    assert "__signature__" not in build.__dict__
    # the R side receives self boxed (so that no py_to_r() method converts it), as the
    # keyword that follows `...` in the R wrapper (exact matching only)
    args, kwargs = bound((None, 4))
    box = kwargs.pop(c.SELF_ARG)
    assert isinstance(box, c.SelfBox) and box.obj is obj and args == ()
    assert kwargs == {"input_shape": (None, 4)}
    assert str(inspect.signature(Cls.__init__)) == "(self, units, *args, **kwargs)"
    assert inspect.getfullargspec(Cls.__init__).args == ["self", "units"]
