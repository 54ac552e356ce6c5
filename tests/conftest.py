import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="session")
def r():
    import tandem

    return tandem.r.start()


def child_env(**extra):
    """Environment for child processes: the venv's Python for R hosts, UTF-8."""
    env = dict(os.environ)
    for k in ("TANDEM_CORE_PATH", "TANDEM_HOST_PID", "R_SESSION_INITIALIZED"):
        env.pop(k, None)
    env.setdefault("TANDEM_PYTHON", sys.executable)
    env["LANG"] = env["LC_ALL"] = "C.UTF-8"
    env.update(extra)
    return env


def run_rscript(code, timeout=120, **env):
    return subprocess.run(["Rscript", "-e", code], capture_output=True, text=True, timeout=timeout, env=child_env(**env))


def run_python(code, timeout=120, **env):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, env=child_env(**env))
