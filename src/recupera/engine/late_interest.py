"""Late interest (interés moratorio), DOMAIN.md §3.8.

For each installment with unpaid principal after its effective due date: unpaid principal ×
late rate / 360 for every calendar day after the effective due date up to the as-of (or payment)
date. Simple (never on interest, never compounded) and piecewise: the replay accrues up to every
event date before the event may change the unpaid principal. The total is kept exact and is
rounded to cents only when it is posted (allocated) or reported.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

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
    """Accrue every open overdue installment up to `d` (call before changing principal at `d`)."""
    rate = ledger.late_rate
    if not rate:
        return
    active = ledger.active
    for i in range(ledger.first_open, len(active)):
        row = active[i]
        if row.eff >= d:
            break
        if not row.settled:
            accrue_row(row, d, rate)
