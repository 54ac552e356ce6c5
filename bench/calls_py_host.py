"""bench/calls_py_host.py: per-call time of calling a one-argument R function from Python.
Usage: python calls_py_host.py <tandem|rpy2|python> [worker]
Prints "case<TAB>microseconds per call" (best of 7)."""
import sys
import timeit

which = sys.argv[1]
if which == "tandem":
    import tandem

    f = tandem.r.eval("function(x) x")
    assert f(1.0) == 1.0
elif which == "rpy2":
    import rpy2.rinterface as ri

    ri.initr()
    f = ri.evalr("function(x) x")
    assert f(1.0)[0] == 1.0
else:
    def f(x):
        return x

n = 200_000
best = min(timeit.repeat(lambda: f(1.0), number=n, repeat=7)) / n * 1e6
print(f"r_call_1arg\t{best:.6f}")
