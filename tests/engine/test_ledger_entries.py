"""Reversal, discounts, restructure, fees and replay order (docs/domain.md §3.13–§3.16)."""

from dataclasses import fields
from datetime import date

from recupera.engine import CreditState, Event, Terms, credit_state

from .conftest import LOAN, TERMS, D, payment


def _financial(st: CreditState) -> dict[str, object]:
    return {f.name: getattr(st, f.name) for f in fields(st) if f.name != "postings"}


def test_reversal_leaves_the_credit_as_if_never_posted() -> None:
    """§3.13: p2 (500.00 on 2025-02-10) bounces, reversed on 2025-02-12. As of 2025-03-10 every
    financial figure equals the ledger without p2; p2 stays in the history, marked."""
    p1 = payment("p1", date(2025, 1, 31), "201.99", 1)
    p2 = payment("p2", date(2025, 2, 10), "500.00", 2)
    rev = Event(id="r2", kind="reversal", value_date=date(2025, 2, 12), seq=3, reverses="p2")
    with_rev = credit_state(
        terms=TERMS, disbursements=LOAN, events=[p1, p2, rev], as_of=date(2025, 3, 10)
    )
    without = credit_state(terms=TERMS, disbursements=LOAN, events=[p1], as_of=date(2025, 3, 10))
    assert _financial(with_rev) == _financial(without)
    assert with_rev.days_past_due == 10  # row 2 (2025-02-28) is unpaid again
    marked = next(p for p in with_rev.postings if p.event_id == "p2")
    assert (marked.allocations, marked.rejected_reason) == ((), "reversado")
    reversal = next(p for p in with_rev.postings if p.event_id == "r2")
    assert (reversal.kind, reversal.amount) == ("reversal", D("500.00"))
    before = credit_state(
        terms=TERMS, disbursements=LOAN, events=[p1, p2, rev], as_of=date(2025, 2, 11)
    )
    assert before.installments[1].paid_principal > 0  # not yet reversed on 2025-02-11


def test_discount_waives_late_interest_and_forgives_principal() -> None:
    """§3.14 at 2025-02-10, row 1 overdue 10 days: late 0.429975 → 0.43 waived entirely;
    a quita of 100.00 principal leaves row 1 with 171.99 − 100.00 = 71.99 unpaid principal."""
    events = [
        Event(
            id="w",
            kind="discount",
            value_date=date(2025, 2, 10),
            seq=1,
            amount=D("0.43"),
            component="late_interest",
        ),
        Event(
            id="q",
            kind="discount",
            value_date=date(2025, 2, 10),
            seq=2,
            amount=D("100.00"),
            component="principal",
        ),
    ]
    st = credit_state(terms=TERMS, disbursements=LOAN, events=events, as_of=date(2025, 2, 10))
    row = st.installments[0]
    assert (row.late_interest_accrued, row.discount_late_interest) == (D("0"), D("0.43"))
    assert (row.discount_principal, st.overdue_principal) == (D("100.00"), D("71.99"))
    w = next(p for p in st.postings if p.event_id == "w")
    assert [(a.installment, a.component, a.amount) for a in w.allocations] == [
        (1, "discount_late_interest", D("0.43"))
    ]
    assert st.total_overdue == D("71.99") + D("60.00")


