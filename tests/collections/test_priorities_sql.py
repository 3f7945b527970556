"""The set-based priority refresh (one SQL UPDATE, PostgreSQL) gives every case the same score,
reasons and labels as `logic.priority_for` (the Python path), over a sample of facts and dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from recupera.collections import services
from recupera.collections.models import Case, Promise
from recupera.legal import prescription as rx

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
    # pagarés (legal.prescription; the credits' first unpaid installment is 15/01/2025): a
    # declaration of the whole debt due on 18/06/2022 (prescribes 18/06/2025), one declared and
    # then interrupted (01/07/2025), one declared on Feb 29 (28/02/2027), one whose aging facts
    # say 05/05/2022 (05/05/2025), one declared then acknowledged by a payment (01/08/2025), one
    # by a signed agreement (01/09/2025) and one in a lawsuit (no date)
    from recupera.agreements.models import Agreement
    from recupera.cob.models import CreditAging
    from recupera.credits.services import payment_post

    notes = [PromissoryNote.objects.get(credit_id=c.credit_id) for c in cases]
    update = PromissoryNote.objects.filter
    update(pk=notes[0].pk).update(accelerated_on=dt.date(2022, 6, 18))
    update(pk=notes[1].pk).update(accelerated_on=dt.date(2024, 2, 29))
    update(pk=notes[2].pk).update(accelerated_on=dt.date(2022, 2, 1), interrupted_on=dt.date(2022, 7, 1))
    CreditAging.objects.create(credit_id=cases[3].credit_id, first_open_due=dt.date(2022, 5, 5))
    update(pk=notes[4].pk).update(accelerated_on=dt.date(2022, 1, 20))
    payment_post(actor=None, credit=cases[4].credit, amount=Decimal("100.00"), value_date=dt.date(2022, 8, 1),
                 channel="ventanilla", natural_key="ack-1", as_of=AS_OF)
    update(pk=notes[5].pk).update(accelerated_on=dt.date(2022, 1, 20))
    Agreement.objects.create(credit_id=cases[5].credit_id, kind="convenio", status="incumplido",
                             as_of=dt.date(2022, 9, 1), debt=Decimal("1"), forgiven=Decimal("0"),
                             pays=Decimal("1"), required_level=1, proposed_by=collector)
    update(pk=notes[6].pk).update(accelerated_on=dt.date(2022, 1, 20), status="en_juicio")
    balances = ["0.00", "4999.99", "5000.00", "123456.78", "1234567.89", "250000.00", "9999.50"]
    for case, balance, dpd in zip(cases, balances, [0, 1, 2, 3, 29, 360, 54], strict=True):
        Credit.objects.filter(pk=case.credit_id).update(payoff_amount=Decimal(balance), days_past_due=dpd)
    return cases


@pytest.mark.django_db
def test_sql_priorities_equal_the_python_rule_for_every_case_and_date(varied_cases):
    if connection.vendor != "postgresql":
        pytest.skip("El cálculo en SQL de las prioridades es de PostgreSQL.")
    dates = [AS_OF - dt.timedelta(days=2), AS_OF, AS_OF + dt.timedelta(days=1), AS_OF + dt.timedelta(days=2),
             dt.date(2025, 3, 1), dt.date(2025, 7, 1), dt.date(2025, 8, 15), dt.date(2026, 9, 1),
             dt.date(2027, 2, 28)]
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
        # the Python rule itself, to the day
        assert rx.earliest_by_credit([c.credit_id for c in varied_cases]) == {
            varied_cases[0].credit_id: dt.date(2025, 6, 18), varied_cases[1].credit_id: dt.date(2027, 2, 28),
            varied_cases[2].credit_id: dt.date(2025, 7, 1), varied_cases[3].credit_id: dt.date(2025, 5, 5),
            varied_cases[4].credit_id: dt.date(2025, 8, 1), varied_cases[5].credit_id: dt.date(2025, 9, 1)}
    assert seen_codes == {"promesa_incumplida", "promesa_hoy", "plazo_primer_contacto", "plazo_gestion",
                          "prescripcion", "atraso", "saldo"}
