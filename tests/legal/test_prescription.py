"""The legal clock of the pagarés (docs/legal.md): the worked examples, to the day, through the
facts the database gives (the engine's first unpaid installment, payments, agreements,
declarations, lawsuits) on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from recupera.legal import prescription as rx

D = dt.date


def test_the_rule_worked_examples():
    # an installment due 15/03/2021, nothing happens: 15/03/2024
    assert rx.prescription_date(first_unpaid_due=D(2021, 3, 15)) == D(2024, 3, 15)
    # a payment on 10/01/2023 (an acknowledgment) restarts the 3 years from the payment
    assert rx.prescription_date(first_unpaid_due=D(2021, 3, 15), acknowledged=[D(2023, 1, 10)]) == D(2026, 1, 10)
    # an acknowledgment before the due date changes nothing (the installment's own term is later)
    assert rx.prescription_date(first_unpaid_due=D(2021, 3, 15), acknowledged=[D(2020, 1, 10)]) == D(2024, 3, 15)
    # a lawsuit pending stops the clock
    assert rx.prescription_date(first_unpaid_due=D(2021, 3, 15), in_lawsuit=True) is None
    # the whole debt declared due on 01/06/2023: installments not yet due run from there
    assert rx.prescription_date(first_unpaid_due=D(2025, 1, 15), accelerated_on=D(2023, 6, 1)) == D(2026, 6, 1)
    # a declaration after the first unpaid installment changes nothing for that one
    assert rx.prescription_date(first_unpaid_due=D(2021, 3, 15), accelerated_on=D(2023, 6, 1)) == D(2024, 3, 15)
    # nothing unpaid: no date
    assert rx.prescription_date(first_unpaid_due=None, accelerated_on=D(2023, 6, 1)) is None
    # 29 February: the 28th three years later (as PostgreSQL's interval)
    assert rx.prescription_date(first_unpaid_due=D(2024, 2, 29)) == D(2027, 2, 28)
    assert rx.start_cutoff(D(2027, 2, 28)) == D(2024, 2, 29)


def _clock(credit):
    clocks = rx.note_clocks([credit.pk])
    assert len(clocks) == 1
    return clocks[0]


def _pay(credit, amount, day, key):
    from recupera.credits.services import payment_post

    entry, _created = payment_post(actor=None, credit=credit, amount=Decimal(amount), value_date=day,
                                   channel="ventanilla", natural_key=key, as_of=day)
    return entry


@pytest.mark.django_db
def test_installment_by_installment_from_the_stored_projection(legal_credit):
    """A credit of 24 monthly installments from 15/03/2021 (no close has aged it: the first
    installment whose principal the allocations have not covered)."""
    credit = legal_credit(first_due_date=D(2021, 3, 15), as_of=D(2021, 3, 20))
    clock = _clock(credit)
    assert clock.first_unpaid_due == D(2021, 3, 15)
    assert clock.date == D(2024, 3, 15)  # the first installment's own 3 years, not the last one's
    # the first two installments paid on 10/04/2021: the third (15/05/2021) is the oldest unpaid;
    # the payment itself is earlier, so the date is the third installment's own term
    installment = credit.schedule_versions.get().installments.get(number=1)
    _pay(credit, (installment.principal + installment.interest) * 2 + Decimal("200"), D(2021, 4, 10), "p1")
    clock = _clock(credit)
    assert clock.first_unpaid_due == D(2021, 5, 15)
    assert clock.last_payment_on == D(2021, 4, 10)
    assert clock.date == D(2024, 5, 15)
    # a small payment on 10/01/2023 does not pay the third installment, but restarts the term
    _pay(credit, "100.00", D(2023, 1, 10), "p2")
    assert _clock(credit).first_unpaid_due == D(2021, 5, 15)
    assert _clock(credit).date == D(2026, 1, 10)
    assert rx.earliest_by_credit([credit.pk]) == {credit.pk: D(2026, 1, 10)}


@pytest.mark.django_db
def test_a_reversed_payment_acknowledges_nothing(legal_credit):
    from recupera.credits.services import payment_reverse

    credit = legal_credit(first_due_date=D(2021, 3, 15), as_of=D(2021, 3, 20))
    entry = _pay(credit, "100.00", D(2023, 1, 10), "p1")
    assert _clock(credit).date == D(2026, 1, 10)
    payment_reverse(actor=None, entry=entry, reason="cheque devuelto", value_date=D(2023, 1, 12))
    assert _clock(credit).last_payment_on is None
    assert _clock(credit).date == D(2024, 3, 15)


@pytest.mark.django_db
def test_the_close_s_aging_facts_win_over_the_projection(legal_credit):
    from recupera.cob.models import CreditAging

    credit = legal_credit(first_due_date=D(2021, 3, 15), as_of=D(2021, 3, 20))
    CreditAging.objects.create(credit=credit, first_open_due=D(2022, 8, 15))
    assert _clock(credit).date == D(2025, 8, 15)
    CreditAging.objects.filter(credit=credit).update(first_open_due=None)  # nothing owed
    assert _clock(credit).date is None
    assert rx.earliest_by_credit([credit.pk]) == {}


@pytest.mark.django_db
def test_declaration_interruption_agreement_and_lawsuit(legal_credit, collector):
    from recupera.agreements.models import Agreement
    from recupera.credits.models import PromissoryNote

    credit = legal_credit(first_due_date=D(2025, 1, 15), as_of=D(2023, 5, 1))
    note = credit.notes.get()
    assert _clock(credit).date == D(2028, 1, 15)
    PromissoryNote.objects.filter(pk=note.pk).update(accelerated_on=D(2023, 6, 1))
    assert _clock(credit).date == D(2026, 6, 1)
    PromissoryNote.objects.filter(pk=note.pk).update(interrupted_on=D(2023, 9, 4))
    assert _clock(credit).date == D(2026, 9, 4)
    agreement = Agreement.objects.create(
        credit=credit, kind="convenio", status="por_autorizar", as_of=D(2024, 2, 29), debt=Decimal("1"),
        forgiven=Decimal("0"), pays=Decimal("1"), required_level=1, proposed_by=collector)
    assert _clock(credit).date == D(2026, 9, 4)  # an offer not signed is no acknowledgment
    Agreement.objects.filter(pk=agreement.pk).update(status="vigente")
    assert _clock(credit).date == D(2027, 2, 28)
    PromissoryNote.objects.filter(pk=note.pk).update(status="en_juicio")
    assert _clock(credit).in_lawsuit and _clock(credit).date is None
    assert rx.earliest_by_credit([credit.pk]) == {}


@pytest.mark.django_db
def test_a_case_794_days_overdue_prescribes_within_the_year(make_case):
    """The bug of issue #29: the pagaré was taken as due at the last installment (2032)."""
    from recupera.collections.models import Case
    from recupera.collections.services import case_priorities_refresh

    as_of = D(2026, 11, 26)
    case = make_case(first_due_date=D(2024, 9, 23), as_of=as_of)
    case.credit.refresh_from_db()
    assert (as_of - D(2024, 9, 23)).days == 794
    assert rx.earliest_by_credit([case.credit_id]) == {case.credit_id: D(2027, 9, 23)}
    # 301 days left at the case's date; on 01/05/2027, 145: band 2 of 7, 90 × 2 // 7 = 25 points
    case_priorities_refresh(as_of=D(2027, 5, 1), case_ids=[case.pk])
    reasons = Case.objects.get(pk=case.pk).priority_reasons
    assert {"code": "prescripcion", "label": "Pagaré prescribe el 23/09/2027", "points": 25} in reasons
