"""Authority that holds (issue #20, finding 6): for every kind of agreement the level that must
authorize it comes from the money it actually forgives (engine.agreements.assess), the same
figure in the simulator, the proposal and the approval; a collector cannot exceed their limits
through the service, the pages or the API, and the approver's level is re-checked at the
decision with the credit as it is on the business date.

The credit is the worked example (conftest): 12,000.00, six installments overdue at 20/06/2024,
debt 12,410.41 = principal 12,000.00 + interest 291.63 (overdue 286.56) + late interest 118.78.
Default «Política general» limits: gestor 50 % late / 0 % interest / 0 % principal / 20 % down /
6 payments; jefe 100 / 25 / 0 / 10 / 12; Subdirección 100 / 100 / 20 / 5 / 24; Comité 100 / 100 / 50."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from recupera.agreements import services
from recupera.agreements.models import Agreement, AuthorityLimit, NegotiationPolicy
from recupera.agreements.services import AgreementError
from recupera.core.models import OperatingDate
from recupera.core.roles import Role
from recupera.credits import engine_io
from recupera.credits.models import LedgerEntry
from recupera.credits.services import payment_post

from .conftest import AS_OF

pytestmark = pytest.mark.django_db
SUBDIRECCION = "requiere autorización de Subdirección de Cartera"


@pytest.fixture(autouse=True)
def _business_date(db):
    OperatingDate.objects.update_or_create(pk=1, defaults={"business_date": AS_OF})


def _set_business_date(day: dt.date) -> None:
    OperatingDate.objects.update_or_create(pk=1, defaults={"business_date": day})


@pytest.fixture
def worked_credit(overdue_credit, collector):
    """The overdue credit with an open case assigned to the collector."""
    from recupera.collections.services import case_open, cases_reassign

    case = case_open(actor=None, credit=overdue_credit, as_of=AS_OF, origin="automatico")
    cases_reassign(actor=None, cases=[case], collector=collector, reason="prueba", as_of=AS_OF)
    return overdue_credit


@pytest.fixture
def committee(make_user):
    return make_user(Role.COMMITTEE, username="comite1")


def _restructure(credit, actor, **kw):
    return services.agreement_propose(actor=actor, credit=credit, kind="reestructura", as_of=AS_OF,
                                      new_term_months=24, **kw)


# --- restructure ------------------------------------------------------------------------------
def test_collector_restructure_that_waives_interest_waits_for_the_subdireccion(
        worked_credit, collector, supervisor, portfolio_officer):
    # CE-2026-00149: no discount asked, but the policy does not capitalize, so the restructure
    # itself waives 291.63 of interest and 118.78 of late interest: beyond a gestor (0 % interest)
    # and a jefe (25 %).
    agreement = _restructure(worked_credit, collector)
    assert agreement.status == Agreement.Status.PENDING
    assert agreement.required_level == 3
    assert agreement.forgiven == D("410.41") and agreement.pays == D("12000.00")
    assert not LedgerEntry.objects.filter(credit=worked_credit).exists()  # nothing applied
    with pytest.raises(AgreementError, match=SUBDIRECCION):
        services.agreement_decide(actor=supervisor, agreement=agreement, approve=True, comment="",
                                  as_of=AS_OF)
    services.agreement_decide(actor=portfolio_officer, agreement=agreement, approve=True, comment="Procede",
                              as_of=AS_OF)
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.APPLIED
    assert agreement.forgiven == D("410.41") and agreement.pays == D("12000.00")
    state = engine_io.credit_state(worked_credit, as_of=AS_OF)
    assert state.payoff_amount == D("12000.00") and state.schedules[-1].principal == D("12000.00")


def test_simulator_shows_the_figure_and_level_the_approval_enforces(worked_credit, collector):
    option = services.offers_simulate(credit=worked_credit, as_of=AS_OF, actor=collector)["options"][2]
    agreement = _restructure(worked_credit, collector)
    assert option["kind"] == "reestructura"
    assert D(option["forgiven"]) == agreement.forgiven == D("410.41")
    assert option["required_level"] == agreement.required_level == 3


def test_restructure_page_shows_the_level_and_the_supervisor_refusal(client_for, worked_credit, collector,
                                                                     supervisor):
    client = client_for(collector)
    page = client.get(reverse("agreements:simulate", args=[worked_credit.folio])).content.decode()
    section = page.split('id="opcion-reestructura"', 1)[1].split("</section>", 1)[0]
    assert "$410.41" in section and "Subdirección de Cartera" in section
    assert "Interés ordinario" in section and "$291.63" in section
    response = client.post(reverse("agreements:simulate", args=[worked_credit.folio]), {
        "kind": "reestructura", "new_term_months": "24", "reason": "Reestructura"}, follow=True)
    html = response.content.decode()
    assert "Oferta registrada: requiere autorización de Subdirección de Cartera." in html
    agreement = Agreement.objects.get(credit=worked_credit)
    assert agreement.status == Agreement.Status.PENDING
    client = client_for(supervisor)  # with the second factor its role needs (core/otp.py)
    refused = client.post(reverse("agreements:decide", args=[agreement.pk]),
                          {"decision": "aprobar", "comment": "Procede"})
    assert refused.status_code in (403, 422)
    if refused.status_code == 422:
        assert SUBDIRECCION in refused.content.decode()
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.PENDING


def test_restructure_through_the_api_waits_and_a_jefe_cannot_approve_it(api_client_for, worked_credit,
                                                                        collector, supervisor,
                                                                        portfolio_officer):
    proposed = api_client_for(collector).post("/api/v1/agreements/", {
        "folio": worked_credit.folio, "kind": "reestructura", "new_term_months": 24}, format="json")
    assert proposed.status_code == 201, proposed.content
    body = proposed.json()
    assert body["status"] == "por_autorizar" and body["required_level"] == 3
    assert body["forgiven"] == "410.41"
    refused = api_client_for(supervisor).post(f"/api/v1/agreements/{body['id']}/approve/", {}, format="json")
    assert refused.status_code in (403, 422)
    approved = api_client_for(portfolio_officer).post(f"/api/v1/agreements/{body['id']}/approve/",
                                                      {"comment": "Procede"}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "aplicado"


def test_capitalizing_restructure_carries_everything_owed_within_a_collector_authority(
        worked_credit, collector):
    NegotiationPolicy.objects.update(capitalize_interest=True)
    agreement = _restructure(worked_credit, collector)
    # nothing forgiven: the new principal is the whole debt, the period interest (5.07) included
    # (the engine's own capitalization would have left those 5.07 out)
    assert agreement.status == Agreement.Status.APPLIED and agreement.required_level == 1
    assert agreement.forgiven == D("0.00") and agreement.pays == D("12410.41")
    state = engine_io.credit_state(worked_credit, as_of=AS_OF)
    assert state.schedules[-1].principal == D("12410.41") and state.payoff_amount == D("12410.41")
    assert agreement.note.amount == D("12410.41")


def test_restructure_first_payment_far_ahead_is_refused(worked_credit, portfolio_officer):
    # a first payment months away would give months without interest that no figure shows
    with pytest.raises(AgreementError, match=r"El primer pago \(20/12/2024\) debe ser después de la fecha "
                                             r"del acuerdo y a más tardar el 20/07/2024"):
        _restructure(worked_credit, portfolio_officer, first_due_date=dt.date(2024, 12, 20))


# --- payment plan and the decision-time re-check -------------------------------------------------
def _plan(credit, actor, **kw):
    values = {"late_interest_pct": 100, "down_payment": D("2000.00"), "installments": 10,
              "first_due_date": dt.date(2024, 7, 20)}
    values.update(kw)
    return services.agreement_propose(actor=actor, credit=credit, kind="convenio", as_of=AS_OF, **values)


def test_plan_first_payment_far_ahead_is_refused(worked_credit, supervisor):
    with pytest.raises(AgreementError, match="El primer pago"):
        _plan(worked_credit, supervisor, first_due_date=dt.date(2025, 6, 20))


def test_plan_approval_rechecks_the_level_with_the_credit_on_the_business_date(
        worked_credit, collector, supervisor, portfolio_officer):
    # 50 % of late interest (59.39) and 25 % of overdue interest (71.64): a jefe may (25 % of
    # 291.63 = 72.91)
    agreement = _plan(worked_credit, collector, late_interest_pct=50, interest_pct=25)
    assert agreement.status == Agreement.Status.PENDING and agreement.required_level == 2
    # before the decision the debtor pays 200.00: installment 1's interest (60.00) is paid, so
    # the 71.64 discount is now beyond 25 % of the interest owed at the business date
    later = dt.date(2024, 6, 22)
    payment_post(actor=supervisor, credit=worked_credit, amount="200.00", value_date=dt.date(2024, 6, 21),
                 channel="caja", natural_key="caja:antes", as_of=later)
    with pytest.raises(AgreementError, match=r"Con el adeudo al 22/06/2024 esta oferta condona .* y "
                                             + SUBDIRECCION):
        services.agreement_decide(actor=supervisor, agreement=agreement, approve=True, comment="",
                                  as_of=later)
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.PENDING and not agreement.approvals.exists()
    services.agreement_decide(actor=portfolio_officer, agreement=agreement, approve=True, comment="Procede",
                              as_of=later)
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.IN_FORCE


def test_a_late_arriving_payment_dated_before_the_offer_refuses_the_approval(worked_credit, collector,
                                                                               supervisor):
    agreement = _plan(worked_credit, collector)
    payment_post(actor=supervisor, credit=worked_credit, amount="500.00", value_date=dt.date(2024, 6, 10),
                 channel="banco", natural_key="banco:tarde", as_of=AS_OF)
    with pytest.raises(AgreementError, match="cambió desde la oferta"):
        services.agreement_decide(actor=supervisor, agreement=agreement, approve=True, comment="",
                                  as_of=AS_OF)


def test_an_expired_offer_cannot_be_approved(client_for, worked_credit, collector, supervisor):
    agreement = _plan(worked_credit, collector)
    _set_business_date(dt.date(2024, 7, 6))  # valid until 05/07/2024
    response = client_for(supervisor).post(reverse("agreements:decide", args=[agreement.pk]),
                                           {"decision": "aprobar", "comment": "Procede"})
    assert response.status_code == 422
    assert "La oferta venció el 05/07/2024: rechácela y simule una nueva." in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.PENDING


# --- settlement (quita) and late-interest waivers -------------------------------------------------
def test_settlement_at_the_collector_late_interest_limit_needs_the_jefe(worked_credit, collector):
    # 50 % of 118.78 = 59.39 at the offer date; paid on the last valid day (05/07) the agreed
    # amount also forgives 15 days of late interest: more than 50 % of what is then owed
    agreement = services.agreement_propose(actor=collector, credit=worked_credit, kind="liquidacion",
                                           as_of=AS_OF, late_interest_pct=50)
    assert agreement.discounts == {"late_interest": "59.39"} and agreement.pays == D("12351.02")
    assert agreement.status == Agreement.Status.PENDING and agreement.required_level == 2


def test_late_interest_waiver_beyond_a_collector_shows_the_level_on_screen(client, worked_credit, collector):
    client.force_login(collector)
    response = client.post(reverse("agreements:simulate", args=[worked_credit.folio]), {
        "kind": "convenio", "late_interest_pct": "60", "down_payment": "3000.00", "installments": "6",
        "first_due_date": "20/07/2024"}, follow=True)
    assert "Oferta registrada: requiere autorización de Jefe de Departamento." in response.content.decode()
    assert Agreement.objects.get(credit=worked_credit).status == Agreement.Status.PENDING


def test_settlement_payment_rechecks_the_authority_that_approved_it(worked_credit, collector, supervisor):
    agreement = services.agreement_propose(actor=supervisor, credit=worked_credit, kind="liquidacion",
                                           as_of=AS_OF, late_interest_pct=100)
    assert agreement.status == Agreement.Status.AUTHORIZED and agreement.required_level == 2
    # the Subdirección lowers the jefe's late-interest limit before the debtor pays
    AuthorityLimit.objects.filter(level=2).update(max_late_interest_pct=D("50"))
    with pytest.raises(AgreementError, match=r"Pagada el 20/06/2024, la liquidación condonaría \$118.78, "
                                             r"más de lo que autorizó Jefe de Departamento"):
        services.settlement_pay(actor=supervisor, agreement=agreement, value_date=AS_OF, channel="caja",
                                natural_key="caja:liq", as_of=AS_OF)
    assert not LedgerEntry.objects.filter(credit=worked_credit).exists()


def test_settlement_payment_dates_are_bounded(worked_credit, supervisor):
    agreement = services.agreement_propose(actor=supervisor, credit=worked_credit, kind="liquidacion",
                                           as_of=AS_OF, late_interest_pct=100)
    for day in (dt.date(2024, 6, 19), dt.date(2024, 6, 21)):
        with pytest.raises(AgreementError, match="debe estar entre la fecha del acuerdo"):
            services.settlement_pay(actor=supervisor, agreement=agreement, value_date=day, channel="caja",
                                    natural_key="caja:liq", as_of=AS_OF)


# --- campaign offers ------------------------------------------------------------------------------
def test_campaign_policy_limits_apply_to_the_money_forgiven(worked_credit, collector, portfolio_officer):
    campaign = services.campaign_create(actor=portfolio_officer, name="Regulariza", starts_on=AS_OF,
                                        ends_on=dt.date(2024, 7, 31), dpd_min=1, late_interest_pct=100)
    services.policy_create(actor=portfolio_officer, name="Campaña: condiciones", priority=1, campaign=campaign,
                           limits=[{"level": 1, "max_late_interest_pct": "100", "max_installments": 12},
                                   {"level": 2, "max_late_interest_pct": "100", "max_interest_pct": "10",
                                    "max_installments": 12}])
    # a restructure waives 291.63 of interest: no level of the campaign policy may forgive it
    with pytest.raises(AgreementError, match="fuera de la política «Campaña: condiciones»: condona \\$410.41"):
        _restructure(worked_credit, collector)
    # the late-interest waiver the campaign allows a collector is still authorized at once
    agreement = _plan(worked_credit, collector, down_payment=D("3000.00"))
    assert agreement.policy.name == "Campaña: condiciones"
    assert agreement.status == Agreement.Status.IN_FORCE and agreement.required_level == 1


# --- write-off and death/disability waiver --------------------------------------------------------
def test_write_off_waits_for_the_committee_whoever_proposes_it(worked_credit, collector, portfolio_officer,
                                                               committee):
    agreement = services.special_request(actor=collector, credit=worked_credit, kind="castigo", as_of=AS_OF,
                                         reason="Irrecuperable", file=ContentFile(b"%PDF-1.4", name="d.pdf"),
                                         description="Dictamen")
    assert agreement.status == Agreement.Status.PENDING and agreement.required_level == 4
    assert agreement.forgiven == D("12410.41")
    with pytest.raises(AgreementError, match="requiere autorización de Dirección / Comité"):
        services.agreement_decide(actor=portfolio_officer, agreement=agreement, approve=True, comment="",
                                  as_of=AS_OF)
    services.agreement_decide(actor=committee, agreement=agreement, approve=True, comment="Acta 1",
                              as_of=AS_OF)
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.APPLIED and agreement.forgiven == D("12410.41")


def test_waiver_request_by_the_subdireccion_is_never_self_authorized(worked_credit, portfolio_officer,
                                                                     supervisor, committee):
    agreement = services.special_request(actor=portfolio_officer, credit=worked_credit, kind="condonacion",
                                         as_of=AS_OF, reason="Fallecimiento",
                                         file=ContentFile(b"%PDF-1.4", name="acta.pdf"),
                                         description="Acta de defunción")
    assert agreement.status == Agreement.Status.PENDING and agreement.required_level == 3
    with pytest.raises(AgreementError, match="Nadie puede autorizar su propia oferta"):
        services.agreement_decide(actor=portfolio_officer, agreement=agreement, approve=True, comment="",
                                  as_of=AS_OF)
    with pytest.raises(AgreementError, match=SUBDIRECCION):
        services.agreement_decide(actor=supervisor, agreement=agreement, approve=True, comment="",
                                  as_of=AS_OF)
    services.agreement_decide(actor=committee, agreement=agreement, approve=True, comment="Procede",
                              as_of=AS_OF)
    assert engine_io.credit_state(worked_credit, as_of=AS_OF).payoff_amount == 0


# --- no other door ---------------------------------------------------------------------------------
def test_an_agreement_cannot_be_edited_after_the_offer(api_client_for, worked_credit, collector, supervisor):
    from django.contrib import admin

    agreement = _plan(worked_credit, collector)
    assert Agreement not in admin.site._registry  # no admin form over offers or their figures
    api = api_client_for(supervisor)
    for method in ("put", "patch", "delete"):
        response = getattr(api, method)(f"/api/v1/agreements/{agreement.pk}/", {"pays": "1.00"}, format="json")
        assert response.status_code in (403, 405)
    agreement.refresh_from_db()
    assert agreement.pays == D("12291.63")


def test_approval_refused_when_the_debtor_already_paid_what_the_offer_forgives(worked_credit, collector,
                                                                               supervisor):
    agreement = _plan(worked_credit, collector)  # forgives all 118.78 of late interest
    later = dt.date(2024, 6, 22)
    # 200.00 pays installment 1's late interest (38.18) first: the 118.78 is no longer owed
    payment_post(actor=supervisor, credit=worked_credit, amount="200.00", value_date=dt.date(2024, 6, 21),
                 channel="caja", natural_key="caja:antes", as_of=later)
    with pytest.raises(AgreementError, match="Al 22/06/2024 el crédito .* ya no debe lo que la oferta condona"):
        services.agreement_decide(actor=supervisor, agreement=agreement, approve=True, comment="",
                                  as_of=later)


def test_a_lower_rate_in_a_restructure_needs_the_authority_over_interest(worked_credit, collector):
    NegotiationPolicy.objects.update(capitalize_interest=True)
    # 3 % instead of 6 %: nothing owed today is forgiven, but 398.94 of the new schedule's
    # interest is given up (50 % of it): a gestor (0 % interest) cannot grant it alone
    agreement = _restructure(worked_credit, collector, new_rate=D("0.03"))
    assert agreement.forgiven == D("0.00") and agreement.status == Agreement.Status.PENDING
    assert agreement.required_level == 3


def test_a_campaign_cannot_forgive_more_than_its_creator_may(client_for, portfolio_officer, make_user):
    # the Subdirección may forgive 100 % of interest under the general policy; lowered to 50 %,
    # a campaign forgiving 60 % of overdue interest is beyond it: refused on the page, nothing saved
    AuthorityLimit.objects.filter(level=3).update(max_interest_pct=D("50"))
    response = client_for(portfolio_officer).post(reverse("agreements:campaigns"), {
        "name": "Regulariza", "starts_on": "20/06/2024", "ends_on": "31/07/2024", "dpd_min": "1",
        "balance_min": "0", "late_interest_pct": "100", "interest_pct": "60", "fees_pct": "0"})
    assert response.status_code == 422
    assert ("La campaña condona más de lo que su nivel (Subdirección de Cartera) puede autorizar en la "
            "política «Política general»: moratorios y gastos hasta 100.00 %, interés ordinario hasta "
            "50.00 %.") in response.content.decode()
    from recupera.agreements.models import Campaign

    assert not Campaign.objects.exists()
    # the Dirección (a superuser holds level 4) may
    director = make_user(None, username="director", is_superuser=True)
    services.campaign_create(actor=director, name="Regulariza", starts_on=AS_OF, ends_on=dt.date(2024, 7, 31),
                             late_interest_pct=100, interest_pct=60)
    assert Campaign.objects.count() == 1


def test_successive_plans_cannot_add_up_beyond_a_collector_limit(worked_credit, collector, supervisor):
    # a policy that keeps the waiver of a broken plan: the gestor's first plan forgives 50 % of
    # late interest (59.39); it breaks; a second plan at 50 % of what remains would bring the
    # late interest forgiven to 75 %: it needs the jefe
    NegotiationPolicy.objects.update(revoke_on_break=False)
    first = _plan(worked_credit, collector, late_interest_pct=50, down_payment=D("2470.21"), installments=6)
    assert first.status == Agreement.Status.IN_FORCE and first.required_level == 1
    services.plan_break(actor=supervisor, agreement=first, as_of=AS_OF, reason="Sin pagos")
    second = _plan(worked_credit, collector, late_interest_pct=50, down_payment=D("2470.21"), installments=6)
    assert second.discounts == {"late_interest": "29.70"}
    assert second.status == Agreement.Status.PENDING and second.required_level == 2
