"""The engine tests' shared credits (docs/domain.md §3 uses the same figures).

The running example: 12,000.00 disbursed on 10/01/2024, 6 % base, 3 % punctual, 9 % late,
60 months, first due date 31/01/2025 (installment 231.99). The agreements example: 12,000.00
disbursed on 15/01/2023, 12 months from 15/01/2024, looked at on 20/06/2024 (six installments
overdue). The test modules import them (`from .conftest import …`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from recupera.engine import Disbursement, Event, Terms

D = Decimal

# the running example
LOAN = [Disbursement(1, date(2024, 1, 10), D("12000.00"))]


def make_terms(**changes: Any) -> Terms:
    """The running example's terms, with `changes` (term_months=…, first_due_date=…)."""
    base: dict[str, Any] = dict(base_rate=D("0.06"), punctual_rate=D("0.03"), late_rate=D("0.09"),
                                term_months=60, first_due_date=date(2025, 1, 31))
    return Terms(**{**base, **changes})


TERMS = make_terms()

# the agreements example
AGREEMENT_TERMS = make_terms(term_months=12, first_due_date=date(2024, 1, 15))
AGREEMENT_LOAN = [Disbursement(1, date(2023, 1, 15), D("12000.00"))]
AGREEMENT_DATE = date(2024, 6, 20)


def payment(event_id: str, day: date, amount: str, seq: int = 1, kind: str = "payment") -> Event:
    """A payment (or another money event) of `amount` on `day`."""
    return Event(id=event_id, kind=kind, value_date=day, seq=seq, amount=D(amount))  # type: ignore[arg-type]


def allocations(state: Any, event_id: str) -> list[tuple[Any, str, Decimal]]:
    """(installment, component, amount) of the posting of `event_id`, in order."""
    posting = next(p for p in state.postings if p.event_id == event_id)
    return [(a.installment, a.component, a.amount) for a in posting.allocations]