def test_restructure_capitalizing_everything_owed() -> None:
    """§3.15 at 2025-03-03, nothing paid: unpaid principal 12,000.00; interest of rows due
    60.00 + 59.14 = 119.14; late row 1: 171.99·0.00025·31 = 1.3329225 → 1.33, row 2:
    172.85·0.00025·3 = 0.1296375 → 0.13. New principal 12,120.60, 12 months @ 6 % from
    2025-04-15: (1.005)^12 = 1.0616778; A = 12120.60·0.005·1.0616778/0.0616778 = 1043.18;
    row 1 interest 60.603 → 60.60, principal 982.58."""
    rs = Event(
        id="rs",
        kind="restructure",
        value_date=date(2025, 3, 3),
        seq=1,
        new_term_months=12,
        new_first_due_date=date(2025, 4, 15),
        capitalize_interest=True,
    )
    st = credit_state(terms=TERMS, disbursements=LOAN, events=[rs], as_of=date(2025, 3, 4))
    v2 = st.schedules[1]
    assert (v2.reason, v2.principal, v2.installment_amount) == (
        "restructure",
        D("12120.60"),
        D("1043.18"),
    )
    assert (v2.installments[0].interest, v2.installments[0].principal) == (D("60.60"), D("982.58"))
    assert all(r.status == "cancelled" for r in st.installments if r.schedule_version == 1)
    assert st.principal_outstanding == D("12120.60")
    assert (st.days_past_due, st.status, st.total_overdue) == (0, "current", D("0"))
    posting = next(p for p in st.postings if p.event_id == "rs")
    got = {(a.installment, a.component): a.amount for a in posting.allocations}
    assert got[(1, "capitalized_interest")] == D("60.00")
    assert got[(2, "capitalized_interest")] == D("59.14")
    assert got[(1, "capitalized_late_interest")] == D("1.33")
    assert got[(2, "capitalized_late_interest")] == D("0.13")


def test_restructure_without_capitalizing_keeps_the_principal_only() -> None:
    """Same date, capitalize_interest False: principal 12,000.00; 12 @ 6 %: A = 1032.80,
    row 1 60.00 / 972.80. Interest and late interest are waived in the restructure posting."""
    rs = Event(
        id="rs",
        kind="restructure",
        value_date=date(2025, 3, 3),
        seq=1,
        new_term_months=12,
        new_first_due_date=date(2025, 4, 15),
    )
    st = credit_state(terms=TERMS, disbursements=LOAN, events=[rs], as_of=date(2025, 3, 4))
    v2 = st.schedules[1]
    assert (v2.principal, v2.installment_amount) == (D("12000.00"), D("1032.80"))
    posting = next(p for p in st.postings if p.event_id == "rs")
    assert any(a.component == "waived_interest" for a in posting.allocations)


def test_late_arriving_earlier_payment_is_replayed_in_its_place() -> None:
    """§3.16: b (202.42 on 2025-02-28) was posted first (seq 1); a (201.99, value 2025-01-31)
    arrives later (seq 2). Replay by value date: a closes row 1 on time (rebate 30.00), b closes
    row 2 on time (172.85 + 29.57; rebate 29.57). Without a, b would have gone to row 1, 28 days
    late: late 171.99·0.00025·28 = 1.20393 → 1.20, interest 60.00, principal 141.22."""
    a = payment("a", date(2025, 1, 31), "201.99", 2)
    b = payment("b", date(2025, 2, 28), "202.42", 1)
    st = credit_state(terms=TERMS, disbursements=LOAN, events=[b, a], as_of=date(2025, 3, 1))
    assert [p.event_id for p in st.postings] == ["a", "a/rebate", "b", "b/rebate"]
    assert [r.status for r in st.installments[:2]] == ["paid", "paid"]
    assert [r.rebate for r in st.installments[:2]] == [D("30.00"), D("29.57")]
    alone = credit_state(terms=TERMS, disbursements=LOAN, events=[b], as_of=date(2025, 3, 1))
    posting = alone.postings[0]
    assert [(a.installment, a.component, a.amount) for a in posting.allocations] == [
        (1, "late_interest", D("1.20")),
        (1, "interest", D("60.00")),
        (1, "principal", D("141.22")),
    ]


def test_status_before_repayment() -> None:
    terms = Terms(
        base_rate=D("0.06"),
        punctual_rate=D("0.03"),
        late_rate=D("0.09"),
        term_months=60,
        end_of_studies=date(2024, 7, 31),
        grace_months=6,
    )
    studying = credit_state(terms=terms, disbursements=LOAN, events=[], as_of=date(2024, 7, 1))
    grace = credit_state(terms=terms, disbursements=LOAN, events=[], as_of=date(2024, 9, 1))
    assert (studying.status, grace.status) == ("studying", "grace")
    assert grace.first_due_date == date(2025, 1, 31)
    assert grace.next_due_date == date(2025, 1, 31)
