"""Goals fixtures: the workbench's credits and cases (tests/collections/conftest.py), two
collectors, and helpers to post money and run the goals part of the close."""

from __future__ import annotations

import datetime as dt

import pytest

from recupera.core.roles import Role
from tests.collections.conftest import (  # noqa: F401  (fixtures)
    AS_OF,
    _tasks_run_now,
    make_case,
    make_credit,
    make_person,
    outcome,
)


@pytest.fixture
def collector_b(make_user):
    return make_user(Role.COLLECTOR, username="gestor2", first_name="Mario", last_name="Soto")


@pytest.fixture
def pay(db):
    """pay(credit, "1000.00", date, channel="banco", key=None) -> the ledger entry."""
    from recupera.credits.services import payment_post

    def _pay(credit, amount, value_date, channel="banco", key=None, as_of=None):
        entry, _ = payment_post(actor=None, credit=credit, amount=amount, value_date=value_date,
                                channel=channel, natural_key=key or f"{channel}:{credit.pk}:{value_date}:{amount}",
                                as_of=as_of or value_date)
        return entry

    return _pay


@pytest.fixture
def close_goals(db):
    """close_goals(date): the goals part of the daily close of that date."""
    from django.db import transaction

    from recupera.goals.services import goals_close

    def _close(day: dt.date):
        with transaction.atomic():
            return goals_close(actor=None, as_of=day)

    return _close


def unassigned_payment(value_date: dt.date, amount: str = "300.00"):
    """Money on a credit without a case («sin gestor»)."""
    from recupera.credits.models import Credit, Product
    from recupera.credits.services import credit_create, disbursement_add, payment_post
    from recupera.people.models import Person

    n = Credit.objects.count() + 1
    person = Person.objects.create(curp=f"SIGE{n:02d}0101HSRNNN{n:02d}"[:18], first_name="Sin", last_name="Gestor",
                                   sex="H", birth_date=dt.date(1990, 1, 1), search_name="SIN GESTOR")
    credit = credit_create(actor=None, folio=f"SG-{n:04d}", product=Product.objects.get(code="CE"),
                           borrower=person, guarantors=[], references=[],
                           first_due_date=dt.date(2025, 1, 15), term_months=24)
    disbursement_add(actor=None, credit=credit, number=1, date=dt.date(2022, 1, 10), amount="5000.00")
    entry, _ = payment_post(actor=None, credit=credit, amount=amount, value_date=value_date, channel="banco",
                            natural_key=f"banco:sg:{n}", as_of=value_date)
    from django.db import transaction

    from recupera.goals.services import goals_close

    with transaction.atomic():
        goals_close(actor=None, as_of=value_date)
    return entry


@pytest.fixture
def month_setup(make_case, pay, close_goals, collector, collector_b, supervisor):  # noqa: F811
    """Two collectors with March goals; A recovers $1,000.00 + $250.50 + $200.00 − $200.00
    (reversed) = $1,250.50, B $400.00,
    $300.00 sin gestor; the close of AS_OF (10/03/2025) has run."""
    from recupera.core.services import business_date_set
    from recupera.goals.services import goals_save
    from recupera.payments.services import payment_reversal_post

    business_date_set(actor=None, business_date=AS_OF)
    goals_save(actor=supervisor, month=dt.date(2025, 3, 1), business_date=dt.date(2025, 2, 27),
               institute_amount="10000.00", collector_amounts={collector.pk: "4000.00", collector_b.pk: "3000.00"})
    a = make_case(collector=collector, as_of=dt.date(2025, 3, 3))
    b = make_case(collector=collector_b, as_of=dt.date(2025, 3, 3))
    pay(a.credit, "1000.00", dt.date(2025, 3, 4))
    pay(a.credit, "250.50", dt.date(2025, 3, 5), channel="nomina")
    bounced = pay(a.credit, "200.00", dt.date(2025, 3, 6), channel="caja")
    payment_reversal_post(actor=None, entry=bounced, reason="cheque devuelto", business_date=dt.date(2025, 3, 7))
    pay(b.credit, "400.00", dt.date(2025, 3, 6))
    unassigned_payment(dt.date(2025, 3, 7))
    close_goals(AS_OF)
    return a, b
