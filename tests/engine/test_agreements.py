"""Worked examples (to the cent) and properties of the agreements arithmetic."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from recupera.engine import Disbursement, Event, credit_state
from recupera.engine.agreements import (
    DiscountPercents,
    Discounts,
    Limits,
    debt_breakdown,
    discount_events,
    discounts_for,
    plan_progress,
    plan_split,
    quote_with_discounts,
    required_level,
)

from .conftest import AGREEMENT_DATE, AGREEMENT_LOAN, AGREEMENT_TERMS

TERMS, DISB, D0 = AGREEMENT_TERMS, AGREEMENT_LOAN, AGREEMENT_DATE


def test_debt_at_agreement_date_is_the_payoff_split_by_component():
    # 12,000 at 6 % over 12 months from 15/01/2024, nothing paid; at 20/06/2024 six are overdue.
    state = credit_state(terms=TERMS, disbursements=DISB, events=[], as_of=D0)
    debt = debt_breakdown(state)
    assert debt.total == D("12410.41")
    assert debt.principal == D("12000.00")
    assert debt.overdue_interest == D("286.56")  # 60.00 + 55.14 + 50.25 + 45.33 + 40.40 + 35.44
    # period interest: 6,089.76 not yet due × 6 % / 360 × 5 days (15/06 → 20/06) = 5.07
    assert debt.interest == D("291.63")
    # installment 1: 972.80 × 9 % / 360 × 157 days = 38.18, and so on
    assert debt.late_interest == D("118.78")


def test_settlement_quote_worked_example():
    state = credit_state(terms=TERMS, disbursements=DISB, events=[], as_of=D0)
    discounts = discounts_for(debt_breakdown(state),
                              DiscountPercents(late_interest=D(100), interest=D(50), principal=D(10)))
    assert discounts == Discounts(late_interest=D("118.78"), interest=D("143.28"),
                                  principal=D("1200.00"), fees=D("0.00"))
    quote = quote_with_discounts(terms=TERMS, disbursements=DISB, events=[], discounts=discounts,
                                 as_of=D0)
    assert quote.pays == D("10948.35")  # 12,410.41 − 118.78 − 143.28 − 1,200.00
    assert quote.forgiven == D("1462.06")
    assert quote.interest_adjustment == D("0.00")


def test_forgiving_everything_overdue_lowers_the_period_interest_to_the_punctual_rate():
    state = credit_state(terms=TERMS, disbursements=DISB, events=[], as_of=D0)
    debt = debt_breakdown(state)
    # forgive all late interest, all overdue interest and the overdue principal (5,910.24)
    discounts = Discounts(late_interest=debt.late_interest, interest=debt.overdue_interest,
                          principal=D("5910.24"))
    quote = quote_with_discounts(terms=TERMS, disbursements=DISB, events=[], discounts=discounts,
                                 as_of=D0)
    # period interest at 3 % instead of 6 %: 6,089.76 × 3 % / 360 × 5 = 2.54 (5.07 − 2.53)
    assert quote.interest_adjustment == D("2.53")
    assert quote.pays == D("6092.30")
    assert quote.pays + quote.forgiven == debt.total


def test_plan_split_down_payment_level_installments_last_takes_remainder():
    split = plan_split(total=D("10000.00"), down_payment=D("1000.00"), installments=7,
                       down_payment_date=D0, first_due_date=date(2024, 7, 31))
    amounts = [i.amount for i in split.installments]
    assert amounts == [D("1000.00")] + [D("1285.71")] * 6 + [D("1285.74")]
    assert sum(amounts) == D("10000.00")
    assert [i.due_date for i in split.installments][1:4] == [date(2024, 7, 31), date(2024, 8, 31),
                                                             date(2024, 9, 30)]


def test_plan_progress_counts_missed_installments_oldest_first():
    split = plan_split(total=D("3000.00"), down_payment=D("600.00"), installments=3,
                       down_payment_date=date(2024, 1, 10), first_due_date=date(2024, 2, 10))
    assert plan_progress(split, D("600.00"), date(2024, 2, 10)) == (0, D("0"))
    assert plan_progress(split, D("600.00"), date(2024, 3, 11)) == (2, D("1600.00"))
    assert plan_progress(split, D("1400.00"), date(2024, 3, 11), tolerance_days=5) == (0, D("0"))


def test_required_level_is_the_lowest_that_covers_the_offer():
    levels = [
        (1, Limits(D(50), D(0), D(0), D(20), 6)),
        (2, Limits(D(100), D(25), D(0), D(10), 12)),
        (3, Limits(D(100), D(100), D(30), D(5), 24)),
    ]
    assert required_level(levels, DiscountPercents(late_interest=D(50)), installments=6,
                          down_payment_pct=D(20)) == 1
    assert required_level(levels, DiscountPercents(late_interest=D(80))) == 2
    assert required_level(levels, DiscountPercents(principal=D(10))) == 3
    assert required_level(levels, DiscountPercents(principal=D(31))) is None
    assert required_level(levels, DiscountPercents(), installments=36) is None


pct = st.integers(min_value=0, max_value=100).map(D)


@settings(max_examples=60, deadline=None)
@given(
    amount=st.integers(min_value=1000_00, max_value=90000_00).map(lambda c: D(c) / 100),
    months_late=st.integers(min_value=0, max_value=30),
    paid=st.integers(min_value=0, max_value=5000_00).map(lambda c: D(c) / 100),
    late=pct, interest=pct, principal=pct,
)
def test_debtor_pays_plus_forgiven_is_the_debt_and_paying_it_settles(amount, months_late, paid,
                                                                      late, interest, principal):
    as_of = date(2024, 1 + months_late % 12, 20).replace(year=2024 + months_late // 12)
    disb = [Disbursement(1, date(2023, 1, 15), amount)]
    events = [Event("p1", "payment", date(2024, 2, 1), 1, paid)] if paid and as_of >= date(2024, 2, 1) else []
    state = credit_state(terms=TERMS, disbursements=disb, events=events, as_of=as_of)
    debt = debt_breakdown(state)
    discounts = discounts_for(debt, DiscountPercents(late_interest=late, interest=interest,
                                                     principal=principal))
    quote = quote_with_discounts(terms=TERMS, disbursements=disb, events=events,
                                 discounts=discounts, as_of=as_of)
    assert quote.pays + quote.forgiven == debt.total
    assert quote.discounts.principal == discounts.principal
    assert quote.discounts.late_interest == discounts.late_interest
    assert quote.interest_adjustment >= 0
    if quote.pays > 0:  # paying the agreed amount as a payoff leaves nothing owed
        posted = [*events, *discount_events(discounts, value_date=as_of, first_seq=10),
                  Event("settle", "payoff", as_of, 20, quote.pays)]
        final = credit_state(terms=TERMS, disbursements=disb, events=posted, as_of=as_of)
        assert final.payoff_amount == 0
        assert final.credit_balance == 0
