"""Credit-building fixtures shared by the credits tests.

    def test_x(make_credit):
        credit = make_credit(amounts=("12000.00",), first_due_date=dt.date(2025, 1, 15),
                             as_of=dt.date(2025, 1, 1))
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest


@pytest.fixture
def product_ce(db):
    """The CE product created by the credits data migration (6 %, 3 %, 0 % at ≥ 90, 9 %)."""
    from recupera.credits.models import Product

    return Product.objects.get(code="CE")


@pytest.fixture
def make_credit(db, product_ce, make_person):
    """make_credit(folio=…, amounts=("12000.00",), disbursed_on=…, end_of_studies=…,
    first_due_date=…, as_of=…, guarantor=True, **credit_create kwargs) -> Credit.

    Disbursements numbered 1.. on `disbursed_on` + 6 months each. With `as_of` the credit is
    replayed and its cached columns written.
    """
    counter = itertools.count(1)

    def _make(*, folio: str | None = None, amounts=("12000.00",),
              disbursed_on: dt.date = dt.date(2020, 1, 15), end_of_studies: dt.date | None = None,
              first_due_date: dt.date | None = None, as_of: dt.date | None = None,
              guarantor: bool = True, actor=None, **kwargs):
        from recupera.credits.services import credit_create, credit_refresh, disbursement_add
        from recupera.engine import add_months

        n = next(counter)
        borrower = make_person(first_name="Ana", last_name="López")
        guarantors = [make_person(first_name="Jorge", last_name="Ruiz")] if guarantor else []
        if end_of_studies is None and first_due_date is None:
            end_of_studies = add_months(disbursed_on, 6 * len(amounts))
        credit = credit_create(
            actor=actor, folio=folio or f"T-{n:05d}", product=product_ce, borrower=borrower,
            guarantors=guarantors, end_of_studies=end_of_studies, first_due_date=first_due_date,
            **kwargs)
        for number, amount in enumerate(amounts, start=1):
            disbursement_add(actor=actor, credit=credit, number=number,
                             date=add_months(disbursed_on, 6 * (number - 1)),
                             amount=Decimal(str(amount)))
        if as_of is not None:
            credit_refresh(credit=credit, as_of=as_of)
        return credit

    return _make
