"""Days past due and buckets (docs/domain.md §3.12)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .rows import Row
from .types import BUCKETS


def bucket_for(dpd: int) -> str:
    """The bucket name (types.BUCKETS) of `dpd` days past due."""
    if dpd < 0:
        raise ValueError("days past due cannot be negative")
    for name, low, high in BUCKETS:
        if dpd >= low and (high is None or dpd <= high):
            return name
    raise AssertionError("BUCKETS must cover every non-negative number")  # pragma: no cover


def is_past_due_portfolio(dpd: int) -> bool:
    """Cartera vencida: more than 90 days past due."""
    return dpd > 90


def days_past_due(rows: list[Row], d: date, tolerance: Decimal) -> int:
    """D − effective due date of the oldest installment, effective due date before D, whose
    unpaid principal + unpaid (full) interest exceeds the tolerance; 0 if none."""
    for row in rows:
        if row.eff >= d:
            break
        if row.settled:
            continue
        if row.unpaid_principal() + row.full_interest_owed() > tolerance:
            return (d - row.eff).days
    return 0
