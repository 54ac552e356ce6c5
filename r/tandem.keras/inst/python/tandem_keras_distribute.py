"""tandem_keras_distribute.py: the multi-worker steps behind tandem.keras' fit(), evaluate()
and predict() under tf.distribute.MultiWorkerMirroredStrategy.

Keras 3's own fit() fails under that strategy (keras-team/keras#20585), so tandem.keras runs
its own loop: R drives the epochs and steps (R/distribute.R) and calls, once per step, a
`tf.function` defined here that runs the model's own `train_step` (compiled loss, optimizer,
metrics) on every replica with `strategy.run()`. A plain Python driver (bench/) calls the
same functions, so the two loops differ only in who drives them.

Data: arrays become one tf.data pipeline per epoch, shuffled with a seed every worker agrees
on, batched at the global batch size, then split by `experimental_distribute_dataset`
(DATA auto-sharding): global step i is the same global batch on every worker, each replica
gets its slice, so n workers at batch b/n follow 1 worker at batch b.
"""
import json
import os
import shutil
import tempfile
import threading
import weakref

import numpy as np
import tensorflow as tf
import keras

from tensorflow.python.eager import context as _context   # only to tell "too late" apart


# ---------------------------------------------------------------------------------------
# Cluster set-up


def tf_initialized():
    """True once TensorFlow's eager context exists (after that, no cluster can be set up)."""
    try:
        return _context.context()._context_handle is not None
    except Exception:   # pragma: no cover - a TensorFlow without the attribute
        return False


def make_strategy(workers, index, heartbeat_timeout, startup_timeout, collective_timeout,
                  implementation):
    """Set TF_CONFIG and the coordination service, then make the strategy (one per process)."""
    workers = list(workers)
    config = {"cluster": {"worker": workers}, "task": {"type": "worker", "index": int(index)}}
    os.environ["TF_CONFIG"] = json.dumps(config)
    if tf_initialized():
        raise RuntimeError("TensorFlow is already initialized in this process")
    if len(workers) > 1:
        jobs = [_coordinated_job("worker", len(workers))]
        _context.context().configure_coordination_service(
            service_type="standalone",
            service_leader="/job:worker/replica:0/task:0",
            coordinated_jobs=jobs,
            heartbeat_timeout_in_ms=int(heartbeat_timeout * 1000),
            cluster_register_timeout_in_ms=int(startup_timeout * 1000),
            shutdown_barrier_timeout_in_ms=int(startup_timeout * 1000),
        )
    impl = {
        "auto": tf.distribute.experimental.CommunicationImplementation.AUTO,
        "ring": tf.distribute.experimental.CommunicationImplementation.RING,
    }[implementation]
    options = tf.distribute.experimental.CommunicationOptions(
        implementation=impl,
        timeout_seconds=None if collective_timeout is None else float(collective_timeout))
    return tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)


def _coordinated_job(name, n):
    try:
        from tensorflow.compiler.xla.tsl.protobuf import coordination_config_pb2
    except ImportError:   # older TensorFlow layouts
        from tensorflow.tsl.protobuf import coordination_config_pb2
    return coordination_config_pb2.CoordinatedJob(name=name, num_tasks=n)


def is_multi_worker(strategy):
    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)


def worker_info(strategy):
    """index, number of workers, number of replicas, chief: as a dict."""
    resolver = strategy.cluster_resolver
    spec = resolver.cluster_spec().as_dict()
    n_workers = len(spec.get("worker", [])) + len(spec.get("chief", [])) or 1
    return {
        "index": int(resolver.task_id or 0),
        "workers": n_workers,
        "replicas": int(strategy.num_replicas_in_sync),
        "chief": bool(strategy.extended.should_checkpoint),
    }


def model_strategy(model):
    """The strategy a model was built under, or None."""
    return getattr(model, "_distribute_strategy", None)


# ---------------------------------------------------------------------------------------
# Data


