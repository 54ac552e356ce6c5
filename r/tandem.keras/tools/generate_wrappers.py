"""tools/generate_wrappers.py: writes the R wrappers for Keras classes (layer_*, optimizer_*,
loss_*, metric_*, callback_*, initializer_*, regularizer_*, constraint_*, rnn_cell_*,
learning_rate_schedule_*) and functions (op_*, activation_*, random_*, config_*,
application_*) from the Python signatures and docstrings of the installed Keras.
Hand-written exceptions (names, coercions, ops written in R/ops.R) are the tables under
"Exceptions" below, in one place.

Run from r/tandem.keras with the project's venv, then regenerate the docs:
    ../../.venv/bin/python tools/generate_wrappers.py && Rscript -e 'roxygen2::roxygenise()'
"""
import inspect
import math
import os
import re
import sys
import unicodedata

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402  (TensorFlow is Keras' backend here)

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "R")

# Arguments that are whole numbers (or tuples of them) although their Python default is None
# or missing: R users write `units = 32`, a double, which Keras would reject or keep as float.
INT_NAMES = {
    "units", "filters", "kernel_size", "pool_size", "strides", "dilation_rate", "output_padding",
    "input_dim", "output_dim", "num_heads", "key_dim", "value_dim", "max_tokens", "num_tokens",
    "num_bins", "seed", "batch_size", "height", "width", "depth_multiplier", "groups", "size",
    "output_sequence_length", "num_oov_indices", "output_size", "head_dim", "num_query_heads",
    "num_key_value_heads", "cropping", "padding_size", "n", "max_number", "patience", "verbose",
    "top_k", "class_id", "num_classes", "num_thresholds", "k", "steps_per_execution",
    "sequence_length", "ngrams", "dims", "cycle", "sampling_rate", "sequence_stride",
    "frame_length", "frame_step", "fft_length", "num_mel_bins", "save_freq", "update_freq",
    "histogram_freq", "start_from_epoch", "decay_steps", "max_length", "num_layers",
    "kernel_size", "num_channels", "scale_factor", "max_queue_size", "workers", "crossing_dim",
    "first_decay_steps", "warmup_steps",
}
# Floats whose Keras default happens to be a whole number (min_delta=0): not coerced to int.
FLOAT_NAMES = {"min_delta", "adam_lr_ratio", "gamma", "max_value"}
SHAPE_NAMES = {"shape", "batch_shape", "input_shape", "noise_shape", "output_shape", "target_shape"}
AXIS_NAMES = {"axis", "axes"}
# Arguments that are lists in Python even when R gives one value (a length-one R vector is
# a Python scalar, and a single string `vocabulary` would be a file path).
LIST_NAMES = {"bin_boundaries", "idf_weights", "boundaries", "values"}
# Python argument names that are not valid (or awkward) R argument names.
RENAME = {"function": "f", "object": "object_"}

KINDS = [
    # (prefix, module path in R, Python module, file stem, skip, overrides[, only, compose])
    ("layer", "layers", keras.layers, "layers",
     {"Layer", "InputLayer", "InputSpec", "FlaxLayer", "JaxLayer", "TorchModuleWrapper", "Wrapper"},
     {"ReLU": "activation_relu", "LeakyReLU": "activation_leaky_relu",
      "PReLU": "activation_parametric_relu", "ELU": "activation_elu",
      "Softmax": "activation_softmax", "UpSampling1D": "upsampling_1d",
      "UpSampling2D": "upsampling_2d", "UpSampling3D": "upsampling_3d",
      "GroupedQueryAttention": "group_query_attention", "TFSMLayer": "tfsm"}),
    ("optimizer", "optimizers", keras.optimizers, "optimizers", {"Optimizer"}, {"AdamW": "adam_w", "RMSprop": "rmsprop",
                                                                      "LossScaleOptimizer": "loss_scale"}),
    ("loss", "losses", keras.losses, "losses", {"Loss", "LossFunctionWrapper"}, {}),
    ("metric", "metrics", keras.metrics, "metrics", {"Metric", "Reduce"},
     {"MeanMetricWrapper": "mean_wrapper", "BinaryIoU": "binary_iou", "IoU": "iou", "MeanIoU": "mean_iou", "OneHotIoU": "one_hot_iou",
      "OneHotMeanIoU": "one_hot_mean_iou", "F1Score": "f1_score", "FBetaScore": "fbeta_score",
      "R2Score": "r2_score"}),
    ("callback", "callbacks", keras.callbacks, "callbacks",
     {"Callback", "CallbackList", "History"},
     {"CSVLogger": "csv_logger", "TerminateOnNaN": "terminate_on_nan",
      "LambdaCallback": "lambda", "TensorBoard": "tensorboard"}),
    ("initializer", "initializers", keras.initializers, "initializers", {"Initializer"},
     {"IdentityInitializer": "identity", "OrthogonalInitializer": "orthogonal",
      "STFTInitializer": "stft"}),
    ("regularizer", "regularizers", keras.regularizers, "regularizers", {"Regularizer"},
     {"L1L2": "l1_l2", "OrthogonalRegularizer": "orthogonal"}),
    ("constraint", "constraints", keras.constraints, "constraints", {"Constraint"},
     {"MaxNorm": "maxnorm", "MinMaxNorm": "minmaxnorm", "NonNeg": "nonneg", "UnitNorm": "unitnorm"}),
    ("learning_rate_schedule", "optimizers$schedules", keras.optimizers.schedules,
     "learning-rate-schedules", {"LearningRateSchedule"}, {}),
    # keras3 names the cells rnn_cell_*() (constructors, not composed like layer_*()).
    ("rnn_cell", "layers", keras.layers, "rnn-cells", set(),
     {"SimpleRNNCell": "simple", "GRUCell": "gru", "LSTMCell": "lstm",
      "StackedRNNCells": "=rnn_cells_stack"},
     {"SimpleRNNCell", "GRUCell", "LSTMCell", "StackedRNNCells"}),
]

