"""Background task of the daily close (django-tasks; `recupera worker` runs it)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task


@task()
def run_close(business_date: str, actor_id: int | None = None) -> str:
    """The daily close of `business_date` (ISO), as started from the Cierre diario page."""
    from django.contrib.auth import get_user_model

    from recupera.cob.services import close_run

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    run = close_run(actor=actor, business_date=dt.date.fromisoformat(business_date))
    return run.status
