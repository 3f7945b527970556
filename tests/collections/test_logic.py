"""Stage by days past due and the queue priority, as worked examples."""

import datetime as dt
from decimal import Decimal

from recupera.collections import logic
from recupera.collections.logic import PriorityFacts, StageLimits, priority_for, stage_for

AS_OF = dt.date(2026, 3, 10)


def test_stage_by_days_past_due_with_configurable_cuts():
    limits = StageLimits()
    assert [stage_for(d, limits) for d in (0, 1, 30, 31, 90, 91, 2000)] == [
        "preventiva", "temprana", "temprana", "tardia", "tardia", "extrajudicial", "extrajudicial"]
    assert stage_for(20, StageLimits(early_from_dpd=1, late_from_dpd=15, extrajudicial_from_dpd=60)) == "tardia"


def test_priority_adds_transparent_points_with_reasons():
    score, reasons = priority_for(PriorityFacts(days_past_due=60, balance=Decimal("25000.00")), as_of=AS_OF)
    assert [(r.code, r.points) for r in reasons] == [("atraso", 20), ("saldo", 5)]
    assert score == 25
    assert reasons[0].label == "Atraso de 31 a 60 días"
    assert reasons[1].label == "Saldo para liquidar de $25,000.00 o más"


def test_points_and_reasons_move_by_bands_not_day_by_day():
    """A case keeps its score and reasons for weeks (so the daily close rewrites only the cases
    that changed band): 30 days of delay, 30 days to prescription, $5,000 of balance."""
    def on(dpd: int, balance: str, day: int):
        return priority_for(PriorityFacts(days_past_due=dpd, balance=Decimal(balance),
                                          prescription_date=AS_OF + dt.timedelta(days=120)),
                            as_of=AS_OF + dt.timedelta(days=day))

    assert on(31, "12000.00", 0) == on(45, "12150.30", 14) == on(60, "14999.99", 29)
    assert on(61, "12000.00", 0)[0] == on(60, "12000.00", 0)[0] + 10
    assert on(1, "0", 0)[1][1].label == "Atraso de 1 a 30 días"
    assert on(331, "0", 0)[1][1] == on(900, "0", 0)[1][1]
    assert on(331, "0", 0)[1][1].label == "Atraso de más de 330 días"
    assert on(331, "0", 0)[1][1].points == 120
    assert on(10, "250000", 0)[1][2].points == 40
    assert on(10, "250000", 0)[1][2].label == "Saldo para liquidar de $200,000.00 o más"


def test_a_broken_promise_puts_the_case_on_top():
    quiet, _ = priority_for(PriorityFacts(days_past_due=400, balance=Decimal("200000")), as_of=AS_OF)
    broken, reasons = priority_for(PriorityFacts(days_past_due=10, balance=Decimal("1000"),
                                                 broken_promise_on=AS_OF), as_of=AS_OF)
    assert broken > quiet
    assert reasons[0].label == "Promesa incumplida el 10/03/2026"


def test_promise_due_today_deadlines_and_prescription():
    score, reasons = priority_for(PriorityFacts(
        days_past_due=0, balance=Decimal("0"), promise_due_on=AS_OF,
        first_contact_due=AS_OF - dt.timedelta(days=1),
        prescription_date=AS_OF + dt.timedelta(days=90)), as_of=AS_OF)
    assert [r.code for r in reasons] == ["promesa_hoy", "plazo_primer_contacto", "prescripcion"]
    assert reasons[2].points == 51  # 90 days left: band 4 of 7
    assert reasons[2].label == "Pagaré prescribe el 08/06/2026"
    assert score == 100 + 80 + 51


def test_add_business_days_skips_weekends():
    friday = dt.date(2026, 3, 13)
    weekday = lambda d: d.weekday() < 5  # noqa: E731
    assert logic.add_business_days(friday, 1, weekday) == dt.date(2026, 3, 16)
    assert logic.add_business_days(friday, 3, weekday) == dt.date(2026, 3, 18)
    assert logic.add_business_days(dt.date(2026, 3, 14), 0, weekday) == dt.date(2026, 3, 16)
