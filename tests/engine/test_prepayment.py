"""Prepayment to principal (docs/domain.md §3.10).

Credit: 3,000.00 @ 12 % (i = 0.01), 3 months, first due 2025-01-15 (Wednesday), punctual 6 %.
(1.01)^3 = 1.030301; A = 3000·0.01·1.030301/0.030301 = 1020.0663 → 1020.07.

| k | due        | effective  | interest              | principal | balance |
|---|------------|------------|-----------------------|-----------|---------|
| 1 | 2025-01-15 | 2025-01-15 | 30.00                 | 990.07    | 2009.93 |
| 2 | 2025-02-15 | 2025-02-17 | 20.0993 → 20.10       | 999.97    | 1009.96 |
| 3 | 2025-03-15 | 2025-03-17 | 10.0996 → 10.10       | 1009.96   | 0       |

Row 1 closes on time with 990.07 + 30.00 − 15.00 = 1005.07. A prepayment of 1,000.00 on
2025-01-20 reduces the untouched future block (rows 2–3, principal 2,009.93) to 1,009.93.
"""

from datetime import date
from decimal import Decimal

from recupera.engine import Disbursement, Event, Terms, credit_state

D = Decimal
LOAN = [Disbursement(1, date(2024, 1, 10), D("3000.00"))]
TERMS = Terms(
    base_rate=D("0.12"),
    punctual_rate=D("0.06"),
    late_rate=D("0.18"),
    term_months=3,
    first_due_date=date(2025, 1, 15),
)
PAY_1 = Event(id="p1", kind="payment", value_date=date(2025, 1, 15), seq=1, amount=D("1005.07"))


def _prepay(mode: str | None) -> Event:
    return Event(
        id="pp",
        kind="prepayment",
        value_date=date(2025, 1, 20),
        seq=2,
        amount=D("1000.00"),
        mode=mode,
    )  # type: ignore[arg-type]


def test_prepayment_keep_installment_shortens_the_term() -> None:
    """keep_installment (default), A = 1020.07: new balance 1009.93, interest 1009.93·0.01 =
    10.0993 → 10.10; A − 10.10 = 1009.97 ≥ 1009.93 so one last installment: 1009.93 + 10.10 =
    1020.03, due 2025-02-15. Rows 2–3 of version 1 are cancelled; version 2 is kept in history."""
    st = credit_state(
        terms=TERMS, disbursements=LOAN, events=[PAY_1, _prepay(None)], as_of=date(2025, 1, 21)
    )
    assert [s.version for s in st.schedules] == [1, 2]
    v2 = st.schedules[1]
    assert (v2.reason, v2.principal, v2.installment_amount) == (
        "prepayment",
        D("1009.93"),
        D("1020.07"),
    )
    assert [(r.number, r.due_date, r.principal, r.interest) for r in v2.installments] == [
        (2, date(2025, 2, 15), D("1009.93"), D("10.10"))
    ]
    assert [(r.schedule_version, r.number, r.status) for r in st.installments] == [
        (1, 1, "paid"),
        (1, 2, "cancelled"),
        (1, 3, "cancelled"),
        (2, 2, "pending"),
    ]
    assert st.principal_outstanding == D("1009.93")
    pp = next(p for p in st.postings if p.event_id == "pp")
    assert [(a.installment, a.component, a.amount) for a in pp.allocations] == [
        (None, "prepaid_principal", D("1000.00"))
    ]
    assert st.schedule_version == 2


def test_prepayment_keep_term_lowers_the_installment() -> None:
    """keep_term, n = 2: A' = 1009.93·0.01·1.0201/0.0201 = 512.552 → 512.55.
    | k | interest              | principal | balance |
    | 2 | 10.10                 | 502.45    | 507.48  |
    | 3 | 507.48·0.01 → 5.07    | 507.48    | 0       |"""
    st = credit_state(
        terms=TERMS,
        disbursements=LOAN,
        events=[PAY_1, _prepay("keep_term")],
        as_of=date(2025, 1, 21),
    )
    v2 = st.schedules[1]
    assert v2.installment_amount == D("512.55")
    assert [(r.number, r.principal, r.interest) for r in v2.installments] == [
        (2, D("502.45"), D("10.10")),
        (3, D("507.48"), D("5.07")),
    ]
    assert st.installment_amount == D("512.55")


def test_prepayment_is_refused_while_overdue_and_money_is_kept() -> None:
    """Row 1 (effective 2025-01-15) unpaid on 2025-01-20: the prepayment is rejected with a
    Spanish reason and 1,000.00 stays as credit balance; the schedule is not re-amortized."""
    st = credit_state(
        terms=TERMS, disbursements=LOAN, events=[_prepay(None)], as_of=date(2025, 1, 21)
    )
    pp = next(p for p in st.postings if p.event_id == "pp")
    assert pp.rejected_reason is not None and "vencido" in pp.rejected_reason
    assert [(a.installment, a.component, a.amount) for a in pp.allocations] == [
        (None, "credit_balance", D("1000.00"))
    ]
    assert st.credit_balance == D("1000.00")
    assert len(st.schedules) == 1
    assert st.principal_outstanding == D("3000.00")


def test_prepayment_keeps_installments_already_paid_ahead() -> None:
    """Paying 1,300.00 on 2025-01-15 closes row 1 (1005.07) and puts 294.93 ahead into row 2
    (reduced interest 20.10 − 10.05 = 10.05, principal 284.88). Row 2 is kept as it is; only
    row 3 (1009.96) is re-amortized: 1009.96 − 1000.00 = 9.96, keep_installment → one row of
    9.96 + 9.96·0.01 (0.0996 → 0.10)."""
    pay = Event(id="p1", kind="payment", value_date=date(2025, 1, 15), seq=1, amount=D("1300.00"))
    st = credit_state(
        terms=TERMS, disbursements=LOAN, events=[pay, _prepay(None)], as_of=date(2025, 1, 21)
    )
    v2 = st.schedules[1]
    assert [(r.number, r.principal, r.interest) for r in v2.installments] == [
        (3, D("9.96"), D("0.10"))
    ]
    row2 = next(r for r in st.installments if r.number == 2 and r.schedule_version == 1)
    assert (row2.status, row2.paid_interest, row2.paid_principal) == (
        "partial",
        D("10.05"),
        D("284.88"),
    )
    assert st.principal_outstanding == D("999.97") - D("284.88") + D("9.96")
