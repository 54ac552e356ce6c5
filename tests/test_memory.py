"""Lifetimes: R objects held by Python and Python objects held by R are released (O(1) each,
see bench/) when the other side lets go, and memory comes back."""
import gc
import resource

from tandem import _core
import tandem


def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def collect(r):
    gc.collect()
    r.eval("invisible(gc())")


def test_100k_r_objects_held_by_python_are_released(r):
    def cycle():
        held = [tandem.to_r([float(i), 2.0]) for i in range(100_000)]
        assert _core._preserved_count() >= before + 100_000
        del held
        collect(r)

    collect(r)
    before = _core._preserved_count()
    cycle()  # warm up the allocators' pools (RSS plateaus after two cycles)
    cycle()
    start = rss()
    cycle()
    assert _core._preserved_count() == before
    assert rss() <= start * 1.10


def test_100k_python_objects_held_by_r_are_released(r):
    r.eval("library(tandem)")
    r.eval("""py_run_string('
class Tracked:
    live = 0
    def __init__(self): Tracked.live += 1
    def __del__(self): Tracked.live -= 1
')""")
    make = r.eval("function(n) { tr <- py$Tracked; held <- lapply(seq_len(n), function(i) tr()); length(held) }")

    def cycle():
        assert make(100_000) == 100_000
        collect(r)

    cycle()  # warm up the allocators' pools (RSS plateaus after two cycles)
    cycle()
    start = rss()
    cycle()
    import __main__

    assert __main__.Tracked.live == 0
    assert rss() <= start * 1.10


def test_robjects_dropped_on_other_threads_are_released_on_r_thread(r):
    import threading

    collect(r)
    before = _core._preserved_count()
    held = [tandem.to_r(i) for i in range(1000)]
    t = threading.Thread(target=lambda: held.clear())
    t.start()
    t.join()
    collect(r)
    r.eval("1")  # the next entry drains releases queued by other threads
    assert _core._preserved_count() == before
