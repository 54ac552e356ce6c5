"""bench/convert_py_host.py: the same conversions with rpy2's numpy2ri/pandas2ri (Python
hosts R), and numpy.copy of 1e7 doubles as the memory-speed reference.
Prints "case<TAB>milliseconds" (best of 5)."""
import sys
import timeit

import numpy as np


def best_ms(fn, repeat=5, number=1):
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e3


rng = np.random.default_rng(1)
c_arr = rng.random((10000, 1000))
print(f"numpy_copy\t{best_ms(lambda: c_arr.copy()):.6f}")
if sys.argv[1:] == ["rpy2"]:
    import pandas as pd
    import rpy2.robjects as ro
    from rpy2.robjects import numpy2ri, pandas2ri
    from rpy2.robjects.conversion import localconverter

    conv = ro.default_converter + numpy2ri.converter + pandas2ri.converter
    f_arr = np.asfortranarray(c_arr)
    # R objects are made outside the converter context, so they stay R objects.
    rm = ro.r("matrix(runif(1e7), 1e4, 1e3)")
    chr_r = ro.r("as.character(seq_len(1e6))")
    rep_r = ro.r("sample(state.name, 1e6, TRUE)")
    df_r = ro.r("n <- 1e6; data.frame(num = runif(n), int = seq_len(n), fac = factor(sample(letters, n, TRUE)),"
                " chr = as.character(seq_len(n)), date = as.Date('2020-01-01') + seq_len(n) %% 3000)")
    with localconverter(conv):
        print(f"r_matrix_to_numpy\t{best_ms(lambda: conv.rpy2py(rm)):.6f}")
        print(f"numpy_f_to_r\t{best_ms(lambda: conv.py2rpy(f_arr)):.6f}")
        print(f"numpy_c_to_r\t{best_ms(lambda: conv.py2rpy(c_arr)):.6f}")
        print(f"character_to_py\t{best_ms(lambda: conv.rpy2py(chr_r), repeat=3):.6f}")
        strs = [str(i) for i in range(1, 1_000_001)]
        print(f"character_to_r\t{best_ms(lambda: ro.StrVector(strs), repeat=3):.6f}")
        print(f"character_rep_to_py\t{best_ms(lambda: conv.rpy2py(rep_r), repeat=3):.6f}")
        import random
        rep_strs = random.Random(1).choices(list(ro.r("state.name")), k=1_000_000)
        print(f"character_rep_to_r\t{best_ms(lambda: ro.StrVector(rep_strs), repeat=3):.6f}")
        print(f"data_frame_to_py\t{best_ms(lambda: conv.rpy2py(df_r), repeat=3):.6f}")
        pdf = conv.rpy2py(df_r)
        print(f"data_frame_to_r\t{best_ms(lambda: conv.py2rpy(pdf), repeat=3):.6f}")
