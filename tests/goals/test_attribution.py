"""The attribution rule's worked examples (docs/goals.md, «Regla de atribución»), to the cent:
recovered money in a month = payments with a value date in the month, for the collector who held
the case on the value date, net of reversals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from recupera.goals.models import Recovery
from recupera.goals.selectors import collector_month, month_report, recoveries

MARCH, APRIL = dt.date(2025, 3, 1), dt.date(2025, 4, 1)


@pytest.fixture
def calendar(db):
    from recupera.core.calendar import business_calendar

    return business_calendar()


def reassign(case, user, day):
    from recupera.collections.services import cases_reassign

    cases_reassign(actor=None, cases=[case], collector=user, reason="cambio de cartera", as_of=day)


def rec_of(entry) -> Recovery:
    return Recovery.objects.get(entry=entry)


def test_case_reassigned_mid_month_splits_the_month_by_value_date(make_case, pay, close_goals,
                                                                   collector, collector_b, calendar):
    case = make_case(collector=collector, as_of=dt.date(2025, 3, 3))
    before = pay(case.credit, "1000.00", dt.date(2025, 3, 10))
    reassign(case, collector_b, dt.date(2025, 3, 17))
    same_day = pay(case.credit, "500.00", dt.date(2025, 3, 17))
    after = pay(case.credit, "250.50", dt.date(2025, 3, 20))
    close_goals(dt.date(2025, 3, 20))

    assert rec_of(before).collector == collector
    assert rec_of(same_day).collector == collector_b  # the new holder counts on the day of the change
    assert rec_of(after).collector == collector_b
    assert collector_month(collector, MARCH, calendar).recovered == D("1000.00")
    assert collector_month(collector_b, MARCH, calendar).recovered == D("750.50")
    assert [r.amount for r in recoveries(MARCH, collector_b.pk)] == [D("500.00"), D("250.50")]


def test_payment_before_the_first_assignment_is_sin_gestor(make_credit, pay, close_goals, collector,
                                                           calendar):
    from recupera.collections.services import case_open, cases_reassign

    credit = make_credit(as_of=dt.date(2025, 3, 3))
    early = pay(credit, "300.00", dt.date(2025, 3, 3))
    case = case_open(actor=None, credit=credit, as_of=dt.date(2025, 3, 4), origin="automatico")
    cases_reassign(actor=None, cases=[case], collector=collector, reason="alta", as_of=dt.date(2025, 3, 4))
    later = pay(credit, "200.00", dt.date(2025, 3, 5))
    close_goals(dt.date(2025, 3, 5))

    assert rec_of(early).collector is None and rec_of(early).case_id is None
    assert rec_of(later).collector == collector
    report = month_report(MARCH, calendar)
    assert report.unassigned == D("300.00") and report.unassigned_payments == 1
    assert report.total == D("500.00")
    assert [r.amount for r in recoveries(MARCH, None)] == [D("300.00")]


def test_reversal_in_an_open_month_nets_the_payments_month(make_case, pay, close_goals, collector,
                                                           calendar):
    from recupera.payments.services import payment_reversal_post

    case = make_case(collector=collector, as_of=dt.date(2025, 3, 3))
    kept = pay(case.credit, "900.00", dt.date(2025, 3, 26))
    bounced = pay(case.credit, "200.00", dt.date(2025, 3, 26), channel="caja")
    payment_reversal_post(actor=None, entry=bounced, reason="cheque devuelto",
                          business_date=dt.date(2025, 3, 28))
    close_goals(dt.date(2025, 3, 28))

    rev = Recovery.objects.get(kind="reversal")
    assert (rev.month, rev.day, rev.amount, rev.collector) == (MARCH, dt.date(2025, 3, 26), D("-200.00"), collector)
    assert collector_month(collector, MARCH, calendar).recovered == D("900.00")
    assert kept


def test_reversal_in_the_next_month_counts_in_the_payments_month_while_it_is_open(
        make_case, pay, close_goals, collector, calendar):
    """Bank reports a bounced payment on April 1st, before the first close of April froze March."""
    from recupera.payments.services import payment_reversal_post

    case = make_case(collector=collector, as_of=dt.date(2025, 3, 3))
    entry = pay(case.credit, "800.00", dt.date(2025, 3, 31))
    close_goals(dt.date(2025, 3, 31))
    payment_reversal_post(actor=None, entry=entry, reason="cargo rechazado", business_date=dt.date(2025, 4, 1))
    close_goals(dt.date(2025, 4, 1))  # attributes first, then freezes March

    assert Recovery.objects.get(kind="reversal").month == MARCH
    assert collector_month(collector, MARCH, calendar).recovered == D("0.00")
    assert collector_month(collector, APRIL, calendar).recovered == D("0.00")


def test_reversal_after_the_month_froze_counts_against_the_month_it_happens(
        make_case, pay, close_goals, collector, collector_b, calendar):
    from recupera.payments.services import payment_reversal_post

    case = make_case(collector=collector, as_of=dt.date(2025, 3, 3))
    entry = pay(case.credit, "800.00", dt.date(2025, 3, 25))
    close_goals(dt.date(2025, 3, 31))
    close_goals(dt.date(2025, 4, 1))  # March frozen with $800.00
    reassign(case, collector_b, dt.date(2025, 4, 2))
    payment_reversal_post(actor=None, entry=entry, reason="pago mal aplicado", business_date=dt.date(2025, 4, 3))
    other = pay(case.credit, "100.00", dt.date(2025, 4, 3))
    close_goals(dt.date(2025, 4, 3))

    rev = Recovery.objects.get(kind="reversal")
    # against April, and against the collector who was credited with the payment
    assert (rev.month, rev.day, rev.amount, rev.collector) == (APRIL, dt.date(2025, 4, 3), D("-800.00"), collector)
    assert collector_month(collector, MARCH, calendar).recovered == D("800.00")  # frozen, untouched
    assert collector_month(collector, APRIL, calendar).recovered == D("-800.00")
    assert collector_month(collector_b, APRIL, calendar).recovered == D("100.00")
    assert rec_of(other).collector == collector_b


def test_payroll_deduction_counts_for_the_holder(make_case, pay, close_goals, collector, calendar):
    case = make_case(collector=collector, as_of=dt.date(2025, 3, 3))
    entry = pay(case.credit, "1234.56", dt.date(2025, 3, 14), channel="nomina")
    close_goals(dt.date(2025, 3, 14))

    rec = rec_of(entry)
    assert (rec.collector, rec.channel, rec.amount) == (collector, "nomina", D("1234.56"))
    assert collector_month(collector, MARCH, calendar).recovered == D("1234.56")


def test_one_deposit_split_over_two_credits_counts_for_each_credits_holder(
        make_case, pay, close_goals, collector, collector_b, calendar):
    """One bank deposit of $1,000.00 applied $600.00 to one credit and $400.00 to another whose
    cases two different collectors hold."""
    first = make_case(collector=collector, as_of=dt.date(2025, 3, 3))
    second = make_case(collector=collector_b, as_of=dt.date(2025, 3, 3))
    a = pay(first.credit, "600.00", dt.date(2025, 3, 12), key="banco:op-77:1")
    b = pay(second.credit, "400.00", dt.date(2025, 3, 12), key="banco:op-77:2")
    close_goals(dt.date(2025, 3, 12))

    assert (rec_of(a).collector, rec_of(a).amount) == (collector, D("600.00"))
    assert (rec_of(b).collector, rec_of(b).amount) == (collector_b, D("400.00"))
    assert month_report(MARCH, calendar).total == D("1000.00")


def test_a_payoff_counts_whole_even_when_it_closes_the_case_that_day(make_case, close_goals, collector,
                                                                     calendar):
    from recupera.collections.services import cases_sync
    from recupera.credits.engine_io import credit_state
    from recupera.credits.services import entry_post

    day = dt.date(2025, 3, 18)
    case = make_case(collector=collector, as_of=dt.date(2025, 3, 3))
    payoff = credit_state(case.credit, as_of=day).payoff_amount
    entry, _ = entry_post(actor=None, credit=case.credit, kind="payoff", value_date=day, amount=payoff,
                          natural_key="caja:liquida", channel="caja", as_of=day)
    cases_sync(actor=None, as_of=day)  # the close closes the case (its assignment ends that day)
    case.refresh_from_db()
    assert case.status == "cerrado"
    close_goals(day)

    assert (rec_of(entry).collector, rec_of(entry).kind) == (collector, "payoff")
    assert collector_month(collector, MARCH, calendar).recovered == payoff > D("10000")


def test_late_payment_of_a_frozen_month_counts_in_the_first_open_month(make_case, pay, close_goals,
                                                                       collector, calendar):
    case = make_case(collector=collector, as_of=dt.date(2025, 3, 3))
    close_goals(dt.date(2025, 4, 1))  # March frozen
    late = pay(case.credit, "450.00", dt.date(2025, 3, 28), as_of=dt.date(2025, 4, 2))
    close_goals(dt.date(2025, 4, 2))

    rec = rec_of(late)
    assert (rec.month, rec.day, rec.collector) == (APRIL, dt.date(2025, 4, 2), collector)
    assert collector_month(collector, MARCH, calendar).recovered == D("0.00")
    assert collector_month(collector, APRIL, calendar).recovered == D("450.00")


def test_attribution_is_idempotent(make_case, pay, close_goals, collector, calendar):
    case = make_case(collector=collector, as_of=dt.date(2025, 3, 3))
    pay(case.credit, "100.00", dt.date(2025, 3, 5))
    close_goals(dt.date(2025, 3, 5))
    close_goals(dt.date(2025, 3, 5))
    assert Recovery.objects.count() == 1
    assert collector_month(collector, MARCH, calendar).recovered == D("100.00")
