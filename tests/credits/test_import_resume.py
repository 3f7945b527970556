"""A killed portfolio import job (issue 20 #10): detected as stale (PostgreSQL: nobody holds its
advisory lock; SQLite: its process is gone) and resumed from its page or the CLI; the resumed
import recognizes what was stored before and stores nothing twice."""

from __future__ import annotations

import datetime as dt
import io
import socket
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from tests.credits.import_helpers import FILES, copy_portfolio, stored_counts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks", "business_date", "media_root")]


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def immediate_tasks():
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}):
        yield


@pytest.fixture
def business_date(db):
    from recupera.core.models import OperatingDate

    OperatingDate.objects.update_or_create(pk=1, defaults={"business_date": dt.date(2024, 12, 31)})


@pytest.fixture
def cartera(tmp_path):
    return copy_portfolio(tmp_path)


def _uploads(folder):
    return {name: SimpleUploadedFile(f"{name}.csv", (folder / f"{name}.csv").read_bytes(), "text/csv")
            for name in FILES}


def _dead_runner() -> str:
    child = subprocess.Popen(["true"])
    child.wait()
    return f"{socket.gethostname()}:{child.pid}"


def _killed(job, *, after_storing: bool):
    """What kill -9 leaves: the job "en proceso", its runner gone (and, when `after_storing`,
    the credits a partial import had committed before the kill)."""
    from recupera.credits.importing.jobs import import_job_run
    from recupera.credits.models_import import ImportJob

    if after_storing:
        import_job_run(job_id=job.pk)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, runner=_dead_runner(),
                                               phase="Guardando créditos", finished_at=None,
                                               report=[], counts={})


def _job(officer, folder, mode="parcial"):
    from recupera.credits.importing.jobs import import_job_create

    return import_job_create(actor=officer, mode=mode, as_of=dt.date(2024, 12, 31), uploads=_uploads(folder))


def test_a_killed_job_is_stale_and_a_live_one_is_not(portfolio_officer, cartera):
    import os

    from recupera.credits.importing.jobs import import_job_is_stale
    from recupera.credits.models_import import ImportJob

    job = _job(portfolio_officer, cartera)
    assert not import_job_is_stale(job)  # queued
    _killed(job, after_storing=False)
    job.refresh_from_db()
    assert import_job_is_stale(job)
    from django.db import connection

    if connection.vendor != "postgresql":  # PostgreSQL asks the lock, not the pid
        ImportJob.objects.filter(pk=job.pk).update(runner=f"{socket.gethostname()}:{os.getpid()}")
        job.refresh_from_db()
        assert not import_job_is_stale(job)


def test_resume_from_the_page_after_a_kill_stores_nothing_twice(client_for, portfolio_officer, cartera,
                                                                django_capture_on_commit_callbacks):
    from recupera.core.models import AuditEntry
    from recupera.credits.models_import import ImportJob

    job = _job(portfolio_officer, cartera)
    _killed(job, after_storing=True)
    stored = stored_counts()
    client = client_for(portfolio_officer)
    page = client.get(reverse("credits:import_status", args=[job.pk])).content.decode()
    assert "La importación se interrumpió: el proceso que la corría ya no existe" in page
    assert "Reanudar la importación" in page
    assert 'hx-trigger="every 1s"' not in page  # no polling of a dead job

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("credits:import_resume", args=[job.pk]), follow=True)
    html = response.content.decode()
    assert "se reanudó" in html
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.attempts == 2
    assert job.counts["creditos"] == {"creados": 0, "ya_existian": 3, "con_error": 0}
    assert job.counts["pagos"] == {"creados": 0, "ya_existian": 4, "con_error": 0}
    assert stored_counts() == stored
    entry = AuditEntry.objects.get(action="importacion.reanudar")
    assert entry.actor == portfolio_officer
    assert entry.before == {"status": "en_proceso"} and entry.after == {"status": "en_espera", "attempt": 2}


