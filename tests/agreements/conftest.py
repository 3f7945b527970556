"""A 12,000 credit six months overdue at 20/06/2024 (the engine worked example)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.credits import conftest as _credits

# The credit-building fixtures of tests/credits, shared here.
product_ce = _credits.product_ce
make_credit = _credits.make_credit

AS_OF = dt.date(2024, 6, 20)


@pytest.fixture
def overdue_credit(make_credit):
    from recupera.credits.models import PromissoryNote

    credit = make_credit(amounts=("12000.00",), disbursed_on=dt.date(2023, 1, 15), term_months=12,
                         first_due_date=dt.date(2024, 1, 15), as_of=AS_OF)
    PromissoryNote.objects.create(credit=credit, number=f"P-{credit.folio}-1", amount="12000.00",
                                  signed_on=dt.date(2023, 1, 15), due_date=dt.date(2024, 12, 15))
    credit.refresh_from_db()
    return credit
