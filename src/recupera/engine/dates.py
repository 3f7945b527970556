"""Month arithmetic anchored on a day of the month (docs/domain.md §3.3, §3.4).

`add_months(date(2025, 1, 31), 1)` is 2025-02-28 and `add_months(date(2025, 1, 31), 2)` is
2025-03-31: the anchor day is kept and clipped to each month's last day, never drifting.
"""

from __future__ import annotations

from datetime import date

_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def add_months(d: date, n: int, anchor_day: int | None = None) -> date:
    """`d` moved `n` calendar months, on `anchor_day` (default `d.day`) clipped to month end."""
    day = d.day if anchor_day is None else anchor_day
    month_index = d.year * 12 + (d.month - 1) + n
    year, month0 = divmod(month_index, 12)
    month = month0 + 1
    if day <= 28:
        return date(year, month, day)
    last = _MONTH_DAYS[month0]
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        last = 29
    return date(year, month, day if day <= last else last)
