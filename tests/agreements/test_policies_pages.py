"""Negotiation policies set by the Subdirección (page + API, audited) and the restructure's
new annual rate (form, API, agreement page)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse

from recupera.agreements import services
from recupera.agreements.models import Agreement, AuthorityLimit, NegotiationPolicy
from recupera.core.models import AuditEntry, OperatingDate

from .conftest import AS_OF

pytestmark = pytest.mark.django_db

LIMITS = {1: ("50", "0", "0", "20", 6), 2: ("100", "25", "0", "10", 12),
          3: ("100", "100", "20", "5", 24), 4: ("100", "100", "50", "0", 36)}


@pytest.fixture(autouse=True)
def _business_date(db):
    OperatingDate.objects.update_or_create(pk=1, defaults={"business_date": AS_OF})


def _post_data(**overrides):
    data = {"name": "Tardía 90+", "active": "on", "priority": "10", "dpd_min": "90", "dpd_max": "365",
            "balance_min": "0", "balance_max": "50000", "stage": "", "campaign": "",
            "max_term_months": "48", "break_after_missed": "2", "tolerance_days": "5",
            "revoke_on_break": "on", "offer_valid_days": "15"}
    for level, (late, interest, principal, down, n) in LIMITS.items():
        data.update({f"l{level}_max_late_interest_pct": late, f"l{level}_max_interest_pct": interest,
                     f"l{level}_max_principal_pct": principal, f"l{level}_min_down_payment_pct": down,
                     f"l{level}_max_installments": str(n)})
    data.update(overrides)
    return data


def test_portfolio_office_creates_and_edits_a_policy_audited(client_for, portfolio_officer):
    client = client_for(portfolio_officer)
    listing = client.get(reverse("agreements:policies"))
    assert listing.status_code == 200 and "Política general" in listing.content.decode()
    assert reverse("agreements:policies") in client.get(reverse("agreements:campaigns")).content.decode()
    assert client.get(reverse("agreements:policy_create")).status_code == 200

    response = client.post(reverse("agreements:policy_create"), _post_data())
    assert response.status_code == 302
    policy = NegotiationPolicy.objects.get(name="Tardía 90+")
    assert (policy.dpd_min, policy.dpd_max, policy.balance_max, policy.max_term_months) == (90, 365, D("50000"), 48)
    assert policy.limits.count() == 4
    assert policy.limits.get(level=3).max_principal_pct == D("20")
    created = AuditEntry.objects.get(action="politica.crear", object_id=str(policy.pk))
    assert created.actor == portfolio_officer and created.after["name"] == "Tardía 90+"
    assert created.after["limits"]["1"]["max_late_interest_pct"] == "50.0000"

    edit_url = reverse("agreements:policy_edit", args=[policy.pk])
    page = client.get(edit_url).content.decode()
    assert 'value="Tardía 90+"' in page
    response = client.post(edit_url, _post_data(dpd_max="180", l1_max_late_interest_pct="60"))
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.dpd_max == 180
    assert policy.limits.get(level=1).max_late_interest_pct == D("60")
    changed = AuditEntry.objects.get(action="politica.modificar", object_id=str(policy.pk))
    assert changed.before["dpd_max"] == 365 and changed.after["dpd_max"] == 180
    assert changed.before["limits"]["1"]["max_late_interest_pct"] == "50.0000"
    assert changed.after["limits"]["1"]["max_late_interest_pct"] == "60.0000"
    assert "name" not in changed.after  # only what changed


@pytest.mark.parametrize(("overrides", "message"), [
    ({"l2_max_principal_pct": "120"}, "«descuento máx. de capital %» (Jefe de Departamento) debe estar "
                                      "entre 0 y 100"),
    ({"l1_min_down_payment_pct": "-5"}, "«enganche mínimo %» (Gestor de cobranza) debe estar entre 0 y 100"),
    ({"dpd_min": "200", "dpd_max": "100"}, "«días de atraso hasta» (100) no puede ser menor que "
                                           "«días de atraso desde» (200)"),
    ({"balance_min": "9000", "balance_max": "100"}, "«adeudo hasta» (100) no puede ser menor que "
                                                    "«adeudo desde» (9000)"),
])
def test_bad_policy_is_refused_in_spanish_and_nothing_saved(client_for, portfolio_officer, overrides, message):
    before = (NegotiationPolicy.objects.count(), AuthorityLimit.objects.count(), AuditEntry.objects.count())
    response = client_for(portfolio_officer).post(reverse("agreements:policy_create"), _post_data(**overrides))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert (NegotiationPolicy.objects.count(), AuthorityLimit.objects.count(),
            AuditEntry.objects.count()) == before


def test_bad_edit_leaves_the_policy_unchanged(client_for, portfolio_officer):
    policy = NegotiationPolicy.objects.get(name="Política general")
    limits = list(policy.limits.values_list("level", "max_principal_pct"))
    response = client_for(portfolio_officer).post(
        reverse("agreements:policy_edit", args=[policy.pk]),
        _post_data(name="Otra", l4_max_principal_pct="101"))
    assert response.status_code == 422
    assert "debe estar entre 0 y 100" in response.content.decode()
    policy.refresh_from_db()
    assert policy.name == "Política general"
    assert list(policy.limits.values_list("level", "max_principal_pct")) == limits
    assert not AuditEntry.objects.filter(action="politica.modificar").exists()


def test_collectors_and_supervisors_get_403(client_for, collector, supervisor, api_client_for):
    policy = NegotiationPolicy.objects.first()
    for user in (collector, supervisor):
        client = client_for(user)
        assert client.get(reverse("agreements:policies")).status_code == 403
        assert client.get(reverse("agreements:policy_edit", args=[policy.pk])).status_code == 403
        assert client.post(reverse("agreements:policy_create"), _post_data()).status_code == 403
        api = api_client_for(user)
        assert api.post("/api/v1/agreements/policies/", {"name": "x"}, format="json").status_code == 403
        assert api.patch(f"/api/v1/agreements/policies/{policy.pk}/", {"name": "x"},
                         format="json").status_code == 403
    assert not NegotiationPolicy.objects.filter(name__in=["Tardía 90+", "x"]).exists()


def test_api_creates_and_patches_a_policy_through_the_services(api_client_for, portfolio_officer):
    api = api_client_for(portfolio_officer)
    created = api.post("/api/v1/agreements/policies/", {
        "name": "Judicial", "dpd_min": 180, "stage": "judicial", "max_term_months": 36,
        "limits": [{"level": 3, "max_late_interest_pct": "100", "max_interest_pct": "50",
                    "max_principal_pct": "10", "min_down_payment_pct": "10", "max_installments": 18}],
    }, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["limits"][0]["level"] == 3
    patched = api.patch(f"/api/v1/agreements/policies/{pk}/", {"dpd_max": 720}, format="json")
    assert patched.status_code == 200 and patched.json()["dpd_max"] == 720
    refused = api.patch(f"/api/v1/agreements/policies/{pk}/", {"dpd_max": 10}, format="json")
    assert refused.status_code == 422 and "no puede ser menor que" in refused.json()["detail"]
    actions = list(AuditEntry.objects.filter(object_id=str(pk), object_type="agreements.negotiationpolicy")
                   .values_list("action", flat=True))
    assert sorted(actions) == ["politica.crear", "politica.modificar"]


def test_restructure_with_new_rate_shows_the_rate_on_the_agreement_page(client_for, overdue_credit, supervisor):
    client = client_for(supervisor)
    response = client.post(reverse("agreements:simulate", args=[overdue_credit.folio]), {
        "kind": "reestructura", "new_term_months": "24", "new_rate_pct": "6.5",
        "first_due_date": "15/07/2024"})
    assert response.status_code == 302
    agreement = Agreement.objects.get(credit=overdue_credit)
    assert agreement.new_rate == D("0.065") and agreement.new_term_months == 24
    assert agreement.new_first_due_date == dt.date(2024, 7, 15)
    page = client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    assert 'id="nueva-tasa">6.50 %' in page
    assert "Nueva tasa anual" in page and "15/07/2024" in page


def test_new_rate_out_of_range_is_refused(client_for, overdue_credit, supervisor, api_client_for):
    response = client_for(supervisor).post(reverse("agreements:simulate", args=[overdue_credit.folio]), {
        "kind": "reestructura", "new_term_months": "24", "new_rate_pct": "100"})
    assert response.status_code == 200
    assert "La nueva tasa anual debe ser de 0 % o más y menor que 100 %." in response.content.decode()
    refused = api_client_for(supervisor).post("/api/v1/agreements/", {
        "folio": overdue_credit.folio, "kind": "reestructura", "new_rate": "1.5"}, format="json")
    assert refused.status_code == 422 and "menor que 100 %" in refused.json()["detail"]
    with pytest.raises(services.AgreementError, match="tasa anual"):
        services.agreement_propose(actor=supervisor, credit=overdue_credit, kind="reestructura", as_of=AS_OF,
                                   new_rate=D("-0.01"))
    assert not Agreement.objects.filter(credit=overdue_credit).exists()


def test_api_propose_passes_the_new_rate(api_client_for, overdue_credit, supervisor):
    proposed = api_client_for(supervisor).post("/api/v1/agreements/", {
        "folio": overdue_credit.folio, "kind": "reestructura", "new_rate": "0.06", "new_term_months": 24,
        "first_due_date": "2024-07-15"}, format="json")
    assert proposed.status_code == 201, proposed.content
    body = proposed.json()
    assert D(body["new_rate"]) == D("0.06") and body["new_term_months"] == 24
    assert body["new_first_due_date"] == "2024-07-15"


def test_api_patch_with_partial_limits_keeps_the_fields_and_levels_not_sent(api_client_for, portfolio_officer):
    policy = NegotiationPolicy.objects.get(name="Política general")
    api = api_client_for(portfolio_officer)
    patched = api.patch(f"/api/v1/agreements/policies/{policy.pk}/",
                        {"limits": [{"level": 2, "max_interest_pct": "30"}]}, format="json")
    assert patched.status_code == 200, patched.content
    rows = {lim.level: (lim.max_late_interest_pct, lim.max_interest_pct, lim.max_principal_pct,
                        lim.min_down_payment_pct, lim.max_installments)
            for lim in AuthorityLimit.objects.filter(policy=policy)}
    expected = {level: tuple(D(v) for v in values[:4]) + (values[4],) for level, values in LIMITS.items()}
    expected[2] = (D("100"), D("30"), D("0"), D("10"), 12)  # only the ordinary-interest limit changed
    assert rows == expected
    # a level not yet set starts from the defaults plus what is sent
    policy.limits.filter(level=1).delete()
    api.patch(f"/api/v1/agreements/policies/{policy.pk}/",
              {"limits": [{"level": 1, "max_late_interest_pct": "40"}]}, format="json")
    one = AuthorityLimit.objects.get(policy=policy, level=1)
    assert (one.max_late_interest_pct, one.max_interest_pct, one.max_installments) == (D("40"), D("0"), 12)
    refused = api.patch(f"/api/v1/agreements/policies/{policy.pk}/",
                        {"limits": [{"level": 2, "max_principal_pct": "101"}]}, format="json")
    assert refused.status_code == 422 and "debe estar entre 0 y 100" in refused.json()["detail"]
    twice = api.patch(f"/api/v1/agreements/policies/{policy.pk}/",
                      {"limits": [{"level": 3}, {"level": 3, "max_installments": 6}]}, format="json")
    assert twice.status_code == 422 and "aparece dos veces" in twice.json()["detail"]
    assert AuthorityLimit.objects.get(policy=policy, level=3).max_installments == 24


def test_policy_list_shows_the_stage_label(client_for, portfolio_officer, api_client_for):
    services.policy_create(actor=portfolio_officer, name="Judicial", stage="judicial",
                           limits=[{"level": 3, "max_late_interest_pct": "100"}])
    page = client_for(portfolio_officer).get(reverse("agreements:policies")).content.decode()
    row = page.split(">Judicial</a>", 1)[1].split("</tr>", 1)[0]
    assert "<td>Judicial</td>" in row and "judicial" not in row
    listed = api_client_for(portfolio_officer).get("/api/v1/agreements/policies/").json()
    assert {p["name"]: p["stage_label"] for p in listed} == {"Política general": "", "Judicial": "Judicial"}
