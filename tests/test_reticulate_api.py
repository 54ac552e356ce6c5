"""Python hosts R, and that R uses tandem's reticulate-compatible API: `[` with Python
keys, py_run_string() results, PyClass with self and super(), py_capture_output(),
delay-loaded modules and load hooks, all on the interpreter that hosts R."""
import sys

import pytest


@pytest.fixture(scope="module")
def rt(r):
    r.eval("library(tandem)")
    return r


def test_subset_with_python_keys(rt):
    assert rt.eval("x <- r_to_py(list(10L, 20L, 30L, 40L), convert = TRUE); x[1:3]") == [20, 30]
    assert rt.eval("x[0]") == 10
    assert rt.eval("x[NA:NA:2]") == [10, 30]
    rt.eval("x[0] <- 5L")
    assert rt.eval("py_to_r(x)") == [5, 20, 30, 40]


def test_pyclass_self_super_and_class_names(rt):
    out = rt.eval(
        """
        Base <- PyClass("HostedBase", list(`__init__` = function(self, a) { self$a <- a; NULL },
                                            describe = function(self) paste("base", self$a)))
        Child <- PyClass("HostedChild", list(describe = function(self) paste("child of", super()$describe())),
                         inherit = Base)
        obj <- Child("z")
        list(obj$describe(), class(obj))
        """
    )
    assert out[0] == "child of base z"
    assert out[1] == ["HostedChild", "HostedBase", "python.builtin.object"]
    # the class is a real Python class: Python code can use it
    child = rt.eval("r_to_py(Child)")
    assert child.__name__ == "HostedChild"
    assert "__module__" not in vars(child)  # as reticulate's classes: the S3 class is the bare name


def test_capture_output_and_module_printing(rt):
    assert rt.eval("py_capture_output(py_run_string('print(42)'))") == "42\n"
    assert rt.eval("capture.output(print(import('time')))") == "Module(time)"


def test_delay_load_imports_at_once_when_python_runs(rt):
    # Python hosts R, so Python is running: as in reticulate, the module is imported now
    assert rt.eval("m <- import('json', delay_load = TRUE); inherits(m, 'tandem_delayed_module')") is False
    assert rt.eval("m$dumps(list(1L))") == "[1]"


def test_load_hook_runs_when_python_imports_the_module(rt, tmp_path):
    (tmp_path / "tandem_hosted_hook_mod.py").write_text("X = 1\n")
    rt.eval("hook_ran <- FALSE; py_register_load_hook('tandem_hosted_hook_mod', function() hook_ran <<- TRUE)")
    assert rt.eval("hook_ran") is False
    sys.path.insert(0, str(tmp_path))
    try:
        import tandem_hosted_hook_mod  # noqa: F401  (imported by Python, not by R)
    finally:
        sys.path.remove(str(tmp_path))
    assert rt.eval("hook_ran") is True


def test_subclasses_of_containers_reach_r_as_reticulate_converts_them(rt):
    import collections

    Spec = collections.namedtuple("Spec", ["args", "kw"])
    spec = Spec(args=[1, 2], kw={"a": 1})
    f = rt.eval("function(x) list(class(x), x$args, is_py_object(py_to_r(x)))")
    cls, args, kept = f(spec)  # a namedtuple stays a Python object in R: `$` reads a field
    assert cls[0].endswith(".Spec") and list(cls[1:]) == ["python.builtin.tuple", "python.builtin.object"]
    assert list(args) == [1, 2]
    assert kept is True
    od = collections.OrderedDict([("b", 1), ("a", 2)])
    od.move_to_end("b")
    g = rt.eval("function(x) list(is.list(x), names(x))")
    assert g(od) == [True, ["a", "b"]]  # an OrderedDict is a named list in its own order
    h = rt.eval("function(x) class(x)[[1]]")
    assert h(collections.defaultdict(int, a=1)) == "collections.defaultdict"
    assert h((1, 2)) == "list" and h([1, "a"]) == "list" and h({"a": 1}) == "list"


def test_py_to_r_wrapper_method_applies_when_python_hosts(rt):
    rt.eval(
        """
        py_run_string("class HostedWrapped:\\n    def __call__(self, x):\\n        return x * 2")
        registerS3method("py_to_r_wrapper", "__main__.HostedWrapped",
                         function(x) function(y) x(y) + 100L, envir = asNamespace("tandem"))
        """
    )
    try:
        assert rt.eval("py_eval('HostedWrapped()')(1L)") == 102
    finally:
        rt.eval('registerS3method("py_to_r_wrapper", "__main__.HostedWrapped", function(x) x, '
                'envir = asNamespace("tandem"))')


def test_python_callables_have_their_signature_as_formals(rt):
    # reticulate >= 1.29: formals from inspect.signature(), *args/**kwargs as `...`
    assert rt.eval("names(formals(py_eval('lambda a, b=1, *args, c=2, **kw: a')))") == ["a", "b", "...", "c"]

    # a function made here in the hosting interpreter, handed to R
    def scale(x, factor=2, *, offset=0):
        return x * factor + offset

    to_r = rt.eval("function(f) list(names(formals(f)), f(3, offset = 1), f(3, 10))")
    assert to_r(scale) == [["x", "factor", "...", "offset"], 7.0, 30.0]
    # the arguments reach Python as written: no partial matching of R formals
    assert rt.eval("f <- py_eval('lambda long=None, **kw: (long, kw)'); identical(f(l = 2L), list(NULL, list(l = 2L)))")
    # unnamed arguments are positional wherever they are written (as reticulate)
    assert rt.eval("g <- py_eval('lambda a, b: [a, b]'); g(b = 1L, 2L)") == [2, 1]
