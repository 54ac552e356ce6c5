"""Python callables and classes made from R functions: real signatures (so that
inspect.signature() works, as Keras needs), methods that receive ``self``, and classes
built with the bases' metaclass."""
import inspect
import keyword
import types

P = inspect.Parameter


class _RDefault:
    """Default of an R argument that is an R expression: the argument is left out of the
    call, so R evaluates its own default."""

    def __repr__(self):
        return "<R default>"


R_DEFAULT = _RDefault()


def _is_parameter_name(name):
    return name.isidentifier() and not keyword.iskeyword(name)


def parameter_names_ok(names):
    """For each R argument name, whether Python can take it as a parameter name (the rule
    _signature() uses; py_func() refuses a required argument it cannot take)."""
    return [_is_parameter_name(n) for n in names]


def _signature(names, defaults, has_default, dots_at, with_self):
    params = [P("self", P.POSITIONAL_OR_KEYWORD)] if with_self else []
    seen_default = False
    taken = {"self"} if with_self else set()
    for i, (name, default, has) in enumerate(zip(names, defaults, has_default)):
        if dots_at is not None and i == dots_at:
            params.append(P("args", P.VAR_POSITIONAL))
            taken.add("args")
            continue
        if not _is_parameter_name(name) or name in taken:
            continue  # reachable through **kwargs only
        taken.add(name)
        kind = P.KEYWORD_ONLY if dots_at is not None and i > dots_at else P.POSITIONAL_OR_KEYWORD
        if has:
            seen_default = kind == P.POSITIONAL_OR_KEYWORD or seen_default
            params.append(P(name, kind, default=default))
        elif seen_default and kind == P.POSITIONAL_OR_KEYWORD:
            params.append(P(name, kind, default=R_DEFAULT))
        else:
            params.append(P(name, kind))
    if dots_at is not None:
        params.append(P("kwargs", P.VAR_KEYWORD))
    return inspect.Signature(params)


def _compile(sig, impl):
    """A real Python function with the signature ``sig`` (its code has these parameters,
    so introspection needs no ``__signature__``, which ``functools.wraps`` would copy onto
    Keras' wrappers of bound methods, self included). It calls ``impl(pos, named)`` with
    the arguments given: one still at its default object is left out, so that R
    evaluates its own default. R names never start with an underscore, so the
    ``_tandem_`` names cannot clash with parameters."""
    env = {"_tandem_impl": impl, "_tandem_required": object()}
    params, triples = [], []
    star = False
    var_pos = var_kw = None
    for i, p in enumerate(sig.parameters.values()):
        if p.kind == P.VAR_POSITIONAL:
            params.append("*" + p.name)
            star, var_pos = True, p.name
            continue
        if p.kind == P.VAR_KEYWORD:
            params.append("**" + p.name)
            var_kw = p.name
            continue
        if p.kind == P.KEYWORD_ONLY and not star:
            params.append("*")
            star = True
        if p.default is P.empty:
            params.append(p.name)
            triples.append(f"({p.name!r}, {p.name}, _tandem_required)")
        else:
            env[f"_tandem_d{i}"] = p.default
            params.append(f"{p.name}=_tandem_d{i}")
            triples.append(f"({p.name!r}, {p.name}, _tandem_d{i})")
    src = (
        f"def _tandem_function({', '.join(params)}):\n"
        f"    _tandem_named = {{k: v for k, v, d in ({''.join(t + ', ' for t in triples)}) if v is not d}}\n"
        + (f"    _tandem_named.update({var_kw})\n" if var_kw else "")
        + f"    return _tandem_impl({'list(' + var_pos + ')' if var_pos else '[]'}, _tandem_named)\n"
    )
    exec(src, env)
    return env["_tandem_function"]


def py_func(rfun, names, defaults, has_default, dots_at, name="r_function"):
    """A Python function calling the R function ``rfun`` with the given R signature."""
    sig = _signature(names, defaults, has_default, dots_at, with_self=False)
    function = _compile(sig, lambda pos, named: rfun(*pos, **named))
    # Redundant with the code's parameters, kept for callers that read or copy it (a plain
    # function's signature has no self, so functools.wraps may copy it).
    function.__signature__ = sig
    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"R function {name} (called through tandem)"
    function.__wrapped_r__ = rfun
    return function


class SelfBox:
    """Carries ``self`` to the R method unconverted: a ``py_to_r`` method for the class
    (or a base) must not turn ``self`` into an R value (reticulate's rule)."""

    __slots__ = ("obj",)

    def __init__(self, obj):
        self.obj = obj


