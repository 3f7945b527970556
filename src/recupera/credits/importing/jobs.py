"""Import jobs from the upload screen: store the files with their hash, run as a task.

    job = import_job_create(actor=user, mode=..., as_of=..., uploads={"personas": f, ...})
    import_job_enqueue(job=job)          # after the create transaction committed
    import_job_run(job_id=job.pk)        # what the task does (resumable: idempotent import)
    import_job_resume(actor=user, job_id=job.pk)  # a killed (stale) or failed job, queued again

The same files (same SHA-256 of every file) imported before, or being imported now, are not
imported again: the new job is marked duplicate and changes nothing.

A job whose process died (kill -9, a restarted worker) stays "en proceso" in the table; it is
**stale** when nobody runs it: on PostgreSQL the runner holds a session advisory lock on the job
(freed by the database when the process dies), on SQLite the job records "host:pid" and a
heartbeat. A stale or failed job is resumed from its status page or with
`recupera import portfolio --resume N`; the import is idempotent, so what was stored before the
crash is recognized ("ya existían") and nothing is stored twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from recupera.core.audit import audit_record
from recupera.credits.importing.portfolio import LAYOUT, PortfolioSource
from recupera.credits.importing.problems import ENTITIES, Counts, Problem
from recupera.credits.models_import import ImportJob, ImportJobFile

log = logging.getLogger(__name__)
XLSX_ROLE = "xlsx"
LOCK_NAMESPACE = 7_406_221  # pg_advisory_lock(namespace, job id) while a process runs a job
STALE_SECONDS = 900  # SQLite, runner on another host: no heartbeat for this long = stale


def _runner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


@contextlib.contextmanager
def _job_lock(job_id: int) -> Iterator[bool]:
    """Hold the job's advisory lock (PostgreSQL) while running it; False: another process has it."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, job_id])
        got = bool(cur.fetchone()[0])
    try:
        yield got
    finally:
        if got:
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, job_id])


def import_job_is_stale(job: ImportJob) -> bool:
    """The job says "en proceso" but no process runs it any more."""
    if job.status != ImportJob.Status.RUNNING:
        return False
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, job.pk])
            free = bool(cur.fetchone()[0])
            if free:
                cur.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, job.pk])
        return free
    host, _sep, pid = job.runner.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except PermissionError:  # alive, another user's
            return False
        return False
    seen = job.heartbeat_at or job.started_at
    limit = int(getattr(settings, "IMPORT_STALE_SECONDS", STALE_SECONDS))
    return seen is None or (timezone.now() - seen).total_seconds() > limit


def file_sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def files_sha256(hashes: Mapping[str, str]) -> str:
    """The hash of a set of files: of their roles and hashes, in a fixed order."""
    text = "\n".join(f"{role}:{hashes[role]}" for role in sorted(hashes))
    return hashlib.sha256(text.encode()).hexdigest()


def _duplicate_counts(previous: ImportJob) -> dict[str, dict[str, int]]:
    counts = Counts()
    for entity in ENTITIES:
        before = previous.counts.get(entity, {})
        counts.add(entity, "ya_existian", before.get("creados", 0) + before.get("ya_existian", 0))
    return counts.as_json()


@transaction.atomic
def import_job_create(*, actor: Any, mode: str, as_of: dt.date,
                      uploads: Mapping[str, UploadedFile], kind: str = ImportJob.Kind.PORTFOLIO) -> ImportJob:
    """Store an upload as a job. `uploads`: layout name (personas…) or "xlsx" -> file."""
    hashes = {role: file_sha256(upload) for role, upload in uploads.items()}
    sha256 = files_sha256(hashes)
    previous = (ImportJob.objects.filter(kind=kind, sha256=sha256, status__in=(
        ImportJob.Status.DONE, ImportJob.Status.QUEUED, ImportJob.Status.RUNNING))
        .order_by("-created_at", "-id").first())
    if previous is not None and import_job_is_stale(previous):
        previous = None  # a killed job: the same files run again as a new job
    job = ImportJob.objects.create(kind=kind, mode=mode, as_of=as_of, sha256=sha256, created_by=actor)
    if previous is not None:
        job.status = ImportJob.Status.DUPLICATE
        job.duplicate_of = previous
        job.finished_at = timezone.now()
        job.counts = _duplicate_counts(previous) if previous.status == ImportJob.Status.DONE else {}
        job.save(update_fields=["status", "duplicate_of", "finished_at", "counts"])
    for role, upload in uploads.items():
        ImportJobFile.objects.create(job=job, role=role, original_name=upload.name[:200],
                                     file=upload, sha256=hashes[role], size=upload.size or 0)
    audit_record(actor=actor, action="importacion.crear", obj=job, after={
        "kind": kind, "mode": mode, "as_of": as_of, "sha256": sha256, "status": job.status,
        "files": {role: upload.name for role, upload in uploads.items()}})
    return job