# Layers whose first argument is keras3's `inputs` (a list of tensors, or tensors in `...`),
# not `object`; those in SPLAT_LAYERS are called with the list's elements as separate
# arguments (MultiHeadAttention(query, value, key)). NO_COMPOSE layers are only made
# (keras3's layer_pipeline(layers)).
INPUTS_FIRST = {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate",
                "Dot", "MultiHeadAttention"}
SPLAT_LAYERS = {"MultiHeadAttention", "GroupedQueryAttention"}
NO_COMPOSE = {"Pipeline"}

# Exported aliases: keras3's other names for generated wrappers, written after the wrapper.
ALIASES = {
    "layer_upsampling_1d": ["layer_up_sampling_1d"],
    "layer_upsampling_2d": ["layer_up_sampling_2d"],
    "layer_upsampling_3d": ["layer_up_sampling_3d"],
    "layer_time_distributed": ["time_distributed"],
    "layer_bidirectional": ["bidirectional"],
    "application_nasnet_large": ["application_nasnetlarge"],
    "application_nasnet_mobile": ["application_nasnetmobile"],
    "op_convert_to_numpy": ["op_convert_to_array"],
    "op_maximum": ["op_pmax"],
    # earlier tandem.keras names, kept
    "layer_group_query_attention": ["layer_grouped_query_attention"],
    "layer_tfsm": ["layer_tfsm_layer"],
    "optimizer_loss_scale": ["optimizer_loss_scale_optimizer"],
    "metric_binary_iou": ["metric_binary_io_u"], "metric_iou": ["metric_io_u"],
    "metric_mean_iou": ["metric_mean_io_u"], "metric_one_hot_iou": ["metric_one_hot_io_u"],
    "metric_one_hot_mean_iou": ["metric_one_hot_mean_io_u"], "metric_f1_score": ["metric_f1score"],
    "metric_fbeta_score": ["metric_f_beta_score"], "metric_r2_score": ["metric_r2score"],
    "op_minimum": ["op_pmin"],
}

def snake(name):
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    s = re.sub(r"([a-z])([A-Z])", r"\1_\2", s)
    s = re.sub(r"(\d)D(?=[A-Z_]|$)", r"_\1d_", s)
    return re.sub(r"_+", "_", s).strip("_").lower()


GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "λ": "lambda",
         "μ": "mu", "σ": "sigma", "θ": "theta", "π": "pi", "τ": "tau", "∞": "Inf", "≥": ">=",
         "≤": "<=", "×": "x", "−": "-", "–": "-", "—": "-", "’": "'", "‘": "'", "“": '"', "”": '"'}


def ascii_only(text):
    """R CMD check wants ASCII R sources: Greek letters spelled out, other accents dropped."""
    for k, v in GREEK.items():
        text = text.replace(k, v)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def clean(text):
    """Docstring text made safe for roxygen markdown (no links, Rd specials escaped)."""
    text = ascii_only(text)
    text = text.replace("\\", "").replace("@", "@@")  # roxygen markdown escapes % itself
    text = text.replace("{", "(").replace("}", ")").replace("[", "(").replace("]", ")")
    text = re.sub(r"<(?=[A-Za-z/])", "< ", text)
    if text.count("`") % 2:
        text = text.replace("`", "'")
    text = re.sub(r"`r(?=[ =])", "` r", text)  # roxygen would run `r ...` as inline R code
    return re.sub(r"\s+", " ", text).strip()


def parse_doc(cls):
    doc = inspect.getdoc(cls) or ""
    paras = [p for p in doc.split("\n\n") if p.strip()]
    summary = clean(paras[0]) if paras else cls.__name__
    args, current, in_args = {}, None, False
    for line in doc.splitlines():
        if re.match(r"^(Args|Arguments):\s*$", line):
            in_args = True
            continue
        if not in_args:
            continue
        if line and not line.startswith(" "):
            in_args = False
            continue
        m = re.match(r"^ {4}\**(\w+)(?: \([^)]*\))?: ?(.*)$", line)
        if m:
            current = m.group(1)
            args[current] = m.group(2)
        elif current and line.strip():
            args[current] += " " + line.strip()
    return summary, {k: clean(v) for k, v in args.items()}


def r_default(v):
    if v is inspect.Parameter.empty:
        return None
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int):
        return f"{v}L"
    if isinstance(v, float):
        if math.isinf(v):
            return "Inf" if v > 0 else "-Inf"
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, (tuple, list)) and all(isinstance(e, int) and not isinstance(e, bool) for e in v) and v:
        return "c(" + ", ".join(f"{e}L" for e in v) + ")"
    if isinstance(v, (tuple, list)) and v and all(r_default(e) for e in v):
        return "list(" + ", ".join(r_default(e) for e in v) + ")"
    return "NULL"  # not representable: the R default stands for Python's own


