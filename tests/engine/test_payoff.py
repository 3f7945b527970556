"""Payoff amount and payoff operation (docs/domain.md §3.11), 12,000.00 @ 6 %, 60 months."""

from datetime import date, timedelta

from recupera.engine import Event, credit_state

from .conftest import LOAN, TERMS, D

PAY_1 = Event(id="p1", kind="payment", value_date=date(2025, 1, 31), seq=1, amount=D("201.99"))


def test_payoff_when_current_uses_the_tier_rate() -> None:
    """Row 1 paid on time. At 2025-02-10: not-yet-due principal 12000 − 171.99 = 11,828.01;
    period interest at 3 % for 10 days since 2025-01-31: 11828.01·0.03/360·10 = 9.856675 → 9.86;
    payoff = 11,828.01 + 9.86 = 11,837.87."""
    st = credit_state(terms=TERMS, disbursements=LOAN, events=[PAY_1], as_of=date(2025, 2, 10))
    assert st.payoff_amount == D("11837.87")


def test_payoff_when_overdue_uses_the_base_rate() -> None:
    """No payment, at 2025-02-10: row 1 overdue: 171.99 + 60.00 + late 0.429975 → 0.43;
    future principal 11,828.01 at 6 % for 10 days: 19.71335 → 19.71.
    payoff = 171.99 + 60.00 + 0.43 + 11828.01 + 19.71 = 12,080.14."""
    st = credit_state(terms=TERMS, disbursements=LOAN, events=[], as_of=date(2025, 2, 10))
    assert st.payoff_amount == D("12080.14")


def test_payoff_before_the_first_due_date() -> None:
    """At 2025-01-10 the period starts one month before the first due date (2024-12-31):
    12000·0.03/360·10 = 10.00 → payoff 12,010.00. A credit balance is subtracted."""
    st = credit_state(terms=TERMS, disbursements=LOAN, events=[], as_of=date(2025, 1, 10))
    assert st.payoff_amount == D("12010.00")


def test_payoff_on_a_due_date_still_payable_on_time_uses_the_reduced_interest() -> None:
    """At 2025-01-31 row 1 is due but on time: 171.99 + (60.00 − 30.00); no period interest
    (the latest due date is today): payoff = 11,828.01 + 201.99 = 12,030.00."""
    st = credit_state(terms=TERMS, disbursements=LOAN, events=[], as_of=date(2025, 1, 31))
    assert st.payoff_amount == D("12030.00")


def test_payoff_operation_leaves_nothing_owed() -> None:
    """Paying exactly 11,837.87 as a payoff on 2025-02-10 settles the credit: rows 2–60 get
    their principal paid, row 2 the 9.86 period interest, and the rest of their interest is
    cancelled (status "cancelled"). The next day: paid_off, payoff 0, nothing overdue."""
    payoff = Event(
        id="lq", kind="payoff", value_date=date(2025, 2, 10), seq=2, amount=D("11837.87")
    )
    st = credit_state(
        terms=TERMS, disbursements=LOAN, events=[PAY_1, payoff], as_of=date(2025, 2, 11)
    )
    assert st.status == "paid_off"
    assert (st.payoff_amount, st.total_overdue, st.principal_outstanding, st.credit_balance) == (
        D("0"),
        D("0"),
        D("0"),
        D("0"),
    )
    posting = next(p for p in st.postings if p.event_id == "lq")
    assert posting.rejected_reason is None
    assert sum(a.amount for a in posting.allocations) == D("11837.87")
    row2 = st.installments[1]
    assert (row2.status, row2.paid_interest, row2.cancelled_interest) == (
        "cancelled",
        D("9.86"),
        D("59.14") - D("9.86"),
    )
    assert {r.status for r in st.installments[1:]} == {"cancelled"}
    later = credit_state(
        terms=TERMS,
        disbursements=LOAN,
        events=[PAY_1, payoff],
        as_of=date(2025, 2, 10) + timedelta(days=400),
    )
    assert later.status == "paid_off" and later.payoff_amount == D("0")


def test_payoff_short_by_a_cent_is_an_ordinary_payment() -> None:
    payoff = Event(
        id="lq", kind="payoff", value_date=date(2025, 2, 10), seq=2, amount=D("11837.86")
    )
    st = credit_state(
        terms=TERMS, disbursements=LOAN, events=[PAY_1, payoff], as_of=date(2025, 2, 11)
    )
    posting = next(p for p in st.postings if p.event_id == "lq")
    assert posting.rejected_reason is not None and "no alcanza" in posting.rejected_reason
    assert st.status != "paid_off"
    assert sum(a.amount for a in posting.allocations) == D("11837.86")
