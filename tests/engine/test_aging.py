"""Days past due and buckets (docs/domain.md §3.12)."""

from datetime import date

import pytest

from recupera.engine import (
    Event,
    bucket_for,
    credit_state,
    is_past_due_portfolio,
)

from .conftest import LOAN, TERMS, D


@pytest.mark.parametrize(
    ("dpd", "bucket"),
    [
        (0, "al_corriente"),
        (1, "1-30"),
        (30, "1-30"),
        (31, "31-60"),
        (60, "31-60"),
        (61, "61-90"),
        (90, "61-90"),
        (91, "91-180"),
        (180, "91-180"),
        (181, "181-365"),
        (365, "181-365"),
        (366, "mas_de_365"),
        (5000, "mas_de_365"),
    ],
)
def test_every_bucket_boundary(dpd: int, bucket: str) -> None:
    assert bucket_for(dpd) == bucket
    assert is_past_due_portfolio(dpd) == (dpd > 90)


def test_dpd_counts_from_the_oldest_unpaid_effective_due_date() -> None:
    """No payments; as of 2025-05-01 row 1 (effective 2025-01-31) is the oldest: 90 days →
    61-90; one day later 91 → 91-180 (cartera vencida)."""
    st = credit_state(terms=TERMS, disbursements=LOAN, events=[], as_of=date(2025, 5, 1))
    assert (st.days_past_due, st.bucket, st.status) == (90, "61-90", "overdue")
    st2 = credit_state(terms=TERMS, disbursements=LOAN, events=[], as_of=date(2025, 5, 2))
    assert (st2.days_past_due, st2.bucket) == (91, "91-180")


@pytest.mark.parametrize(("amount", "dpd"), [("231.12", 0), ("231.11", 10)])
def test_dpd_tolerance_of_one_peso(amount: str, dpd: int) -> None:
    """Payment on 2025-02-03 (3 days late): late 171.99·0.09/360·3 = 0.128993 → 0.13, interest
    60.00, principal 231.12 − 60.13 = 170.99 → 1.00 unpaid: not above the 1.00 tolerance, DPD 0.
    With 231.11, 1.01 stays unpaid → DPD at 2025-02-10 = 10 days."""
    pay = Event(id="p", kind="payment", value_date=date(2025, 2, 3), seq=1, amount=D(amount))
    st = credit_state(terms=TERMS, disbursements=LOAN, events=[pay], as_of=date(2025, 2, 10))
    assert st.days_past_due == dpd
