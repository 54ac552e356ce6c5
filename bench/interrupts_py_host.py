"""bench/interrupts_py_host.py: Python hosts R. How long after a SIGINT the handler around
a long conversion runs (except KeyboardInterrupt), in both directions. A helper process
sends the signal at about 3/4 of the conversion's own duration, so the conversion has built
most of its result when the interrupt comes; the latency is the time from the kill() to the
handler (both read the wall clock). The cases are those of bench/interrupts_r_host.R.
Prints "case<TAB>seconds" lines (<case>_conv: the uninterrupted conversion, <case>: the
latency; nan when the conversion ended first).
Usage: python bench/interrupts_py_host.py [case ...]   (driven by bench/run.py interrupts)"""
import gc
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

import tandem
from tandem import _core, r

HELPER = ("import os, signal, sys, time; at = float(sys.argv[1]); time.sleep(max(0.0, at - time.time())); "
          "t = time.time(); os.kill(int(sys.argv[2]), signal.SIGINT); open(sys.argv[3], 'w').write(repr(t))")


def sent_time(path, helper):
    helper.wait(timeout=30)
    with open(path) as f:
        return float(f.read())


def settle():
    """What an interrupted conversion built is released in slices on R's thread: wait until
    it is gone, so that the next case runs alone."""
    gc.collect()
    for _ in range(600):
        if _core._deferred_releases() == 0:
            break
        time.sleep(0.1)
    r.eval("invisible(gc())")
    time.sleep(0.2)


def measure(name, convert):
    settle()
    t0 = time.time()
    convert()
    conv = time.time() - t0
    settle()
    latency = float("nan")
    for frac in (0.75, 0.5, 0.25, 0.1):
        fd, path = tempfile.mkstemp()
        os.close(fd)
        start = time.time() + 0.15  # the helper is up by then
        helper = subprocess.Popen([sys.executable, "-c", HELPER, repr(start + frac * conv), str(os.getpid()), path])
        time.sleep(max(0.0, start - time.time()))
        finished = False
        try:
            convert()
            finished = True
            helper.wait(timeout=30)  # the conversion ended before the signal: let it come here
            time.sleep(0.5)
            caught = None
        except KeyboardInterrupt:
            caught = None if finished else time.time()
        if caught is None:  # go earlier
            helper.wait(timeout=30)
            os.unlink(path)
            settle()
            continue
        latency = caught - sent_time(path, helper)
        os.unlink(path)
        break
    print(f"{name}_conv\t{conv:.4f}\n{name}\t{latency:.4f}", flush=True)
    settle()


R_CASES = {
    "r2py_doubles_1e8": "rep(1.5, 1e8)",
    "r2py_doubles": "rep(1.5, 3e7)",
    "r2py_integers": "rep(7L, 3e7)",
    "r2py_logicals": "rep(c(TRUE, FALSE, NA), 1e7)",
    "r2py_strings": "as.character(seq_len(4e6))",
    "r2py_list": "as.list(seq_len(4e6))",
    "r2py_list_of_vectors": "lapply(seq_len(1e5), function(i) rep(i + 0.5, 100))",
    "r2py_data_frame": "data.frame(x = rep(1.5, 1e7), i = rep(1:10, 1e6), f = factor(rep(c('a', 'b'), 5e6)), "
                       "s = rep(c('u', 'v', 'w', NA), 2.5e6), stringsAsFactors = FALSE)",
    "r2py_logical_matrix": "matrix(c(TRUE, NA), 1e4, 1e4)",
    "r2py_character_matrix": "matrix(as.character(seq_len(4e6)), 2000)",
}
PY_CASES = {
    "py2r_floats": lambda: [i + 0.5 for i in range(30_000_000)],
    "py2r_ints": lambda: list(range(30_000_000)),
    "py2r_bools": lambda: [True, False, None] * 10_000_000,
    "py2r_strs": lambda: [str(i) for i in range(4_000_000)],
    "py2r_mixed_list": lambda: [i if i % 2 else str(i) for i in range(4_000_000)],
    "py2r_dict": lambda: {str(i): i for i in range(2_000_000)},
    "py2r_numpy_c_order": lambda: np.ones((10_000, 3_000)),
    "py2r_numpy_int64": lambda: np.arange(30_000_000),
    "py2r_numpy_str": lambda: np.array([str(i) for i in range(4_000_000)]),
    "py2r_pandas": lambda: pd.DataFrame({"x": np.ones(10_000_000), "i": np.arange(10_000_000) % 10,
                                         "s": ["u", "v", None, "w"] * 2_500_000}),
}


def main():
    which = sys.argv[1:] or list(R_CASES) + list(PY_CASES)
    r.eval("invisible(0)")
    for name in which:
        if name in R_CASES:
            r.eval(f"bench_value <- {R_CASES[name]}; invisible(0)")
            measure(name, lambda: r.eval("bench_value"))
            r.eval("rm(bench_value)")
        elif name in PY_CASES:
            value = PY_CASES[name]()
            measure(name, lambda: tandem.to_r(value))
            del value


if __name__ == "__main__":
    main()
