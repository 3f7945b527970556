"""Background tasks of the credits app (django-tasks; `recupera worker` runs them)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_import_job(job_id: int) -> str:
    """Run a portfolio import job stored by the upload screen."""
    from recupera.credits.importing.jobs import import_job_run

    return import_job_run(job_id=job_id)
