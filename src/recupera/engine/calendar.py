"""Business calendar (docs/domain.md §3.6).

The engine never imports `holidays`: the Django side builds `closed_days` from the Mexican
public holidays plus the configured bank-closure days and passes them in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class BusinessCalendar:
    """Weekends (Saturday, Sunday) and `closed_days` are not business days."""

    closed_days: frozenset[date] = field(default_factory=frozenset)

    def is_business_day(self, d: date) -> bool:
        return d.weekday() < 5 and d not in self.closed_days

    def next_business_day_on_or_after(self, d: date) -> date:
        """The effective due date of a due date `d`: `d` itself or the next business day."""
        closed = self.closed_days
        while d.weekday() >= 5 or d in closed:
            d += _ONE_DAY
        return d


WEEKENDS_ONLY = BusinessCalendar()
