"""The legal clock of ARCO requests, in business days (docs/privacy.md).

Ley General de Protección de Datos Personales en Posesión de Sujetos Obligados: the answer is
due within 20 business days counted from the day after the request is received, extendable
once by up to 10 more; a granted request is made effective within 15 business days counted
from the day after the answer. Business days: Monday to Friday, without Mexican public
holidays and the configured closure days (core.calendar.business_calendar).
"""

from __future__ import annotations

import datetime as dt

from recupera.engine.calendar import BusinessCalendar

ANSWER_DAYS = 20
EXTENSION_DAYS = 10
EFFECTIVE_DAYS = 15
# A request is "near due" when its deadline is this many business days away or fewer.
NEAR_DUE_DAYS = 5


def add_business_days(start: dt.date, days: int, calendar: BusinessCalendar) -> dt.date:
    """The `days`-th business day after `start` (the count starts on the next day)."""
    current = start
    remaining = days
    while remaining > 0:
        current += dt.timedelta(days=1)
        if calendar.is_business_day(current):
            remaining -= 1
    return current


def business_days_between(start: dt.date, end: dt.date, calendar: BusinessCalendar) -> int:
    """Business days after `start` up to and including `end` (negative when `end` is earlier)."""
    if end < start:
        return -business_days_between(end, start, calendar)
    count = 0
    current = start
    while current < end:
        current += dt.timedelta(days=1)
        if calendar.is_business_day(current):
            count += 1
    return count


def answer_due(received_on: dt.date, calendar: BusinessCalendar, *, extended: bool = False) -> dt.date:
    return add_business_days(received_on, ANSWER_DAYS + (EXTENSION_DAYS if extended else 0),
                             calendar)


def effective_due(answered_on: dt.date, calendar: BusinessCalendar) -> dt.date:
    return add_business_days(answered_on, EFFECTIVE_DAYS, calendar)