# The R wrapper's argument for ``self``: it follows ``...`` in the wrapper, so R matches it
# only by its exact name (a method argument named ``s`` would otherwise partially match a
# leading ``self`` formal and take its place).
SELF_ARG = ".tandem_self"


def make_method(rfun, name, names, defaults, has_default, dots_at):
    """A method: ``rfun(..., .tandem_self = self)`` is the R wrapper that binds ``self``
    and ``super``."""
    sig = _signature(names, defaults, has_default, dots_at, with_self=True)
    is_init = name == "__init__"

    def call(pos, named):
        self = named.pop("self")
        named[SELF_ARG] = SelfBox(self)
        result = rfun(*pos, **named)
        return None if is_init else result

    method = _compile(sig, call)
    method.__qualname__ = name
    method.__name__ = name
    return method


# Calls a metaclass from a frame whose globals have no ``__name__``: type() then gives the
# class no ``__module__``, as reticulate's classes (made by type() from R, outside any
# Python frame) have none, and their R class is the bare name (PyClass("Hi") -> "Hi").
_bare_globals = {"__builtins__": __builtins__}
exec("def _call_meta(meta, name, bases, ns, kwds):\n    return meta(name, bases, ns, **kwds)\n", _bare_globals)
_call_meta = _bare_globals["_call_meta"]


def make_class(name, bases, methods, attributes, module=None):
    """A class ``name`` deriving from ``bases`` (metaclass taken from them). Without a
    ``__module__`` in ``attributes`` (or ``module``), the class has none."""
    namespace = dict(attributes)
    namespace.update(methods)
    if module is not None:
        namespace.setdefault("__module__", module)
    resolved = types.resolve_bases(tuple(bases))
    meta, ns, kwds = types.prepare_class(name, resolved)
    ns.update(namespace)
    if resolved is not tuple(bases) and resolved != tuple(bases):
        ns["__orig_bases__"] = tuple(bases)
    return _call_meta(meta, name, resolved, ns, kwds)


class _IterDone:
    def __repr__(self):
        return "<end of R iterator>"


ITER_DONE = _IterDone()


class RIterator:
    """A Python iterator over an R function (``py_iterator()`` in R).

    Each item is one call of the R function, always on R's main thread. With
    ``prefetch = n``, up to n items are fetched ahead on R's main thread, so that a
    background thread (tf.data's ``from_generator``) gets items without waiting for R's
    main thread, which may itself be blocked waiting for that thread; the buffer is refilled
    on R's main thread as soon as it next runs Python or R code.
    """

    def __init__(self, rfun, prefetch=0):
        import collections
        import threading

        from . import _core

        self._core = _core
        self._f = rfun
        self._prefetch = int(prefetch)
        self._buffer = collections.deque()
        self._done = False
        # Reentrant: R's thread serves queued calls between bytecodes (Python's pending
        # calls), also while it holds this lock in _fill(); a queued _fill() from another
        # thread then takes it again on the same thread (a plain Lock deadlocked there).
        self._lock = threading.RLock()
        self._refill_posted = False
        self._filling = False  # a fill runs (nested services must not start a second one)
        if self._prefetch > 0:
            self._fill()

    def __iter__(self):
        return self

    def _fill(self, at_least=0):  # on R's main thread
        # R's thread can serve a queued call while a fill runs (between the fill's bytecodes,
        # or inside the R function). A second fill nested in the first would append the
        # later items first, and could end the iteration before the outer fill's item is
        # in: so a nested fill does nothing, and the caller asks again.
        with self._lock:
            self._refill_posted = False
            if self._filling:
                return
            self._filling = True
        try:
            target = max(self._prefetch, at_least)
            while True:
                with self._lock:
                    if self._done or len(self._buffer) >= target:
                        return
                value = self._f()
                with self._lock:
                    if value is ITER_DONE:
                        self._done = True
                    else:
                        self._buffer.append(value)
        finally:
            with self._lock:
                self._filling = False

    def _post_refill(self):
        with self._lock:
            if self._refill_posted or self._done:
                return
            self._refill_posted = True
        self._core.post_to_r_thread(self._fill, urgent=True)

    def __next__(self):
        # Every item goes through the buffer, so items keep their order whichever thread
        # asks and whatever refill is queued.
        on_r_thread = self._core.on_r_thread()
        while True:
            with self._lock:
                if self._buffer:
                    value = self._buffer.popleft()
                    break
                if self._done:
                    raise StopIteration
            if on_r_thread:
                self._fill(1)
            else:
                self._core.call_on_r_thread(lambda: self._fill(1), urgent=True)
        if self._prefetch > 0:
            if on_r_thread:
                self._fill()
            else:
                self._post_refill()
        return value
