"""Crash safety: kill -9 the close in the middle of the engine step, run it again; the result
is the one an uninterrupted close gives (PostgreSQL: the subprocess needs the committed data)."""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from recupera.cob.models import CloseRun, CreditAging, PortfolioSnapshot
from recupera.credits.models import Credit

from .conftest import AS_OF, cached_view, engine_view

ROOT = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    s = connection.settings_dict
    url = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    if s.get("PASSWORD"):
        url = f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"
    return {**os.environ, "DATABASE_URL": url, "PYTHONUNBUFFERED": "1"}


def _cob(date: dt.date, *, pause_at: str = "") -> subprocess.Popen:
    """The close in its own process, batches of 20 (tests/cob/close_process.py)."""
    return subprocess.Popen([sys.executable, "-m", "tests.cob.close_process", date.isoformat(),
                             "--batch", "20", "--allow-date-jump",
                             *(["--pause-at", pause_at] if pause_at else [])],
                            cwd=ROOT, env=_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps migration rows for later tests
def test_kill_9_in_the_middle_of_the_close_then_rerun_equals_an_uninterrupted_close():
    if connection.vendor != "postgresql":
        pytest.skip("Necesita PostgreSQL: el subproceso del cierre lee los datos ya confirmados "
                    "(la base SQLite en memoria de las pruebas no se comparte entre procesos).")
    call_command("demo_data", credits=100, seed=5, as_of=AS_OF, stdout=io.StringIO())
    Credit.objects.update(has_new_events=True)  # every credit goes through the engine step
    d = AS_OF + dt.timedelta(days=30)

    proc = _cob(d, pause_at="recalculo_motor:2")
    deadline = time.monotonic() + 120
    seen = ""
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        seen += line
        if "COB-PAUSA" in line or (not line and proc.poll() is not None):
            break
    assert "COB-PAUSA" in seen, seen
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)

    run = CloseRun.objects.get(business_date=d)
    replay = run.steps.get(name="recalculo_motor")
    assert run.status == "en_curso" and replay.status == "en_curso"
    assert replay.rows_done == 40 and replay.cursor > 0  # two committed batches of 20
    assert Credit.objects.filter(has_new_events=True).count() == 60

    again = _cob(d)
    out, _ = again.communicate(timeout=300)
    assert again.returncode == 0, out
    run.refresh_from_db()
    assert run.status == "terminado" and run.attempts == 2
    replay.refresh_from_db()
    assert replay.rows == 100  # each credit replayed once: 40 before the crash, 60 after
    assert CreditAging.objects.count() == 100
    assert not Credit.objects.filter(has_new_events=True).exists()
    # what an uninterrupted close leaves: the engine's answer, and a snapshot of all credits
    assert cached_view() == engine_view(d)
    assert sum(PortfolioSnapshot.objects.filter(business_date=d).values_list("credits", flat=True)) == 100
