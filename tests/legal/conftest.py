"""Fixtures of the legal tests: the collections tests' credits and cases, and a credit whose
first installment can be years back."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from tests.collections.conftest import (  # noqa: F401
    _tasks_run_now,
    make_case,
    make_credit,
    make_person,
    outcome,
)


@pytest.fixture
def legal_credit(db, make_person):  # noqa: F811
    """legal_credit(first_due_date=…, as_of=…) -> a credit of $12,000.00 disbursed on
    10/08/2020, 24 monthly installments, replayed at as_of."""
    counter = itertools.count(1)

    def _make(*, first_due_date, as_of, amount="12000.00"):
        from recupera.credits.models import Product
        from recupera.credits.services import credit_create, credit_refresh, disbursement_add

        n = next(counter)
        credit = credit_create(actor=None, folio=f"J-{n:05d}", product=Product.objects.get(code="CE"),
                               borrower=make_person(), first_due_date=first_due_date, term_months=24)
        disbursement_add(actor=None, credit=credit, number=1, date=dt.date(2020, 8, 10),
                         amount=Decimal(amount))
        credit_refresh(credit=credit, as_of=as_of)
        credit.refresh_from_db()
        return credit

    return _make
