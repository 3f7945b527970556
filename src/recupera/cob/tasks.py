"""Background task of the daily close (django-tasks; `recupera worker` runs it)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task


@task()
def run_close(business_date: str, actor_id: int | None = None, allow_date_jump: bool = False) -> str:
    """The daily close of `business_date` (ISO), as started from the Cierre diario page.
    `allow_date_jump`: the user ticked the audited authorization for a date more than one
    business day ahead."""
    from django.contrib.auth import get_user_model

    from recupera.cob.services import close_run

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    run = close_run(actor=actor, business_date=dt.date.fromisoformat(business_date),
                    allow_date_jump=allow_date_jump)
    return run.status
