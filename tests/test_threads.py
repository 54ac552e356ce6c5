"""R called from Python threads: every call runs on R's main thread, whatever it is doing."""
import threading
import time

import pytest

import tandem


def run_threads(target, n):
    threads = [threading.Thread(target=target, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a thread hung"


def test_eight_threads_ten_thousand_calls_each_with_gc(r):
    f = r.eval("function(x) { if (x %% 1000 == 0) invisible(gc()); x * 2L }")
    results = {}

    def worker(k):
        results[k] = [f(i) for i in range(10_000)]

    run_threads(worker, 8)  # the main thread waits in join()
    expected = [2 * i for i in range(10_000)]
    assert sorted(results) == list(range(8))
    assert all(results[k] == expected for k in range(8))
    assert r.eval("1 + 1") == 2


def test_calls_run_on_r_main_thread(r):
    r.eval("library(tandem)")
    main_ident = threading.get_ident()
    ident = r.eval("function() import('threading')$get_ident()")
    seen = []
    t = threading.Thread(target=lambda: seen.append(ident()))
    t.start()
    t.join(60)
    assert seen == [main_ident]


@pytest.mark.parametrize("main_does", ["sleep", "r_loop", "r_sleep", "python_loop"])
def test_worker_call_while_main_thread_is_busy(r, main_does):
    f = r.eval("function(x) x + 1")
    out = []
    t = threading.Thread(target=lambda: out.append(f(41)))
    t.start()
    if main_does == "sleep":
        time.sleep(0.3)
    elif main_does == "r_loop":
        r.eval("s <- 0; for (i in 1:300000) s <- s + i")
    elif main_does == "r_sleep":
        r.eval("Sys.sleep(0.3)")
    else:
        x = 0
        for i in range(2_000_000):
            x += i
    t.join(60)
    assert out == [42]


def test_errors_reach_the_calling_thread(r):
    f = r.eval("function() stop(structure(class = c('thread_error', 'error', 'condition'), list(message = 'from R', call = NULL)))")
    errors = []

    def worker(_):
        try:
            f()
        except tandem.RError as e:
            errors.append(e.rclass[0])

    run_threads(worker, 4)
    assert errors == ["thread_error"] * 4


def test_robject_methods_from_threads(r):
    env = r.eval("e2 <- new.env(); e2$v <- 5; e2")
    got = []

    def worker(_):
        got.append((env.v, len(tandem.to_r([1, 2, 3])), repr(tandem.to_r(1))))

    run_threads(worker, 3)
    assert got == [(5.0, 3, "[1] 1")] * 3
