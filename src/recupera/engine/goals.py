"""Monthly recovery goals: the money math of docs/goals.md (pure, stdlib only).

- `holder_on`: who held a case on a date, from its assignment history (the attribution rule).
- `distribute`: a total split by weights to the cent (largest remainder), summing exactly.
- `prorate`: a goal cut to the business days a collector is on the team.
- `percent` / `needed_per_day`: the meters of the collector's home.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from .calendar import BusinessCalendar
from .money import CENT, ZERO, cents


@dataclass(frozen=True)
class Holding:
    """One row of a case's assignment history: `collector` from `starts_on` to `ends_on`
    (both inclusive; None = still assigned). `seq` orders rows created on the same day."""

    collector: int
    starts_on: date
    ends_on: date | None
    seq: int = 0


def holder_on(history: Iterable[Holding], day: date) -> int | None:
    """The collector who held the case on `day`: among the assignments covering that day, the
    one that started last (a reassignment on `day` ends the old row and starts the new one on
    the same date: the new holder counts). None when no assignment covers the day."""
    best: Holding | None = None
    for h in history:
        if h.starts_on <= day and (h.ends_on is None or h.ends_on >= day):
            if best is None or (h.starts_on, h.seq) > (best.starts_on, best.seq):
                best = h
    return best.collector if best is not None else None


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    nxt = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return nxt - timedelta(days=1)


def business_days(calendar: BusinessCalendar, first: date, last: date) -> int:
    """Business days from `first` to `last`, both inclusive (0 when last < first)."""
    n, d = 0, first
    while d <= last:
        if calendar.is_business_day(d):
            n += 1
        d += timedelta(days=1)
    return n


def distribute(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """`total` split in proportion to `weights`, each share rounded down to the cent and the
    cents left over given one by one to the largest remainders (ties: the earlier position),
    so the shares sum to `total` exactly. All-zero weights split equally."""
    total = cents(total)
    if not weights:
        return []
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    if sum(weights, ZERO) == 0:
        weights = [Decimal(1)] * len(weights)
    wsum = sum(weights, ZERO)
    exact = [total * w / wsum for w in weights]
    shares = [e.quantize(CENT, rounding=ROUND_DOWN) for e in exact]
    left = int(((total - sum(shares, ZERO)) / CENT).to_integral_value())
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[:left]:
        shares[i] += CENT
    return shares


def prorate(amount: Decimal, calendar: BusinessCalendar, month: date,
            active_from: date | None, active_to: date | None) -> Decimal:
    """The goal of a collector on the team only part of the month: `amount` × business days
    active / business days of the month, to the cent (ROUND_HALF_UP)."""
    first, last = month_start(month), month_end(month)
    start = max(first, active_from) if active_from else first
    end = min(last, active_to) if active_to else last
    total = business_days(calendar, first, last)
    active = business_days(calendar, start, end)
    if total == 0 or active >= total:
        return cents(amount)
    return cents(Decimal(amount) * active / total)


def percent(recovered: Decimal, goal: Decimal) -> Decimal | None:
    """Recovered as a percentage of the goal, one decimal (None without a goal)."""
    if goal <= 0:
        return None
    return (Decimal(recovered) * 100 / goal).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def needed_per_day(goal: Decimal, recovered: Decimal, remaining_business_days: int) -> Decimal:
    """What is still missing of the goal per remaining business day (0 when met; the whole
    remainder when no business day is left)."""
    missing = Decimal(goal) - Decimal(recovered)
    if missing <= 0:
        return ZERO.quantize(CENT)
    if remaining_business_days <= 0:
        return cents(missing)
    return cents(missing / remaining_business_days)