def test_a_killed_job_that_stored_nothing_stores_everything_when_resumed(client_for, portfolio_officer, cartera,
                                                                         django_capture_on_commit_callbacks):
    job = _job(portfolio_officer, cartera, mode="todo_o_nada")
    _killed(job, after_storing=False)
    assert stored_counts()["Credit"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        client_for(portfolio_officer).post(reverse("credits:import_resume", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "terminada"
    assert job.counts["creditos"]["creados"] == 3
    assert stored_counts()["Credit"] == 3


def test_a_job_that_is_not_interrupted_is_not_resumed_and_the_user_sees_why(client_for, portfolio_officer,
                                                                           cartera):
    client = client_for(portfolio_officer)
    client.post(reverse("credits:import"), {**_uploads(cartera), "mode": "todo_o_nada"})
    from recupera.credits.models_import import ImportJob

    job = ImportJob.objects.get()
    assert job.status == "terminada"
    html = client.post(reverse("credits:import_resume", args=[job.pk]), follow=True).content.decode()
    assert f"La importación núm. {job.pk} no está interrumpida (estado: terminada); no hay nada que reanudar." in html
    job.refresh_from_db()
    assert job.attempts == 1


def test_the_same_files_uploaded_again_after_a_kill_are_not_a_duplicate(client_for, portfolio_officer, cartera):
    from recupera.credits.models_import import ImportJob

    job = _job(portfolio_officer, cartera, mode="todo_o_nada")
    _killed(job, after_storing=False)
    client_for(portfolio_officer).post(reverse("credits:import"), {**_uploads(cartera), "mode": "todo_o_nada"})
    again = ImportJob.objects.exclude(pk=job.pk).get()
    assert again.status == "terminada" and again.duplicate_of is None
    assert stored_counts()["Credit"] == 3


def test_cli_lists_and_resumes_a_killed_job(portfolio_officer, cartera):
    from django.core.management.base import CommandError

    job = _job(portfolio_officer, cartera)
    _killed(job, after_storing=True)
    out = io.StringIO()
    call_command("import", "portfolio", "--jobs", stdout=out)
    assert f"INTERRUMPIDA (el proceso ya no existe): reanúdela con --resume {job.pk}" in out.getvalue()

    out = io.StringIO()
    call_command("import", "portfolio", "--resume", str(job.pk), "--user", portfolio_officer.username, stdout=out)
    assert f"Importación núm. {job.pk} reanudada (intento 2): Terminada" in out.getvalue()
    job.refresh_from_db()
    assert job.status == "terminada" and job.counts["creditos"]["ya_existian"] == 3

    with pytest.raises(CommandError, match="no está interrumpida"):
        call_command("import", "portfolio", "--resume", str(job.pk), stdout=io.StringIO())
    with pytest.raises(CommandError, match="No existe la importación de cartera núm. 999"):
        call_command("import", "portfolio", "--resume", "999", stdout=io.StringIO())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_postgresql_frees_the_job_lock_when_its_process_is_killed(portfolio_officer, cartera):
    """kill -9 of a process holding a job's lock: the job turns stale with no timeout."""
    import os
    import signal
    import sys
    import time

    from django.db import connection

    from recupera.credits.importing.jobs import LOCK_NAMESPACE, import_job_is_stale
    from recupera.credits.models_import import ImportJob

    if connection.vendor != "postgresql":
        pytest.skip("Necesita PostgreSQL: el candado de la importación es un advisory lock.")
    job = _job(portfolio_officer, cartera)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, runner="otro:1")
    s = connection.settings_dict
    dsn = f"host={s['HOST'] or '127.0.0.1'} port={s['PORT'] or 5432} dbname={s['NAME']} user={s['USER']}"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import psycopg, sys, time\n"
        f"c = psycopg.connect({dsn!r}, autocommit=True)\n"
        f"c.execute('SELECT pg_advisory_lock({LOCK_NAMESPACE}, {job.pk})')\n"
        "print('LOCKED', flush=True)\n"
        "time.sleep(120)\n")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "LOCKED"
        job.refresh_from_db()
        assert not import_job_is_stale(job)  # a live runner
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)
        deadline = time.monotonic() + 20
        while not import_job_is_stale(job) and time.monotonic() < deadline:
            time.sleep(0.2)  # the server notices the closed socket
        assert import_job_is_stale(job)
    finally:
        if holder.poll() is None:
            holder.kill()
