"""A person blocked by the data-protection officer (ARCO cancellation) is hidden on every staff
page and API answer that shows a person's name: the name, CURP and phone are absent and
«Datos bloqueados» stands in their place; the officer and the auditors still see them where they
read the page (core/personal.py)."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from recupera.core.roles import Role
from tests.collections.conftest import party_person

pytestmark = pytest.mark.django_db
BLOCKED = "Datos bloqueados"


@pytest.fixture
def world(make_case, collector, supervisor, officer, make_user):
    """A case of gestor1 whose borrower was renamed (an audit row with the name), then blocked by
    the officer; a recado about the case from the borrower; a cash receipt on the credit."""
    from recupera.collections.services import message_take
    from recupera.payments.services import cash_payment_capture
    from recupera.people.services import person_update

    case = make_case(collector=collector)
    debtor = party_person(case, "acreditado")
    person_update(actor=supervisor, person=debtor, second_last_name="Barceló")
    debtor.refresh_from_db()
    phone = debtor.contact_points.get(kind="phone")
    message_take(actor=supervisor, for_user=collector, now=timezone.now(), caller=debtor.full_name,
                 phone=phone.value, text="Pide que le llamen por la tarde.", case=case)
    cashier = make_user(Role.CASHIER, username="caja1")
    receipt, _ = cash_payment_capture(actor=cashier, credit=case.credit, amount="100.00",
                                      request_id="walk-1", business_date=case.opened_on)
    person_update(actor=officer, person=debtor, data_blocked=True)
    debtor.refresh_from_db()
    return {"case": case, "debtor": debtor, "phone": phone, "receipt": receipt, "cashier": cashier,
            "it": make_user(Role.IT_ADMIN, username="ti1", is_staff=True),
            "office": make_user(Role.PORTFOLIO_OFFICE, username="subdir1")}


def _pages(w):
    case, receipt, folio = w["case"], w["receipt"], w["case"].credit.folio
    return [
        # (who, address, the page shows this person somewhere when not blocked)
        ("collector", "/cobranza/"),
        ("collector", f"/cobranza/caso/{case.pk}/"),
        ("collector", "/cobranza/recados/"),
        ("collector", f"/cobranza/llamada/?q={folio}"),
        ("collector", "/creditos/"),
        ("collector", f"/creditos/{folio}/"),
        ("collector", "/personas/"),
        ("collector", "/buscar/?q=López"),
        ("supervisor", "/cobranza/equipo/"),
        ("supervisor", "/cobranza/recados/"),
        ("supervisor", f"/cobranza/caso/{case.pk}/"),
        ("supervisor", "/pagos/caja/corte/?date=" + case.opened_on.isoformat()),
        ("cashier", "/pagos/caja/corte/?date=" + case.opened_on.isoformat()),
        ("cashier", f"/pagos/recibos/{receipt.pk}/"),
        ("it", "/auditoria/"),
        ("office", "/auditoria/"),
        ("office", "/auditoria/?object_type=people.person"),
    ]


def _apis(w):
    case, folio = w["case"], w["case"].credit.folio
    return [
        ("collector", "/api/v1/cases/"),
        ("collector", f"/api/v1/cases/{case.pk}/"),
        ("collector", "/api/v1/credits/"),
        ("collector", f"/api/v1/credits/{folio}/"),
        ("collector", "/api/v1/persons/"),
        ("collector", "/api/v1/messages/"),
        ("supervisor", "/api/v1/cases/"),
        ("supervisor", "/api/v1/messages/"),
        ("office", f"/api/v1/credits/{folio}/"),
    ]


def _secrets(w):
    debtor = w["debtor"]
    return [debtor.full_name, debtor.curp, debtor.last_name + " " + debtor.second_last_name,
            w["phone"].value, w["phone"].digits]


@pytest.mark.parametrize("index", range(17))
def test_staff_pages_hide_a_blocked_person(world, index, client_for, collector, supervisor):
    who, url = _pages(world)[index]
    user = {"collector": collector, "supervisor": supervisor}.get(who) or world[who]
    response = client_for(user).get(url, follow=True)  # one clear search hit lands on its page
    assert response.status_code == 200, url
    page = response.content.decode()
    for secret in _secrets(world):
        assert secret not in page, (url, secret)


@pytest.mark.parametrize("index", range(9))
def test_api_answers_hide_a_blocked_person(world, index, api_client_for, collector, supervisor):
    who, url = _apis(world)[index]
    user = {"collector": collector, "supervisor": supervisor}.get(who) or world[who]
    response = api_client_for(user).get(url)
    assert response.status_code in (200, 404), url
    text = json.dumps(response.json(), ensure_ascii=False)
    for secret in _secrets(world):
        assert secret not in text, (url, secret)


def test_the_name_is_replaced_by_the_blocked_mark(world, client_for, api_client_for, collector,
                                                   supervisor):
    """Where the person was named, the reader sees why it is not."""
    case, folio = world["case"], world["case"].credit.folio
    for user, url in ((collector, "/cobranza/recados/"), (supervisor, "/cobranza/recados/"),
                      (world["it"], "/auditoria/?object_type=people.person"),
                      (world["cashier"], f"/pagos/recibos/{world['receipt'].pk}/")):
        assert BLOCKED in client_for(user).get(url).content.decode(), url
    api = api_client_for(collector)
    listed = api.get("/api/v1/cases/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["borrower"] for r in rows if r["folio"] == folio] == [BLOCKED]
    assert api.get(f"/api/v1/cases/{case.pk}/").json()["borrower"] == BLOCKED
    credit = api.get(f"/api/v1/credits/{folio}/").json()
    assert credit["borrower"] == {"curp": "", "name": BLOCKED}
    assert credit["total_overdue"] != ""  # the money stays
    messages = api.get("/api/v1/messages/").json()
    rows = messages["results"] if isinstance(messages, dict) else messages
    assert [(m["caller"], m["phone"]) for m in rows] == [(BLOCKED, "")]


def _also(user, role):
    user.groups.add(Group.objects.get(name=role.value))
    return type(user).objects.get(pk=user.pk)


def test_the_officer_and_the_auditor_still_see_the_person(world, client_for, api_client_for,
                                                          auditor, officer, supervisor):
    debtor, folio = world["debtor"], world["case"].credit.folio
    for user in (auditor, officer):
        page = client_for(user).get("/auditoria/?object_type=people.person").content.decode()
        assert debtor.full_name in page and debtor.curp in page
    officer_supervisor = _also(supervisor, Role.DATA_PROTECTION)
    page = client_for(officer_supervisor).get("/cobranza/recados/").content.decode()
    assert debtor.full_name in page and world["phone"].value in page
    credit = api_client_for(auditor).get(f"/api/v1/credits/{folio}/").json()
    assert credit["borrower"] == {"curp": debtor.curp, "name": debtor.full_name}
    cases = api_client_for(officer_supervisor).get("/api/v1/cases/").json()
    rows = cases["results"] if isinstance(cases, dict) else cases
    assert debtor.full_name in [r["borrower"] for r in rows]


def test_an_unblocked_person_is_shown_as_before(make_case, collector, api_client_for, client_for):
    case = make_case(collector=collector)
    debtor = party_person(case, "acreditado")
    assert api_client_for(collector).get(f"/api/v1/cases/{case.pk}/").json()["borrower"] == debtor.full_name
    credit = api_client_for(collector).get(f"/api/v1/credits/{case.credit.folio}/").json()
    assert credit["borrower"] == {"curp": debtor.curp, "name": debtor.full_name}
    assert D(credit["total_overdue"]) > 0
