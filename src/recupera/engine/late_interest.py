"""Late interest (interés moratorio), docs/domain.md §3.8.

For each installment with unpaid principal after its effective due date: unpaid principal ×
late rate / 360 for every calendar day after the effective due date up to the as-of (or payment)
date. Simple (never on interest, never compounded) and piecewise: the replay accrues up to every
event date before the event may change the unpaid principal. The total is kept exact and is
rounded to cents only when it is posted (allocated) or reported.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, Inexact

from .money import ENGINE_CONTEXT, ZERO
from .rows import Ledger, Row

_DAYS_IN_YEAR = Decimal(360)


def late_interest(unpaid_principal: Decimal, annual_late_rate: Decimal, days: int) -> Decimal:
    """Exact (unrounded) late interest of `unpaid_principal` for `days` calendar days."""
    if days <= 0 or unpaid_principal <= 0:
        return Decimal(0)
    return unpaid_principal * annual_late_rate * days / _DAYS_IN_YEAR


def accrue_row(row: Row, d: date, annual_late_rate: Decimal) -> None:
    """Accrue `row`'s late interest up to `d` (days after its effective due date, up to `d`)."""
    start = row.late_through or row.eff
    if d <= start:
        return
    unpaid = row.p_left
    if unpaid > 0:
        row.late_exact += unpaid * annual_late_rate * (d - start).days / _DAYS_IN_YEAR
    row.late_through = d


def accrue(ledger: Ledger, d: date) -> None:
    """Accrue every open overdue installment up to `d` (call before changing principal at `d`).

    `accrue_row` inlined (this runs before most payments), with the ledger's `late_daily`
    (rate / 360, when that quotient is exact) standing for `annual_late_rate / 360`: then
    unpaid × daily × days is the very same exact number as unpaid × rate × days / 360, without
    a division.
    """
    rate = ledger.late_rate
    if not rate:
        return
    daily = ledger.late_daily
    active = ledger.active
    for i in range(ledger.first_open, len(active)):
        row = active[i]
        if row.eff >= d:
            break
        if row.settled:
            continue
        start = row.late_through or row.eff
        if d <= start:
            continue
        unpaid = row.p_left
        if unpaid > ZERO:
            if daily is None:
                row.late_exact += unpaid * rate * (d - start).days / _DAYS_IN_YEAR
            else:
                row.late_exact += unpaid * daily * (d - start).days
        row.late_through = d


def exact_daily_rate(annual_late_rate: Decimal) -> Decimal | None:
    """annual_late_rate / 360 when that quotient is exact in the engine's context (0.09 →
    0.00025), else None (0.10 / 360 is 0.000277…, and must be divided in the original order)."""
    context = ENGINE_CONTEXT.copy()
    context.clear_flags()
    daily = context.divide(annual_late_rate, _DAYS_IN_YEAR)
    return None if context.flags[Inexact] else daily
