"""bench/keras_fit.py: the main job's CNN trained in plain Keras (Python), timed; the R
twin is bench/keras_fit.R. Usage: python keras_fit.py <n_images> <epochs> [reps] [cases]
Prints "case<TAB>seconds" for a plain fit and a fit with a per-batch callback."""
import gzip
import struct
import sys
import time

import numpy as np

n, epochs = int(sys.argv[1]), int(sys.argv[2])
reps = int(sys.argv[3]) if len(sys.argv) > 3 else 2
cases = sys.argv[4].split(",") if len(sys.argv) > 4 else ["fit", "fit_batch_callback"]
import keras  # noqa: E402

path = "/usr/share/datasets/fashion-mnist/"


def idx(name):
    import os

    for cand in (name, name + ".gz"):
        p = os.path.join(path, cand)
        if os.path.exists(p):
            opener = gzip.open if p.endswith(".gz") else open
            with opener(p, "rb") as f:
                data = f.read()
            ndim = data[3]
            dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
            return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)
    raise FileNotFoundError(name)


x = idx("train-images-idx3-ubyte")[:n].astype("float32")[..., None] / 255.0
y = idx("train-labels-idx1-ubyte")[:n].astype("int32")


def model():
    keras.utils.set_random_seed(1)
    m = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(32, 3, activation="relu"), keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(64, 3, activation="relu"), keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(), keras.layers.Dropout(0.3),
        keras.layers.Dense(128, activation="relu"), keras.layers.Dense(10, activation="softmax"),
    ])
    m.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return m


class BatchCounter(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.batches = 0

    def on_train_batch_end(self, batch, logs=None):
        self.batches += 1


for case, cbs in (("fit", []), ("fit_batch_callback", [BatchCounter()])):
    if case not in cases:
        continue
    m = model()
    m.fit(x[:256], y[:256], epochs=1, batch_size=64, verbose=0)  # warm up tracing
    best = float("inf")
    for _ in range(reps):  # best of reps: the first full fit also traces the last, partial batch
        t0 = time.perf_counter()
        m.fit(x, y, epochs=epochs, batch_size=64, verbose=0, callbacks=cbs)
        best = min(best, time.perf_counter() - t0)
    print(f"{case}\t{best:.4f}", flush=True)
