"""bench/callbacks.py: calls from Python into a one-argument R function, and from R into a
Python function. Usage: python callbacks.py <tandem|rpy2|python>
Prints "case<TAB>microseconds per call" (best of 7)."""
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
