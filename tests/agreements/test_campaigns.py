"""Regularization campaigns: eligibility, the discount entries (idempotent), the task with its
progress page and the report of what was forgiven and recovered (page and CSV)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse

from recupera.agreements import services
from recupera.agreements.models import Campaign, CampaignCredit
from recupera.core.models import OperatingDate
from recupera.credits import engine_io
from recupera.credits.models import LedgerEntry
from recupera.credits.services import payment_post

from .conftest import AS_OF

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _business_date(db):
    OperatingDate.objects.update_or_create(pk=1, defaults={"business_date": AS_OF})


@pytest.fixture
def campaign(portfolio_officer):
    return services.campaign_create(actor=portfolio_officer, name="Regulariza 2024",
                                    starts_on=dt.date(2024, 6, 1), ends_on=dt.date(2024, 7, 31),
                                    dpd_min=90, dpd_max=365, late_interest_pct=100, interest_pct=50)


@pytest.fixture
def current_credit(make_credit):
    """Not yet in repayment at AS_OF: outside a 90+ days campaign."""
    return make_credit(amounts=("8000.00",), disbursed_on=dt.date(2023, 1, 15), term_months=12,
                       first_due_date=dt.date(2024, 8, 15), as_of=AS_OF)


def test_campaign_forgives_to_the_cent_only_eligible_credits_and_is_idempotent(
        overdue_credit, current_credit, campaign, portfolio_officer):
    assert overdue_credit.days_past_due >= 90
    counts = services.campaign_apply(actor=portfolio_officer, campaign=campaign, as_of=AS_OF)
    assert counts == {"applied": 1, "skipped": 0}
    row = CampaignCredit.objects.get(campaign=campaign)
    # Debt 12,410.41: late interest 118.78 (100 %), overdue interest 286.56 (50 % = 143.28)
    assert row.credit_id == overdue_credit.pk and row.debt == D("12410.41")
    assert row.discounts == {"late_interest": "118.78", "interest": "143.28"}
    assert row.forgiven == D("262.06")
    entries = list(LedgerEntry.objects.filter(credit=overdue_credit).values_list("kind", "amount", "natural_key"))
    assert entries == [("discount", D("118.78"), f"campana:{campaign.pk}:late_interest"),
                       ("discount", D("143.28"), f"campana:{campaign.pk}:interest")]
    assert engine_io.credit_state(overdue_credit, as_of=AS_OF).late_interest == 0
    assert not LedgerEntry.objects.filter(credit=current_credit).exists()
    campaign.refresh_from_db()
    assert (campaign.run_status, campaign.run_done, campaign.run_total) == ("terminada", 1, 1)
    # Again: nothing new is posted.
    services.campaign_apply(actor=portfolio_officer, campaign=campaign, as_of=AS_OF)
    assert LedgerEntry.objects.filter(credit=overdue_credit).count() == 2
    assert CampaignCredit.objects.filter(campaign=campaign).count() == 1


def test_campaign_balance_range_and_window(overdue_credit, portfolio_officer):
    small = services.campaign_create(actor=portfolio_officer, name="Saldos chicos",
                                     starts_on=dt.date(2024, 6, 1), ends_on=dt.date(2024, 6, 30),
                                     balance_max=D("5000.00"), late_interest_pct=100)
    assert services.campaign_apply(actor=portfolio_officer, campaign=small, as_of=AS_OF) == {
        "applied": 0, "skipped": 1}
    assert not LedgerEntry.objects.filter(credit=overdue_credit).exists()
    with pytest.raises(services.AgreementError, match="solo se aplica del 01/06/2024 al 30/06/2024"):
        services.campaign_apply(actor=portfolio_officer, campaign=small, as_of=dt.date(2024, 7, 1))
    with pytest.raises(services.AgreementError, match="debe condonar algo"):
        services.campaign_create(actor=portfolio_officer, name="Nada", starts_on=AS_OF, ends_on=AS_OF)


def test_report_shows_forgiven_and_recovered(overdue_credit, campaign, portfolio_officer):
    services.campaign_apply(actor=portfolio_officer, campaign=campaign, as_of=AS_OF)
    payment_post(actor=None, credit=overdue_credit, amount="3000.00", value_date=dt.date(2024, 6, 25),
                 channel="banco", natural_key="b-1", as_of=dt.date(2024, 6, 25))
    payment_post(actor=None, credit=overdue_credit, amount="500.00", value_date=dt.date(2024, 5, 2),
                 channel="banco", natural_key="b-0", as_of=dt.date(2024, 6, 25))  # before the campaign
    report = services.campaign_report(campaign, as_of=dt.date(2024, 6, 30))
    assert report["forgiven"] == D("262.06") and report["recovered"] == D("3000.00")
    assert report["rows"][0].recovered == D("3000.00")


def test_campaign_pages_create_run_progress_report_csv(client_for, overdue_credit, portfolio_officer,
                                                        settings, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    client = client_for(portfolio_officer)
    assert "Campañas" in client.get(reverse("home")).content.decode()
    response = client.post(reverse("agreements:campaigns"), {
        "name": "Regulariza", "starts_on": "01/06/2024", "ends_on": "31/07/2024", "dpd_min": "90",
        "balance_min": "0", "statuses": ["vencido"], "late_interest_pct": "100", "interest_pct": "0"})
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("agreements:campaign", args=[campaign.pk])
    assert campaign.statuses == ["vencido"]
    page = client.get(response["Location"]).content.decode()
    assert "Sin aplicar" in page and "<progress" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("agreements:campaign_run", args=[campaign.pk]))
    campaign.refresh_from_db()
    assert campaign.run_status == "terminada"
    fragment = client.get(reverse("agreements:campaign_progress", args=[campaign.pk])).content.decode()
    assert 'value="100"' in fragment and "hx-get" not in fragment and "1 de 1 créditos" in fragment
    page = client.get(reverse("agreements:campaign", args=[campaign.pk])).content.decode()
    assert overdue_credit.folio in page and "$118.78" in page
    csv = client.get(reverse("agreements:campaign_csv", args=[campaign.pk]))
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().splitlines()
    assert lines[0].startswith("folio,") and lines[1].startswith(f"{overdue_credit.folio},")
    assert lines[-1] == "TOTAL,,,,,118.78,0.00"


def test_a_queued_campaign_shows_polling_progress(client_for, campaign, portfolio_officer):
    Campaign.objects.filter(pk=campaign.pk).update(run_status="en_curso", run_total=4, run_done=1)
    fragment = client_for(portfolio_officer).get(
        reverse("agreements:campaign_progress", args=[campaign.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in fragment and 'value="25"' in fragment


def test_campaign_pages_need_manage_policy(client_for, collector, supervisor, campaign):
    for user in (collector, supervisor):
        client = client_for(user)
        assert client.get(reverse("agreements:campaigns")).status_code == 403
        assert client.post(reverse("agreements:campaign_run", args=[campaign.pk])).status_code == 403



def test_campaign_waiver_rules_may_waive_collection_fees(overdue_credit, portfolio_officer, client_for):
    from recupera.credits.services import entry_post

    entry_post(actor=portfolio_officer, credit=overdue_credit, kind="fee", amount="350.00",
               value_date=dt.date(2024, 6, 1), natural_key="gastos:1", as_of=AS_OF,
               reason="Gastos de cobranza: visita")
    campaign = services.campaign_create(actor=portfolio_officer, name="Borrón de gastos",
                                        starts_on=dt.date(2024, 6, 1), ends_on=dt.date(2024, 7, 31),
                                        dpd_min=90, late_interest_pct=50, fees_pct=100)
    row = services.campaign_credit_apply(actor=portfolio_officer, campaign=campaign,
                                         credit=overdue_credit, as_of=AS_OF)
    # late interest 118.78 × 50 % = 59.39; fees 350.00 × 100 %
    assert row.debt == D("12760.41") and row.discounts == {"late_interest": "59.39", "fees": "350.00"}
    assert row.forgiven == D("409.39")
    state = engine_io.credit_state(overdue_credit, as_of=AS_OF)
    assert state.fees_due == 0 and state.payoff_amount == D("12351.02")  # 12,760.41 − 409.39
    assert LedgerEntry.objects.get(natural_key=f"campana:{campaign.pk}:fees").params == {"component": "fees"}
    page = client_for(portfolio_officer).get(reverse("agreements:campaign", args=[campaign.pk])).content.decode()
    assert 'id="condona-gastos">100.00 %' in page


def test_campaign_only_of_fees_is_accepted_and_one_forgiving_nothing_is_refused(portfolio_officer):
    fees_only = services.campaign_create(actor=portfolio_officer, name="Solo gastos", starts_on=AS_OF,
                                         ends_on=AS_OF, fees_pct="100")
    assert fees_only.fees_pct == D("100")
    with pytest.raises(services.AgreementError, match="debe condonar algo"):
        services.campaign_create(actor=portfolio_officer, name="Nada", starts_on=AS_OF, ends_on=AS_OF)


def test_a_policy_segmented_by_campaign_governs_the_credits_in_that_campaign(
        overdue_credit, current_credit, campaign, portfolio_officer, collector):
    policy = services.policy_create(
        actor=portfolio_officer, name="Regulariza 2024: condiciones", priority=10, campaign=campaign,
        limits=[{"level": 1, "max_late_interest_pct": "100", "max_interest_pct": "50",
                 "max_principal_pct": "0", "min_down_payment_pct": "10", "max_installments": 12}])
    debt = D("12410.41")
    assert services.policy_for(overdue_credit, as_of=AS_OF, debt=debt) == policy
    # not in the campaign's segment (not overdue): the general policy
    assert services.policy_for(current_credit, as_of=AS_OF, debt=D("8000.00")).name == "Política general"
    # outside the campaign's window: the general policy
    assert services.policy_for(overdue_credit, as_of=dt.date(2024, 8, 1), debt=debt).name == "Política general"
    # a collector may now grant, on his own, what the campaign's policy lets level 1 grant
    offer = services.agreement_propose(actor=collector, credit=overdue_credit, kind="liquidacion",
                                       as_of=AS_OF, late_interest_pct=100, interest_pct=50)
    assert offer.policy == policy and offer.required_level == 1 and offer.status == "autorizado"
    assert offer.pays == D("12148.35")  # 12,410.41 − 118.78 − 143.28


def test_a_credit_the_campaign_reached_stays_in_it_when_its_arrears_change(
        overdue_credit, campaign, portfolio_officer):
    policy = services.policy_create(
        actor=portfolio_officer, name="Regulariza 2024: condiciones", priority=10, campaign=campaign,
        limits=[{"level": 2, "max_late_interest_pct": "100"}])
    services.campaign_credit_apply(actor=portfolio_officer, campaign=campaign, credit=overdue_credit,
                                   as_of=AS_OF)
    from recupera.credits.models import Credit

    Credit.objects.filter(pk=overdue_credit.pk).update(days_past_due=10)  # e.g. after a payment
    overdue_credit.refresh_from_db()
    assert services.policy_for(overdue_credit, as_of=AS_OF, debt=D("12000.00")) == policy
