"""Write-off (castigo) as a ledger entry with allocations, recoveries after it, and the
«Dirección / Comité» role (authority level 4)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.db.models import Sum
from django.urls import reverse

from recupera.agreements import services
from recupera.agreements.models import Agreement
from recupera.agreements.services import AgreementError
from recupera.core.models import AuditEntry
from recupera.core.predicates import authority_level
from recupera.core.roles import Role
from recupera.credits import engine_io
from recupera.credits.models import Allocation, Credit, LedgerEntry, PromissoryNote
from recupera.credits.services import payment_post, payment_reverse

from .conftest import AS_OF

pytestmark = pytest.mark.django_db


@pytest.fixture
def committee(make_user):
    return make_user(Role.COMMITTEE, username="direccion1", email="direccion@ibcees.example")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def offer_date(db):
    """The pages decide at the business date: AS_OF, while the offers of AS_OF are valid."""
    from recupera.core.models import OperatingDate

    OperatingDate.objects.update_or_create(pk=1, defaults={"business_date": AS_OF})


def _write_off(credit, proposer, approver) -> Agreement:
    agreement = services.special_request(
        actor=proposer, credit=credit, kind="castigo", as_of=AS_OF,
        reason="Irrecuperable: acreditado no localizable, sin bienes", description="Dictamen jurídico",
        file=ContentFile(b"%PDF-1.4 dictamen", name="dictamen.pdf"))
    return services.agreement_decide(actor=approver, agreement=agreement, approve=True,
                                     comment="Comité 3/2024", as_of=AS_OF)


def _components(credit, kind) -> dict[str, D]:
    rows = (Allocation.objects.filter(credit=credit, entry__kind=kind).values("component")
            .annotate(total=Sum("amount")))
    return {r["component"]: r["total"] for r in rows}


def test_write_off_posts_an_entry_with_allocations_and_leaves_nothing_on_the_books(
        overdue_credit, portfolio_officer, committee):
    agreement = _write_off(overdue_credit, portfolio_officer, committee)
    assert agreement.status == Agreement.Status.APPLIED
    entry = LedgerEntry.objects.get(credit=overdue_credit, kind="write_off")
    assert entry.value_date == AS_OF and entry.amount == D("12410.41")
    assert agreement.entries == [entry.pk]
    # per component (and per installment: 12 installments' principal, 6 overdue + the period's)
    assert _components(overdue_credit, "write_off") == {
        "writeoff_late_interest": D("118.78"), "writeoff_interest": D("291.63"),
        "writeoff_principal": D("12000.00")}
    assert Allocation.objects.filter(entry=entry, component="writeoff_principal").count() == 12
    # what the debtor pays (nothing) + what is written off = the debt at the agreement date
    assert agreement.pays == D("0.00") and agreement.forgiven == D("12410.41")
    assert agreement.pays + agreement.forgiven == agreement.debt
    overdue_credit.refresh_from_db()
    assert overdue_credit.status == Credit.Status.WRITTEN_OFF == overdue_credit.administrative_status
    assert overdue_credit.payoff_amount == 0 and overdue_credit.total_overdue == 0
    later = engine_io.credit_state(overdue_credit, as_of=dt.date(2024, 12, 31))
    assert later.status == "written_off" and later.payoff_amount == 0 and later.late_interest == 0
    assert later.written_off == D("12410.41")
    # the debt is still legally owed: the pagaré stays in force (not returned)
    assert set(PromissoryNote.objects.filter(credit=overdue_credit).values_list("status", flat=True)) == {
        PromissoryNote.Status.IN_FORCE}


def test_a_payment_after_the_write_off_is_accepted_as_a_recovery(overdue_credit, portfolio_officer,
                                                                 committee, client_for):
    agreement = _write_off(overdue_credit, portfolio_officer, committee)
    later = dt.date(2024, 8, 5)
    payment_post(actor=portfolio_officer, credit=overdue_credit, amount="1500.00", value_date=later,
                 channel="banco", natural_key="banco:recupera-1", as_of=later)
    assert _components(overdue_credit, "payment") == {
        "recovered_late_interest": D("68.98"),  # installments 1 and 2: 38.18 + 30.80
        "recovered_interest": D("115.14"),  # 60.00 + 55.14
        "recovered_principal": D("1315.88"),  # 972.80 + 343.08
    }
    assert services.write_off_recovered(overdue_credit) == D("1500.00")
    state = engine_io.credit_state(overdue_credit, as_of=later)
    assert state.written_off == D("10910.41") and state.payoff_amount == 0
    overdue_credit.refresh_from_db()
    assert overdue_credit.status == Credit.Status.WRITTEN_OFF
    page = client_for(portfolio_officer).get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    assert 'id="recuperado">$1,500.00' in page and "Se castiga" in page
    credit_page = client_for(portfolio_officer).get(
        reverse("credits:detail", args=[overdue_credit.folio])).content.decode()
    assert "por recuperar" in credit_page and "recuperación de capital castigado" in credit_page


def test_reversing_the_write_off_gives_the_credit_its_debt_and_status_back(
        overdue_credit, portfolio_officer, committee):
    before = engine_io.credit_state(overdue_credit, as_of=AS_OF)
    _write_off(overdue_credit, portfolio_officer, committee)
    entry = LedgerEntry.objects.get(credit=overdue_credit, kind="write_off")
    payment_reverse(actor=committee, entry=entry, reason="Castigo autorizado por error",
                    value_date=AS_OF, as_of=AS_OF)
    overdue_credit.refresh_from_db()
    assert overdue_credit.administrative_status == ""
    assert overdue_credit.status == Credit.Status.OVERDUE
    assert overdue_credit.payoff_amount == before.payoff_amount == D("12410.41")
    after = engine_io.credit_state(overdue_credit, as_of=AS_OF)
    assert after.written_off == 0 and after.status == before.status
    assert AuditEntry.objects.filter(action="credito.estado_administrativo",
                                     object_id=str(overdue_credit.pk),
                                     actor=committee).exists()


def test_no_agreement_on_a_written_off_credit(overdue_credit, portfolio_officer, committee):
    _write_off(overdue_credit, portfolio_officer, committee)
    with pytest.raises(AgreementError, match="No se puede reestructurar un crédito castigado"):
        services.agreement_propose(actor=portfolio_officer, credit=overdue_credit, kind="reestructura",
                                   as_of=AS_OF)
    result = services.offers_simulate(credit=overdue_credit, as_of=AS_OF, actor=portfolio_officer)
    assert result["refused"] == f"El crédito {overdue_credit.folio} no tiene adeudo negociable."


def test_committee_role_holds_level_four_and_approves_what_the_subdireccion_cannot(
        overdue_credit, collector, portfolio_officer, committee, client_for, offer_date):
    assert [authority_level(u) for u in (collector, portfolio_officer, committee)] == [1, 3, 4]
    # 40 % of principal: beyond the Subdirección (20 %), within the committee (50 %)
    agreement = services.agreement_propose(actor=collector, credit=overdue_credit, kind="liquidacion",
                                           as_of=AS_OF, late_interest_pct=100, principal_pct=40)
    assert agreement.status == Agreement.Status.PENDING and agreement.required_level == 4
    with pytest.raises(AgreementError, match="requiere autorización de Dirección / Comité"):
        services.agreement_decide(actor=portfolio_officer, agreement=agreement, approve=True,
                                  comment="", as_of=AS_OF)
    inbox = client_for(committee).get(reverse("agreements:inbox")).content.decode()
    assert reverse("agreements:detail", args=[agreement.pk]) in inbox
    response = client_for(committee).post(reverse("agreements:decide", args=[agreement.pk]),
                                          {"decision": "aprobar", "comment": "Acta de comité 7/2024"})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.AUTHORIZED
    approval = agreement.approvals.get()
    assert (approval.level, approval.decided_by_id, approval.comment) == (4, committee.pk,
                                                                           "Acta de comité 7/2024")
    assert agreement.pays == D("7491.63")  # 12,410.41 − 118.78 − 4,800.00
    assert agreement.pays + agreement.forgiven == agreement.debt


def test_committee_members_are_notified_and_cannot_approve_their_own_offer(
        overdue_credit, committee, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        agreement = services.special_request(actor=committee, credit=overdue_credit, kind="castigo",
                                             as_of=AS_OF, reason="Irrecuperable",
                                             file=ContentFile(b"%PDF-1.4", name="d.pdf"),
                                             description="Dictamen")
    assert agreement.status == Agreement.Status.PENDING  # a write-off always waits for a decision
    assert [m.to for m in mail.outbox] == [["direccion@ibcees.example"]]
    with pytest.raises(AgreementError, match="Nadie puede autorizar su propia oferta"):
        services.agreement_decide(actor=committee, agreement=agreement, approve=True, comment="",
                                  as_of=AS_OF)


def test_demo_creates_a_committee_user(db):
    from django.contrib.auth import get_user_model

    from recupera.ops.management.commands.demo import DEMO_PASSWORD, ensure_demo_users

    created = dict(ensure_demo_users())
    assert created[Role.COMMITTEE] == "direccion"
    user = get_user_model().objects.get(username="direccion")
    assert user.check_password(DEMO_PASSWORD) and authority_level(user) == 4
    assert list(user.groups.values_list("name", flat=True)) == ["Dirección / Comité"]


def test_api_lists_the_offers_pending_for_the_users_level(overdue_credit, collector, supervisor, committee,
                                                          api_client_for, offer_date):
    beyond = services.agreement_propose(actor=collector, credit=overdue_credit, kind="liquidacion",
                                        as_of=AS_OF, late_interest_pct=100, principal_pct=40)
    assert [a["id"] for a in api_client_for(committee).get("/api/v1/agreements/pending/").json()] == [beyond.pk]
    assert api_client_for(supervisor).get("/api/v1/agreements/pending/").json() == []  # level 2 < 4
    assert api_client_for(collector).get("/api/v1/agreements/pending/").status_code == 403
    approved = api_client_for(committee).post(f"/api/v1/agreements/{beyond.pk}/approve/",
                                              {"comment": "Comité"}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "autorizado"
    assert approved.json()["approvals"][0]["level"] == 4


def test_the_daily_close_keeps_a_written_off_credit_off_the_books(overdue_credit, portfolio_officer, committee):
    from recupera.cob.models import CreditAging
    from recupera.cob.services import close_run

    _write_off(overdue_credit, portfolio_officer, committee)
    run = close_run(actor=None, business_date=dt.date(2024, 9, 2))
    assert run.finished
    aging = CreditAging.objects.get(credit=overdue_credit)
    assert (aging.fixed_status, aging.volatile) == ("written_off", False)
    overdue_credit.refresh_from_db()
    assert overdue_credit.status == Credit.Status.WRITTEN_OFF
    assert (overdue_credit.days_past_due, overdue_credit.payoff_amount, overdue_credit.total_overdue) == (0, 0, 0)