def _as_array(a):
    if a is None or isinstance(a, (tf.Tensor, tf.data.Dataset)):
        return a
    a = np.asarray(a)
    if a.dtype == np.float64:
        a = a.astype(keras.config.floatx())
    elif a.dtype == np.bool_:
        a = a.astype(np.float32)
    return a


def _structure(x):
    if isinstance(x, (list, tuple)):
        return tuple(_structure(e) for e in x)
    if isinstance(x, dict):
        return {k: _structure(v) for k, v in x.items()}
    return _as_array(x)


def _n_samples(data):
    return int(tf.nest.flatten(data)[0].shape[0])


_trainers = weakref.WeakKeyDictionary()


def trainer(model):
    """The model's Trainer, made once (it holds the traced step functions)."""
    t = _trainers.get(model)
    if t is None:
        t = _trainers[model] = Trainer(model)
    return t


class Trainer:
    """The per-model state of the distributed loop: compiled step functions and data."""

    def __init__(self, model):
        self._model = weakref.ref(model)
        self.strategy = model_strategy(model)
        if self.strategy is None or not is_multi_worker(self.strategy):
            raise ValueError("the model was not built under a MultiWorkerMirroredStrategy scope")
        self.info = worker_info(self.strategy)
        self._train_fn = None
        self._test_fn = None
        self._predict_fn = None
        self._seed_fn = None
        self._keys = {}
        self._iterators = []   # a stack: an evaluate() inside a callback nests

    @property
    def model(self):
        model = self._model()
        if model is None:
            raise RuntimeError("the model of this trainer was garbage-collected")
        return model

    # -- data -----------------------------------------------------------------------------
    def arrays(self, x, y=None, sample_weight=None):
        """Arrays (or nested lists of them) as a tuple of tensors, converted once."""
        data = (_structure(x),)
        if y is not None or sample_weight is not None:
            data = data + (_structure(y),)
        if sample_weight is not None:
            data = data + (_structure(sample_weight),)
        with tf.device("/cpu:0"):
            return tf.nest.map_structure(tf.convert_to_tensor, data)

    def n_samples(self, data):
        return _n_samples(data)

    def steps(self, data, batch_size, drop_remainder):
        if isinstance(data, tf.data.Dataset):
            n = int(data.cardinality())
            return None if n < 0 else n
        n = _n_samples(data)
        return n // batch_size if drop_remainder else -(-n // batch_size)

    def dataset(self, data, batch_size, shuffle=False, seed=0, drop_remainder=False):
        """A distributed dataset for one epoch (or one evaluation)."""
        if isinstance(data, tf.data.Dataset):
            ds = data
        else:
            ds = tf.data.Dataset.from_tensor_slices(data)
            if shuffle:
                ds = ds.shuffle(_n_samples(data), seed=int(seed), reshuffle_each_iteration=False)
            ds = ds.batch(int(batch_size), drop_remainder=bool(drop_remainder))
        options = tf.data.Options()
        options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
        ds = ds.with_options(options).prefetch(tf.data.AUTOTUNE)
        return self.strategy.experimental_distribute_dataset(ds)

    # The iterators stay here, never in R, and end() lets each one go right after its last
    # step, on a thread of its own. Under MultiWorkerMirroredStrategy, freeing a distributed
    # iterator blocks the freeing thread, idle, until a tf.data thread of the per-device
    # pipeline that TensorFlow makes wakes up: seconds to a minute, the longer the
    # iterator lived (seen in plain Python too). On the training thread that pause stops
    # this worker and the others wait for it in the next collective: an iterator handle
    # freed by R's garbage collector at some later step made some epochs of the 2-worker
    # demo 2-5x slower, and freeing it at the end of its epoch still cost 5-15 s an epoch.
    def begin(self, data, batch_size, shuffle=False, seed=0, drop_remainder=False):
        """Start one epoch of `data` (or one evaluation): the steps take from its iterator."""
        self._iterators.append(iter(self.dataset(data, batch_size, shuffle, seed, drop_remainder)))

    def end(self):
        """Let the iterator of the innermost begin() go; it is freed on a background thread."""
        if self._iterators:
            holder = [self._iterators.pop()]   # the only reference: holder.clear() frees it
            threading.Thread(target=holder.clear, name="tandem-free-iterator", daemon=True).start()

    def _iterator(self):
        if not self._iterators:
            raise RuntimeError("no epoch was begun (Trainer.begin())")
        return self._iterators[-1]

    def agree_seed(self, seed):
        """Every worker gets the chief's `seed` (an all-reduce where only the chief adds).
        Traced once per trainer: every trace takes new collective keys, and the workers'
        traces must stay in step."""
        strategy = self.strategy
        if self._seed_fn is None:
            def contribute(v):
                ctx = tf.distribute.get_replica_context()
                first = tf.equal(ctx.replica_id_in_sync_group, 0)
                return ctx.all_reduce("sum", tf.where(first, v, tf.zeros_like(v)))

            @tf.function
            def agree(value):
                out = strategy.run(contribute, args=(value,))
                return strategy.experimental_local_results(out)[0]

            self._seed_fn = agree
        mine = float(seed) if self.info["chief"] else 0.0
        return int(self._seed_fn(tf.constant(mine, tf.float64)).numpy())

    # -- steps ----------------------------------------------------------------------------
    def _reduced(self, kind, step):
        """A tf.function: one step on every replica, logs averaged over replicas in one
        all-reduce (replicas hold equal batches when training drops the last partial one)."""
        strategy = self.strategy
        keys = self._keys

        def replica_step(data):
            logs = step(data)
            flat = [(k, tf.cast(tf.convert_to_tensor(v), tf.float32)) for k, v in logs.items()]
            keys[kind] = [(k, tuple(v.shape)) for k, v in flat]
            if not flat:
                return tf.zeros([0], tf.float32)
            return tf.concat([tf.reshape(v, [-1]) for _, v in flat], axis=0)

        @tf.function
        def fn(iterator):
            data = next(iterator)
            out = strategy.run(replica_step, args=(data,))
            return strategy.reduce("MEAN", out, axis=None)

        return fn

    def _unpack(self, kind, vec):
        vec = vec.numpy()
        logs, i = {}, 0
        for k, shape in self._keys.get(kind, []):
            size = int(np.prod(shape)) if shape else 1
            v = vec[i:i + size]
            logs[k] = float(v[0]) if not shape else v.reshape(shape)
            i += size
        return logs

    def train_step(self):
        if self._train_fn is None:
            self._train_fn = self._reduced("train", self.model.train_step)
        return self._unpack("train", self._train_fn(self._iterator()))

    def test_step(self):
        if self._test_fn is None:
            self._test_fn = self._reduced("test", self.model.test_step)
        return self._unpack("test", self._test_fn(self._iterator()))

    def train_batch(self, callbacks, step):
        """One training step between the callbacks' batch hooks; True to stop training."""
        callbacks.on_train_batch_begin(step)
        logs = self.train_step()
        callbacks.on_train_batch_end(step, logs)
        return bool(getattr(self.model, "stop_training", False))

    def train_epoch(self, callbacks, data, batch_size, shuffle, seed, steps):
        """R's train_epoch() (R/distribute.R) in Python."""
        self.reset_metrics()
        self.begin(data, batch_size, shuffle, seed, True)
        try:
            return self.train_steps(callbacks, 0, steps)
        finally:
            self.end()

    def train_steps(self, callbacks, first, n):
        """R's train_steps() (R/distribute.R) in Python: the baseline of bench/distributed."""
        for step in range(int(first), int(first) + int(n)):
            if self.train_batch(callbacks, step):
                return True
        return False

    def test_batch(self, callbacks, step):
        callbacks.on_test_batch_begin(step)
        logs = self.test_step()
        callbacks.on_test_batch_end(step, logs)
        return logs

    @staticmethod
    def add_validation_logs(logs, val_logs):
        logs.update({"val_" + k: v for k, v in val_logs.items()})
        return logs

    def reset_metrics(self):
        self.model.reset_metrics()

    def metrics_result(self):
        """The model's metrics over all replicas (metric variables are summed on read)."""
        out = {}
        for k, v in self.model.get_metrics_result().items():
            v = np.asarray(v)
            out[k] = float(v) if v.shape == () else v
        return out

    def predict(self, x, batch_size):
        """Predictions on this worker for all of `x` (no communication: weights are mirrored)."""
        model = self.model
        if self._predict_fn is None:
            self._predict_fn = tf.function(lambda batch: model(batch, training=False),
                                           reduce_retracing=True)
        if isinstance(x, tf.data.Dataset):
            ds = x
        else:
            ds = tf.data.Dataset.from_tensor_slices(self.arrays(x)[0]).batch(int(batch_size))
        outs = []
        for batch in ds:
            if isinstance(batch, tuple) and not isinstance(x, tuple):
                batch = batch[0]
            outs.append(self._predict_fn(batch))
        if not outs:
            raise ValueError("no data to predict on")
        return tf.nest.map_structure(lambda *t: np.concatenate([np.asarray(a) for a in t], 0), *outs)

    # -- callbacks ------------------------------------------------------------------------
    def callback_list(self, callbacks, verbose, epochs, steps):
        callbacks = list(callbacks or [])
        if not self.info["chief"]:
            for cb in callbacks:
                _private_writes(cb, self.info["index"])
        cbl = keras.callbacks.CallbackList(
            callbacks, add_history=True, add_progbar=verbose != 0, verbose=verbose,
            epochs=epochs, steps=steps, model=self.model)
        # Hooks run in order on the main thread: no callback may start collectives (metric
        # reads, saving) from Keras' async dispatch thread, out of step with the other workers.
        for attr in ("_async_train", "_async_test", "_async_predict"):
            if hasattr(cbl, attr):
                setattr(cbl, attr, False)
        return cbl

    def save(self, filepath, overwrite=True, **kwargs):
        """Every worker saves (saving reads variables collectively); only the chief keeps it."""
        if self.info["chief"]:
            self.model.save(filepath, overwrite=overwrite, **kwargs)
            return filepath
        tmp = tempfile.mkdtemp(prefix="tandem-worker%d-" % self.info["index"])
        try:
            self.model.save(os.path.join(tmp, os.path.basename(filepath)), overwrite=True, **kwargs)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return None


