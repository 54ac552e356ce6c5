"""bench/callbacks.py: calls from Python into a one-argument R function, and from R into a
Python function. Usage: python callbacks.py <tandem|rpy2|python>
Prints "case<TAB>microseconds per call" (best of 7), then the fairness figures with 4
threads calling R in a loop (fair_*: calls served per second, seconds taken by the main
thread's time.sleep(1), R-loop time under load / alone)."""
import sys
import threading
import time
import timeit

which = sys.argv[1]
N = 100_000


def best_of(fn, n=N, repeat=7):
    return min(timeit.repeat(fn, number=n, repeat=repeat)) / n * 1e6


def in_worker(fn, n):
    out = []

    def run():
        t0 = time.perf_counter()
        for _ in range(n):
            fn(1.0)
        out.append((time.perf_counter() - t0) / n * 1e6)

    best = float("inf")
    for _ in range(5):
        t = threading.Thread(target=run)
        t.start()
        t.join()  # the main thread waits in join(): woken by tandem's signal
        best = min(best, out.pop())
    return best


def fairness(fn, r_loop, n_threads=4):
    """n_threads call fn(1.0) in a tight loop. Measures, on the main thread: how long
    time.sleep(1) takes and how many calls the threads got served meanwhile, and the
    time of a 1e6-iteration R loop under that load relative to the same loop while the
    threads are paused (blocked on an Event), alternating, best of 5 each."""
    stop = threading.Event()
    running = threading.Event()
    running.set()
    counts = [0] * n_threads

    def worker(k):
        while not stop.is_set():
            running.wait()
            fn(1.0)
            counts[k] += 1

    threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(n_threads)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    c0 = sum(counts)
    slept = _timed(lambda: time.sleep(1))
    served = (sum(counts) - c0) / slept
    alone, loaded = float("inf"), float("inf")
    for _ in range(5):
        running.clear()
        time.sleep(0.05)
        alone = min(alone, _timed(r_loop))
        running.set()
        time.sleep(0.05)
        loaded = min(loaded, _timed(r_loop))
    stop.set()
    for t in threads:
        t.join(60)
    print(f"fair_calls_per_s\t{served:.1f}")
    print(f"fair_sleep_s\t{slept:.6f}")
    print(f"fair_loop_ratio\t{loaded / alone:.6f}")


def _timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


if which == "python":
    def f(x):
        return x

    print(f"main_thread\t{best_of(lambda: f(1.0)):.6f}")
    print(f"worker_thread\t{in_worker(f, 20_000):.6f}")
elif which == "tandem":
    import tandem

    f = tandem.r.eval("function(x) x")
    assert f(1.0) == 1.0
    print(f"main_thread\t{best_of(lambda: f(1.0)):.6f}")
    print(f"worker_thread\t{in_worker(f, 5_000):.6f}")
    loop = tandem.r.eval("function(g, n) { t0 <- proc.time()[[3]]; for (i in seq_len(n)) g(1); (proc.time()[[3]] - t0) / n * 1e6 }")
    tandem.r.eval("library(tandem)")

    def pyfun(x):
        return x

    print(f"r_calls_python\t{min(loop(pyfun, N) for _ in range(7)):.6f}")
    r_loop = tandem.r.eval("function() { s <- 0; for (i in 1:1000000) s <- s + i; s }")
    fairness(f, r_loop)
elif which == "rpy2":
    import rpy2.rinterface as ri
    from rpy2.rinterface import rternalize

    ri.initr()
    f = ri.evalr("function(x) x")
    assert f(1.0)[0] == 1.0
    print(f"main_thread\t{best_of(lambda: f(1.0)):.6f}")
    print(f"worker_thread\t{in_worker(f, 5_000):.6f}")
    loop = ri.evalr("function(g, n) { t0 <- proc.time()[[3]]; for (i in seq_len(n)) g(1); (proc.time()[[3]] - t0) / n * 1e6 }")

    @rternalize
    def pyfun(x):
        return x

    print(f"r_calls_python\t{min(loop(pyfun, N)[0] for _ in range(7)):.6f}")
    r_loop = ri.evalr("function() { s <- 0; for (i in 1:1000000) s <- s + i; s }")
    fairness(f, r_loop)
