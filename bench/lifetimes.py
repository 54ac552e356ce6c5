"""bench/lifetimes.py: cost per object of releasing R objects held by Python (the
preserve list), at 10,000 and 100,000 objects: equal per-object costs mean O(1) each.
Usage: python lifetimes.py. Prints "case<TAB>microseconds per object"."""
import gc
import time

import tandem

r = tandem.r
for n in (10_000, 100_000):
    best = float("inf")
    for _ in range(5):
        held = [tandem.to_r(float(i)) for i in range(n)]
        gc.collect()
        t0 = time.perf_counter()
        del held
        best = min(best, (time.perf_counter() - t0) / n * 1e6)
    print(f"release_{n}\t{best:.6f}")
