"""Money rounding, month arithmetic, first due date and business days (docs/domain.md §3, §3.3,
§3.4, §3.6)."""

from datetime import date
from decimal import Decimal

import pytest

from recupera.engine import BusinessCalendar, Terms, add_months, cents, first_due_date
from recupera.engine.schedule import due_dates

D = Decimal


def _terms(**kw: object) -> Terms:
    base = dict(base_rate=D("0.06"), punctual_rate=D("0.03"), late_rate=D("0.09"), term_months=12)
    base.update(kw)
    return Terms(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.005", "0.01"),  # half up, not half even
        ("2.675", "2.68"),
        ("2.665", "2.67"),  # half even would give 2.66
        ("-2.665", "-2.67"),
        ("0.4299750", "0.43"),
        ("12", "12.00"),
    ],
)
def test_cents_rounds_half_up(value: str, expected: str) -> None:
    assert cents(D(value)) == D(expected)
    assert str(cents(D(value))) == expected


def test_cents_refuses_floats() -> None:
    with pytest.raises(TypeError):
        cents(0.1)  # type: ignore[arg-type]


def test_due_dates_are_anchored_on_the_first_due_day() -> None:
    """§3.4: Jan 31 → Feb 28 → Mar 31 → Apr 30 (never drifting to the 28th)."""
    assert due_dates(date(2025, 1, 31), 4) == [
        date(2025, 1, 31),
        date(2025, 2, 28),
        date(2025, 3, 31),
        date(2025, 4, 30),
    ]


def test_due_dates_in_a_leap_year_use_february_29() -> None:
    """2028 is a leap year: Jan 31 → Feb 29 → Mar 31."""
    assert due_dates(date(2028, 1, 31), 3) == [
        date(2028, 1, 31),
        date(2028, 2, 29),
        date(2028, 3, 31),
    ]
    assert add_months(date(2028, 2, 29), 12) == date(2029, 2, 28)
    assert add_months(date(2028, 2, 29), 1, anchor_day=31) == date(2028, 3, 31)
    assert add_months(date(2025, 3, 31), -1) == date(2025, 2, 28)
    assert add_months(date(2025, 1, 15), -1) == date(2024, 12, 15)


def test_first_due_date_is_end_of_studies_plus_grace_months() -> None:
    """§3.3: 2024-08-31 + 6 months = 2025-02-28 (past the month's end → its last day);
    2024-06-15 + 6 = 2024-12-15; an explicit first due date wins."""
    assert first_due_date(_terms(end_of_studies=date(2024, 8, 31))) == date(2025, 2, 28)
    assert first_due_date(_terms(end_of_studies=date(2024, 6, 15))) == date(2024, 12, 15)
    explicit = _terms(end_of_studies=date(2024, 6, 15), first_due_date=date(2025, 1, 10))
    assert first_due_date(explicit) == date(2025, 1, 10)
    with pytest.raises(ValueError):
        first_due_date(_terms())


def test_business_days_skip_weekends_and_closed_days() -> None:
    """§3.6: 2025-03-15 is a Saturday; Monday 2025-03-17 is a Mexican holiday (Benito Juárez,
    passed in as a closed day), so the effective due date is Tuesday 2025-03-18."""
    weekends = BusinessCalendar()
    mx = BusinessCalendar(frozenset({date(2025, 3, 17)}))
    assert not weekends.is_business_day(date(2025, 3, 15))
    assert weekends.next_business_day_on_or_after(date(2025, 3, 15)) == date(2025, 3, 17)
    assert not mx.is_business_day(date(2025, 3, 17))
    assert mx.next_business_day_on_or_after(date(2025, 3, 15)) == date(2025, 3, 18)
    assert mx.next_business_day_on_or_after(date(2025, 3, 14)) == date(2025, 3, 14)  # Friday
