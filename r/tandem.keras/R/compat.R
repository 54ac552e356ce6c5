# compat.R: keras3 behaviours of Keras' own classes when R calls them through `$`
# (`tf$keras$layers$Dense(32, "relu")`, `model$fit(x, y, epochs = 5)`): whole-number
# doubles for Keras' integer parameters, R vectors as arrays for losses called directly,
# and a Sequential model piped into a layer instance (`model %>% layer()`).
#
# R's numbers are doubles, which tandem passes as Python floats (its general rule). Keras
# rejects `units = 32.0`, `shape = (2.0, 2.0)`, `epochs = 5.0`, `seed = 42.0`; keras3's
# wrappers coerce, but code calling the classes directly (the seed posts) reaches Keras
# with floats. So when tandem.keras first touches `tf$keras`, it wraps, once per process:
# the constructors of the classes of keras.layers, initializers, regularizers,
# constraints, optimizers (and schedules), callbacks, losses, metrics, models and
# random.SeedGenerator; the initializers' `__call__` (their `shape`); Model's compile,
# fit, evaluate, predict and *_on_batch; keras.Variable; and the public functions of
# keras.utils, keras.ops and keras.random (`keras$utils$to_categorical(y, 10)`), in both
# keras and tf.keras' namespaces. A float with a whole value (alone,
# or in a list or tuple, nested) becomes an int for the parameters Keras takes as integers
# (those whose default is an int or a tuple of ints, and the integer parameters named in
# INT_NAMES). Other floats, and every other argument, are passed unchanged.

KERAS_COMPAT_PY <- "
import functools, inspect

INT_NAMES = frozenset([
    'units', 'filters', 'kernel_size', 'strides', 'pool_size', 'dilation_rate',
    'input_dim', 'output_dim', 'num_heads', 'key_dim', 'value_dim', 'depth_multiplier',
    'n', 'dims', 'target_shape', 'size', 'cropping', 'max_tokens', 'num_tokens',
    'output_sequence_length', 'num_bins', 'height', 'width', 'sequence_length',
    'groups', 'seed', 'num_oov_indices', 'ngrams', 'salt', 'axis', 'batch_size',
    'output_padding', 'upsampling', 'num_classes', 'padding', 'mask_value_int',
    'shape', 'batch_shape', 'input_shape', 'noise_shape', 'output_shape',
    'epochs', 'initial_epoch', 'steps_per_epoch', 'validation_steps', 'validation_freq',
    'validation_batch_size', 'steps', 'verbose', 'patience', 'top_k', 'class_id',
    'num_thresholds', 'k', 'decay_steps', 'first_decay_steps', 'warmup_steps',
    'save_freq', 'update_freq', 'histogram_freq', 'start_from_epoch', 'num_labels',
    'steps_per_execution', 'num_regressors', 'ema_overwrite_frequency',
    'gradient_accumulation_steps', 'dynamic_growth_steps', 'ignore_class',
])

SHAPE_NAMES = frozenset(['shape', 'batch_shape', 'input_shape'])

def _is_whole_float(v):
    return type(v) is float and v.is_integer()

def _whole_parts(v):
    return all(e is None or type(e) is int or _is_whole_float(e) or
               (isinstance(e, (tuple, list)) and _whole_parts(e)) for e in v)

def _whole(v):
    if _is_whole_float(v):
        return int(v)
    if isinstance(v, (tuple, list)) and v and _whole_parts(v):
        out = [_whole(e) for e in v]
        return tuple(out) if isinstance(v, tuple) else out
    return v

def _int_params(fn, extra=(), skip_first=True):
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None, None
    names, positional = set(), []
    for p in list(sig.parameters.values())[1 if skip_first else 0:]:
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            positional.append(p.name)
        d = p.default
        if p.name in INT_NAMES or p.name in extra or (type(d) is int) or (
                isinstance(d, tuple) and d and all(type(e) is int for e in d)):
            names.add(p.name)
    return names, positional

def _wrap_method(cls, name, extra=()):
    fn = cls.__dict__.get(name)
    if fn is None or not callable(fn) or getattr(fn, '_tandem_whole_ints', False):
        return
    names, positional = _int_params(fn, extra)
    if not names:
        return
    @functools.wraps(fn)
    def wrapper(self, *args, **kwargs):
        if args:
            args = tuple(_whole(a) if i < len(positional) and positional[i] in names else a
                         for i, a in enumerate(args))
        for k in kwargs:
            if k in names:
                kwargs[k] = _whole(kwargs[k])
                # keras3: a shape of one number is a 1-d shape (shape = 3).
                if k in SHAPE_NAMES and type(kwargs[k]) is int:
                    kwargs[k] = (kwargs[k],)
        return fn(self, *args, **kwargs)
    # Keras reads the constructor's signature (auto-config) with getfullargspec(),
    # which sees __signature__ but not __wrapped__.
    del wrapper.__wrapped__
    wrapper.__signature__ = inspect.signature(fn)
    wrapper._tandem_whole_ints = True
    setattr(cls, name, wrapper)

