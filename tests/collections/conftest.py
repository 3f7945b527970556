"""Workbench fixtures: an overdue credit with borrower, guarantor and reference (each with a
phone on file), its case assigned to a collector, the outcome catalog."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

HMO = ZoneInfo("America/Hermosillo")
# The credit's first installment is due 15/01/2025; on 10/03/2025 (a Monday) it is 54 days late.
FIRST_DUE = dt.date(2025, 1, 15)
AS_OF = dt.date(2025, 3, 10)
MONDAY_10AM = dt.datetime(2025, 3, 10, 10, 0, tzinfo=HMO)


@pytest.fixture(autouse=True)
def _tasks_run_now(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def make_person(make_person):
    """tests/conftest.py's make_person with the workbench's defaults: second surname Soto and a
    primary phone on file (the collections tests call people)."""
    return functools.partial(make_person, second_last_name="Soto", with_phone=True)


@pytest.fixture
def make_credit(db, make_person):
    """make_credit(folio=…, first_due_date=…, as_of=…) -> an overdue credit, replayed at as_of."""
    counter = itertools.count(1)

    def _make(*, folio=None, amount="12000.00", first_due_date=FIRST_DUE, as_of=AS_OF,
              borrower=None, guarantor=None, reference=None):
        from recupera.credits.models import Product
        from recupera.credits.services import credit_create, credit_refresh, disbursement_add

        n = next(counter)
        borrower = borrower or make_person()
        guarantor = guarantor or make_person(first_name="Jorge", last_name="Ruiz", birth_date=dt.date(1950, 2, 2))
        reference = reference or make_person(first_name="Luis", last_name="Peña")
        credit = credit_create(actor=None, folio=folio or f"C-{n:05d}", product=Product.objects.get(code="CE"),
                               borrower=borrower, guarantors=[guarantor], references=[reference],
                               first_due_date=first_due_date, term_months=24)
        disbursement_add(actor=None, credit=credit, number=1, date=dt.date(2022, 1, 10),
                         amount=Decimal(amount))
        if as_of:
            credit_refresh(credit=credit, as_of=as_of)
        credit.refresh_from_db()
        return credit

    return _make


@pytest.fixture
def outcome(db):
    from recupera.collections.models import Outcome

    return lambda code: Outcome.objects.get(code=code)


@pytest.fixture
def make_case(make_credit, collector):
    """make_case(collector=…) -> an open case on a new overdue credit, assigned (or not)."""

    def _make(*, collector=collector, as_of=AS_OF, **credit_kwargs):
        from recupera.collections.services import case_open, cases_reassign

        credit = make_credit(as_of=as_of, **credit_kwargs)
        case = case_open(actor=None, credit=credit, as_of=as_of, origin="automatico")
        if collector is not None:
            cases_reassign(actor=None, cases=[case], collector=collector, reason="prueba", as_of=as_of)
            case.refresh_from_db()
        return case

    return _make


def party_person(case, role):
    from recupera.credits.models import CreditParty

    return CreditParty.objects.get(credit=case.credit, role=role).person


def phone_of(person):
    return person.contact_points.get(kind="phone")
