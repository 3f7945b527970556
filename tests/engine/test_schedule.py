"""Schedules: principal, interest before repayment, level installment, effective due dates
(docs/domain.md §3.1, §3.2, §3.4, §3.5, §3.6)."""

from datetime import date

from recupera.engine import (
    BusinessCalendar,
    Disbursement,
    Event,
    build_schedule,
    credit_state,
)

from .conftest import D, make_terms


def test_level_installment_12000_at_6_percent_over_60_months() -> None:
    """§3.5. P = 12,000.00, i = 0.06 / 12 = 0.005, n = 60.
    (1.005)^60 = 1.3488501525; A = 12000·0.005·1.34885015 / 0.34885015 = 231.9936 → 231.99.

    | k  | due        | interest                        | principal           | balance after |
    |----|------------|---------------------------------|---------------------|---------------|
    | 1  | 2025-01-31 | 12000.00·0.005 = 60.00          | 231.99−60.00=171.99 | 11828.01      |
    | 2  | 2025-02-28 | 11828.01·0.005 = 59.14005→59.14 | 172.85              | 11655.16      |
    | 60 | 2029-12-31 | 231.09·0.005 = 1.15545 → 1.16   | B59 = 231.09        | 0             |
    Row 60 takes the remaining balance 231.09, so its total 232.25 differs from A by 0.26
    (balances computed by hand with the recurrence B_k = B_{k−1} − (A − round(B_{k−1}·i))).
    """
    s = build_schedule(make_terms(), [Disbursement(1, date(2024, 1, 10), D("12000.00"))])
    assert s.installment_amount == D("231.99")
    rows = s.installments
    assert len(rows) == 60
    assert (rows[0].due_date, rows[0].interest, rows[0].principal) == (
        date(2025, 1, 31),
        D("60.00"),
        D("171.99"),
    )
    assert (rows[1].due_date, rows[1].interest, rows[1].principal) == (
        date(2025, 2, 28),
        D("59.14"),
        D("172.85"),
    )
    assert (rows[58].interest, rows[58].principal) == (D("2.30"), D("229.69"))
    assert (rows[59].due_date, rows[59].interest, rows[59].principal) == (
        date(2029, 12, 31),
        D("1.16"),
        D("231.09"),
    )
    assert sum(r.principal for r in rows) == D("12000.00")
    assert rows[2].due_date == date(2025, 3, 31)  # anchored on the 31st


def test_zero_rate_installment_is_principal_over_n_with_last_adjusted() -> None:
    """§3.5 with i = 0: A = round(1000.00 / 3) = 333.33; the last takes 1000 − 666.66 = 333.34."""
    s = build_schedule(
        make_terms(base_rate=D("0"), punctual_rate=D("0"), term_months=3),
        [Disbursement(1, date(2024, 1, 10), D("1000.00"))],
    )
    assert s.installment_amount == D("333.33")
    assert [(r.principal, r.interest) for r in s.installments] == [
        (D("333.33"), D("0")),
        (D("333.33"), D("0")),
        (D("333.34"), D("0")),
    ]


def test_principal_is_disbursements_minus_principal_repaid() -> None:
    """§3.1: three disbursements of 4,000.00 → 12,000.00 disbursed; paying installment 1 on time
    (171.99 principal + 30.00 reduced interest = 201.99) leaves 12,000.00 − 171.99 = 11,828.01."""
    disb = [Disbursement(n, date(2024, m, 1), D("4000.00")) for n, m in ((1, 1), (2, 3), (3, 6))]
    pay = Event(id="p1", kind="payment", value_date=date(2025, 1, 31), seq=1, amount=D("201.99"))
    st = credit_state(terms=make_terms(), disbursements=disb, events=[pay], as_of=date(2025, 2, 1))
    assert st.principal_disbursed == D("12000.00")
    assert st.principal_outstanding == D("11828.01")


def test_capitalized_interest_before_repayment() -> None:
    """§3.2 capitalize: first due 2025-03-15 → interest runs to 2025-02-15.
    10,000.00 from 2024-01-15: 397 days (366 to 2025-01-15, 2024 is leap, + 31):
    10000·0.06·397/360 = 661.6666…; 5,000.00 from 2024-07-15: 184 + 31 = 215 days:
    5000·0.06·215/360 = 179.1666…; total 840.8333… → 840.83; principal 15,840.83."""
    terms = make_terms(
        first_due_date=date(2025, 3, 15), interest_before_repayment="capitalize", term_months=12
    )
    s = build_schedule(
        terms,
        [
            Disbursement(1, date(2024, 1, 15), D("10000.00")),
            Disbursement(2, date(2024, 7, 15), D("5000.00")),
        ],
    )
    assert s.capitalized_interest == D("840.83")
    assert s.principal == D("15840.83")
    assert sum(r.principal for r in s.installments) == D("15840.83")
    none = build_schedule(
        make_terms(first_due_date=date(2025, 3, 15), term_months=12),
        [
            Disbursement(1, date(2024, 1, 15), D("10000.00")),
            Disbursement(2, date(2024, 7, 15), D("5000.00")),
        ],
    )
    assert none.principal == D("15000.00")


def test_effective_due_dates_move_over_weekends_and_closed_days() -> None:
    """§3.6: due 2025-03-15 (Saturday), 2025-03-17 closed (holiday) → effective 2025-03-18;
    due 2025-04-15 (Tuesday) stays; 2025-02-15 (Saturday, weekends only) → 2025-02-17."""
    cal = BusinessCalendar(frozenset({date(2025, 3, 17)}))
    s = build_schedule(
        make_terms(first_due_date=date(2025, 3, 15), term_months=2),
        [Disbursement(1, date(2024, 1, 10), D("2000.00"))],
        cal,
    )
    assert [(r.due_date, r.effective_due_date) for r in s.installments] == [
        (date(2025, 3, 15), date(2025, 3, 18)),
        (date(2025, 4, 15), date(2025, 4, 15)),
    ]
    s2 = build_schedule(
        make_terms(first_due_date=date(2025, 2, 15), term_months=1),
        [Disbursement(1, date(2024, 1, 10), D("2000.00"))],
    )
    assert s2.installments[0].effective_due_date == date(2025, 2, 17)
