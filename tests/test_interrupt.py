"""Ctrl-C with a real SIGINT, in child processes, for both hosts."""
import os
import signal
import subprocess
import sys
import time

from conftest import ROOT, child_env


def interrupt_child(cmd, ready_marker="READY"):
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env())
    start = time.time()
    line = ""
    while ready_marker not in line:
        line = p.stdout.readline()
        assert line, "child exited before it was ready: " + p.stderr.read()
        assert time.time() - start < 120
    time.sleep(1.0)
    sent = time.time()
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    return out, err, time.time() - sent, p.returncode


def test_sigint_interrupts_python_sleep_called_from_r():
    code = (
        "library(tandem); time <- import('time'); cat('READY\\n');"
        "r <- tryCatch({ time$sleep(30); 'not interrupted' }, interrupt = function(e) 'interrupted');"
        "cat(r, '\\n'); cat('after:', import('math')$sqrt(16), '\\n')"
    )
    out, err, elapsed, rc = interrupt_child(["Rscript", "-e", code])
    assert "interrupted" in out and "not interrupted" not in out, err
    assert "after: 4" in out
    assert elapsed < 5
    assert rc == 0


def test_sigint_interrupts_r_sleep_called_from_python():
    code = (
        "import tandem\n"
        "r = tandem.r.start()\n"
        "print('READY', flush=True)\n"
        "try:\n"
        "    r.eval('Sys.sleep(30)')\n"
        "    print('not interrupted')\n"
        "except KeyboardInterrupt:\n"
        "    print('KeyboardInterrupt')\n"
        "print('after:', r.eval('1 + 1'))\n"
    )
    out, err, elapsed, rc = interrupt_child([sys.executable, "-c", code])
    assert "KeyboardInterrupt" in out, err
    assert "after: 2.0" in out
    assert elapsed < 5
    assert rc == 0


def test_sigint_in_plain_python_still_raises_keyboard_interrupt_after_r_started():
    code = (
        "import time, tandem\n"
        "tandem.r.eval('1')\n"
        "print('READY', flush=True)\n"
        "try:\n"
        "    time.sleep(30)\n"
        "except KeyboardInterrupt:\n"
        "    print('KeyboardInterrupt')\n"
    )
    out, err, elapsed, rc = interrupt_child([sys.executable, "-c", code])
    assert "KeyboardInterrupt" in out, err
    assert elapsed < 5


def test_sigint_interrupts_an_r_callback_called_from_python():
    code = (
        "import tandem\n"
        "callback = tandem.r.eval('function(x) { Sys.sleep(30); x }')\n"
        "print('READY', flush=True)\n"
        "try:\n"
        "    callback(1)\n"
        "    print('not interrupted')\n"
        "except KeyboardInterrupt:\n"
        "    print('KeyboardInterrupt')\n"
        "print('after:', callback.__class__.__name__, tandem.r.eval('function(x) x * 2')(21))\n"
    )
    out, err, elapsed, rc = interrupt_child([sys.executable, "-c", code])
    assert "KeyboardInterrupt" in out, err
    assert "after: RObject 42" in out
    assert elapsed < 5
