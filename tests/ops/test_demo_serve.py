"""`recupera demo` stops its task worker when it ends, by Ctrl+C or by SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from recupera.ops.management.commands import demo

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


def _serve(monkeypatch, stop) -> subprocess.Popen:
    started: list[subprocess.Popen] = []
    real_popen = subprocess.Popen

    def popen(*args, **kwargs):
        started.append(real_popen(*args, **kwargs))
        return started[-1]

    def runserver(name, *args, **kwargs):
        assert name == "runserver"
        stop()
        time.sleep(30)  # the signal interrupts this, as it interrupts the server's loop

    monkeypatch.setattr(demo.subprocess, "Popen", popen)
    monkeypatch.setattr(demo, "call_command", runserver)
    demo.serve_with_worker("127.0.0.1:0", worker_command=SLEEPER)
    return started[0]


def test_sigterm_stops_the_worker(monkeypatch):
    before = signal.getsignal(signal.SIGTERM)
    worker = _serve(monkeypatch, lambda: os.kill(os.getpid(), signal.SIGTERM))
    assert worker.poll() is not None  # the worker has ended
    assert signal.getsignal(signal.SIGTERM) == before


def test_ctrl_c_stops_the_worker(monkeypatch):
    def interrupt():
        raise KeyboardInterrupt

    worker = _serve(monkeypatch, interrupt)
    assert worker.poll() is not None


def test_a_worker_that_ignores_sigterm_is_killed():
    worker = subprocess.Popen([sys.executable, "-c",
                               "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                               "print('ok', flush=True); time.sleep(120)"], stdout=subprocess.PIPE)
    worker.stdout.readline()
    demo.stop_worker(worker, timeout=0.5)
    assert worker.returncode == -signal.SIGKILL
