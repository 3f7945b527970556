"""Reads of the daily close (fixed query counts: the runs page 1, a run's page 2)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from recupera.cob.models import CloseRun, CloseStep, PortfolioSnapshot
from recupera.credits.models import Credit
from recupera.engine.aging import BUCKETS


def close_runs_recent(limit: int = 30) -> QuerySet[CloseRun]:
    return CloseRun.objects.select_related("started_by").order_by("-business_date")[:limit]


def close_run_steps(run: CloseRun) -> list[CloseStep]:
    return list(run.steps.order_by("position"))


def portfolio_snapshot(business_date) -> list[PortfolioSnapshot]:  # type: ignore[no-untyped-def]
    """The snapshot's rows in the order people read them: status in the credit's life order,
    then the aging buckets from the youngest to the oldest (not as text: "181-365" before
    "31-60"). One query."""
    status_rank = {value: i for i, value in enumerate(Credit.Status.values)}
    bucket_rank = {name: i for i, (name, _low, _high) in enumerate(BUCKETS)}
    rows = list(PortfolioSnapshot.objects.filter(business_date=business_date))
    return sorted(rows, key=lambda r: (status_rank.get(r.status, len(status_rank)),
                                       bucket_rank.get(r.bucket, len(bucket_rank)), r.status, r.bucket))


@dataclass(frozen=True)
class SnapshotTotals:
    credits: int
    principal_outstanding: Decimal
    total_overdue: Decimal


def snapshot_totals(rows: list[Any]) -> SnapshotTotals:
    """The totals row of the snapshot table (counts and amounts already computed by the close)."""
    return SnapshotTotals(credits=sum(r.credits for r in rows),
                          principal_outstanding=sum((r.principal_outstanding for r in rows), Decimal("0")),
                          total_overdue=sum((r.total_overdue for r in rows), Decimal("0")))
