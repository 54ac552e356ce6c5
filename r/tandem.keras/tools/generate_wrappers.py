"""tools/generate_wrappers.py: writes the R wrappers for Keras classes (layer_*, optimizer_*,
loss_*, metric_*, callback_*) from the Python signatures and docstrings of the installed Keras.

Run from r/tandem.keras with the project's venv, then regenerate the docs:
    ../../.venv/bin/python tools/generate_wrappers.py && Rscript -e 'roxygen2::roxygenise()'
"""
import inspect
import math
import os
import re
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402

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
    "kernel_size", "num_channels", "scale_factor", "max_queue_size", "workers",
}
SHAPE_NAMES = {"shape", "batch_shape", "input_shape", "noise_shape", "output_shape", "target_shape"}
AXIS_NAMES = {"axis", "axes"}
# Arguments that are lists in Python even when R gives one value (a length-one R vector is
# a Python scalar, and a single string `vocabulary` would be a file path).
LIST_NAMES = {"bin_boundaries", "idf_weights"}
# Python argument names that are not valid (or awkward) R argument names.
RENAME = {"function": "f", "object": "object_"}

KINDS = [
    # (prefix, module path in R, Python module, file stem, skip, overrides)
    ("layer", "layers", keras.layers, "layers",
     {"Layer", "InputLayer", "InputSpec", "FlaxLayer", "JaxLayer", "TorchModuleWrapper", "Wrapper"},
     {"ReLU": "activation_relu", "LeakyReLU": "activation_leaky_relu",
      "PReLU": "activation_parametric_relu", "ELU": "activation_elu",
      "Softmax": "activation_softmax"}),
    ("optimizer", "optimizers", keras.optimizers, "optimizers", {"Optimizer"}, {"AdamW": "adam_w", "RMSprop": "rmsprop"}),
    ("loss", "losses", keras.losses, "losses", {"Loss", "LossFunctionWrapper"}, {}),
    ("metric", "metrics", keras.metrics, "metrics", {"Metric", "MeanMetricWrapper", "Reduce"}, {}),
    ("callback", "callbacks", keras.callbacks, "callbacks",
     {"Callback", "CallbackList", "History"},
     {"CSVLogger": "csv_logger", "TerminateOnNaN": "terminate_on_nan",
      "LambdaCallback": "lambda", "TensorBoard": "tensorboard"}),
]


def snake(name):
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    s = re.sub(r"([a-z])([A-Z])", r"\1_\2", s)
    s = re.sub(r"(\d)D(?=[A-Z_]|$)", r"_\1d_", s)
    return re.sub(r"_+", "_", s).strip("_").lower()


def clean(text):
    """Docstring text made safe for roxygen markdown (no links, Rd specials escaped)."""
    text = text.replace("\\", "").replace("@", "@@")  # roxygen markdown escapes % itself
    text = text.replace("{", "(").replace("}", ")").replace("[", "(").replace("]", ")")
    text = re.sub(r"<(?=[A-Za-z/])", "< ", text)
    if text.count("`") % 2:
        text = text.replace("`", "'")
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
    if isinstance(default, bool):
        return None
    if name in INT_NAMES or isinstance(default, int) or (
            isinstance(default, tuple) and default and all(isinstance(e, int) for e in default)):
        return "as_int_tuple"
    return None


def wrapper(prefix, module, cls, rname):
    sig = inspect.signature(cls.__init__)
    summary, docs = parse_doc(cls)
    formals, params, coerce, rename = [], [], [], []
    for p in list(sig.parameters.values())[1:]:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        rn = RENAME.get(p.name, p.name)
        if rn != p.name:
            rename.append(f'{rn} = "{p.name}"')
        d = r_default(p.default)
        formals.append(rn if d is None else f"{rn} = {d}")
        desc = docs.get(p.name) or f"Passed to Python as `{p.name}`."
        params.append(f"#' @param {rn} {desc}")
        c = coercer(p.name, p.default)
        if c:
            coerce.append(f"{rn} = {c}")
    out = [f"#' {cls.__name__}", "#'", f"#' {summary}", "#'",
           f"#' Wraps the Python class `keras.{module}.{cls.__name__}`. Only the arguments you"
           " give are passed on (the others keep Keras' defaults); whole numbers become Python"
           " ints, shapes take `NA` for unknown extents, and `axis` is 1-based."]
    out.append("#'")
    if prefix == "layer":
        out.append("#' @param object What to compose the layer with: missing or `NULL` returns the"
                   " layer; a Sequential model gets the layer added in place and is returned;"
                   " anything else (a tensor, an R array) is passed through the layer.")
    out += params
    out.append("#' @param ... Further keyword arguments for the Python class"
               " (for example `name`, `dtype`).")
    if prefix == "layer":
        out.append("#' @return A layer, the model, or the layer's output (see `object`).")
    else:
        out.append(f"#' @return A Keras {prefix} object (a Python handle).")
    out.append("#' @export")
    all_formals = (["object"] if prefix == "layer" else []) + formals + ["..."]
    out.append(f"{prefix}_{rname} <- function({', '.join(all_formals)}) {{")
    co = f"list({', '.join(coerce)})" if coerce else "NULL"
    rn = f"c({', '.join(rename)})" if rename else "NULL"
    out.append("  args <- capture_args(environment(), names(match.call(expand.dots = FALSE))[-1],")
    out.append(f"                       list(...), {co}, {rn})")
    if prefix == "layer":
        out.append(f'  compose_layer(if (missing(object)) NULL else object, keras${module}${cls.__name__}, args)')
    else:
        out.append(f"  do.call(keras${module}${cls.__name__}, args)")
    out.append("}")
    return "\n".join(out)


def main():
    for prefix, module, pymod, stem, skip, overrides in KINDS:
        classes = {}
        for name in sorted(dir(pymod)):
            obj = getattr(pymod, name)
            if not inspect.isclass(obj) or obj.__name__ in skip or name.startswith("_"):
                continue
            # Aliases (Convolution2D = Conv2D) map to one class: keep its own name.
            if obj not in classes or name == obj.__name__:
                classes[obj] = name
        chunks = []
        for cls, name in sorted(classes.items(), key=lambda kv: kv[1]):
            rname = overrides.get(cls.__name__, snake(cls.__name__))
            chunks.append(wrapper(prefix, module, cls, rname))
        path = os.path.join(OUT_DIR, f"{stem}-generated.R")
        with open(path, "w") as f:
            f.write(f"# {stem}-generated.R: {prefix}_* wrappers for the classes of keras.{module}"
                    f" (Keras {keras.__version__}).\n")
            f.write("# Generated by tools/generate_wrappers.py: do not edit by hand. Regenerate with\n"
                    "#   ../../.venv/bin/python tools/generate_wrappers.py && "
                    "Rscript -e 'roxygen2::roxygenise()'   (from r/tandem.keras)\n\n")
            f.write("\n\n".join(chunks) + "\n")
        print(f"{path}: {len(chunks)} wrappers", file=sys.stderr)


if __name__ == "__main__":
    main()
