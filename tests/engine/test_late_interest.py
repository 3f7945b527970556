"""Late interest (docs/domain.md §3.8)."""

from datetime import date

from recupera.engine import Event, credit_state
from recupera.engine.late_interest import late_interest

from .conftest import LOAN, TERMS, D


def test_late_interest_counts_calendar_days_after_the_effective_due_date() -> None:
    """No payment. As of 2025-03-02:
    | row | effective due | days | unpaid principal | late = P·0.09/360·days      |
    |-----|---------------|------|------------------|-----------------------------|
    | 1   | 2025-01-31    | 30   | 171.99           | 1.289925 → 1.29             |
    | 2   | 2025-02-28    | 2    | 172.85           | 0.086425 → 0.09             |
    Never on interest: the 60.00 and 59.14 overdue interest earn nothing."""
    st = credit_state(terms=TERMS, disbursements=LOAN, events=[], as_of=date(2025, 3, 2))
    assert [r.late_interest_accrued for r in st.installments[:3]] == [D("1.29"), D("0.09"), D("0")]
    assert st.late_interest == D("1.38")
    on_due = credit_state(terms=TERMS, disbursements=LOAN, events=[], as_of=date(2025, 1, 31))
    assert on_due.late_interest == D("0") and on_due.days_past_due == 0


def test_late_interest_is_piecewise_as_unpaid_principal_changes() -> None:
    """Row 1 unpaid; 100.00 on 2025-02-10 (10 days): late 171.99·0.00025·10 = 0.429975 → 0.43
    posted; interest 60.00; principal 39.57 → unpaid 132.42. To 2025-02-20 another 10 days on
    132.42: 0.33105. Exact total 0.761025 → 0.76, minus 0.43 paid = 0.33 owed."""
    pay = Event(id="p1", kind="payment", value_date=date(2025, 2, 10), seq=1, amount=D("100.00"))
    st = credit_state(terms=TERMS, disbursements=LOAN, events=[pay], as_of=date(2025, 2, 20))
    row = st.installments[0]
    assert (row.paid_late_interest, row.paid_interest, row.paid_principal) == (
        D("0.43"),
        D("60.00"),
        D("39.57"),
    )
    assert row.late_interest_accrued == D("0.33")


def test_late_interest_helper_is_exact_and_simple() -> None:
    """171.99 · 0.09 / 360 · 10 = 0.429975 exactly (not rounded), 0 for no days."""
    assert late_interest(D("171.99"), D("0.09"), 10) == D("0.429975")
    assert late_interest(D("171.99"), D("0.09"), 0) == 0
