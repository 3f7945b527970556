"""What an agreement actually forgives, per component, and the authority level it needs
(engine.agreements.assess / required_level_for): worked examples to the cent.

The credit is the engine's worked example: 12,000.00 at 6 % (punctual 3 %, late 9 %) over 12
months from 15/01/2024, nothing paid; at 20/06/2024 six installments are overdue and the debt is
12,410.41 = principal 12,000.00 + interest 291.63 (overdue 286.56 + period 5.07) + late
interest 118.78."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from recupera.engine import Event, credit_state
from recupera.engine.agreements import (
    Discounts,
    Limits,
    RestructureTerms,
    assess,
    debt_breakdown,
    exceeds_money,
    forgiveness_limits,
    level_interest,
    off_books,
    prior_forgiveness,
    required_level_for,
)

from .conftest import AGREEMENT_DATE, AGREEMENT_LOAN, AGREEMENT_TERMS

TERMS, DISB, D0 = AGREEMENT_TERMS, AGREEMENT_LOAN, AGREEMENT_DATE
KW = {"terms": TERMS, "disbursements": DISB, "events": [], "as_of": D0}
# The default «Política general» (agreements/0002): late %, interest %, principal %, down %, n
LEVELS = [
    (1, Limits(D(50), D(0), D(0), D(20), 6)),
    (2, Limits(D(100), D(25), D(0), D(10), 12)),
    (3, Limits(D(100), D(100), D(20), D(5), 24)),
    (4, Limits(D(100), D(100), D(50), D(0), 36)),
]


def test_restructure_without_capitalization_forgives_interest_and_late_interest():
    # The CE-2026-00149 fault: no discount asked, yet the restructure itself waives the overdue
    # interest (286.56), the late interest (118.78) and the current period's interest (5.07);
    # the new schedule's first installment (15/07) charges the period again from 15/06 at the
    # punctual rate: 12,000.00 × 3 % / 360 × 5 days = 5.00 still owed at the date.
    f = assess(discounts=Discounts(), restructure=RestructureTerms(
        new_rate=D("0.06"), new_term_months=24, new_first_due_date=date(2024, 7, 15)), **KW)
    assert f.new_principal == D("12000.00")
    assert f.pays == D("12005.00")
    assert f.forgiven == Discounts(late_interest=D("118.78"), interest=D("286.63"),
                                   principal=D("0.00"), fees=D("0"))
    assert f.total == D("405.41") and f.pays + f.total == f.debt.total
    # a collector (0 % interest) cannot authorize it; the Subdirección (100 %) can
    assert required_level_for(LEVELS, f) == 3
    assert exceeds_money(LEVELS[0][1], f) == ["late_interest", "interest"]
    assert exceeds_money(LEVELS[1][1], f) == ["interest"]


def test_restructure_with_capitalization_carries_everything_owed_and_forgives_nothing():
    f = assess(discounts=Discounts(), restructure=RestructureTerms(capitalize_interest=True,
                                                                   new_term_months=24), **KW)
    assert f.new_principal == D("12410.41")  # interest, period interest and late interest included
    assert f.pays == D("12410.41") and f.total == D("0.00")
    assert required_level_for(LEVELS, f) == 1


def test_capitalizing_restructure_with_a_late_interest_discount():
    f = assess(discounts=Discounts(late_interest=D("118.78")),
               restructure=RestructureTerms(capitalize_interest=True, new_term_months=24), **KW)
    assert f.new_principal == D("12291.63")
    assert f.forgiven == Discounts(late_interest=D("118.78"), interest=D("0.00"))
    assert required_level_for(LEVELS, f) == 2  # 100 % of late interest: Jefe de Departamento
    half = assess(discounts=Discounts(late_interest=D("59.39")),
                  restructure=RestructureTerms(capitalize_interest=True, new_term_months=24), **KW)
    assert half.new_principal == D("12351.02") and required_level_for(LEVELS, half) == 1


def test_settlement_that_makes_the_credit_current_forgives_period_interest_too():
    # forgive all late interest, all overdue interest and the overdue principal (5,910.24): the
    # credit is current, so the period interest drops from 6 % to 3 %: 5.07 → 2.54 (2.53 more).
    f = assess(discounts=Discounts(late_interest=D("118.78"), interest=D("286.56"),
                                   principal=D("5910.24")), **KW)
    assert f.pays == D("6092.30")
    assert f.forgiven.interest == D("289.09")  # 286.56 + 2.53
    assert f.forgiven.principal == D("5910.24") and f.forgiven.late_interest == D("118.78")
    assert f.total + f.pays == D("12410.41")
    assert required_level_for(LEVELS, f) == 4  # 49.25 % of the principal


def test_plan_discount_within_a_supervisor_limits():
    f = assess(discounts=Discounts(late_interest=D("118.78"), interest=D("71.64")), **KW)
    assert f.pays == D("12219.99") and f.total == D("190.42")
    # level 2 may forgive 25 % of 291.63 = 72.91 of interest
    assert forgiveness_limits(LEVELS[1][1], f.debt).interest == D("72.91")
    assert required_level_for(LEVELS, f, down_payment_pct=D(10), installments=12) == 2
    assert required_level_for(LEVELS, f, down_payment_pct=D(10), installments=13) == 3
    assert required_level_for(LEVELS, f, down_payment_pct=D(4), installments=12) == 4


def test_money_not_percentages_rounding_a_cent_up_stays_within_the_limit():
    # 50 % of 118.78 = 59.39: exactly the collector's limit; one cent more needs the supervisor
    ok = assess(discounts=Discounts(late_interest=D("59.39")), **KW)
    assert required_level_for(LEVELS, ok) == 1
    more = assess(discounts=Discounts(late_interest=D("59.40")), **KW)
    assert required_level_for(LEVELS, more) == 2


def test_discount_beyond_what_is_owed_is_reported_unapplied():
    f = assess(discounts=Discounts(late_interest=D("200.00")), **KW)
    assert f.discounts.late_interest == D("118.78") and f.unapplied == D("81.22")
    assert f.forgiven.late_interest == D("118.78")


def test_write_off_forgives_the_whole_debt():
    debt = debt_breakdown(credit_state(**KW))
    f = off_books(debt, D0)
    assert f.pays == D("0") and f.total == D("12410.41")
    assert required_level_for(LEVELS, f) is None  # beyond any negotiation limit (50 % principal)


def test_outside_policy_when_no_level_covers_it():
    f = assess(discounts=Discounts(principal=D("6000.01")), **KW)
    assert required_level_for(LEVELS, f) is None


@settings(max_examples=40, deadline=None)
@given(late=st.integers(0, 100), interest=st.integers(0, 100), principal=st.integers(0, 60),
       capitalize=st.booleans(), restructure=st.booleans(), paid=st.integers(0, 3000))
def test_pays_plus_forgiven_is_the_debt_and_components_are_not_negative(late, interest, principal,
                                                                       capitalize, restructure, paid):
    events = [Event(id="p", kind="payment", value_date=date(2024, 3, 1), seq=1,
                    amount=D(paid))] if paid else []
    kw = {**KW, "events": events}
    debt = debt_breakdown(credit_state(**kw))
    discounts = Discounts(late_interest=(debt.late_interest * late / 100).quantize(D("0.01")),
                          interest=(debt.overdue_interest * interest / 100).quantize(D("0.01")),
                          principal=(debt.principal * principal / 100).quantize(D("0.01")))
    f = assess(discounts=discounts, restructure=RestructureTerms(capitalize_interest=capitalize)
               if restructure else None, **kw)
    assert f.pays + f.total == f.debt.total
    assert all(getattr(f.forgiven, c) >= 0 for c in ("late_interest", "interest", "principal", "fees"))
    assert f.forgiven.late_interest <= debt.late_interest and f.forgiven.principal <= debt.principal
    if restructure and capitalize:
        # nothing waived by the restructure itself: only the discounts and their effect on the
        # period's interest
        assert f.forgiven.late_interest == f.discounts.late_interest
        assert f.forgiven.principal == f.discounts.principal
        assert f.new_principal == f.pays + f.debt.credit_balance


def test_level_interest_matches_the_engine_schedule():
    state = credit_state(**KW)
    schedule_interest = sum((i.interest for i in state.schedules[0].installments), D("0"))
    assert level_interest(D("12000.00"), D("0.06"), 12) == schedule_interest == D("393.58")
    assert level_interest(D("12000.00"), D("0"), 12) == D("0")


def test_a_lower_rate_gives_up_future_interest_under_the_interest_limit():
    # capitalizing restructure of 12,410.41 over 24 months: 790.47 of interest at the credit's
    # 6 %, 391.53 at 3 %: the lower rate gives up 398.94 (50.47 %), beyond a jefe's 25 %
    f = assess(discounts=Discounts(), restructure=RestructureTerms(
        capitalize_interest=True, new_rate=D("0.03"), new_term_months=24), **KW)
    assert f.total == D("0.00")  # nothing owed today is forgiven…
    assert f.future_interest == D("790.47") and f.rate_cut == D("398.94")
    assert level_interest(D("12410.41"), D("0.03"), 24) == D("391.53")
    assert exceeds_money(LEVELS[1][1], f) == ["rate"]
    assert required_level_for(LEVELS, f) == 3  # …but the Subdirección must authorize the rate
    same = assess(discounts=Discounts(), restructure=RestructureTerms(
        capitalize_interest=True, new_rate=D("0.06"), new_term_months=24), **KW)
    assert same.rate_cut == D("0") and required_level_for(LEVELS, same) == 1


def test_earlier_agreements_count_against_the_same_limits():
    # an earlier agreement forgave 59.39 of late interest (entry "d1"); a reversed one ("d2")
    # and one before the last restructure ("d0") do not count
    events = [
        Event(id="d0", kind="discount", value_date=date(2024, 2, 1), seq=1, amount=D("5.00"),
              component="late_interest"),
        Event(id="r", kind="restructure", value_date=date(2024, 2, 1), seq=2, capitalize_interest=True),
        Event(id="d1", kind="discount", value_date=date(2024, 5, 1), seq=3, amount=D("59.39"),
              component="late_interest"),
        Event(id="d2", kind="discount", value_date=date(2024, 5, 2), seq=4, amount=D("10.00"),
              component="interest"),
        Event(id="x", kind="reversal", value_date=date(2024, 5, 3), seq=5, reverses="d2"),
    ]
    prior = prior_forgiveness(events, ["d0", "d1", "d2"])
    assert prior == Discounts(late_interest=D("59.39"), interest=D("0"), principal=D("0"), fees=D("0"))
    # with 59.39 already forgiven of 118.78 owed before it, a gestor (50 %) may forgive nothing
    # more of late interest: cap = 50 % × (59.39 + 59.39) − 59.39 = 0.00
    debt = debt_breakdown(credit_state(**{**KW, "events": [
        Event(id="d1", kind="discount", value_date=date(2024, 6, 20), seq=1, amount=D("59.39"),
              component="late_interest")]}))
    assert debt.late_interest == D("59.39")
    assert forgiveness_limits(LEVELS[0][1], debt, prior).late_interest == D("0.00")
    f = assess(discounts=Discounts(late_interest=D("0.01")), prior=prior, **{**KW, "events": [
        Event(id="d1", kind="discount", value_date=date(2024, 6, 20), seq=1, amount=D("59.39"),
              component="late_interest")]})
    assert required_level_for(LEVELS, f) == 2
    assert required_level_for(LEVELS, assess(discounts=Discounts(late_interest=D("0.01")), **KW)) == 1