def _numbers_as_array(v):
    # A flat list of numbers (an R vector) as one array, as keras3 passes R vectors.
    if isinstance(v, list) and v and all(type(e) in (int, float, bool) for e in v):
        import numpy as np
        return np.asarray(v)
    return v

def _wrap_loss_call(Loss):
    call = Loss.__call__
    if getattr(call, '_tandem_arrays', False):
        return
    @functools.wraps(call)
    def __call__(self, y_true, y_pred, *args, **kwargs):
        return call(self, _numbers_as_array(y_true), _numbers_as_array(y_pred), *args, **kwargs)
    del __call__.__wrapped__
    __call__.__signature__ = inspect.signature(call)
    __call__._tandem_arrays = True
    Loss.__call__ = __call__

def _wrap_call(Layer, Sequential):
    call = Layer.__call__
    if getattr(call, '_tandem_pipe', False):
        return
    @functools.wraps(call)
    def __call__(self, *args, **kwargs):
        # A Sequential model as the input: add this layer to it (keras3's pipe).
        if (len(args) == 1 and not kwargs and isinstance(args[0], Sequential)
                and args[0] is not self):
            args[0].add(self)
            return args[0]
        return call(self, *args, **kwargs)
    del __call__.__wrapped__
    __call__.__signature__ = inspect.signature(call)
    __call__._tandem_pipe = True
    Layer.__call__ = __call__

def _wrap_functions(module):
    # The public functions of a Keras API module (keras.utils.to_categorical(y, 10)).
    for name in dir(module):
        fn = getattr(module, name, None)
        if not inspect.isfunction(fn) or getattr(fn, '_tandem_whole_ints', False):
            continue
        names, positional = _int_params(fn, skip_first=False)
        if not names:
            continue
        def make(fn, names, positional):
            @functools.wraps(fn)
            def wrapper(*args, **kwargs):
                if args:
                    args = tuple(_whole(a) if i < len(positional) and positional[i] in names
                                 else a for i, a in enumerate(args))
                for k in kwargs:
                    if k in names:
                        kwargs[k] = _whole(kwargs[k])
                return fn(*args, **kwargs)
            del wrapper.__wrapped__
            wrapper.__signature__ = inspect.signature(fn)
            wrapper._tandem_whole_ints = True
            return wrapper
        setattr(module, name, make(fn, names, positional))

def _classes(*modules):
    todo = [getattr(m, n) for m in modules for n in dir(m)]
    seen = set()
    while todo:
        cls = todo.pop()
        if not isinstance(cls, type) or cls in seen or not cls.__module__.startswith('keras'):
            continue
        seen.add(cls)
        yield cls
        todo.extend(cls.__subclasses__())

def install(keras, tf_keras):
    modules = [keras.layers, keras.initializers, keras.regularizers, keras.constraints,
               keras.optimizers, keras.optimizers.schedules, keras.callbacks, keras.losses,
               keras.metrics, keras.models]
    for cls in _classes(*modules):
        _wrap_method(cls, '__init__')
    _wrap_method(keras.random.SeedGenerator, '__init__')
    for cls in keras.Variable.__mro__:
        if cls.__module__.startswith('keras'):
            _wrap_method(cls, '__init__')
    for cls in _classes(keras.initializers):
        _wrap_method(cls, '__call__', extra=('shape',))
    for cls in keras.Model.__mro__:
        for name in ('fit', 'evaluate', 'predict', 'train_on_batch', 'test_on_batch',
                     'predict_on_batch', 'compile'):
            _wrap_method(cls, name)
    for k in (keras, tf_keras):
        for module in (k.utils, k.ops, k.random):
            _wrap_functions(module)
    _wrap_loss_call(keras.losses.Loss)
    _wrap_call(keras.layers.Layer, keras.Sequential)
"

compat_state <- new.env(parent = emptyenv())

# Installs the wrappers once per process (they live on Keras' classes).
install_keras_compat <- function() {
  if (isTRUE(compat_state$installed)) return(invisible())
  compat_state$installed <- TRUE
  install <- py_code_function(KERAS_COMPAT_PY, "install")
  py_call(install, import("keras", convert = FALSE),
          import("keras._tf_keras.keras", convert = FALSE))
  invisible()
}

# `tf$keras` is TensorFlow's lazy loader of Keras: reaching through it installs the
# wrappers first, whichever handle of TensorFlow it came from.

#' @export
`$.tensorflow.python.util.lazy_loader.KerasLazyLoader` <- function(x, name) {
  install_keras_compat()
  NextMethod()
}

#' @export
`[[.tensorflow.python.util.lazy_loader.KerasLazyLoader` <- function(x, i, ...) {
  install_keras_compat()
  NextMethod()
}

# Runs Python code in a fresh namespace (one dict: its functions see each other) and
# returns the function `name` defined there.
py_code_function <- function(code, name) {
  ns <- dict()
  py_call(py_get_attr(tandem::import_builtins(convert = FALSE), "exec"), code, ns)
  tandem::py_get_item(ns, name)
}