def axis_default(name, v):
    """A 0-based Python axis default shown 1-based (negative axes count from the end in both)."""
    if name in AXIS_NAMES | OP_AXIS_NAMES | OP_INDEX_NAMES and isinstance(v, int) and not isinstance(v, bool):
        return f"{v + 1}L" if v >= 0 else f"{v}L"
    if name in AXIS_NAMES | OP_AXIS_NAMES and isinstance(v, (tuple, list)) and v and all(
            isinstance(e, int) for e in v):
        return "c(" + ", ".join(f"{e + 1 if e >= 0 else e}L" for e in v) + ")"
    return None


def coercer(name, default):
    if name in AXIS_NAMES:
        return "as_axis"
    if name == "target_shape":
        return "as_target_shape"
    if name in LIST_NAMES:
        return "as_py_list"
    if name == "vocabulary":
        return "as_vocabulary"
    if name in SHAPE_NAMES:
        return "as_shape"
    if isinstance(default, bool) or name in FLOAT_NAMES:
        return None
    if name in INT_NAMES or isinstance(default, int) or (
            isinstance(default, tuple) and default and all(isinstance(e, int) for e in default)):
        return "as_int_tuple"
    return None


# R wrapper -> the Python class or function it makes or calls (module path in R), written
# to R/wrappers-generated.R: keras3 takes wrappers where Keras takes classes
# (`inherit = layer_dense`, `compile(loss = loss_huber)`, `kernel_initializer = initializer_ones`).
WRAPPED = {}


def record(fname, target):
    WRAPPED[fname] = target


def tf_keras_name(module, fn):
    """The name of `fn` in Keras 3's module, which tandem.keras' `keras` is (as keras3's;
    tf.keras.losses has `mse` where keras.losses has `mean_squared_error`)."""
    mod = keras
    for part in module.split("$"):
        mod = getattr(mod, part)
    if getattr(mod, fn.__name__, None) is fn:
        return fn.__name__
    names = sorted(n for n in dir(mod) if getattr(mod, n, None) is fn)
    if not names:
        raise SystemExit(f"keras.{module}.{fn.__name__} is not in keras.{module}")
    return min(names, key=lambda n: (n != n.lower(), -len(n)))


def function_form(prefix, pymod, cls):
    """keras3's loss_*/metric_* take `y_true, y_pred` first: given them, the wrapper calls
    the module's function of the same (snake_case) name; without them, it makes the object."""
    if prefix not in ("loss", "metric"):
        return None
    fn = getattr(pymod, snake(cls.__name__), None)
    return fn if inspect.isfunction(fn) else None


# The loss_*/metric_* wrappers' first arguments (their coercion; see as_loss_input()).
Y_ARGS = ["y_true", "y_pred"]


def wrapper(prefix, module, cls, rname, pymod=None):
    fn = function_form(prefix, pymod, cls) if pymod is not None else None
    if fn is not None:
        return function_form_wrapper(prefix, module, cls, rname, fn)
    sig = inspect.signature(cls.__init__)
    summary, docs = parse_doc(cls)
    formals, params, coerce, rename = [], [], [], []
    for p in list(sig.parameters.values())[1:]:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        rn = RENAME.get(p.name, p.name)
        if rn != p.name:
            rename.append(f'{rn} = "{p.name}"')
        d = axis_default(p.name, p.default) or r_default(p.default)
        formals.append(rn if d is None else f"{rn} = {d}")
        desc = docs.get(p.name) or f"Passed to Python as `{p.name}`."
        params.append(f"#' @param {rn} {desc}")
        c = coercer(p.name, p.default)
        if c:
            coerce.append(f"{rn} = {c}")
    out = [f"#' {cls.__name__}", "#'", f"#' {summary}", "#'",
           f"#' Wraps the Python class `keras.{module.replace('$', '.')}.{cls.__name__}`. Only the arguments you"
           " give are passed on (the others keep Keras' defaults); whole numbers become Python"
           " ints, shapes take `NA` for unknown extents, and `axis` is 1-based."]
    out.append("#'")
    first = None
    if prefix == "layer" and cls.__name__ not in NO_COMPOSE:
        first = "inputs" if cls.__name__ in INPUTS_FIRST else "object"
    if first == "inputs":
        out.append("#' @param inputs The layer's inputs: a list of tensors (or tensors given"
                   " separately in `...`); missing or `NULL` returns the layer.")
    elif first == "object":
        out.append("#' @param object What to compose the layer with: missing or `NULL` returns the"
                   " layer; a Sequential model gets the layer added in place and is returned;"
                   " anything else (a tensor, an R array) is passed through the layer.")
    out += params
    out.append("#' @param ... Further keyword arguments for the Python class"
               " (for example `name`, `dtype`).")
    if first:
        out.append(f"#' @return A layer, the model, or the layer's output (see `{first}`).")
    elif prefix == "layer":
        out.append("#' @return A Keras layer.")
    else:
        out.append(f"#' @return A Keras {prefix} object (a Python handle).")
    out.append("#' @export")
    all_formals = ([first] if first else []) + formals + ["..."]
    fname = rname[1:] if rname.startswith("=") else f"{prefix}_{rname}"
    record(fname, f"{module}${cls.__name__}")
    out.append(f"{fname} <- function({', '.join(all_formals)}) {{")
    co = f"list({', '.join(coerce)})" if coerce else "NULL"
    rn = f"c({', '.join(rename)})" if rename else "NULL"
    out.append("  args <- capture_args(environment(), names(match.call(expand.dots = FALSE))[-1],")
    out.append(f"                       dots_list(...), {co}, {rn})")
    if first:
        splat = ", splat = TRUE" if cls.__name__ in SPLAT_LAYERS else ""
        out.append(f'  compose_layer(if (missing({first})) NULL else {first}, keras${module}${cls.__name__}, args{splat})')
    else:
        out.append(f"  do.call(keras${module}${cls.__name__}, args)")
    out.append("}")
    out += alias_lines(fname)
    return "\n".join(out)


