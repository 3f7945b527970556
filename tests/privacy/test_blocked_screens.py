"""Blocked data (ARCO cancellation) hidden on the inbound-call screen, the agreements pages and the
payment receipt: «Datos bloqueados» for everyone but the officer and the auditors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Group

from recupera.core.models import OperatingDate
from recupera.core.roles import Role
from recupera.people.models import Person
from tests.collections.conftest import AS_OF, party_person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _business_date(db):
    OperatingDate.objects.update_or_create(pk=1, defaults={"business_date": AS_OF})


@pytest.fixture
def blocked_case(make_case, collector):
    case = make_case(collector=collector)
    debtor = party_person(case, "acreditado")
    Person.objects.filter(pk=debtor.pk).update(data_blocked=True)
    debtor.refresh_from_db()
    return case, debtor


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _hidden(page, debtor, url):
    assert "Datos bloqueados" in page, url
    assert debtor.full_name not in page, url
    assert debtor.curp not in page, url


def _shown(page, debtor, url):
    assert debtor.full_name in page, url
    assert "Datos bloqueados" not in page, url


def _also(user, role):
    """The user in a second role's group (the permission cache dropped)."""
    user.groups.add(Group.objects.get(name=role.value))
    return type(user).objects.get(pk=user.pk)


# ---------------------------------------------------------------- llamada entrante

def test_inbound_call_hides_a_blocked_debtor(blocked_case, collector, supervisor, client_for):
    case, debtor = blocked_case
    url = f"/cobranza/llamada/?q={case.credit.folio}"
    for user in (collector, supervisor):
        page = _page(client_for(user), url)
        assert case.credit.folio in page  # the case is found, only the person is hidden
        _hidden(page, debtor, url)
    # Searched by CURP: the box echoes what was typed, the name stays hidden.
    page = _page(client_for(collector), f"/cobranza/llamada/?q={debtor.curp}")
    assert case.credit.folio in page and "Datos bloqueados" in page and debtor.full_name not in page


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.DATA_PROTECTION])
def test_inbound_call_shows_a_blocked_debtor_to_the_auditor_and_the_officer(blocked_case, supervisor,
                                                                            client_for, role):
    case, debtor = blocked_case  # neither role takes calls alone: a supervisor who is also one
    url = f"/cobranza/llamada/?q={case.credit.folio}"
    _shown(_page(client_for(_also(supervisor, role)), url), debtor, url)


def test_inbound_call_unblocked_debtor_as_before(make_case, collector, client_for):
    case = make_case(collector=collector)
    debtor = party_person(case, "acreditado")
    url = f"/cobranza/llamada/?q={case.credit.folio}"
    _shown(_page(client_for(collector), url), debtor, url)


# ---------------------------------------------------------------- convenios

def _propose(case, actor):
    """An offer beyond the collector, waiting in the supervisor's inbox. (The small down payment
    puts it at the committee's level; what the page shows, not the policy, is tested here.)"""
    from recupera.agreements import services
    from recupera.agreements.models import Agreement

    agreement = services.agreement_propose(actor=actor, credit=case.credit, kind="convenio", as_of=AS_OF,
                                           down_payment=D("500.00"), installments=10,
                                           first_due_date=AS_OF + dt.timedelta(days=30))
    assert agreement.status == Agreement.Status.PENDING
    Agreement.objects.filter(pk=agreement.pk).update(required_level=2)
    return agreement


def test_agreement_pages_hide_a_blocked_debtor(blocked_case, collector, supervisor, client_for):
    case, debtor = blocked_case
    agreement = _propose(case, collector)
    for user, url in ((collector, f"/convenios/simular/{case.credit.folio}/"),
                      (collector, f"/convenios/{agreement.pk}/"),
                      (supervisor, f"/convenios/{agreement.pk}/"),
                      (supervisor, "/convenios/autorizaciones/")):
        _hidden(_page(client_for(user), url), debtor, url)


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.DATA_PROTECTION])
def test_agreement_detail_shows_a_blocked_debtor_to_the_auditor_and_the_officer(
        blocked_case, collector, supervisor, make_user, client_for, role):
    case, debtor = blocked_case
    agreement = _propose(case, collector)
    user = make_user(role)
    url = f"/convenios/{agreement.pk}/"
    if role == Role.DATA_PROTECTION:  # the officer alone does not read agreements
        user = _also(user, Role.COLLECTOR)
    _shown(_page(client_for(user), url), debtor, url)
    for url in ("/convenios/autorizaciones/", f"/convenios/simular/{case.credit.folio}/"):
        _shown(_page(client_for(_also(supervisor, role)), url), debtor, url)


# ---------------------------------------------------------------- recibo de pago

@pytest.fixture
def blocked_receipt(blocked_case, make_user):
    from recupera.payments.services import cash_payment_capture

    case, debtor = blocked_case
    receipt, _ = cash_payment_capture(actor=make_user(Role.CASHIER), credit=case.credit,
                                      amount="100.00", request_id="r1", business_date=AS_OF)
    return receipt, debtor


def test_receipt_page_hides_a_blocked_debtor_from_the_cashier(blocked_receipt, make_user, client_for):
    receipt, debtor = blocked_receipt
    url = f"/pagos/recibos/{receipt.pk}/"
    _hidden(_page(client_for(make_user(Role.CASHIER)), url), debtor, url)


def test_receipt_page_shows_a_blocked_debtor_to_the_auditor(blocked_receipt, auditor, client_for):
    receipt, debtor = blocked_receipt
    url = f"/pagos/recibos/{receipt.pk}/"
    _shown(_page(client_for(auditor), url), debtor, url)
