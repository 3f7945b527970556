"""The set-based priority refresh (one SQL UPDATE, PostgreSQL) gives every case the same score,
reasons and labels as `logic.priority_for` (the Python path), over a sample of facts and dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from recupera.collections import services
from recupera.collections.models import Case, Promise

from .conftest import AS_OF


def _state() -> dict[int, tuple[int, list]]:
    return {c.pk: (c.priority, c.priority_reasons)
            for c in Case.objects.filter(status=Case.Status.OPEN).order_by("pk")}


@pytest.fixture
def varied_cases(make_case, outcome, collector):
    """Open cases covering every reason: broken promise, promise due, both deadlines, a pagaré
    near prescription (and one interrupted), days past due and balances around the points."""
    from recupera.credits.models import Credit, PromissoryNote

    cases = [make_case() for _ in range(7)]
    ids = [c.pk for c in cases]
    Case.objects.filter(pk=ids[0]).update(broken_promise_on=AS_OF - dt.timedelta(days=3))
    Case.objects.filter(pk=ids[1]).update(broken_promise_on=AS_OF - dt.timedelta(days=31))
    Case.objects.filter(pk=ids[2]).update(first_contact_due=AS_OF - dt.timedelta(days=1),
                                          next_action_due=AS_OF - dt.timedelta(days=9))
    Case.objects.filter(pk=ids[3]).update(first_contact_due=AS_OF + dt.timedelta(days=2),
                                          next_action_due=AS_OF - dt.timedelta(days=1))
    Case.objects.filter(pk=ids[4]).update(first_contact_due=None, next_action_due=AS_OF)
    for i, case in enumerate(cases[:3]):
        Promise.objects.create(case=case, made_on=AS_OF - dt.timedelta(days=5), created_by=collector,
                               due_on=AS_OF + dt.timedelta(days=i), amount=Decimal("500.00"),
                               status=Promise.Status.PENDING)
    # pagarés: one prescribing in 100 days, one interrupted (prescribes later), one on Feb 29
    notes = list(PromissoryNote.objects.filter(credit__in=[c.credit_id for c in cases]).order_by("pk"))
    PromissoryNote.objects.filter(pk=notes[0].pk).update(due_date=dt.date(2022, 6, 18))
    PromissoryNote.objects.filter(pk=notes[-1].pk).update(due_date=dt.date(2022, 2, 1),
                                                          interrupted_on=dt.date(2022, 7, 1))
    if len(notes) > 2:
        PromissoryNote.objects.filter(pk=notes[1].pk).update(due_date=dt.date(2024, 2, 29))
    balances = ["0.00", "4999.99", "5000.00", "123456.78", "1234567.89", "250000.00", "9999.50"]
    for case, balance, dpd in zip(cases, balances, [0, 1, 2, 3, 29, 360, 54], strict=True):
        Credit.objects.filter(pk=case.credit_id).update(payoff_amount=Decimal(balance), days_past_due=dpd)
    return cases


@pytest.mark.django_db
def test_sql_priorities_equal_the_python_rule_for_every_case_and_date(varied_cases):
    if connection.vendor != "postgresql":
        pytest.skip("El cálculo en SQL de las prioridades es de PostgreSQL.")
    dates = [AS_OF - dt.timedelta(days=2), AS_OF, AS_OF + dt.timedelta(days=1), AS_OF + dt.timedelta(days=2),
             dt.date(2025, 3, 1), dt.date(2025, 7, 1), dt.date(2026, 9, 1), dt.date(2027, 2, 28)]
    seen_codes: set[str] = set()
    for as_of in dates:
        python = services.case_priorities_refresh(as_of=as_of, set_based=False)
        expected = _state()
        Case.objects.update(priority=-1, priority_reasons=[], priority_as_of=None)
        written = services.case_priorities_refresh(as_of=as_of)
        assert written == python == len(varied_cases)
        assert _state() == expected, as_of
        seen_codes |= {r["code"] for _p, reasons in expected.values() for r in reasons}
        # incremental: a second refresh at the same date writes nothing
        assert services.case_priorities_refresh(as_of=as_of) == 0
    assert seen_codes == {"promesa_incumplida", "promesa_hoy", "plazo_primer_contacto", "plazo_gestion",
                          "prescripcion", "atraso", "saldo"}
