"""Reads of the daily close (fixed query counts: the runs page 1, a run's page 2)."""

from __future__ import annotations

from django.db.models import QuerySet

from recupera.cob.models import CloseRun, CloseStep, PortfolioSnapshot


def close_runs_recent(limit: int = 30) -> QuerySet[CloseRun]:
    return CloseRun.objects.select_related("started_by").order_by("-business_date")[:limit]


def close_run_steps(run: CloseRun) -> list[CloseStep]:
    return list(run.steps.order_by("position"))


def portfolio_snapshot(business_date) -> QuerySet[PortfolioSnapshot]:  # type: ignore[no-untyped-def]
    return PortfolioSnapshot.objects.filter(business_date=business_date).order_by("status", "bucket")
