"""Write-off (castigo) and recoveries after it: worked example to the cent and properties."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from recupera.engine import Disbursement, Event, credit_state
from recupera.engine.agreements import debt_breakdown

from .conftest import AGREEMENT_DATE, AGREEMENT_LOAN, AGREEMENT_TERMS

TERMS, DISB, D0 = AGREEMENT_TERMS, AGREEMENT_LOAN, AGREEMENT_DATE
WRITE_OFF = Event("w", "write_off", D0, 1)


def _state(events, as_of=date(2024, 9, 1)):
    return credit_state(terms=TERMS, disbursements=DISB, events=events, as_of=as_of)


def _by_component(posting) -> dict[str, D]:
    out: dict[str, D] = {}
    for a in posting.allocations:
        out[a.component] = out.get(a.component, D(0)) + a.amount
    return out


def test_write_off_takes_the_debt_at_its_date_off_the_books_per_component_and_installment():
    # 12,000 at 6 % over 12 months from 15/01/2024, nothing paid: debt 12,410.41 at 20/06/2024
    state = _state([WRITE_OFF])
    posting = state.postings[0]
    assert posting.kind == "write_off" and posting.amount == D("12410.41")
    assert _by_component(posting) == {
        "writeoff_late_interest": D("118.78"),  # 38.18 + 30.80 + 23.83 + 16.29 + 8.93 + 0.75
        "writeoff_interest": D("291.63"),  # overdue 286.56 + period interest 5.07
        "writeoff_principal": D("12000.00"),
    }
    first = [(a.installment, a.component, a.amount) for a in posting.allocations[:3]]
    assert first == [(1, "writeoff_late_interest", D("38.18")), (1, "writeoff_interest", D("60.00")),
                     (1, "writeoff_principal", D("972.80"))]
    # the period interest goes to installment 7, whose other 25.38 of interest was never earned
    seventh = state.installments[6]
    assert (seventh.discount_interest, seventh.cancelled_interest) == (D("5.07"), D("25.38"))
    # nothing owed on the books, nothing accrues afterwards, 12,410.41 to recover
    assert state.status == "written_off" and state.written_off_on == D0
    assert state.payoff_amount == 0 and state.late_interest == 0 and state.days_past_due == 0
    assert state.principal_outstanding == 0 and state.written_off == D("12410.41")
    assert {i.status for i in state.installments} == {"cancelled"}
    assert state.paid_off_on is None


def test_a_payment_after_the_write_off_is_a_recovery_oldest_installment_first():
    state = _state([WRITE_OFF, Event("p", "payment", date(2024, 7, 1), 2, D("1000.00"))])
    payment = state.postings[1]
    assert [(a.installment, a.component, a.amount) for a in payment.allocations] == [
        (1, "recovered_late_interest", D("38.18")),
        (1, "recovered_interest", D("60.00")),
        (1, "recovered_principal", D("901.82")),  # 1,000.00 − 38.18 − 60.00
    ]
    assert state.written_off == D("11410.41") and state.payoff_amount == 0
    first = state.installments[0]
    # the installment shows paid what was recovered, forgiven what is still written off
    assert (first.paid_principal, first.discount_principal) == (D("901.82"), D("70.98"))
    assert state.status == "written_off"


def test_recovering_more_than_was_written_off_leaves_a_credit_balance():
    state = _state([WRITE_OFF, Event("p", "payoff", date(2024, 7, 1), 2, D("12500.00"))])
    payoff = state.postings[1]
    assert payoff.rejected_reason == "Crédito castigado: el importe se aplicó como recuperación"
    components = _by_component(payoff)
    assert components["credit_balance"] == D("89.59")  # 12,500.00 − 12,410.41
    assert state.written_off == 0 and state.credit_balance == D("89.59")


def test_charges_and_discounts_after_a_write_off_are_rejected():
    state = _state([WRITE_OFF, Event("f", "fee", date(2024, 7, 1), 2, D("150.00")),
                    Event("d", "discount", date(2024, 7, 1), 3, D("10.00"), component="principal"),
                    Event("w2", "write_off", date(2024, 7, 2), 4)])
    assert [p.allocations for p in state.postings[1:]] == [(), (), ()]
    assert all("castigado" in (p.rejected_reason or "") for p in state.postings[1:])
    assert state.written_off == D("12410.41") and state.fees_due == 0


def test_reversing_the_write_off_restores_the_credit_and_payments_are_ordinary_again():
    payment = Event("p", "payment", date(2024, 7, 1), 2, D("1000.00"))
    undone = _state([WRITE_OFF, payment, Event("r", "reversal", date(2024, 7, 5), 3, reverses="w")])
    never = _state([payment])
    assert undone.status == never.status == "overdue"
    assert undone.payoff_amount == never.payoff_amount and undone.written_off == 0
    assert undone.installments == never.installments


def test_nothing_owed_cannot_be_written_off():
    paid = Event("all", "payoff", D0, 1, D("12410.41"))
    state = _state([paid, Event("w", "write_off", D0, 2)])
    assert state.postings[-1].rejected_reason == "El crédito no tiene adeudo que castigar"
    assert state.status == "paid_off" and state.written_off == 0


def test_a_credit_balance_is_applied_before_writing_off():
    # a prepayment while overdue becomes credit balance (§3.10); the write-off uses it first
    events = [Event("pp", "prepayment", date(2024, 6, 1), 1, D("500.00")),
              Event("w", "write_off", D0, 2)]
    before = _state(events[:1], as_of=D0)
    state = _state(events)
    posting = state.postings[-1]
    components = _by_component(posting)
    assert components["credit_balance"] == D("-500.00")
    assert posting.amount == before.payoff_amount  # the debt net of the balance
    assert sum((a.amount for a in posting.allocations if a.component in
                ("fees", "late_interest", "interest", "principal")), D(0)) == D("500.00")
    assert state.credit_balance == 0 and state.written_off == before.payoff_amount


money = st.integers(min_value=1, max_value=3000_00).map(lambda c: D(c) / 100)


@settings(max_examples=60, deadline=None)
@given(
    amount=st.integers(min_value=1000_00, max_value=90000_00).map(lambda c: D(c) / 100),
    months=st.integers(min_value=0, max_value=30),
    paid=st.integers(min_value=0, max_value=5000_00).map(lambda c: D(c) / 100),
    discount=st.integers(min_value=0, max_value=500_00).map(lambda c: D(c) / 100),
    recoveries=st.lists(money, max_size=4),
)
def test_written_off_is_the_debt_at_its_date_and_recoveries_never_lose_a_cent(
        amount, months, paid, discount, recoveries):
    as_of = date(2024 + months // 12, 1 + months % 12, 20)
    disb = [Disbursement(1, date(2023, 1, 15), amount)]
    events = []
    if paid and as_of >= date(2024, 2, 1):
        events.append(Event("p1", "payment", date(2024, 2, 1), 1, paid))
    if discount and as_of >= date(2024, 3, 1):
        events.append(Event("d1", "discount", date(2024, 3, 1), 2, discount, component="late_interest"))
    debt = debt_breakdown(credit_state(terms=TERMS, disbursements=disb, events=events, as_of=as_of))
    later = [Event(f"r{k}", "payment", as_of, 10 + k, r) for k, r in enumerate(recoveries)]
    state = credit_state(terms=TERMS, disbursements=disb,
                         events=[*events, Event("w", "write_off", as_of, 5), *later], as_of=as_of)
    posting = next(p for p in state.postings if p.event_id == "w")
    if debt.total == 0:
        assert posting.rejected_reason and state.written_off == 0
        return
    # what the debtor pays (nothing, at the write-off) + what is written off = the debt
    assert posting.amount == debt.total
    assert sum((a.amount for a in posting.allocations if a.component.startswith("writeoff_")),
               D(0)) == debt.total
    assert state.payoff_amount == 0 and state.status == "written_off"
    recovered = sum((a.amount for p in state.postings for a in p.allocations
                     if a.component.startswith("recovered_")), D(0))
    assert recovered + state.written_off == debt.total
    assert recovered + state.credit_balance == sum(recoveries, D(0))  # any balance was used


def test_a_waiver_forgives_exactly_the_debt_and_extinguishes_it():
    later_payment = Event("p", "payment", date(2024, 7, 1), 2, D("100.00"))
    state = _state([Event("c", "waiver", D0, 1), later_payment])
    waiver, payment = state.postings
    assert waiver.kind == "waiver" and waiver.amount == D("12410.41")
    assert _by_component(waiver) == {"waived_late_interest": D("118.78"), "waived_interest": D("291.63"),
                                     "waived_principal": D("12000.00")}
    assert state.status == "paid_off" and state.paid_off_on == D0 and state.written_off == 0
    assert state.written_off_on is None
    # money after a waiver is not a recovery: the debt no longer exists, it is to refund
    assert _by_component(payment) == {"credit_balance": D("100.00")}
    assert state.credit_balance == D("100.00")


@settings(max_examples=40, deadline=None)
@given(
    amount=st.integers(min_value=1000_00, max_value=90000_00).map(lambda c: D(c) / 100),
    months=st.integers(min_value=0, max_value=30),
    paid=st.integers(min_value=0, max_value=5000_00).map(lambda c: D(c) / 100),
    fee=st.integers(min_value=0, max_value=800_00).map(lambda c: D(c) / 100),
)
def test_a_waiver_forgives_the_debt_at_its_date_to_the_cent(amount, months, paid, fee):
    as_of = date(2024 + months // 12, 1 + months % 12, 20)
    disb = [Disbursement(1, date(2023, 1, 15), amount)]
    events = []
    if paid and as_of >= date(2024, 2, 1):
        events.append(Event("p1", "payment", date(2024, 2, 1), 1, paid))
    if fee and as_of >= date(2024, 3, 1):
        events.append(Event("f1", "fee", date(2024, 3, 1), 2, fee))
    debt = debt_breakdown(credit_state(terms=TERMS, disbursements=disb, events=events, as_of=as_of))
    state = credit_state(terms=TERMS, disbursements=disb,
                         events=[*events, Event("c", "waiver", as_of, 5)], as_of=as_of)
    posting = next(p for p in state.postings if p.event_id == "c")
    if debt.total == 0:
        assert posting.rejected_reason == "El crédito no tiene adeudo que condonar"
        return
    waived = {c: sum((a.amount for a in posting.allocations if a.component == f"waived_{c}"), D(0))
              for c in ("principal", "interest", "late_interest", "fees")}
    assert posting.amount == sum(waived.values(), D(0)) == debt.total
    if debt.credit_balance == 0:  # else the balance pays the first components (as in a payoff)
        assert waived["principal"] == debt.principal and waived["late_interest"] == debt.late_interest
        assert waived["fees"] == debt.fees and waived["interest"] == debt.interest
    assert state.payoff_amount == 0 and state.status == "paid_off"
