"""bench/run.py: runs the benchmarks, each bridge in its own process in this one run, and
prints per-call times with ratios against reticulate / rpy2 and the plain-language
baseline. Usage: .venv/bin/python bench/run.py   (or: make bench)"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def env():
    e = dict(os.environ)
    e.setdefault("TANDEM_PYTHON", sys.executable)
    e["RETICULATE_PYTHON"] = os.environ.get("RETICULATE_PYTHON_OVERRIDE", sys.executable)
    e["LANG"] = e["LC_ALL"] = "C.UTF-8"
    for k in ("TANDEM_CORE_PATH", "TANDEM_HOST_PID", "R_SESSION_INITIALIZED"):
        e.pop(k, None)
    return e


def parse(out):
    res = {}
    for line in out.splitlines():
        if "\t" in line:
            k, v = line.split("\t")
            try:
                res[k.strip()] = float(v)
            except ValueError:
                res[k.strip()] = float("nan")
    return res


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True, env=env(), timeout=1800)
    if p.returncode != 0:
        print(f"  ({' '.join(cmd[:3])} failed: {p.stderr.strip().splitlines()[-1:]})")
    return parse(p.stdout)


def r_host(n=100_000):
    rows = {name: run(["Rscript", os.path.join(HERE, "calls_r_host.R"), name, str(n)])
            for name in ("base", "tandem", "reticulate")}
    print("\nR hosts Python: microseconds per call (best of 7, %d calls each)" % n)
    print(f"{'case':<34}{'plain R':>9}{'tandem':>9}{'reticulate':>12}{'reticulate/tandem':>19}{'tandem-R':>10}")
    labels = {
        "module_fn": "math$sqrt(2)",
        "prebound": "pre-bound f(2)",
        "attr": "np$pi",
        "raw_call": "py_call(f, x), convert = FALSE",
        "method": "obj$m(2)",
    }
    for case, label in labels.items():
        b, t, r = (rows[k].get(case, float("nan")) for k in ("base", "tandem", "reticulate"))
        print(f"{label:<34}{b:>9.3f}{t:>9.3f}{r:>12.3f}{r / t:>18.1f}x{t - b:>10.3f}")
    return rows


def py_host():
    rows = {name: run([sys.executable, os.path.join(HERE, "calls_py_host.py"), name])
            for name in ("python", "tandem", "rpy2")}
    p, t, r = (rows[k].get("r_call_1arg", float("nan")) for k in ("python", "tandem", "rpy2"))
    print("\nPython hosts R: microseconds per call of a one-argument R function (best of 7)")
    print(f"{'case':<34}{'plain Py':>9}{'tandem':>9}{'rpy2 ri':>12}{'rpy2/tandem':>19}{'tandem-Py':>10}")
    print(f"{'f(1.0), f = function(x) x':<34}{p:>9.3f}{t:>9.3f}{r:>12.3f}{r / t:>18.1f}x{t - p:>10.3f}")
    return rows


def callbacks():
    rows = {name: run([sys.executable, os.path.join(HERE, "callbacks.py"), name])
            for name in ("python", "tandem", "rpy2")}
    rows["reticulate"] = run(["Rscript", os.path.join(HERE, "callbacks_r_host.R"), "reticulate"])
    rows["tandem_r_host"] = run(["Rscript", os.path.join(HERE, "callbacks_r_host.R"), "tandem"])
    g = lambda k, c: rows[k].get(c, float("nan"))
    print("\nCallbacks: microseconds per call (best of 7)")
    print(f"{'case':<44}{'plain Py':>9}{'tandem':>9}{'rpy2 ri':>10}{'rpy2/tandem':>13}{'tandem-Py':>11}")
    p, t, r = g("python", "main_thread"), g("tandem", "main_thread"), g("rpy2", "main_thread")
    print(f"{'Python -> R f(1.0), main thread':<44}{p:>9.3f}{t:>9.3f}{r:>10.3f}{r / t:>12.1f}x{t - p:>11.3f}")
    p, t, r = g("python", "worker_thread"), g("tandem", "worker_thread"), g("rpy2", "worker_thread")
    print(f"{'Python -> R f(1.0), worker thread':<44}{p:>9.3f}{t:>9.3f}{r:>10.3f}{r / t:>12.1f}x{t - p:>11.3f}")
    print("  (rpy2 runs R on the worker thread itself, which R does not support; tandem runs it on R's main thread)")
    t, r = g("tandem", "r_calls_python"), g("rpy2", "r_calls_python")
    print(f"{'R -> Python g(1), Python hosts (rternalize)':<44}{'':>9}{t:>9.3f}{r:>10.3f}{r / t:>12.1f}x")
    t, r = g("tandem_r_host", "main_thread"), g("reticulate", "main_thread")
    print(f"{'Python -> R f(1.0), R hosts':<44}{'':>9}{t:>9.3f}{'':>10}{'':>13}")
    print(f"{'  reticulate 1.28, same case':<44}{'':>9}{r:>9.3f}{'':>10}{'reticulate/tandem':>13} {r / t:.1f}x")
    print("\nFair scheduling: 4 threads call f(1.0) on R in a tight loop while R's main thread works")
    print(f"{'case':<52}{'tandem':>10}{'rpy2 ri':>10}{'tandem, R hosts':>17}")
    for key, label, fmt in (("fair_calls_per_s", "calls served per second (main thread in sleep(1))", "{:>10.0f}"),
                            ("fair_sleep_s", "seconds taken by the main thread's sleep(1)", "{:>10.3f}"),
                            ("fair_loop_ratio", "1e6-iteration R loop: time under load / alone", "{:>10.2f}")):
        a, b, c = g("tandem", key), g("rpy2", key), g("tandem_r_host", key)
        print(f"{label:<52}" + fmt.format(a) + fmt.format(b) + fmt.format(c).rjust(17))
    print("  (rpy2 runs each call on the calling thread under its lock, which R does not support;")
    print("   tandem runs every call on R's main thread, in turns of at most 4 ms)")
    return rows


def handle_memory():
    """Peak memory of 12 replaced handles to 400 MB Python objects (one process per cell)."""
    rows = {(b, c): run(["Rscript", os.path.join(HERE, "handle_memory_r_host.R"), b, c])
            for b in ("tandem", "reticulate") for c in ("list", "ndarray")}
    print("\nHandles to big Python objects replaced in a loop (R hosts): peak memory, MB")
    print(f"{'case':<48}{'tandem':>9}{'reticulate':>12}{'reticulate/tandem':>19}")
    labels = {"list": "12 x y <- r_to_py(rep(1.5, 1e7))  (400 MB each)",
              "ndarray": "12 x a <- np$ones(5e7), convert = FALSE"}
    for c, label in labels.items():
        t = rows[("tandem", c)].get(f"{c}_peak_mb", float("nan"))
        r = rows[("reticulate", c)].get(f"{c}_peak_mb", float("nan"))
        print(f"{label:<48}{t:>9.0f}{r:>12.0f}{r / t:>18.1f}x")
    return rows


def lifetimes():
    row = run([sys.executable, os.path.join(HERE, "lifetimes.py")])
    a, b = row.get("release_10000", float("nan")), row.get("release_100000", float("nan"))
    print("\nReleasing R objects held by Python: microseconds per object")
    print(f"{'10,000 objects':<30}{a:>9.3f}")
    print(f"{'100,000 objects':<30}{b:>9.3f}   per-object ratio {b / a:.2f} (1.0 = O(1) each)")
    return row


def convert():
    ret_python = subprocess.run(["bash", os.path.join(HERE, "reticulate_venv.sh")], capture_output=True,
                                text=True, timeout=900).stdout.strip().splitlines()[-1:]
    t = run(["Rscript", os.path.join(HERE, "convert_r_host.R"), "tandem"])
    old = os.environ.get("RETICULATE_PYTHON")
    if ret_python:
        os.environ["RETICULATE_PYTHON_OVERRIDE"] = ret_python[0]
    r = run(["Rscript", os.path.join(HERE, "convert_r_host.R"), "reticulate"])
    p = run([sys.executable, os.path.join(HERE, "convert_py_host.py"), "rpy2"])
    copy = p.get("numpy_copy", float("nan"))
    print("\nConversion: milliseconds (best of 3-5); numpy.copy of 1e7 doubles: %.2f ms" % copy)
    print(f"{'case':<34}{'tandem':>10}{'reticulate':>12}{'rpy2':>10}{'ret/tandem':>12}{'rpy2/tandem':>13}{'tandem/copy':>13}")
    labels = {
        "r_matrix_to_numpy": "1e7 doubles: R matrix -> NumPy",
        "numpy_f_to_r": "1e7 doubles: NumPy F-order -> R",
        "numpy_c_to_r": "1e7 doubles: NumPy C-order -> R",
        "character_to_py": "1e6 strings: R -> Python",
        "character_to_r": "1e6 strings: Python -> R",
        "character_rep_to_py": "1e6 strings, 50 distinct: R -> Py",
        "character_rep_to_r": "1e6 strings, 50 distinct: Py -> R",
        "data_frame_to_py": "1e6-row data.frame -> pandas",
        "data_frame_to_r": "1e6-row pandas -> data.frame",
    }
    ratio = lambda x, y: x / y if y > 0 else float("nan")  # 0: below the timer's resolution
    for case, label in labels.items():
        a, b, c = t.get(case, float("nan")), r.get(case, float("nan")), p.get(case, float("nan"))
        print(f"{label:<34}{a:>10.4f}{b:>12.3f}{c:>10.3f}{ratio(b, a):>11.1f}x{ratio(c, a):>12.1f}x{ratio(a, copy):>13.3f}")
    return t, r, p


def keras_fit(n=12000, epochs=1, reps=2, cases=("fit", "fit_batch_callback")):
    extra = [str(n), str(epochs), str(reps), ",".join(cases)]
    py = run([sys.executable, os.path.join(HERE, "keras_fit.py")] + extra)
    rr = run(["Rscript", os.path.join(HERE, "keras_fit.R")] + extra)
    print(f"\nKeras: the main job's CNN, {n} Fashion-MNIST images, {epochs} epoch(s), batch 64, "
          f"best of {reps}: seconds")
    print(f"{'case':<40}{'Python':>9}{'R (tandem.keras)':>18}{'R/Python':>10}")
    labels = {"fit": "fit()", "fit_batch_callback": "fit() + per-batch callback (R6 in R)"}
    for case in cases:
        label = labels[case]
        a, b = py.get(case, float("nan")), rr.get(case, float("nan"))
        print(f"{label:<40}{a:>9.2f}{b:>18.2f}{b / a:>10.3f}")
    return py, rr


def distributed(n=6400, passes=8, chunk=10):
    """The multi-worker loop (MultiWorkerMirroredStrategy, tandem.keras' own strategy.run()
    loop): per-step time with the steps driven from R against the same loop in Python, on
    2 workers, in interleaved chunks of steps; and the throughput of 1 worker against 2
    (both on this machine's cores)."""
    script = os.path.join(HERE, "distributed.R")
    two = run(["Rscript", script, "2", str(n), str(passes), str(chunk)])
    one = run(["Rscript", script, "1", str(n), str(passes), str(chunk)])
    nan = float("nan")
    r, p = two.get("r_step_ms", nan), two.get("py_step_ms", nan)
    pairs = int(two.get("pairs", 0))
    print(f"\nDistributed: the main job's CNN on 2 workers (MultiWorkerMirroredStrategy), global "
          f"batch 64; {pairs} pairs of {chunk}-step chunks of the same epochs, one chunk driven "
          f"from R, one from Python, alternating which goes first: medians")
    print(f"{'case':<52}{'Python loop':>12}{'R loop':>9}{'R/Python':>10}")
    print(f"{'ms per step (median over chunks)':<52}{p:>12.2f}{r:>9.2f}{r / p:>10.3f}")
    q1, q3 = two.get("pair_ratio_q1", nan), two.get("pair_ratio_q3", nan)
    print(f"{'R/Python per pair of chunks: median (target <= 1.05)':<52}{'':>12}{'':>9}"
          f"{two.get('pair_ratio', nan):>10.3f}")
    print(f"  quartiles of the pairs' ratios: {q1:.3f} .. {q3:.3f} (the spread is the machine's load)")
    rc, pc = two.get("r_call_us", nan), two.get("py_call_us", nan)
    print(f"{'driving cost per step (us; a call returning at once)':<52}{pc:>12.2f}{rc:>9.2f}{rc / pc:>10.1f}")
    print(f"  R's extra driving cost per step: {rc - pc:.1f} us = {100 * (rc - pc) / 1000 / p:.3f}% "
          f"of the Python loop's step, i.e. R/Python = {(p + (rc - pc) / 1000) / p:.4f} without noise")
    a, b = one.get("images_per_s", nan), two.get("images_per_s", nan)
    print(f"{'case':<52}{'1 worker':>12}{'2 workers':>11}{'2/1':>8}")
    print(f"{'images per second':<52}{a:>12.1f}{b:>11.1f}{b / a:>8.2f}")
    print("  (reported, not judged: both workers share this machine's cores, and each step "
          "all-reduces the gradients over gRPC)")
    return two, one


def interrupts(cases=None):
    """Ctrl-C inside long conversions: seconds from the SIGINT (sent by a helper process at
    about 3/4 of the conversion) to the handler around the conversion, per case and host."""
    extra = list(cases or [])
    rr = run(["Rscript", os.path.join(HERE, "interrupts_r_host.R")] + extra)
    py = run([sys.executable, os.path.join(HERE, "interrupts_py_host.py")] + extra)
    aux = ("_conv", "_maxgc")
    names = [k for k in rr if not k.endswith(aux)] + [k for k in py if not k.endswith(aux) and k not in rr]
    print("\nInterrupts: SIGINT during a conversion -> its handler runs (tryCatch(interrupt =) in R, "
          "except KeyboardInterrupt in Python)")
    print("  seconds; the signal comes at about 3/4 of the conversion's own time (nan: it ended first)")
    print(f"{'case':<26}{'R hosts: conv':>14}{'latency':>9}{'lat/conv':>10}{'Py hosts: conv':>16}{'latency':>9}{'lat/conv':>10}")
    for k in names:
        a, b = rr.get(k + "_conv", float("nan")), rr.get(k, float("nan"))
        c, d = py.get(k + "_conv", float("nan")), py.get(k, float("nan"))
        print(f"{k:<26}{a:>14.3f}{b:>9.3f}{b / a:>10.3f}{c:>16.3f}{d:>9.3f}{d / c:>10.3f}")
    lat = [(k, v) for k, v in list(rr.items()) + list(py.items()) if not k.endswith(aux) and v == v]
    worst = max([v for k, v in lat if not k.startswith("rbase_")] or [float("nan")])
    print(f"  worst latency: {worst:.3f} s (target: 0.5 s)")
    base = [v for k, v in lat if k.startswith("rbase_")]
    if base:
        print(f"  rbase_*: plain R builds the value of the py2r_ case itself, no Python; "
              f"its worst latency, R's own floor: {max(base):.3f} s")
    for k, v in rr.items():
        if k.endswith("_maxgc"):
            case = k[len("rbase_"):-len("_maxgc")]
            print(f"  R's longest garbage collection while plain R fills a list with the values of "
                  f"py2r_{case} element by element: {v:.3f} s (no interrupt can shorten it)")
    return rr, py


if __name__ == "__main__":
    # keras-full (not in the default set: about 15 minutes) times the whole 10-epoch
    # training of the main job on all 60,000 images, once per language. distributed (not in
    # the default set either: a few minutes) times the multi-worker loop. interrupts (not in
    # the default set: about 5 minutes, and up to 4 GB of memory) times Ctrl-C in conversions.
    # memory (not in the default set: about a minute, and up to 5 GB of memory in
    # reticulate's processes) measures handles to big Python objects replaced in a loop.
    which = sys.argv[1:] or ["calls", "callbacks", "lifetimes", "convert", "keras"]
    if "calls" in which:
        r_host()
        py_host()
    if "callbacks" in which:
        callbacks()
    if "memory" in which:
        handle_memory()
    if "lifetimes" in which:
        lifetimes()
    if "convert" in which:
        convert()
    if "keras" in which:
        keras_fit()
    if "distributed" in which:
        distributed()
    if "interrupts" in which:
        interrupts()
    if "keras-full" in which:
        keras_fit(n=60000, epochs=10, reps=1, cases=("fit",))
