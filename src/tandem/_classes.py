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


def _signature(names, defaults, has_default, dots_at, with_self):
    params = [P("self", P.POSITIONAL_OR_KEYWORD)] if with_self else []
    seen_default = False
    taken = {"self"} if with_self else set()
    for i, (name, default, has) in enumerate(zip(names, defaults, has_default)):
        if dots_at is not None and i == dots_at:
            params.append(P("args", P.VAR_POSITIONAL))
            taken.add("args")
            continue
        if not name.isidentifier() or keyword.iskeyword(name) or name in taken:
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


def _split(sig, args, kwargs):
    bound = sig.bind(*args, **kwargs)
    pos, named = [], {}
    for pname, value in bound.arguments.items():
        kind = sig.parameters[pname].kind
        if kind == P.VAR_POSITIONAL:
            pos.extend(value)
        elif kind == P.VAR_KEYWORD:
            named.update(value)
        elif value is not R_DEFAULT:
            named[pname] = value
    return pos, named


def py_func(rfun, names, defaults, has_default, dots_at, name="r_function"):
    """A Python function calling the R function ``rfun`` with the given R signature."""
    sig = _signature(names, defaults, has_default, dots_at, with_self=False)

    def function(*args, **kwargs):
        pos, named = _split(sig, args, kwargs)
        return rfun(*pos, **named)

    function.__signature__ = sig
    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"R function {name} (called through tandem)"
    function.__wrapped_r__ = rfun
    return function


def make_method(rfun, name, names, defaults, has_default, dots_at):
    """A method: ``rfun(self, ...)`` is the R wrapper that binds ``self`` and ``super``."""
    sig = _signature(names, defaults, has_default, dots_at, with_self=True)
    is_init = name == "__init__"

    def method(*args, **kwargs):
        pos, named = _split(sig, args, kwargs)
        self = named.pop("self") if "self" in named else pos.pop(0)
        result = rfun(self, *pos, **named)
        return None if is_init else result

    method.__signature__ = sig
    method.__name__ = name
    return method


def make_class(name, bases, methods, attributes, module="R"):
    """A class ``name`` deriving from ``bases`` (metaclass taken from them)."""
    namespace = dict(attributes)
    namespace.update(methods)
    namespace.setdefault("__module__", module)
    return types.new_class(name, tuple(bases), exec_body=lambda ns: ns.update(namespace))


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
        self._lock = threading.Lock()
        self._refill_posted = False
        if self._prefetch > 0:
            self._fill()

    def __iter__(self):
        return self

    def _fill(self, at_least=0):  # on R's main thread
        with self._lock:
            self._refill_posted = False
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

    def _post_refill(self):
        with self._lock:
            if self._refill_posted or self._done:
                return
            self._refill_posted = True
        self._core.post_to_r_thread(self._fill)

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
                self._core.call_on_r_thread(lambda: self._fill(1))
        if self._prefetch > 0:
            if on_r_thread:
                self._fill()
            else:
                self._post_refill()
        return value
