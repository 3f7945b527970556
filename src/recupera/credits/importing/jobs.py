"""Import jobs from the upload screen: store the files with their hash, run as a task.

    job = import_job_create(actor=user, mode=..., as_of=..., uploads={"personas": f, ...})
    import_job_enqueue(job=job)          # after the create transaction committed
    import_job_run(job_id=job.pk)        # what the task does (resumable: idempotent import)

The same files (same SHA-256 of every file) imported before, or being imported now, are not
imported again: the new job is marked duplicate and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from recupera.core.audit import audit_record
from recupera.credits.importing.portfolio import LAYOUT, PortfolioSource
from recupera.credits.importing.problems import ENTITIES, Counts, Problem
from recupera.credits.models_import import ImportJob, ImportJobFile

log = logging.getLogger(__name__)
XLSX_ROLE = "xlsx"


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
    ImportJob.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id)[:64])


def _progress(job_id: int):  # type: ignore[no-untyped-def]
    def update(phase: str, done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(phase=phase[:80], progress_done=done, progress_total=total)
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
    from recupera.credits.importing.services import portfolio_import

    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.finished:
        return job.status
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, started_at=timezone.now(),
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
