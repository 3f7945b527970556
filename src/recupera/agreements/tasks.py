"""Background task of the agreements app (django-tasks; `recupera worker` runs it)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task


@task()
def run_campaign(campaign_id: int, as_of: str, actor_id: int | None = None) -> dict[str, int]:
    """Apply a regularization campaign (queued from its page by services.campaign_enqueue)."""
    from django.contrib.auth import get_user_model

    from recupera.agreements.models import Campaign
    from recupera.agreements.services import campaign_apply

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    return campaign_apply(actor=actor, campaign=Campaign.objects.get(pk=campaign_id),
                          as_of=dt.date.fromisoformat(as_of))
