"""engine.goals: distribution to the cent, pro-rating by business days, the holder rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recupera.engine.calendar import BusinessCalendar
from recupera.engine.goals import (
    Holding,
    business_days,
    distribute,
    holder_on,
    needed_per_day,
    percent,
    prorate,
)

DEC_2026 = dt.date(2026, 12, 1)
CAL = BusinessCalendar(frozenset({dt.date(2026, 12, 25)}))


def test_distribute_by_weight_sums_exactly():
    assert distribute(D("100000.00"), [D("1"), D("1"), D("1")]) == [D("33333.34"), D("33333.33"), D("33333.33")]
    assert distribute(D("1000.00"), [D("30000"), D("10000"), D("0")]) == [D("750.00"), D("250.00"), D("0.00")]


def test_distribute_all_zero_weights_is_equal():
    assert distribute(D("10.00"), [D("0"), D("0"), D("0")]) == [D("3.34"), D("3.33"), D("3.33")]


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None, max_examples=200)
@given(st.decimals(min_value=0, max_value=10**8, places=2),
       st.lists(st.decimals(min_value=0, max_value=10**7, places=2), min_size=1, max_size=30))
def test_distribute_never_loses_a_cent(total, weights):
    shares = distribute(total, weights)
    assert sum(shares) == total and all(s >= 0 for s in shares)


def test_business_days_of_december_2026():
    # 23 weekdays, less Christmas
    assert business_days(CAL, dt.date(2026, 12, 1), dt.date(2026, 12, 31)) == 22


def test_prorate_collector_joining_mid_month():
    # joins Tuesday 15/12/2026: 15..31 has 13 weekdays, less the 25th = 12 of 22
    assert prorate(D("110000.00"), CAL, DEC_2026, dt.date(2026, 12, 15), None) == D("60000.00")
    assert prorate(D("100000.00"), CAL, DEC_2026, None, dt.date(2026, 12, 4)) == D("18181.82")  # 4 of 22
    assert prorate(D("100000.00"), CAL, DEC_2026, None, None) == D("100000.00")


def test_holder_on_prefers_the_assignment_that_started_last():
    history = [Holding(1, dt.date(2026, 12, 1), dt.date(2026, 12, 10), 1),
               Holding(2, dt.date(2026, 12, 10), None, 2)]
    assert holder_on(history, dt.date(2026, 11, 30)) is None
    assert holder_on(history, dt.date(2026, 12, 9)) == 1
    assert holder_on(history, dt.date(2026, 12, 10)) == 2
    assert holder_on(history, dt.date(2027, 1, 5)) == 2


def test_percent_and_needed_per_day():
    assert percent(D("45250.00"), D("100000.00")) == D("45.3")
    assert percent(D("1.00"), D("0")) is None
    assert needed_per_day(D("100000.00"), D("45250.00"), 7) == D("7821.43")
    assert needed_per_day(D("100.00"), D("150.00"), 3) == D("0.00")
    assert needed_per_day(D("100.00"), D("40.00"), 0) == D("60.00")