def import_job_enqueue(*, job: ImportJob) -> None:
    """Hand the job to the task worker (call after the job's transaction committed)."""
    from recupera.credits.tasks import run_import_job

    if job.finished:
        return
    result = run_import_job.enqueue(job_id=job.pk)
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])


def _progress(job_id: int):  # type: ignore[no-untyped-def]
    def update(phase: str, done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(phase=phase[:80], progress_done=done, progress_total=total,
                                                   heartbeat_at=timezone.now())
    return update


def _local_source(job: ImportJob, workdir: Path) -> PortfolioSource:
    """The job's files as local paths (copied out of the storage, whatever it is)."""
    files: dict[str, Path] = {}
    labels: dict[str, str] = {}
    for stored in job.files.all():
        target = workdir / f"{stored.role}{Path(stored.original_name).suffix.lower() or '.csv'}"
        with stored.file.open("rb") as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst)
        files[stored.role] = target
        labels[stored.role] = stored.original_name
    if XLSX_ROLE in files:
        return PortfolioSource(xlsx=files[XLSX_ROLE], labels={XLSX_ROLE: labels[XLSX_ROLE]})
    return PortfolioSource(csv_files={k: v for k, v in files.items() if k in LAYOUT}, labels=labels)


def import_job_run(*, job_id: int) -> str:
    """Run one job (the task's body). Returns the final status."""
    with _job_lock(job_id) as mine:
        if not mine:  # another process runs this job right now
            return ImportJob.objects.get(pk=job_id).status
        return _run_locked(job_id)


def _run_locked(job_id: int) -> str:
    from recupera.credits.importing.services import portfolio_import

    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.finished:
        return job.status
    now = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, started_at=now,
                                               heartbeat_at=now, runner=_runner_id(),
                                               phase=_("Leyendo archivos"))
    try:
        with tempfile.TemporaryDirectory(prefix="recupera-import-") as tmp:
            source = _local_source(job, Path(tmp))
            result = portfolio_import(actor=job.created_by, source=source, as_of=job.as_of,
                                      partial=job.mode == ImportJob.Mode.PARTIAL, progress=_progress(job.pk))
    except Exception as exc:
        log.exception("import job %s failed", job.pk)
        problem = Problem("", None, "", _(
            "la importación se interrumpió por un error interno (%(error)s). Vuelva a subir los "
            "archivos: lo que ya se guardó se reconoce y no se duplica.") % {"error": type(exc).__name__})
        _finish(job, ImportJob.Status.FAILED, report=[problem.as_json()], counts={}, phase=_("Interrumpida"))
        raise
    if result.rejected:
        status = ImportJob.Status.REJECTED
    elif result.problems:
        status = ImportJob.Status.DONE_WITH_ERRORS
    else:
        status = ImportJob.Status.DONE
    _finish(job, status, report=[p.as_json() for p in result.problems], counts=result.counts.as_json(),
            phase=ImportJob.Status(status).label)
    return status


def _finish(job: ImportJob, status: str, *, report: list[dict[str, Any]], counts: dict[str, Any],
            phase: str) -> None:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        job.status = status
        job.report = report
        job.counts = counts
        job.phase = phase[:80]
        job.finished_at = timezone.now()
        job.progress_done = job.progress_total or 1
        job.progress_total = job.progress_total or 1
        job.save(update_fields=["status", "report", "counts", "phase", "finished_at",
                                "progress_done", "progress_total"])
        audit_record(actor=job.created_by, action="importacion.terminar", obj=job,
                     after={"status": status, "counts": counts, "problems": len(report)})


def import_job_resume(*, actor: Any, job_id: int) -> ImportJob:
    """Queue a stale (killed) or failed job again. The caller enqueues it after the commit
    (import_job_enqueue) or runs it (import_job_run). Raises ValidationError (Spanish) when
    the job is not interrupted."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        resumable = job.status == ImportJob.Status.FAILED or import_job_is_stale(job)
        if not resumable:
            raise ValidationError(_("La importación núm. %(n)s no está interrumpida (estado: %(status)s); "
                                    "no hay nada que reanudar.")
                                  % {"n": job.pk, "status": job.get_status_display().lower()})
        before = {"status": job.status, "phase": job.phase, "runner": job.runner}
        job.status = ImportJob.Status.QUEUED
        job.attempts += 1
        job.phase = _("Reanudada: en espera")
        job.finished_at = None
        job.report = []
        job.counts = {}
        job.runner = ""
        job.progress_done = job.progress_total = 0
        job.save(update_fields=["status", "attempts", "phase", "finished_at", "report", "counts",
                                "runner", "progress_done", "progress_total"])
        audit_record(actor=actor, action="importacion.reanudar", obj=job, before=before,
                     after={"status": job.status, "attempt": job.attempts})
    return job
