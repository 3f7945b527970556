"""Properties of the replay, checked with hypothesis on small credits (docs/domain.md §3.9, §3.11,
§3.13, §3.16)."""

import random
from dataclasses import fields
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recupera.engine import BusinessCalendar, CreditState, Disbursement, Event, Terms, credit_state

D = Decimal
START = date(2024, 12, 1)
CAL = BusinessCalendar(frozenset({date(2025, 2, 3), date(2025, 3, 17), date(2025, 5, 1)}))
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PAYING = {"payment", "payoff", "prepayment"}

terms_st = st.builds(
    Terms,
    base_rate=st.sampled_from([D("0"), D("0.06"), D("0.12")]),
    punctual_rate=st.just(D("0.03")),
    late_rate=st.sampled_from([D("0"), D("0.09")]),
    term_months=st.integers(1, 8),
    first_due_date=st.sampled_from([date(2025, 1, 31), date(2025, 1, 15), date(2025, 2, 28)]),
    excellence_rate=st.just(D("0")),
    excellence_threshold=st.just(D("90")),
    academic_average=st.sampled_from([None, D("85"), D("95")]),
)
principal_st = st.integers(10_000, 1_500_000).map(lambda c: D(c) / 100)
event_st = st.tuples(
    st.sampled_from(["payment"] * 6 + ["fee", "discount", "prepayment", "payoff"]),
    st.integers(0, 330),  # value date offset in days
    st.integers(1, 400_000),  # cents
    st.sampled_from(["principal", "interest", "late_interest", "fees"]),
    st.sampled_from(["keep_installment", "keep_term"]),
)


def _events(raw: list[tuple[str, int, int, str, str]]) -> list[Event]:
    return [
        Event(
            id=f"e{n}",
            kind=kind,
            value_date=START + timedelta(days=off),
            seq=n,  # type: ignore[arg-type]
            amount=D(cts) / 100,
            component=comp if kind == "discount" else None,  # type: ignore[arg-type]
            mode=mode if kind == "prepayment" else None,
        )  # type: ignore[arg-type]
        for n, (kind, off, cts, comp, mode) in enumerate(raw)
    ]


def _state(terms: Terms, principal: Decimal, events: list[Event], as_of: date) -> CreditState:
    return credit_state(
        terms=terms,
        disbursements=[Disbursement(1, date(2024, 6, 1), principal)],
        events=events,
        calendar=CAL,
        as_of=as_of,
    )


def _financial(s: CreditState) -> dict[str, object]:
    return {f.name: getattr(s, f.name) for f in fields(s) if f.name != "postings"}


@SETTINGS
@given(terms_st, principal_st, st.lists(event_st, max_size=12), st.integers(0, 400))
def test_money_is_conserved_and_never_overpaid(terms, principal, raw, as_of_off) -> None:  # type: ignore[no-untyped-def]
    """Allocations of each paying posting sum to its amount; no component is negative or paid
    beyond what was owed; every peso received is in an installment, prepaid principal or the
    credit balance."""
    events = _events(raw)
    s = _state(terms, principal, events, START + timedelta(days=as_of_off))
    received = D(0)
    prepaid = D(0)
    for p in s.postings:
        if p.kind in PAYING and p.allocations:
            assert sum(a.amount for a in p.allocations) == p.amount
            received += p.amount
            prepaid += sum(a.amount for a in p.allocations if a.component == "prepaid_principal")
        for a in p.allocations:
            if a.component != "credit_balance":
                assert a.amount > 0
    assert s.credit_balance >= 0
    paid = D(0)
    for r in s.installments:
        for name in (
            "paid_principal",
            "paid_interest",
            "paid_late_interest",
            "paid_fees",
            "rebate",
            "fees",
            "late_interest_accrued",
            "amount_due",
            "discount_principal",
            "discount_interest",
            "discount_late_interest",
            "discount_fees",
            "cancelled_interest",
        ):
            assert getattr(r, name) >= 0, name
        assert r.paid_principal + r.discount_principal <= r.principal
        assert r.paid_fees + r.discount_fees <= r.fees
        if r.status != "cancelled":
            assert (
                r.paid_interest + r.discount_interest + r.rebate + r.cancelled_interest
                <= r.interest
            )
        paid += r.paid_principal + r.paid_interest + r.paid_late_interest + r.paid_fees
    assert paid + prepaid + s.credit_balance == received
    for name in (
        "principal_outstanding",
        "overdue_principal",
        "overdue_interest",
        "late_interest",
        "fees_due",
        "total_overdue",
        "payoff_amount",
    ):
        assert getattr(s, name) >= 0, name


@SETTINGS
@given(terms_st, principal_st, st.lists(event_st, min_size=1, max_size=10), st.data())
def test_reversal_is_as_if_never_posted(terms, principal, raw, data) -> None:  # type: ignore[no-untyped-def]
    events = _events(raw)
    target = data.draw(st.sampled_from(events))
    rev = Event(
        id="rev",
        kind="reversal",
        value_date=target.value_date + timedelta(days=3),
        seq=999,
        reverses=target.id,
    )
    as_of = START + timedelta(days=420)
    with_rev = _state(terms, principal, [*events, rev], as_of)
    without = _state(terms, principal, [e for e in events if e is not target], as_of)
    assert _financial(with_rev) == _financial(without)


@SETTINGS
@given(terms_st, principal_st, st.lists(event_st, max_size=8), st.integers(0, 300))
def test_paying_the_payoff_amount_leaves_nothing_owed(terms, principal, raw, day) -> None:  # type: ignore[no-untyped-def]
    events = _events(raw)
    d = START + timedelta(days=day)
    events = [e for e in events if e.value_date <= d]
    quote = _state(terms, principal, events, d).payoff_amount
    payoff = Event(id="lq", kind="payoff", value_date=d, seq=1000, amount=max(quote, D("0.01")))
    after = _state(terms, principal, [*events, payoff], d + timedelta(days=1))
    assert after.status == "paid_off"
    assert after.payoff_amount == 0
    assert after.total_overdue == 0 and after.principal_outstanding == 0
    later = _state(terms, principal, [*events, payoff], d + timedelta(days=200))
    assert later.payoff_amount == 0 and later.days_past_due == 0


@SETTINGS
@given(terms_st, principal_st, st.lists(event_st, max_size=12), st.randoms(use_true_random=False))
def test_replay_ignores_the_order_events_are_given_in(
    terms, principal, raw, rnd: random.Random
) -> None:  # type: ignore[no-untyped-def]
    events = _events(raw)
    shuffled = list(events)
    rnd.shuffle(shuffled)
    as_of = START + timedelta(days=400)
    assert _state(terms, principal, events, as_of) == _state(terms, principal, shuffled, as_of)
