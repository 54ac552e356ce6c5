# compat.R: keras3 behaviours of Keras' own classes when R calls them through `$`
# (`tf$keras$layers$Dense(32, "relu")`): whole-number doubles for Keras' integer
# parameters, and a Sequential model piped into a layer instance (`model %>% layer()`).
#
# R's numbers are doubles, which tandem passes as Python floats (its general rule). Keras
# layer constructors reject `units = 32.0`; keras3's wrappers coerce, but code calling the
# classes directly (the seed posts) reaches Keras with floats. So when tandem.keras first
# touches `tf$keras`, it wraps the `__init__` of every layer class in `keras.layers`: a
# float with a whole value becomes an int for the parameters Keras takes as integers
# (those whose default is an int or a tuple of ints, and the integer parameters that have
# no default, by name). Other floats, and every other argument, are passed unchanged.

KERAS_COMPAT_PY <- "
import functools, inspect

INT_NAMES = frozenset([
    'units', 'filters', 'kernel_size', 'strides', 'pool_size', 'dilation_rate',
    'input_dim', 'output_dim', 'num_heads', 'key_dim', 'value_dim', 'depth_multiplier',
    'n', 'dims', 'target_shape', 'size', 'cropping', 'max_tokens', 'num_tokens',
    'output_sequence_length', 'num_bins', 'height', 'width', 'sequence_length',
    'groups', 'seed', 'num_oov_indices', 'ngrams', 'salt', 'axis', 'batch_size',
    'output_padding', 'upsampling', 'num_classes', 'padding', 'mask_value_int',
])

def _is_whole_float(v):
    return type(v) is float and v.is_integer()

def _whole(v):
    if _is_whole_float(v):
        return int(v)
    if isinstance(v, (tuple, list)) and v and all(
            type(e) is int or _is_whole_float(e) for e in v):
        out = [int(e) for e in v]
        return tuple(out) if isinstance(v, tuple) else out
    return v

def _int_params(init):
    try:
        sig = inspect.signature(init)
    except (TypeError, ValueError):
        return None, None
    names, positional = set(), []
    for p in list(sig.parameters.values())[1:]:
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            positional.append(p.name)
        d = p.default
        if p.name in INT_NAMES or (type(d) is int) or (
                isinstance(d, tuple) and d and all(type(e) is int for e in d)):
            names.add(p.name)
    return names, positional

def _wrap_init(cls):
    init = cls.__dict__.get('__init__')
    if init is None or getattr(init, '_tandem_whole_ints', False):
        return
    names, positional = _int_params(init)
    if not names:
        return
    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        if args:
            args = tuple(_whole(a) if i < len(positional) and positional[i] in names else a
                         for i, a in enumerate(args))
        for k in kwargs:
            if k in names:
                kwargs[k] = _whole(kwargs[k])
        return init(self, *args, **kwargs)
    # Keras reads the constructor's signature (auto-config) with getfullargspec(),
    # which sees __signature__ but not __wrapped__.
    del __init__.__wrapped__
    __init__.__signature__ = inspect.signature(init)
    __init__._tandem_whole_ints = True
    cls.__init__ = __init__

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

def install(keras):
    Layer = keras.layers.Layer
    seen = set()
    todo = [getattr(keras.layers, n) for n in dir(keras.layers)]
    while todo:
        cls = todo.pop()
        if not isinstance(cls, type) or cls in seen:
            continue
        seen.add(cls)
        if issubclass(cls, Layer):
            _wrap_init(cls)
            todo.extend(cls.__subclasses__())
    _wrap_call(Layer, keras.Sequential)
"

compat_state <- new.env(parent = emptyenv())

# Installs the wrappers once per process (they live on Keras' classes).
install_keras_compat <- function() {
  if (isTRUE(compat_state$installed)) return(invisible())
  compat_state$installed <- TRUE
  install <- py_code_function(KERAS_COMPAT_PY, "install")
  py_call(install, import("keras", convert = FALSE))
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
