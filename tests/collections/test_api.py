"""API /api/v1/cases/, actions, promises, messages: same predicates as the pages."""

import datetime as dt

import pytest

from recupera.collections.models import Action, Message
from recupera.core.roles import Role

from .conftest import AS_OF, MONDAY_10AM, party_person, phone_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _business_date(db):
    from recupera.core.models import OperatingDate

    OperatingDate.objects.update_or_create(pk=1, defaults={"business_date": AS_OF})


@pytest.fixture
def other_collector(make_user):
    return make_user(Role.COLLECTOR, username="gestor2")


def test_collector_lists_only_own_cases(make_case, api_client_for, collector, other_collector, supervisor):
    mine = make_case()
    make_case(collector=other_collector)
    rows = api_client_for(collector).get("/api/v1/cases/").json()["results"]
    assert [r["folio"] for r in rows] == [mine.credit.folio]
    assert isinstance(rows[0]["payoff_amount"], str)
    assert len(api_client_for(supervisor).get("/api/v1/cases/").json()["results"]) == 2


@pytest.mark.parametrize("suffix", ["", "actions/"])
def test_a_guessed_case_id_answers_404(make_case, api_client_for, other_collector, suffix):
    case = make_case()
    api = api_client_for(other_collector)
    for pk in (case.pk, case.pk + 999):
        response = api.get(f"/api/v1/cases/{pk}/{suffix}")
        assert response.status_code == 404
        assert case.credit.folio not in response.content.decode()
    assert api.post(f"/api/v1/cases/{case.pk}/actions/", {}, format="json").status_code == 404


def test_roles_without_the_workbench_are_refused(api_client_for, make_user):
    cashier = make_user(Role.CASHIER)
    api = api_client_for(cashier)
    for url in ("/api/v1/cases/", "/api/v1/promises/", "/api/v1/messages/"):
        assert api.get(url).status_code == 403, url
    assert api_client_for().get("/api/v1/cases/").status_code in (401, 403)


def test_post_action_with_promise_and_conduct_refusal(make_case, api_client_for, collector, monkeypatch):
    from django.utils import timezone

    case = make_case()
    borrower = party_person(case, "acreditado")
    body = {"channel": "llamada_saliente", "party": "acreditado", "person": borrower.pk,
            "contact_point": phone_of(borrower).pk, "outcome": "promesa_pago",
            "promise_amount": "900.00", "promise_due_on": "2025-03-14"}
    api = api_client_for(collector)
    monkeypatch.setattr(timezone, "now", lambda: MONDAY_10AM.replace(hour=22, minute=30))
    refused = api.post(f"/api/v1/cases/{case.pk}/actions/", body, format="json")
    assert refused.status_code == 422
    assert refused.json()["violations"][0]["code"] == "horario"
    monkeypatch.setattr(timezone, "now", lambda: MONDAY_10AM)
    created = api.post(f"/api/v1/cases/{case.pk}/actions/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["outcome"] == "promesa_pago"
    promises = api.get("/api/v1/promises/").json()["results"]
    assert promises[0]["amount"] == "900.00" and promises[0]["status"] == "pendiente"
    listed = api.get(f"/api/v1/cases/{case.pk}/actions/").json()
    assert len(listed) == 1 and Action.objects.count() == 1


def test_a_contact_point_of_a_stranger_is_refused(make_case, make_person, api_client_for, collector):
    case = make_case()
    stranger = make_person(first_name="Otro")
    body = {"channel": "llamada_saliente", "party": "acreditado",
            "contact_point": phone_of(stranger).pk, "outcome": "no_contesta"}
    response = api_client_for(collector).post(f"/api/v1/cases/{case.pk}/actions/", body, format="json")
    assert response.status_code == 400 and "contact_point" in response.json()


def test_messages_api(api_client_for, collector, supervisor):
    sent = api_client_for(supervisor).post("/api/v1/messages/", {
        "for_user": collector.username, "caller": "Sr. Ruiz", "text": "Llamar"}, format="json")
    assert sent.status_code == 201
    api = api_client_for(collector)
    rows = api.get("/api/v1/messages/").json()
    assert rows[0]["caller"] == "Sr. Ruiz" and rows[0]["acknowledged_at"] is None
    assert api.post(f"/api/v1/messages/{rows[0]['id']}/acknowledge/").status_code == 200
    assert Message.objects.get().acknowledged_at is not None
    assert api_client_for(supervisor).post(
        f"/api/v1/messages/{rows[0]['id']}/acknowledge/").status_code == 403


def test_schema_lists_the_collections_endpoints(api_client_for, make_user):
    paths = api_client_for(make_user(Role.SUPERVISOR)).get("/api/v1/schema/", {"format": "json"}).json()["paths"]
    assert "/api/v1/cases/{id}/actions/" in paths and "/api/v1/messages/" in paths


def test_promise_dates_are_iso(make_case, api_client_for, collector):
    from recupera.collections import services
    from recupera.collections.models import Outcome

    case = make_case()
    borrower = party_person(case, "acreditado")
    services.action_log(actor=collector, case=case, now=MONDAY_10AM, business_date=AS_OF,
                        channel="llamada_entrante", party="acreditado", person=borrower,
                        outcome=Outcome.objects.get(code="promesa_pago"), promise_amount="10",
                        promise_due_on=AS_OF + dt.timedelta(days=1))
    row = api_client_for(collector).get("/api/v1/promises/").json()["results"][0]
    assert row["due_on"] == "2025-03-11"


def test_acknowledging_someone_elses_message_by_id_answers_404(api_client_for, collector, other_collector,
                                                              supervisor):
    sent = api_client_for(supervisor).post("/api/v1/messages/", {
        "for_user": collector.username, "caller": "Sr. Ruiz", "text": "Llamar"}, format="json").json()
    api = api_client_for(other_collector)
    assert api.post(f"/api/v1/messages/{sent['id']}/acknowledge/").status_code == 404
    assert api.get("/api/v1/messages/").json() == []


def test_promises_of_other_collectors_are_not_listed(make_case, api_client_for, collector, other_collector):
    from recupera.collections import services
    from recupera.collections.models import Outcome

    case = make_case()
    borrower = party_person(case, "acreditado")
    services.action_log(actor=collector, case=case, now=MONDAY_10AM, business_date=AS_OF,
                        channel="llamada_entrante", party="acreditado", person=borrower,
                        outcome=Outcome.objects.get(code="promesa_pago"), promise_amount="10",
                        promise_due_on=AS_OF)
    assert api_client_for(other_collector).get("/api/v1/promises/").json()["results"] == []
    assert len(api_client_for(collector).get("/api/v1/promises/").json()["results"]) == 1
