"""Documentation of Python objects for R: py_help()'s text and py_function_docs()'s
pieces (description, parameters, sections, an R-style signature), read from docstrings
written in the Google ("Args:") or NumPy ("Parameters\\n----------") style."""
import inspect
import pydoc
import re


def help_text(obj):
    """What Python's help(obj) shows, as plain text."""
    return pydoc.render_doc(obj, title="Python Library Documentation: %s", renderer=pydoc.plaintext)


def _r_literal(value):
    """An R expression for a Python default value."""
    if value is None:
        return "NULL"
    if value is True:
        return "TRUE"
    if value is False:
        return "FALSE"
    if isinstance(value, str):
        return '"%s"' % value.replace("\\", "\\\\").replace('"', '\\"')
    if isinstance(value, int):
        return "%dL" % value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list):
        return "c(" + ", ".join(_r_literal(v) for v in value) + ")"
    if isinstance(value, (tuple, set, frozenset)):
        return "list(" + ", ".join(_r_literal(v) for v in value) + ")"
    if isinstance(value, dict):
        return "list(" + ", ".join("%s = %s" % (k, _r_literal(v)) for k, v in value.items()) + ")"
    if callable(value) and hasattr(value, "__name__"):
        return value.__name__
    return repr(value)


def _parameters(obj):
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    params = list(sig.parameters.values())
    if params and params[0].name in ("self", "cls") and not inspect.ismethod(obj):
        params = params[1:]
    return params


def r_signature(obj, name):
    """``name(a, b = 1L, ...)``, or None when Python cannot tell the signature."""
    params = _parameters(obj)
    if params is None:
        return None
    parts = []
    dots = False
    for p in params:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            if not dots:
                parts.append("...")
                dots = True
        elif p.default is p.empty:
            parts.append(p.name)
        else:
            parts.append("%s = %s" % (p.name, _r_literal(p.default)))
    return "%s(%s)" % (name, ", ".join(parts))


def _cleanup(text):
    """reticulate's wording for R readers: one-spaced, Python literals as R's."""
    if text is None:
        return None
    text = re.sub(r"\s\s+", " ", text.strip())
    for py, r in (("None", "NULL"), ("True", "TRUE"), ("False", "FALSE"), ("tuple", "list")):
        text = text.replace(py, r)
    return text.replace("list/list", "list")


_GOOGLE = re.compile(r"^([A-Za-z][\w ]*):\s*$")
_NUMPY_RULE = re.compile(r"^\s*-{3,}\s*$")


def _sections(doc):
    """(description lines, {section: lines}) from a Google- or NumPy-style docstring."""
    lines = doc.splitlines()
    head, sections, current = [], {}, None
    i = 0
    while i < len(lines):
        line = lines[i]
        if i + 1 < len(lines) and line.strip() and _NUMPY_RULE.match(lines[i + 1]) and not line.startswith(" "):
            current = line.strip()
            sections[current] = []
            i += 2
            continue
        m = _GOOGLE.match(line)
        if m and not line.startswith(" "):
            current = m.group(1).strip()
            sections[current] = []
        elif current is None:
            head.append(line)
        else:
            sections[current].append(line)
        i += 1
    return head, sections


def _arg_descriptions(lines):
    """{name: description} from an Args/Parameters section."""
    out, name, text, indent = {}, None, [], None
    for line in lines:
        if not line.strip():
            continue
        stripped = line.lstrip()
        ind = len(line) - len(stripped)
        m = re.match(r"^\**([A-Za-z_]\w*)\s*(\([^)]*\))?\s*:(.*)$", stripped)
        if m and (indent is None or ind <= indent):
            if name is not None:
                out[name] = _cleanup(" ".join(text))
            indent = ind
            name = m.group(1)
            rest = m.group(3).strip()
            # NumPy style, "name : type", has the description on the next lines
            text = [] if re.match(r"^\w+\s+:", stripped) else [rest]
        elif name is not None:
            text.append(stripped)
    if name is not None:
        out[name] = _cleanup(" ".join(text))
    return out


def function_docs(obj, name):
    """The pieces R's py_function_docs() returns."""
    doc = inspect.getdoc(obj) or ""
    head, sections = _sections(doc)
    head_text = "\n".join(head).strip("\n")
    first, _, rest = head_text.partition("\n")
    args_lines = []
    for key in ("Args", "Arguments", "Parameters", "Params"):
        if key in sections:
            args_lines = sections.pop(key)
            break
    descriptions = _arg_descriptions(args_lines)
    returns = None
    for key in ("Returns", "Return", "Yields"):
        if key in sections:
            returns = _cleanup(" ".join(l.strip() for l in sections.pop(key) if l.strip()))
            break
    params = _parameters(obj) if callable(obj) else None
    names = [p.name for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)] if params else []
    parameters = {n: descriptions.get(n, n) for n in names}
    for n, d in descriptions.items():
        if n not in parameters and params is not None and any(p.kind == p.VAR_KEYWORD for p in params):
            parameters[n] = d
    return {
        "name": name,
        "description": _cleanup(first),
        "details": _cleanup(rest) or "",
        "signature": r_signature(obj, name) if callable(obj) else None,
        "parameters": parameters,
        "sections": {k: _cleanup(" ".join(l.strip() for l in v if l.strip())) for k, v in sections.items()},
        "returns": returns or "",
    }


def init_signature(init):
    """The signature of a class's ``__init__`` without ``self`` ("" when unknown)."""
    try:
        sig = inspect.signature(init)
    except (TypeError, ValueError):
        return ""
    params = list(sig.parameters.values())
    if params and params[0].name == "self":
        params = params[1:]
    return str(sig.replace(parameters=params))


def print_signature(obj):
    """reticulate's signature line for print(): ``(a, b=1)``, one parameter per line when
    longer than 60 characters; "" when Python cannot tell."""
    sig = None
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        init = getattr(obj, "__init__", None)
        if init is not None:
            text = init_signature(init)
            if text:
                return text
        return ""
    text = str(sig)
    if len(text) <= 60:
        return text
    out = "("
    params = list(sig.parameters.values())
    pieces = []
    kinds_seen_kwonly = False
    prev = None
    for p in params:
        if prev is not None and prev.kind == p.POSITIONAL_ONLY and p.kind != p.POSITIONAL_ONLY:
            pieces.append("/")
        if p.kind == p.KEYWORD_ONLY and not kinds_seen_kwonly and not any(q.kind == q.VAR_POSITIONAL for q in params):
            pieces.append("*")
        if p.kind == p.KEYWORD_ONLY:
            kinds_seen_kwonly = True
        pieces.append(str(p))
        prev = p
    if prev is not None and prev.kind == prev.POSITIONAL_ONLY:
        pieces.append("/")
    out += ",".join("\n   " + piece for piece in pieces) + "\n)"
    if sig.return_annotation is not sig.empty:
        out += " -> " + inspect.formatannotation(sig.return_annotation)
    return out
