"""Running Python scripts for R's py_run_file() / source_python(): ``__file__`` is set
while the script runs, as ``python script.py`` sets it, and removed afterwards."""
import sys

import __main__


def run_file(path, local=False, prepend_path=True):
    """Runs the script at ``path`` in ``__main__``'s namespace (``local``: in a new dict
    whose globals are ``__main__``'s) and returns that namespace."""
    with open(path, "rb") as f:
        source = f.read()
    code = compile(source, path, "exec", dont_inherit=True)
    globals_ = vars(__main__)
    namespace = {} if local else globals_
    missing = object()
    saved = {k: namespace.get(k, missing) for k in ("__file__", "__cached__")}
    namespace["__file__"] = path
    namespace["__cached__"] = None
    directory = None
    if prepend_path:
        import os

        directory = os.path.dirname(path)
        sys.path.insert(0, directory)
    try:
        exec(code, globals_, namespace)
    finally:
        if directory is not None:
            try:
                sys.path.remove(directory)
            except ValueError:
                pass
        for k, v in saved.items():
            if v is missing:
                namespace.pop(k, None)
            else:
                namespace[k] = v
    return namespace
