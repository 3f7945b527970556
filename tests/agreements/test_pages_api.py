"""The negotiation pages and API: thin over the services, same figures, same refusals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse

from recupera.agreements import services
from recupera.agreements.models import Agreement
from recupera.core.models import OperatingDate
from recupera.core.roles import Role

from .conftest import AS_OF

pytestmark = pytest.mark.django_db
# session, user, groups, credit, case check, business date, the engine's inputs (product,
# disbursements, ledger, bank closures), case, policy, limits, open agreements, unread
# messages, business date (menu): constant whatever the number of options. (No model-permission
# reads: those count for staff only, core.predicates.AdminModelBackend.) Plus one: the entries of
# the credit's earlier agreements, whose forgiveness counts against the limits
# (services.prior_forgiven, issue #20 finding 6).
QUERIES_SIMULATOR = 17

SELF_APPROVAL = "Nadie puede autorizar su propia oferta."


@pytest.fixture(autouse=True)
def _business_date(db):
    OperatingDate.objects.update_or_create(pk=1, defaults={"business_date": AS_OF})


@pytest.fixture
def worked_credit(overdue_credit, collector):
    """The overdue credit with an open case assigned to the collector."""
    from recupera.collections.services import case_open, cases_reassign

    case = case_open(actor=None, credit=overdue_credit, as_of=AS_OF, origin="automatico")
    cases_reassign(actor=None, cases=[case], collector=collector, reason="prueba", as_of=AS_OF)
    return overdue_credit


def _plan_beyond_collector(credit, actor):
    """100 % late interest, 10 payments: beyond a gestor (50 %, 6), within a jefe."""
    return services.agreement_propose(actor=actor, credit=credit, kind="convenio", as_of=AS_OF,
                                      late_interest_pct=100, down_payment=D("2000.00"), installments=10,
                                      first_due_date=dt.date(2024, 7, 20))


def test_simulator_page_shows_the_services_options(client_for, worked_credit, collector):
    expected = services.offers_simulate(credit=worked_credit, as_of=AS_OF, actor=collector)
    page = client_for(collector).get(reverse("agreements:simulate", args=[worked_credit.folio]))
    assert page.status_code == 200
    html = page.content.decode()
    from recupera.core.templatetags.recupera import money

    assert money(expected["debt"]) in html
    assert len(expected["options"]) == 3
    for option in expected["options"]:
        assert f'id="opcion-{option["kind"]}"' in html
        for text in (money(option["pays"]), option["pays_words"], money(option["forgiven"]),
                     option["forgiven_words"], option["required_level_label"]):
            assert text in html, text
    assert "$12,291.63" in html and "DOCE MIL DOSCIENTOS NOVENTA Y UN PESOS 63/100 M.N." in html


def test_simulator_page_query_count_is_pinned(client_for, worked_credit, collector,
                                              django_assert_num_queries):
    client = client_for(collector)
    url = reverse("agreements:simulate", args=[worked_credit.folio])
    client.get(url)  # warm caches (session, content types)
    with django_assert_num_queries(QUERIES_SIMULATOR):
        assert client.get(url).status_code == 200


def test_credit_page_links_to_the_simulator_only_for_proposers(client_for, worked_credit, collector, auditor):
    url = reverse("credits:detail", args=[worked_credit.folio])
    assert "Simular convenio" in client_for(collector).get(url).content.decode()
    assert "Simular convenio" not in client_for(auditor).get(url).content.decode()


def test_gestor_proposes_beyond_authority_and_the_supervisor_approves_from_the_inbox(
        client_for, worked_credit, collector, supervisor):
    client = client_for(collector)
    response = client.post(reverse("agreements:simulate", args=[worked_credit.folio]), {
        "kind": "convenio", "late_interest_pct": "100", "down_payment": "2000.00", "installments": "10",
        "first_due_date": "20/07/2024", "reason": "Pierde el empleo; ofrece enganche"}, follow=True)
    assert response.status_code == 200
    agreement = Agreement.objects.get(credit=worked_credit)
    assert agreement.status == Agreement.Status.PENDING and agreement.required_level == 2
    html = response.content.decode()
    assert "Por autorizar" in html and "requiere autorización de Jefe de Departamento" in html

    client = client_for(supervisor)  # the same test client, signed in anew
    inbox = client.get(reverse("agreements:inbox")).content.decode()
    assert f'id="convenio-{agreement.pk}"' in inbox and worked_credit.folio in inbox
    response = client.post(reverse("agreements:decide", args=[agreement.pk]),
                           {"decision": "aprobar", "comment": "Procede", "origin": "inbox"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("agreements:inbox")
    assert "No hay ofertas por autorizar." in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.IN_FORCE
    detail = client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    assert "Procede" in detail and "Vigente" in detail
    assert reverse("agreements:document", args=[agreement.pk]) in detail


def test_self_approval_is_refused_with_the_spanish_reason(client_for, overdue_credit, supervisor):
    # 100 % of overdue interest is beyond a jefe (25 %): it waits for the Subdirección.
    agreement = services.agreement_propose(actor=supervisor, credit=overdue_credit, kind="liquidacion",
                                           as_of=AS_OF, late_interest_pct=100, interest_pct=100)
    assert agreement.status == Agreement.Status.PENDING
    response = client_for(supervisor).post(reverse("agreements:decide", args=[agreement.pk]),
                                           {"decision": "aprobar", "comment": ""})
    assert response.status_code == 422
    assert SELF_APPROVAL in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.PENDING


def test_rejection_needs_a_comment_and_is_recorded(client_for, worked_credit, collector, supervisor):
    agreement = _plan_beyond_collector(worked_credit, collector)
    client = client_for(supervisor)
    url = reverse("agreements:decide", args=[agreement.pk])
    response = client.post(url, {"decision": "rechazar", "comment": ""})
    assert response.status_code == 422 and "Indique el motivo del rechazo." in response.content.decode()
    client.post(url, {"decision": "rechazar", "comment": "Enganche insuficiente"})
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.REJECTED


def test_plan_document_is_a_pdf(client_for, overdue_credit, supervisor):
    agreement = services.agreement_propose(actor=supervisor, credit=overdue_credit, kind="convenio",
                                           as_of=AS_OF, late_interest_pct=100, down_payment=D("2291.63"),
                                           installments=10)
    assert agreement.status == Agreement.Status.IN_FORCE
    response = client_for(supervisor).get(reverse("agreements:document", args=[agreement.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_no_document_for_a_pending_offer(client_for, worked_credit, collector):
    agreement = _plan_beyond_collector(worked_credit, collector)
    assert client_for(collector).get(reverse("agreements:document", args=[agreement.pk])).status_code == 404


@pytest.mark.parametrize("role", [Role.CUSTODY, Role.CASHIER, Role.AUDITOR, Role.IT_ADMIN, None])
def test_roles_without_permission_get_403_on_simulator_and_inbox(client_for, make_user, overdue_credit, role):
    client = client_for(make_user(role))
    assert client.get(reverse("agreements:simulate", args=[overdue_credit.folio])).status_code == 403
    assert client.get(reverse("agreements:inbox")).status_code == 403


def test_collector_has_no_inbox_and_cannot_decide(client_for, worked_credit, collector, make_user):
    other = make_user(Role.SUPERVISOR)
    client = client_for(collector)
    assert client.get(reverse("agreements:inbox")).status_code == 403
    agreement = services.agreement_propose(actor=other, credit=worked_credit, kind="liquidacion", as_of=AS_OF,
                                           late_interest_pct=100, interest_pct=100)
    response = client.post(reverse("agreements:decide", args=[agreement.pk]), {"decision": "aprobar"})
    assert response.status_code == 403


def test_collector_cannot_simulate_a_credit_outside_their_cases(client_for, overdue_credit, collector):
    response = client_for(collector).get(reverse("agreements:simulate", args=[overdue_credit.folio]))
    assert response.status_code == 404  # as a missing folio: no enumeration


# --- API --------------------------------------------------------------------------------------
def test_api_round_trip(api_client_for, worked_credit, collector, supervisor):
    api = api_client_for(collector)
    policies = api.get("/api/v1/agreements/policies/")
    assert policies.status_code == 200
    assert policies.json()[0]["name"] == "Política general"
    assert policies.json()[0]["limits"][0]["max_late_interest_pct"] == "50.0000"

    simulated = api.post("/api/v1/agreements/simulate/", {"folio": worked_credit.folio}, format="json")
    assert simulated.status_code == 200
    assert simulated.json() == services.offers_simulate(credit=worked_credit, as_of=AS_OF, actor=collector)
    assert simulated.json()["debt"] == "12410.41"

    proposed = api.post("/api/v1/agreements/", {
        "folio": worked_credit.folio, "kind": "convenio", "late_interest_pct": "100",
        "down_payment": "2000.00", "installments": 10, "first_due_date": "2024-07-20"}, format="json")
    assert proposed.status_code == 201, proposed.content
    body = proposed.json()
    assert body["status"] == "por_autorizar" and body["required_level"] == 2
    assert body["pays"] == "12291.63" and body["forgiven"] == "118.78"
    assert body["installments"][1]["amount"] == "1029.16"
    pk = body["id"]

    refused = api.post(f"/api/v1/agreements/{pk}/approve/", {}, format="json")
    assert refused.status_code == 403  # a gestor does not decide

    boss = api_client_for(supervisor)
    approved = boss.post(f"/api/v1/agreements/{pk}/approve/", {"comment": "Procede"}, format="json")
    assert approved.status_code == 200
    assert approved.json()["status"] == "vigente"
    assert approved.json()["approvals"][0]["decided_by"] == supervisor.username
    detail = api.get(f"/api/v1/agreements/{pk}/")
    assert detail.status_code == 200 and detail.json()["status_label"] == "Vigente"


def test_api_refusals_are_422_with_the_spanish_reason(api_client_for, overdue_credit, supervisor):
    api = api_client_for(supervisor)
    proposed = api.post("/api/v1/agreements/", {"folio": overdue_credit.folio, "kind": "liquidacion",
                                                "late_interest_pct": "100", "interest_pct": "100"},
                        format="json")
    assert proposed.status_code == 201 and proposed.json()["status"] == "por_autorizar"
    pk = proposed.json()["id"]
    response = api.post(f"/api/v1/agreements/{pk}/approve/", {}, format="json")
    assert response.status_code == 422 and response.json() == {"detail": SELF_APPROVAL}
    rejected = api.post(f"/api/v1/agreements/{pk}/reject/", {"comment": ""}, format="json")
    assert rejected.status_code == 422


@pytest.mark.parametrize("role", [Role.CUSTODY, Role.CASHIER, Role.AUDITOR, Role.IT_ADMIN])
def test_api_403_for_roles_without_permission(api_client_for, make_user, overdue_credit, role):
    api = api_client_for(make_user(role))
    assert api.post("/api/v1/agreements/simulate/", {"folio": overdue_credit.folio},
                    format="json").status_code == 403
    assert api.post("/api/v1/agreements/", {"folio": overdue_credit.folio, "kind": "liquidacion"},
                    format="json").status_code == 403
    assert api.post("/api/v1/agreements/1/approve/", {}, format="json").status_code == 403


def test_api_collector_gets_404_for_a_credit_outside_their_cases(api_client_for, overdue_credit, collector):
    response = api_client_for(collector).post("/api/v1/agreements/simulate/", {"folio": overdue_credit.folio},
                                              format="json")
    assert response.status_code == 404
