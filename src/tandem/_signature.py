"""R formals for Python callables (reticulate >= 1.29: the R function wrapping a Python
callable has the callable's signature as its formals).

``formals(obj)`` gives a tuple of ``(name, default)`` pairs, ``name`` ``"..."`` for R's
dots and ``default`` ``EMPTY`` for a parameter without one, or None when Python cannot
tell the signature (the R function then takes ``...``). Python's ``*args``/``**kwargs``
become one ``...``, which also goes before the first keyword-only parameter (R matches
arguments after ``...`` by their exact names only).

inspect.signature() costs 20-100 us, and ``obj$method`` makes a new bound method each
time: results are cached on the objects that last (functions, classes, the types of
bound builtin methods and of callable instances), weakly where Python allows it. A cached
tuple is returned as the same object each time (the C++ side caches its R formals on it).
"""
import functools
import inspect
import types
import weakref

EMPTY = inspect.Parameter.empty
_VARIADIC = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)

_weak_cache = weakref.WeakKeyDictionary()  # function, class, builtin, partial -> formals
_bound_cache = weakref.WeakKeyDictionary()  # function -> formals without its first parameter
_type_cache = weakref.WeakKeyDictionary()  # type -> {(name, on the class): formals}
_MISSING = object()


def _from_signature(sig):
    out = []
    dots = False
    for p in sig.parameters.values():
        if p.kind in _VARIADIC:
            if not dots:
                out.append(("...", EMPTY))
                dots = True
            continue
        if p.kind == p.KEYWORD_ONLY and not dots:
            out.append(("...", EMPTY))
            dots = True
        out.append((p.name, p.default))
    return tuple(out)


def _compute(obj):
    try:
        return _from_signature(inspect.signature(obj))
    except Exception:  # builtins without a text signature, broken __signature__, ...
        return None


def _cached(cache, key, obj):
    try:
        value = cache.get(key, _MISSING)
    except Exception:  # not hashable, or no weak references
        return _compute(obj)
    if value is _MISSING:
        value = _compute(obj)
        try:
            cache[key] = value
        except Exception:
            pass
    return value


def _methods_of(t):
    try:
        return _type_cache.setdefault(t, {})
    except Exception:  # a type without weak references
        return {}


def _drop_first(full):
    # inspect's rule for bound methods: the first parameter goes unless it is *args.
    # An R `...` first stands for *args (or a keyword-only start, which cannot be bound).
    if not full or full[0][0] == "...":
        return full
    return full[1:]


def formals(obj):
    t = type(obj)
    if t is types.MethodType:
        func = obj.__func__
        if type(func) is not types.FunctionType:
            return _compute(obj)
        value = _bound_cache.get(func, _MISSING)
        if value is _MISSING:
            # inspect's signature of a bound method is its function's without the first
            # parameter, whatever made the function's (__signature__, __wrapped__)
            full = _cached(_weak_cache, func, func)
            value = _drop_first(full) if full is not None else None
            _bound_cache[func] = value
        return value
    if t is types.FunctionType or isinstance(obj, type) or t is functools.partial:
        return _cached(_weak_cache, obj, obj)
    if t is types.BuiltinFunctionType:
        owner = getattr(obj, "__self__", None)
        if owner is None or isinstance(owner, types.ModuleType):
            return _cached(_weak_cache, obj, obj)
        if isinstance(owner, type):  # a classmethod of a builtin type (dict.fromkeys)
            return _cached(_methods_of(owner), (obj.__name__, True), obj)
        return _cached(_methods_of(type(owner)), (obj.__name__, False), obj)
    # a callable instance: its type's __call__ gives its signature, unless the instance
    # says otherwise
    if not hasattr(obj, "__signature__") and not hasattr(obj, "__wrapped__"):
        return _cached(_methods_of(t), ("__call__", False), obj)
    # otherwise on the object itself, when it has weak references (NumPy's dispatchers)
    # and is equal only to itself
    if t.__eq__ is object.__eq__ and t.__hash__ is object.__hash__:
        return _cached(_weak_cache, obj, obj)
    return _compute(obj)
