"""The business calendar handed to the engine: weekends, Mexican public holidays, and the
bank-closure days users configure (BankClosureDay)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

from recupera.engine.calendar import BusinessCalendar


@lru_cache(maxsize=8)
def _federal_holidays(first_year: int, last_year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("MX", years=range(first_year, last_year + 1)))


def business_calendar(first_year: int = 1990, last_year: int = 2060) -> BusinessCalendar:
    """The calendar from the `holidays` package (MX) plus configured bank-closure days."""
    from recupera.core.models import BankClosureDay

    closed = set(_federal_holidays(first_year, last_year))
    closed.update(BankClosureDay.objects.values_list("date", flat=True))
    return BusinessCalendar(frozenset(closed))
