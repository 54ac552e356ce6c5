"""Python classes defined in R, used from Python (Python hosts R): methods, super, and
instances whose R closures capture ``self`` freed without a cycle through R."""
import gc
import weakref

import pytest


@pytest.fixture(scope="module")
def holder_class(r):
    r.eval("""
    library(tandem)
    released <- new.env(); released$count <- 0L
    Holder <- PyClass("Holder", list(
      initialize = function(n) {
        self$n <- n
        state <- new.env()
        reg.finalizer(state, function(e) released$count <- released$count + 1L)
        self$get_n <- function() self$n + 0L * length(ls(state))
      },
      twice = function() self$get_n() * 2L
    ))
    """)
    return r.eval("Holder")


def released(r):
    return r.eval("released$count")


def collect_both(r):
    """R's gc drops R's handles to the instances, Python frees them, R's next gc runs the
    finalizers of the R state they held."""
    r.eval("invisible(gc())")
    gc.collect()
    r.eval("invisible(gc())")


def test_instance_made_in_python_runs_r_methods(holder_class):
    h = holder_class(21)
    assert h.n == 21
    assert h.twice() == 42
    assert type(h).__name__ == "Holder"


def test_instance_with_closure_capturing_self_is_freed(r, holder_class):
    collect_both(r)
    before = released(r)
    h = holder_class(3)
    assert h.get_n() == 3
    w = weakref.ref(h)
    del h
    collect_both(r)
    assert w() is None
    assert released(r) == before + 1


def test_many_instances_leave_no_r_state_behind(r, holder_class):
    collect_both(r)
    before = released(r)
    for i in range(200):
        assert holder_class(i).twice() == 2 * i
    collect_both(r)
    assert released(r) == before + 200
