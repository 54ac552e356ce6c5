"""A plain Python script trains a Keras model with an R6 callback (Python hosts R)."""
import numpy as np
import pytest

import tandem

keras = pytest.importorskip("keras")


@pytest.fixture(scope="module")
def recorder(r):
    r.eval("""
    library(R6)
    Recorder <- R6Class("Recorder", public = list(
      model = NULL, params = NULL, events = character(), losses = numeric(),
      on_train_begin = function(logs) self$events <- c(self$events, "train_begin"),
      on_epoch_begin = function(epoch, logs) self$events <- c(self$events, paste0("epoch_begin:", epoch)),
      on_epoch_end = function(epoch, logs) {
        self$events <- c(self$events, paste0("epoch_end:", epoch))
        self$losses <- c(self$losses, logs$loss)
        if (epoch == 3) self$model$stop_training <- TRUE
        list(r_metric = epoch * 10)
      },
      on_train_end = function(logs) self$events <- c(self$events, "train_end")
    ))
    """)
    return r.eval("Recorder$new()")


def test_r6_callback_drives_keras_fit(r, recorder):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = x @ np.array([1.0, -2.0, 0.5], dtype="float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    history = model.fit(x, y, epochs=10, batch_size=16, verbose=0, callbacks=[tandem.keras.RCallback(recorder)])
    events = list(recorder.events)
    assert events[0] == "train_begin" and events[-1] == "train_end"
    assert events[1:-1] == ["epoch_begin:1", "epoch_end:1", "epoch_begin:2", "epoch_end:2",
                            "epoch_begin:3", "epoch_end:3"]  # stop_training set from R at epoch 3
    assert history.history["r_metric"] == [10.0, 20.0, 30.0]  # logs returned from R are merged
    losses = list(recorder.losses)
    assert losses == pytest.approx(history.history["loss"])
    assert losses[-1] < losses[0]
    assert r.eval("function(cb) inherits(cb$model, 'keras.src.models.model.Model')")(recorder)


def test_rcallback_rejects_python_objects():
    with pytest.raises(TypeError, match="R object"):
        tandem.keras.RCallback(object())