def _private_writes(cb, index):
    """On a non-chief worker, redirect a checkpointing callback's writes to a private
    temporary directory (TensorFlow's recipe: every worker writes, only the chief's file is
    kept). BackupAndRestore still restores from the shared backup directory."""
    if isinstance(cb, keras.callbacks.BackupAndRestore):
        original = cb.on_train_begin
        tmp = tempfile.mkdtemp(prefix="tandem-backup-worker%d-" % index)

        def on_train_begin(logs=None):
            original(logs)    # restore from the chief's backup
            cb.backup_dir = tmp
            cb._weights_path = os.path.join(tmp, "latest.weights.h5")
            cb._training_metadata_path = os.path.join(tmp, "training_metadata.json")
            cb._prev_weights_path = cb._weights_path + ".bkp"
            cb._prev_training_metadata_path = cb._training_metadata_path + ".bkp"

        def on_train_end(logs=None):
            shutil.rmtree(tmp, ignore_errors=True)

        cb.on_train_begin = on_train_begin
        cb.on_train_end = on_train_end
    elif isinstance(cb, keras.callbacks.ModelCheckpoint):
        tmp = tempfile.mkdtemp(prefix="tandem-checkpoint-worker%d-" % index)
        cb.filepath = os.path.join(tmp, os.path.basename(str(cb.filepath)))
        original_end = cb.on_train_end

        def on_train_end(logs=None):
            try:
                original_end(logs)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)

        cb.on_train_end = on_train_end
