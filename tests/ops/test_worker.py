"""`recupera worker` is supervised (issue #20 item 13): the worker process is started again
when it dies (kill -9), with backoff, and writes a heartbeat that /salud/ reads."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from recupera.ops.worker import describe_exit, supervise
from tests.ops.conftest import ROOT


def _heartbeat(db: Path) -> tuple | None:
    with sqlite3.connect(db, timeout=20) as con:
        return con.execute("SELECT pid, restarts, last_exit, tasks_run, beat_at "
                           "FROM ops_workerheartbeat").fetchone()


def _wait(predicate, timeout: float = 60.0, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"no ocurrió en {timeout} s: {what}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (exited, not yet reaped) counts as gone
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_killed_worker_is_restarted_and_beats(sqlite_site):
    var, env = sqlite_site
    db = var / "recupera.sqlite3"
    env["RECUPERA_WORKER_HEARTBEAT_SECONDS"] = "1"
    supervisor = subprocess.Popen(
        [sys.executable, "-m", "recupera", "worker", "--no-startup-delay", "--interval", "0.2"],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = _wait(lambda: _heartbeat(db), what="primer latido")
        child = first[0]
        assert child != supervisor.pid and first[1] == 0 and first[2] == ""
        os.kill(child, signal.SIGKILL)
        second = _wait(lambda: (h := _heartbeat(db)) and h[0] != child and h, what="reinicio")
        assert second[1] == 1 and second[2] == "terminado por la señal SIGKILL"
        # it keeps beating
        beat = second[4]
        _wait(lambda: _heartbeat(db)[4] != beat, timeout=10, what="latido siguiente")
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=30) == 0
        _wait(lambda: not _alive(second[0]), timeout=10, what="fin del hijo")
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()
    err = supervisor.stderr.read()
    assert "El trabajador terminado por la señal SIGKILL; se reinicia en 1 s (reinicio 1)." in err


def test_worker_dies_with_its_supervisor(sqlite_site):
    """kill -9 of the supervisor: its worker gets SIGTERM (no orphan keeps taking tasks)."""
    var, env = sqlite_site
    env["RECUPERA_WORKER_HEARTBEAT_SECONDS"] = "1"
    supervisor = subprocess.Popen(
        [sys.executable, "-m", "recupera", "worker", "--no-startup-delay", "--interval", "0.2"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        child = _wait(lambda: _heartbeat(var / "recupera.sqlite3"), what="primer latido")[0]
        supervisor.kill()
        supervisor.wait()
        _wait(lambda: not _alive(child), timeout=20, what="fin del hijo huérfano")
    finally:
        if supervisor.poll() is None:
            supervisor.kill()


def test_supervise_backs_off_and_stops_after_a_normal_exit(tmp_path):
    """Exits 3, 3, 3 then 0: three restarts with doubling waits; the 0 ends the supervisor."""
    count = tmp_path / "runs"
    script = (f"import os, sys; p = {str(count)!r}; n = len(open(p).read()) if os.path.exists(p) else 0;"
              f" open(p, 'a').write(os.environ['RECUPERA_WORKER_RESTARTS'][-1]);"
              f" sys.exit(0 if n == 3 else 3)")
    logged: list[str] = []
    started = time.monotonic()
    status = supervise([sys.executable, "-c", script], log=logged.append, backoff_start=0.1)
    assert status == 0 and count.read_text() == "0123"
    assert logged == ["El trabajador salió con el código 3; se reinicia en 0.1 s (reinicio 1).",
                      "El trabajador salió con el código 3; se reinicia en 0.2 s (reinicio 2).",
                      "El trabajador salió con el código 3; se reinicia en 0.4 s (reinicio 3)."]
    assert time.monotonic() - started >= 0.7


def test_supervise_gives_up_after_max_restarts_and_caps_the_wait():
    logged: list[str] = []
    status = supervise([sys.executable, "-c", "import sys; sys.exit(2)"], log=logged.append,
                       backoff_start=0.05, backoff_max=0.1, max_restarts=3)
    assert status == 1
    assert [m.split("se reinicia en ")[-1] for m in logged[:3]] == [
        "0.05 s (reinicio 1).", "0.1 s (reinicio 2).", "0.1 s (reinicio 3)."]
    assert logged[-1] == "El trabajador salió con el código 2; se alcanzó el límite de 3 reinicios."


@pytest.mark.parametrize("code, text", [(-9, "terminado por la señal SIGKILL"),
                                        (-15, "terminado por la señal SIGTERM"),
                                        (1, "salió con el código 1")])
def test_exit_described_in_spanish(code, text):
    assert describe_exit(code) == text