def function_form_wrapper(prefix, module, cls, rname, fn):
    """`loss_x(y_true, y_pred, <function args>, ..., <object args>)`: the values when
    `y_true` or `y_pred` is given, else the Keras object (keras3's convention)."""
    fsig = [p for p in inspect.signature(fn).parameters.values()][2:]
    csig = [p for p in list(inspect.signature(cls.__init__).parameters.values())[1:]
            if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    summary, docs = parse_doc(cls)
    _, fdocs = parse_doc(fn)
    fnames = [p.name for p in fsig]
    formals, params, coerce = list(Y_ARGS), [], ["y_true = as_loss_input", "y_pred = as_loss_input"]
    params.append("#' @param y_true,y_pred The true and predicted values (R arrays or tensors)."
                  " Given, the loss/metric values are returned; both missing, the Keras object.")
    def add(p, desc_src):
        d = axis_default(p.name, p.default) or r_default(p.default)
        formals.append(p.name if d is None else f"{p.name} = {d}")
        desc = desc_src.get(p.name) or docs.get(p.name) or fdocs.get(p.name) or f"Passed to Python as `{p.name}`."
        params.append(f"#' @param {p.name} {desc}")
        c = coercer(p.name, p.default)
        if c:
            coerce.append(f"{p.name} = {c}")
    for p in fsig:
        add(p, fdocs)
    formals.append("...")
    params.append("#' @param ... Further keyword arguments for the Python class or function.")
    for p in csig:
        if p.name not in fnames:
            add(p, docs)
    fname = f"{prefix}_{rname}"
    pyfn = tf_keras_name(module, fn)
    record(fname, f"{module}${cls.__name__}")
    out = [f"#' {cls.__name__}", "#'", f"#' {summary}", "#'",
           f"#' Wraps the Python class `keras.{module}.{cls.__name__}` and the function"
           f" `keras.{module}.{pyfn}`: with `y_true` and `y_pred` the function's values are"
           " returned, without them the object (for `compile()`). Only the arguments you give"
           " are passed on; whole numbers become Python ints and `axis` is 1-based.", "#'"]
    out += params
    out.append(f"#' @return The {prefix} values (a tensor) when `y_true` or `y_pred` is given;"
               f" otherwise a Keras {prefix} object.")
    out.append("#' @export")
    out.append(f"{fname} <- function({', '.join(formals)}) {{")
    out.append("  args <- capture_args(environment(), names(match.call(expand.dots = FALSE))[-1],")
    out.append(f"                       dots_list(...), list({', '.join(coerce)}), NULL)")
    out.append("  if (missing(y_true) && missing(y_pred)) {")
    out.append(f"    do.call(keras${module}${cls.__name__}, args)")
    out.append("  } else {")
    out.append(f"    do.call(keras${module}${pyfn}, args)")
    out.append("  }")
    out.append("}")
    out += alias_lines(fname)
    return "\n".join(out)


def function_only_wrapper(prefix, module, fn):
    """A loss/metric function without a class of its own (keras3's metric_huber())."""
    sig = list(inspect.signature(fn).parameters.values())
    summary, fdocs = func_doc(fn)[0], parse_doc(fn)[1]
    formals, params, coerce = [], [], []
    for p in sig:
        d = axis_default(p.name, p.default) or r_default(p.default)
        formals.append(p.name if d is None else f"{p.name} = {d}")
        if p.name in Y_ARGS:
            coerce.append(f"{p.name} = as_loss_input")
        else:
            params.append(f"#' @param {p.name} {fdocs.get(p.name) or 'Passed to Python as `' + p.name + '`.'}")
            c = coercer(p.name, p.default)
            if c:
                coerce.append(f"{p.name} = {c}")
    params.insert(0, "#' @param y_true,y_pred The true and predicted values (R arrays or tensors).")
    fname = f"{prefix}_{fn.__name__}"
    pyfn = tf_keras_name(module, fn)
    record(fname, f"{module}${pyfn}")
    out = [f"#' {summary}", "#'",
           f"#' Wraps the Python function `keras.{module}.{fn.__name__}` (no Keras class"
           " matches it). Only the arguments you give are passed on; `axis` is 1-based.", "#'"]
    out += params
    out.append(f"#' @return The {prefix} values (a tensor).")
    out.append("#' @export")
    out.append(f"{fname} <- function({', '.join(formals)}) {{")
    out.append("  args <- capture_args(environment(), names(match.call(expand.dots = FALSE))[-1],")
    out.append(f"                       list(), list({', '.join(coerce)}), NULL)")
    out.append(f"  do.call(keras${module}${pyfn}, args)")
    out.append("}")
    return "\n".join(out)


def alias_lines(fname):
    out = []
    for alias in ALIASES.get(fname, []):
        out += ["", f"#' @rdname {fname}", "#' @export", f"{alias} <- {fname}"]
    return out


def main():
    for prefix, module, pymod, stem, skip, overrides, *rest in KINDS:
        only = rest[0] if rest else None
        classes = {}
        for name in sorted(dir(pymod)):
            obj = getattr(pymod, name)
            if not inspect.isclass(obj) or obj.__name__ in skip or name.startswith("_"):
                continue
            if only is not None and obj.__name__ not in only:
                continue
            # Aliases (Convolution2D = Conv2D) map to one class: keep its own name.
            if obj not in classes or name == obj.__name__:
                classes[obj] = name
        chunks = []
        for cls, name in sorted(classes.items(), key=lambda kv: kv[1]):
            rname = overrides.get(cls.__name__, snake(cls.__name__))
            chunks.append(wrapper(prefix, module, cls, rname, pymod))
        if prefix == "layer":
            # keras3's layer_feature_space(): keras.utils.FeatureSpace is a layer too.
            chunks.append(wrapper(prefix, "utils", keras.utils.FeatureSpace, "feature_space"))
        if prefix in ("loss", "metric"):
            with_class = {snake(c.__name__) for c in classes}
            for fname, fn in public_functions(pymod):
                if (inspect.isfunction(fn) and fname not in with_class
                        and fname not in ("get", "serialize", "deserialize")):
                    chunks.append(function_only_wrapper(prefix, module, fn))
        path = os.path.join(OUT_DIR, f"{stem}-generated.R")
        with open(path, "w") as f:
            f.write(f"# {stem}-generated.R: {prefix}_* wrappers for the classes of keras.{module}"
                    f" (Keras {keras.__version__}).\n")
            f.write("# Generated by tools/generate_wrappers.py: do not edit by hand. Regenerate with\n"
                    "#   ../../.venv/bin/python tools/generate_wrappers.py && "
                    "Rscript -e 'roxygen2::roxygenise()'   (from r/tandem.keras)\n\n")
            f.write("\n\n".join(chunks) + "\n")
        print(f"{path}: {len(chunks)} wrappers", file=sys.stderr)
    write_functions()
    path = os.path.join(OUT_DIR, "wrappers-generated.R")
    with open(path, "w") as f:
        f.write(f"# wrappers-generated.R: the Keras class or function behind each generated wrapper"
                f" (Keras {keras.__version__}).\n")
        f.write("# Generated by tools/generate_wrappers.py: do not edit by hand. Regenerate with\n"
                "#   ../../.venv/bin/python tools/generate_wrappers.py && "
                "Rscript -e 'roxygen2::roxygenise()'   (from r/tandem.keras)\n\n")
        f.write("WRAPPED_PY <- c(\n")
        f.write(",\n".join(f'  {k} = "{v}"' for k, v in sorted(WRAPPED.items())))
        f.write("\n)\n")
    print(f"{path}: {len(WRAPPED)} wrappers", file=sys.stderr)


# ---------------------------------------------------------------------------------------
# Function families: op_*, activation_*, random_*, config_*, application_*.
# ---------------------------------------------------------------------------------------

# Exceptions, in one place.
# Ops written by hand in R/ops.R (keras3 gives them R-specific behaviour).
OP_HANDWRITTEN = {
    "matmul",            # an R vector or array takes the tensor operand's dtype
    "nonzero",           # one matrix of 1-based indices (keras3), not a tuple of 0-based ones
    "convert_to_tensor", # whole doubles with an integer dtype become ints first
    "hstack", "vstack", "dstack",  # tensors as a list or in `...`
    "arange",            # keras3's R-like arange: op_arange(5) is 1..5, `end` included
    "shape",             # a shape() object, not a list
    "average",           # weights of another shape need `axis` (Keras sums the reductions)
}
# keras3's argument names and order where they differ from Python's (all are passed as
# keywords, so the R order is free).
OP_ARG_RENAME = {"vectorize": {"pyfunc": "func"}}
OP_ARG_ORDER = {"vectorized_map": ["elements", "function"], "map": ["xs", "f"]}
# Not ops: submodules and helpers of keras.ops.
OP_SKIP = {"image", "linalg", "nn", "numpy"}
# R names that differ from "op_" + the Python name.
OP_RENAME = {"image.crop_images": "image_crop", "image.pad_images": "image_pad"}
# 1-based axes (negative counts from the end): shown 1-based in the defaults, converted.
OP_AXIS_NAMES = {"axis", "axes", "axis1", "axis2", "axisa", "axisb", "axisc", "source",
                 "destination"}
# Index arguments: 1-based in R (negative counts from the end), 0-based in Python.
OP_INDEX_NAMES = {"indices", "kth", "segment_ids", "start_indices", "mask_index"}
# Whole numbers (or tuples of them) where Keras wants Python ints.
OP_INT_NAMES = {
    "k", "num_classes", "num", "n", "N", "M", "offset", "sequence_length", "sequence_stride",
    "fft_length", "length", "pool_size", "strides", "dilation_rate", "output_padding",
    "minlength", "decimals", "num_segments", "unroll", "size", "seed", "beam_width",
    "top_paths", "order", "shift", "repeats", "top_padding", "bottom_padding", "left_padding",
    "right_padding", "top_cropping", "bottom_cropping", "left_cropping", "right_cropping",
    "target_height", "target_width", "kernel_size", "block_size", "maximum_iterations",
    "num_samples", "output_size", "lower", "upper", "max_epochs", "max_steps_per_epoch",
    "block_shape", "padding_size", "max_length", "counts_dtype",
}
OP_INT_NAMES.discard("counts_dtype")
# Per-function coercions that the name rules above don't give (or must not give).
OP_COERCE = {
    "op:bincount": {"x": "as_int_array"},
    "op:multi_hot": {"inputs": "as_int_array"},
    "op:ctc_loss": {"target": "as_int_array"},
    "op:ctc_decode": {"sequence_lengths": "as_int_array"},
    "op:pad": {"pad_width": "as_int_array"},
    "op:histogram": {"bins": "as_int_tuple", "range": "as_tuple"},
    "op:scatter": {"values": "as_array"},
    "op:switch": {"index": "as_branch_index"},  # 1-based (0 is the first too), as keras3's
    # keras3 passes these as R arrays (float64 for doubles); other R vectors go as lists,
    # which TensorFlow makes float32 (as_operand()).
    "op:scatter_update": {"inputs": "as_array", "updates": "as_array"},
    "op:slice": {"inputs": "as_array"},
    "op:slice_update": {"inputs": "as_array", "updates": "as_array"},
    "op:top_k": {"x": "as_array"},
    "op:argmax": {"x": "as_array"},
    "op:correlate": {"x1": "as_array", "x2": "as_array"},
    # its `offset` is a tensor (beta), not the whole number of diagonal()/trace()
    "op:batch_normalization": {"mean": "as_array", "variance": "as_array", "offset": "as_array"},
    "op:rearrange": {"...": "as_int"},  # axes lengths (h1 = 2) are ints
    "op:digitize": {"bins": "as_1d_array"},
    "op:searchsorted": {"sorted_sequence": "as_floatx_array", "values": "as_floatx_array"},
    "op:tensordot": {"axes": "as_tensordot_axes"},
    "op:reshape": {"newshape": "as_reshape_shape"},
    "op:split": {"indices_or_sections": "as_split_sections"},
    "op:array_split": {"indices_or_sections": "as_split_sections"},
    "op:image.gaussian_blur": {"kernel_size": "as_int_tuple", "sigma": "as_tuple"},
    "op:image.map_coordinates": {"coordinates": "as_coordinates"},
    "op:bartlett": {"x": "as_int"}, "op:blackman": {"x": "as_int"},
    "op:hamming": {"x": "as_int"}, "op:hanning": {"x": "as_int"}, "op:kaiser": {"x": "as_int"},
    "op:norm": {"ord": "as_norm_ord"},
    "op:fori_loop": {"lower": "as_int", "upper": "as_int"},
    "random:categorical": {"num_samples": "as_int"},
    "random:randint": {"minval": "as_int", "maxval": "as_int"},
    "random:binomial": {"counts": None},
    "config:set_max_epochs": {"max_epochs": "as_int"},
    "config:set_max_steps_per_epoch": {"max_steps_per_epoch": "as_int"},
}
for _op in ("bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift",
            "bitwise_right_shift", "left_shift", "right_shift", "bitwise_invert", "bitwise_not",
            "gcd", "lcm"):
    OP_COERCE[f"op:{_op}"] = {a: "as_int_array" for a in ("x", "y", "x1", "x2")}
# Ops whose output holds 0-based indices: keras3 returns them 1-based unless
# `zero_indexed = TRUE`. The value is the element of a returned tuple that holds them.
OP_INDEX_OUTPUT = {"argmax": None, "argmin": None, "argsort": None, "argpartition": None,
                   "nanargmax": None, "nanargmin": None, "searchsorted": None,
                   "digitize": None, "top_k": 2}
# The same for the other families (keras3's random_categorical() is 1-based).
FUNC_INDEX_OUTPUT = {"random:categorical": None}
# Ops whose index input gets a `zero_indexed = FALSE` switch (TRUE: pass 0-based as is).
OP_INDEX_INPUT = {"take": "indices", "take_along_axis": "indices", "one_hot": "x"}
# Varargs: Python's *args become R's `...` (unnamed elements positional, named ones keywords).
# Activations' R names (the rest are "activation_" + the Python name).
FUNC_SKIP = {"activation": {"deserialize", "get", "serialize"},
             "random": set(), "config": {"set_backend"}}  # config_set_backend(): R/keras-utils.R
FUNC_RENAME = {"random:randint": "integer", "random:SeedGenerator": "seed_generator",
               "feature:feature": "custom"}
# application_*(): keras3's names for the keras.applications constructors.
APP_NAMES = {
    "ConvNeXtBase": "convnext_base", "ConvNeXtLarge": "convnext_large",
    "ConvNeXtSmall": "convnext_small", "ConvNeXtTiny": "convnext_tiny",
    "ConvNeXtXLarge": "convnext_xlarge", "DenseNet121": "densenet121",
    "DenseNet169": "densenet169", "DenseNet201": "densenet201",
    **{f"EfficientNetB{i}": f"efficientnet_b{i}" for i in range(8)},
    **{f"EfficientNetV2{v}": f"efficientnet_v2{v.lower()}"
       for v in ("B0", "B1", "B2", "B3", "L", "M", "S")},
    "InceptionResNetV2": "inception_resnet_v2", "InceptionV3": "inception_v3",
    "MobileNet": "mobilenet", "MobileNetV2": "mobilenet_v2",
    "MobileNetV3Large": "mobilenet_v3_large", "MobileNetV3Small": "mobilenet_v3_small",
    "NASNetLarge": "nasnet_large", "NASNetMobile": "nasnet_mobile",
    "ResNet101": "resnet101", "ResNet101V2": "resnet101_v2", "ResNet152": "resnet152",
    "ResNet152V2": "resnet152_v2", "ResNet50": "resnet50", "ResNet50V2": "resnet50_v2",
    "VGG16": "vgg16", "VGG19": "vgg19", "Xception": "xception",
}


def func_doc(fn):
    doc = inspect.getdoc(fn) or ""
    paras = [p for p in doc.split("\n\n") if p.strip()]
    summary = clean(paras[0]) if paras else fn.__name__
    returns, in_ret = [], False
    for line in doc.splitlines():
        if re.match(r"^Returns?:\s*$", line):
            in_ret = True
            continue
        if in_ret:
            if line and not line.startswith(" "):
                break
            returns.append(line.strip())
    return summary, clean(" ".join(returns))


R_RESERVED = {"if", "else", "repeat", "while", "function", "for", "next", "break", "TRUE",
              "FALSE", "NULL", "Inf", "NaN", "NA", "in"}


def r_name_ok(name, extra=None):
    if extra and name in extra:
        return extra[name]
    return RENAME.get(name, name + "_" if name in R_RESERVED else name)


def r_dollar(name):
    return f"`{name}`" if name in R_RESERVED else name


def func_coercer(family, key, name, default):
    special = OP_COERCE.get(f"{family}:{key}", {})
    if name in special:
        return special[name]
    if name in OP_AXIS_NAMES:
        return "as_axis"
    if name in OP_INDEX_NAMES:
        return "as_index"
    if name in SHAPE_NAMES or name == "shape":
        return "as_shape"
    if isinstance(default, bool):
        return None
    if name in OP_INT_NAMES or name in INT_NAMES:
        return "as_int_tuple"
    if family == "application" and isinstance(default, int):
        return "as_int"
    return None


def func_wrapper(family, key, fn, rname, pycall, docobj=None, body=None):
    """One R function calling the Python function `pycall` (an R expression)."""
    sig = inspect.signature(fn)
    summary, returns = func_doc(docobj or fn)
    _, docs = parse_doc(docobj or fn)
    formals, params, coerce, positional = [], [], [], []
    varargs = kwargs = False
    has_varargs = any(q.kind == q.VAR_POSITIONAL for q in sig.parameters.values())
    index_out = (OP_INDEX_OUTPUT.get(key, False) if family == "op"
                 else FUNC_INDEX_OUTPUT.get(f"{family}:{key}", False))
    index_in = OP_INDEX_INPUT.get(key) if family == "op" else None
    params_in_order = list(sig.parameters.values())
    if family == "op" and key in OP_ARG_ORDER:
        order = OP_ARG_ORDER[key]
        params_in_order.sort(key=lambda q: order.index(q.name) if q.name in order else len(order))
    arg_rename = OP_ARG_RENAME.get(key, {}) if family == "op" else {}
    for p in params_in_order:
        if p.name == "self":
            continue
        if p.kind == p.VAR_POSITIONAL:
            varargs = True
            formals.append("...")
            params.append(f"#' @param ... {docs.get(p.name) or 'Passed on positionally.'}"
                          " Named arguments here are passed as keywords.")
            continue
        if p.kind == p.VAR_KEYWORD:
            kwargs = True
            continue
        rn = r_name_ok(p.name, arg_rename)
        d = axis_default(p.name, p.default) or r_default(p.default)
        formals.append(rn if d is None else f"{rn} = {d}")
        desc = docs.get(p.name) or f"Passed to Python as `{p.name}`."
        if p.name in OP_AXIS_NAMES and family in ("op", "activation", "random"):
            desc += " (1-based in R; negative values count from the end.)"
        if p.name in OP_INDEX_NAMES or p.name == index_in:
            desc += " (1-based in R" + (", unless `zero_indexed = TRUE`" if index_in else "") + ".)"
        elif OP_COERCE.get(f"{family}:{key}", {}).get(p.name) in ("as_index", "as_branch_index"):
            desc += " (1-based in R.)"
        params.append(f"#' @param {rn} {desc}")
        c = func_coercer(family, key, p.name, p.default)
        if p.name == index_in:
            c = "as_index"
        if c:
            coerce.append((rn, p.name, c))
        # Arguments before *args (and positional-only ones) must reach Python positionally.
        if p.kind == p.POSITIONAL_ONLY or (has_varargs and not varargs):
            positional.append(rn)
    if kwargs and not varargs:
        formals.append("...")
        params.append("#' @param ... Further keyword arguments for the Python function.")
    if index_out is not False or index_in:
        formals.append("zero_indexed = FALSE")
        params.append("#' @param zero_indexed If `TRUE`, indices are 0-based as in Python;"
                      " by default they are 1-based, as in R.")
    pyname = pycall.split("$")[-1]
    out = [f"#' {summary}", "#'"]
    out.append(f"#' Wraps the Python function `{pycall.replace('$', '.').replace('`', '')}`. Only the arguments"
               " you give are passed on (the others keep Keras' defaults); whole numbers become"
               " Python ints where Keras wants them, and axes and indices are 1-based.")
    out.append("#'")
    out.append(f"#' @family {family} functions" if family != "op" else "#' @family ops")
    out += params
    if index_out is not False:
        returns = (returns + " " if returns else "") + "Indices are 1-based unless `zero_indexed = TRUE`."
    out.append(f"#' @return {returns or 'The result of the Python function.'}")
    out.append("#' @export")
    if family == "activation":
        # A classed function: callable from R, and Keras' own Python function when given
        # to a layer (`activation = activation_relu`), so models stay serializable.
        out.append(f'{rname} <- structure(class = c("tandem_keras_activation", "function"),'
                   f' py_name = "{key}", function({", ".join(formals)}) {{')
    else:
        out.append(f"{rname} <- function({', '.join(formals)}) {{")
    ignore = ', ignore = "zero_indexed"' if ("zero_indexed = FALSE" in formals) else ""
    co = ", ".join(f"{rn} = {c}" for rn, _, c in coerce if c)
    if index_in:
        co = co.replace(f"{r_name_ok(index_in)} = as_index",
                        f"{r_name_ok(index_in)} = if (zero_indexed) as_int_array else as_index")
    ren_all = [f'{r_name_ok(p.name, arg_rename)} = "{p.name}"' for p in sig.parameters.values()
               if r_name_ok(p.name, arg_rename) != p.name and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    co = f"list({co})" if co else "NULL"
    ren = f"c({', '.join(ren_all)})" if ren_all else "NULL"
    dots_co = OP_COERCE.get(f"{family}:{key}", {}).get("...")
    if dots_co:
        ignore += f", dots_coerce = {dots_co}"
    pos = (', positional = c(' + ", ".join(f'"{p}"' for p in positional) + ')') if positional else ""
    out.append(f"  args <- fn_args(environment(), match.call(expand.dots = FALSE), {co}, {ren}"
               f"{ignore}{pos})")
    if not sig.parameters or all(p.name == "self" for p in sig.parameters.values()):
        out[-1] = None
        call = f"{pycall}()"
    else:
        call = body or f"call_fn({pycall}, args)"
    out = [o for o in out if o is not None]
    if index_out is None:
        out.append(f"  out <- {call}")
        out.append("  if (zero_indexed) out else index_to_r(out)")
    elif index_out:
        out.append(f"  out <- {call}")
        out.append(f"  if (!zero_indexed) out[[{index_out}]] <- index_to_r(out[[{index_out}]])")
        out.append("  out")
    else:
        out.append(f"  {call}")
    out.append("})" if family == "activation" else "}")
    out += alias_lines(rname)
    return "\n".join(out)


def public_functions(mod):
    for name in sorted(dir(mod)):
        obj = getattr(mod, name)
        if name.startswith("_") or inspect.ismodule(obj) or not callable(obj):
            continue
        yield name, obj


def write_file(stem, what, chunks):
    path = os.path.join(OUT_DIR, f"{stem}-generated.R")
    with open(path, "w") as f:
        f.write(f"# {stem}-generated.R: {what} (Keras {keras.__version__}).\n")
        f.write("# Generated by tools/generate_wrappers.py: do not edit by hand. Regenerate with\n"
                "#   ../../.venv/bin/python tools/generate_wrappers.py && "
                "Rscript -e 'roxygen2::roxygenise()'   (from r/tandem.keras)\n\n")
        f.write("\n\n".join(chunks) + "\n")
    print(f"{path}: {len(chunks)} wrappers", file=sys.stderr)


def write_functions():
    # op_*: keras.ops and keras.ops.image.
    chunks = []
    for sub, mod in (("", keras.ops), ("image.", keras.ops.image)):
        for name, fn in public_functions(mod):
            key = sub + name
            if name in OP_SKIP or key in OP_HANDWRITTEN or inspect.isclass(fn):
                continue
            rname = "op_" + OP_RENAME.get(key, key.replace(".", "_"))
            pycall = "keras$ops$" + ("image$" if sub else "") + r_dollar(name)
            chunks.append(func_wrapper("op", key, fn, rname, pycall))
    write_file("ops", "op_* wrappers for the functions of keras.ops and keras.ops.image", chunks)
    for family, mod, stem in (("activation", keras.activations, "activations"),
                              ("random", keras.random, "random"),
                              ("config", keras.config, "config")):
        chunks = []
        for name, fn in public_functions(mod):
            if name in FUNC_SKIP[family]:
                continue
            if inspect.isclass(fn):
                if family != "random":
                    continue
                target = fn.__init__
            else:
                target = fn
            rname = f"{family}_" + FUNC_RENAME.get(f"{family}:{name}", name)
            pycall = f"keras${family if family != 'activation' else 'activations'}${name}"
            chunks.append(func_wrapper(family, name, target, rname, pycall, docobj=fn))
        write_file(stem, f"{family}_* wrappers for keras.{mod.__name__.split('.')[-1]}", chunks)
    # feature_*(): keras.utils.FeatureSpace's feature constructors (keras3's names).
    chunks = []
    fs = keras.utils.FeatureSpace
    for name in ("cross", "feature", "float", "float_discretized", "float_normalized",
                 "float_rescaled", "integer_categorical", "integer_hashed",
                 "string_categorical", "string_hashed"):
        rname = "feature_" + FUNC_RENAME.get(f"feature:{name}", name)
        chunks.append(func_wrapper("feature", name, getattr(fs, name), rname,
                                   f"keras$utils$FeatureSpace${name}"))
    write_file("feature-space", "feature_* wrappers for keras.utils.FeatureSpace", chunks)
    chunks = []
    for name, fn in public_functions(keras.applications):
        if name not in APP_NAMES:
            if name[0].isupper():
                raise SystemExit(f"keras.applications.{name} has no R name in APP_NAMES")
            continue
        module = fn.__module__.rsplit(".", 1)[-1]
        body = f'application_model("{name}", "{module}", args)'
        chunks.append(func_wrapper("application", name, fn, "application_" + APP_NAMES[name],
                                   f"keras$applications${name}", body=body))
    write_file("applications", "application_* constructors for keras.applications", chunks)


if __name__ == "__main__":
    main()
