"""Blocked data hidden on screen (item 10, cancellation) and the versioned privacy notice shown
where data is collected (item 11)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from recupera.core.roles import Role
from recupera.people.models import Person
from recupera.privacy import selectors, services
from recupera.privacy.models import NoticeShown
from tests.collections.conftest import party_person

from .conftest import AS_OF, NOTICE_TEXT

pytestmark = pytest.mark.django_db


@pytest.fixture
def blocked_case(make_case, collector):
    case = make_case(collector=collector)
    debtor = party_person(case, "acreditado")
    Person.objects.filter(pk=debtor.pk).update(data_blocked=True)
    debtor.refresh_from_db()
    return case, debtor


def _pages(case):
    return {
        "persona": f"/personas/{case.credit.borrower_id}/",
        "personas": "/personas/",
        "credito": f"/creditos/{case.credit.folio}/",
        "caso": f"/cobranza/caso/{case.pk}/",
        "busqueda": "/buscar/?q=Soto",  # all three people of the credit
    }


def test_blocked_data_is_hidden_from_the_collector_on_every_page(blocked_case, collector, client_for):
    case, debtor = blocked_case
    client = client_for(collector)
    for name, url in _pages(case).items():
        response = client.get(url)
        assert response.status_code == 200, (name, url)
        page = response.content.decode()
        assert "Datos bloqueados" in page, name
        assert debtor.curp not in page, name
        assert debtor.full_name not in page, name
    # The person page showed nothing, so it logged no view of the person's record.
    assert not debtor.view_logs.filter(what="persona.ficha").exists()


@pytest.mark.parametrize("role", [Role.DATA_PROTECTION, Role.AUDITOR])
def test_the_officer_and_the_auditors_see_blocked_data(blocked_case, make_user, client_for, role):
    case, debtor = blocked_case
    client = client_for(make_user(role))
    for name in ("persona", "credito"):
        page = client.get(_pages(case)[name]).content.decode()
        assert debtor.curp in page, name
        assert debtor.full_name in page, name


def test_unblocked_people_show_as_before(make_case, collector, client_for):
    case = make_case(collector=collector)
    debtor = party_person(case, "acreditado")
    page = client_for(collector).get(f"/creditos/{case.credit.folio}/").content.decode()
    assert debtor.full_name in page and "Datos bloqueados" not in page


# ---------------------------------------------------------------- the privacy notice

def test_the_notice_in_force_is_the_latest_effective_on_or_before_the_date(officer, notice):
    newer = services.notice_publish(actor=officer, version="2027-1", text=NOTICE_TEXT + " Nueva.",
                                    effective_date=dt.date(2027, 1, 1), as_of=AS_OF)
    assert selectors.notice_in_force(dt.date(2026, 12, 31)) == notice
    assert selectors.notice_in_force(dt.date(2027, 1, 1)) == newer
    assert selectors.notice_in_force(dt.date(2025, 12, 31)) is None


def test_a_notice_is_never_backdated_nor_duplicated(officer, notice, make_user):
    with pytest.raises(ValidationError) as refused:
        services.notice_publish(actor=officer, version="2026-1", text="breve",
                                effective_date=dt.date(2026, 11, 12), as_of=AS_OF)
    errors = refused.value.message_dict
    assert errors["version"] == ["Ya existe la versión «2026-1» del aviso."]
    assert "no puede ser anterior a la fecha de operación (13/11/2026)" in errors["effective_date"][0]
    assert "entre 100 y" in errors["text"][0]
    with pytest.raises(PermissionDenied):
        services.notice_publish(actor=make_user(Role.COLLECTOR), version="x", text=NOTICE_TEXT,
                                effective_date=AS_OF, as_of=AS_OF)


def test_the_person_form_shows_the_notice_and_records_the_version(collector, client_for, notice,
                                                                 business_date):
    from recupera.people.synthetic import build_curp

    client = client_for(collector)
    page = client.get("/personas/nueva/").content.decode()
    assert "versión 2026-1" in page
    assert "Se mostró a la persona el aviso de privacidad (versión 2026-1)" in page
    curp = build_curp(first_name="Luis", last_name="Acosta", second_last_name="Soto",
                      birth_date=dt.date(1999, 3, 3), sex="H", state_code="SR")
    data = {"curp": curp, "first_name": "Luis", "last_name": "Acosta", "second_last_name": "Soto",
            "state": "Sonora", "municipality": "", "phone": "6621112233"}
    refused = client.post("/personas/nueva/", data)
    assert "Confirme que mostró el aviso de privacidad" in refused.content.decode()
    assert not Person.objects.filter(curp=curp).exists()
    done = client.post("/personas/nueva/", {**data, "notice_shown": "on"})
    assert done.status_code == 302, done.content.decode()[:3000]
    person = Person.objects.get(curp=curp)
    shown = NoticeShown.objects.get(person=person)
    assert (shown.notice.version, shown.context, shown.business_date, shown.recorded_by) == (
        "2026-1", "alta_persona", AS_OF, collector)


def test_notice_publishing_page(officer, client_for, notice, business_date):
    client = client_for(officer)
    response = client.post("/privacidad/avisos/", {
        "version": "2027-1", "title": "Aviso de privacidad integral",
        "effective_date": "2026-11-01", "text": NOTICE_TEXT})
    assert "no puede ser anterior a la fecha de operación (13/11/2026)" in response.content.decode()
    response = client.post("/privacidad/avisos/", {
        "version": "2027-1", "title": "Aviso de privacidad integral",
        "effective_date": "2027-01-01", "text": NOTICE_TEXT}, follow=True)
    assert "Se publicó la versión 2027-1 del aviso de privacidad, vigente desde el 01/01/2027." in \
        response.content.decode()


def test_the_api_hides_a_blocked_person_from_everyone_but_the_officer_and_auditors(
        blocked_case, make_user, client_for):
    case, debtor = blocked_case
    supervisor = make_user(Role.SUPERVISOR)
    listed = client_for(supervisor).get("/api/v1/persons/", {"q": debtor.curp})
    assert listed.status_code == 200
    assert debtor.curp not in listed.content.decode()
    assert client_for(supervisor).get(f"/api/v1/persons/{debtor.pk}/").status_code == 404
    for role in (Role.DATA_PROTECTION, Role.AUDITOR):
        answer = client_for(make_user(role)).get(f"/api/v1/persons/{debtor.pk}/")
        assert answer.status_code == 200
        assert answer.json()["curp"] == debtor.curp


def test_the_work_queue_shows_no_name_of_a_blocked_borrower(blocked_case, collector, client_for):
    from django.urls import reverse

    case, debtor = blocked_case
    page = client_for(collector).get(reverse("collections:queue")).content.decode()
    assert case.credit.folio in page  # the case is still worked
    assert "Datos bloqueados" in page
    assert debtor.full_name not in page
