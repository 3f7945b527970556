"""Worked examples per agreement type (to the cent) and the refusals, with Spanish reasons."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from recupera.agreements import services
from recupera.agreements.models import Agreement
from recupera.agreements.services import AgreementError
from recupera.core.roles import Role
from recupera.credits import engine_io
from recupera.credits.models import Credit, LedgerEntry, PromissoryNote
from recupera.credits.services import entry_post, payment_post

from .conftest import AS_OF

pytestmark = pytest.mark.django_db


def test_simulator_lists_the_three_options_with_figures_and_words(overdue_credit, collector):
    result = services.offers_simulate(credit=overdue_credit, as_of=AS_OF, actor=collector)
    assert result["debt"] == "12410.41"
    assert result["policy"] == "Política general"
    settlement, plan, restructure = result["options"]
    # committee maximum: 100 % late interest, 100 % overdue interest, 50 % principal
    assert settlement["discounts"] == {"late_interest": "118.78", "interest": "286.56",
                                       "principal": "6000.00"}
    assert D(settlement["pays"]) + D(settlement["forgiven"]) == D("12410.41")
    assert settlement["required_level"] == 4
    assert plan["pays"] == "12291.63" and plan["forgiven"] == "118.78"
    assert plan["pays_words"] == "DOCE MIL DOSCIENTOS NOVENTA Y UN PESOS 63/100 M.N."
    # the restructure (the policy does not capitalize) waives interest 291.63 and late
    # interest 118.78: the simulator shows that money and the level it needs (100 % of interest:
    # Subdirección), not «condona $0.00, autoriza Gestor» (issue #20, finding 6)
    assert restructure["forgiven"] == "410.41" and restructure["new_principal"] == "12000.00"
    assert restructure["forgiven_parts"] == {"late_interest": "118.78", "interest": "291.63"}
    assert restructure["required_level"] == 3
    assert restructure["required_level_label"] == "Subdirección de Cartera"


def test_settlement_within_authority_applies_and_paying_it_closes_the_credit(overdue_credit, supervisor):
    agreement = services.agreement_propose(actor=supervisor, credit=overdue_credit, kind="liquidacion",
                                           as_of=AS_OF, late_interest_pct=100, interest_pct=25)
    assert agreement.status == Agreement.Status.AUTHORIZED
    assert agreement.discounts == {"late_interest": "118.78", "interest": "71.64"}
    assert agreement.pays == D("12219.99")  # 12,410.41 − 118.78 − 71.64
    assert agreement.pays + agreement.forgiven == agreement.debt
    services.settlement_pay(actor=supervisor, agreement=agreement, value_date=AS_OF, channel="caja",
                            natural_key="caja:1", as_of=AS_OF)
    state = engine_io.credit_state(overdue_credit, as_of=AS_OF)
    assert state.status == "paid_off" and state.payoff_amount == 0 and state.credit_balance == 0
    assert set(PromissoryNote.objects.filter(credit=overdue_credit).values_list("status", flat=True)) == {
        PromissoryNote.Status.TO_RETURN}
    kinds = list(LedgerEntry.objects.filter(credit=overdue_credit).values_list("kind", "amount"))
    assert kinds == [("discount", D("118.78")), ("discount", D("71.64")), ("payoff", D("12219.99"))]


def test_offer_beyond_authority_waits_and_the_supervisor_approves(overdue_credit, collector, supervisor):
    agreement = services.agreement_propose(actor=collector, credit=overdue_credit, kind="convenio",
                                           as_of=AS_OF, late_interest_pct=100, down_payment=D("2000.00"),
                                           installments=10, first_due_date=dt.date(2024, 7, 20))
    assert agreement.status == Agreement.Status.PENDING and agreement.required_level == 2
    with pytest.raises(AgreementError, match="Nadie puede autorizar su propia oferta"):
        services.agreement_decide(actor=collector, agreement=agreement, approve=True, comment="",
                                  as_of=AS_OF)
    services.agreement_decide(actor=supervisor, agreement=agreement, approve=True, comment="Procede",
                              as_of=AS_OF)
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.IN_FORCE
    amounts = [i.amount for i in agreement.installments.all()]
    # 12,291.63 − 2,000.00 = 10,291.63 in 10: 1,029.16 × 9 and 1,029.19
    assert amounts == [D("2000.00")] + [D("1029.16")] * 9 + [D("1029.19")]
    overdue_credit.refresh_from_db()
    assert overdue_credit.administrative_status == Credit.Status.PLAN
    assert engine_io.credit_state(overdue_credit, as_of=AS_OF).payoff_amount == D("12291.63")


def test_broken_plan_revokes_the_waiver_the_debt_returns_less_what_was_paid(overdue_credit, supervisor):
    agreement = services.agreement_propose(actor=supervisor, credit=overdue_credit, kind="convenio",
                                           as_of=AS_OF, late_interest_pct=100, down_payment=D("2000.00"),
                                           installments=10, first_due_date=dt.date(2024, 7, 20))
    payment_post(actor=supervisor, credit=overdue_credit, amount="2000.00", value_date=AS_OF,
                 channel="caja", natural_key="caja:enganche", as_of=AS_OF)
    later = dt.date(2024, 9, 1)  # installments of 20/07 and 20/08 missed (tolerance 5 days)
    assert services.plan_evaluate(actor=supervisor, agreement=agreement, as_of=later) == "incumplido"
    reversed_ids = set(LedgerEntry.objects.filter(kind="reversal").values_list("reverses_id", flat=True))
    assert reversed_ids == set(agreement.entries[:1])
    # as if the waiver never existed: the same as a credit with only the 2,000.00 payment
    state = engine_io.credit_state(overdue_credit, as_of=later)
    assert state.late_interest > D("118.78")
    overdue_credit.refresh_from_db()
    assert overdue_credit.administrative_status == ""


def test_fulfilled_plan_forgives_what_accrued_meanwhile_and_settles(overdue_credit, supervisor):
    agreement = services.agreement_propose(actor=supervisor, credit=overdue_credit, kind="convenio",
                                           as_of=AS_OF, late_interest_pct=100, down_payment=D("6291.63"),
                                           installments=2, first_due_date=dt.date(2024, 7, 20))
    payment_post(actor=supervisor, credit=overdue_credit, amount="6291.63", value_date=AS_OF,
                 channel="caja", natural_key="p0", as_of=AS_OF)
    payment_post(actor=supervisor, credit=overdue_credit, amount="3000.00", value_date=dt.date(2024, 7, 19),
                 channel="caja", natural_key="p1", as_of=dt.date(2024, 7, 19))
    end = dt.date(2024, 8, 20)
    payment_post(actor=supervisor, credit=overdue_credit, amount="3000.00", value_date=end,
                 channel="caja", natural_key="p2", as_of=end)
    before = engine_io.credit_state(overdue_credit, as_of=end)
    assert services.plan_evaluate(actor=supervisor, agreement=agreement, as_of=end) == "cumplido"
    state = engine_io.credit_state(overdue_credit, as_of=end)
    assert state.payoff_amount == 0 and state.status == "paid_off"
    # one waiver entry forgives exactly what was left on the books: what accrued meanwhile
    waiver = LedgerEntry.objects.get(credit=overdue_credit, kind="waiver")
    agreement.refresh_from_db()
    assert waiver.amount == before.payoff_amount == D("64.61") and waiver.pk == agreement.entries[-1]
    posting = next(p for p in state.postings if p.event_id == str(waiver.pk))
    assert posting.amount == waiver.amount and all(a.component.startswith("waived_") for a in posting.allocations)


def test_restructure_new_schedule_new_note_old_notes_substituted(overdue_credit, portfolio_officer):
    agreement = services.agreement_propose(actor=portfolio_officer, credit=overdue_credit, kind="reestructura",
                                           as_of=AS_OF, new_rate=D("0.06"), new_term_months=24,
                                           first_due_date=dt.date(2024, 7, 15))
    assert agreement.status == Agreement.Status.APPLIED
    state = engine_io.credit_state(overdue_credit, as_of=AS_OF)
    schedule = state.schedules[-1]
    assert schedule.reason == "restructure" and len(schedule.installments) == 24
    assert schedule.principal == D("12000.00")  # interest not capitalized (policy): waived
    # the new schedule charges its first period from 15/06 (one month before 15/07) at the
    # punctual rate: 12,000.00 × 3 % / 360 × 5 days = 5.00 owed at the date; 405.41 forgiven
    assert agreement.pays == D("12005.00") and agreement.forgiven == D("405.41")
    assert agreement.required_level == 3 and agreement.pays + agreement.forgiven == agreement.debt
    assert state.days_past_due == 0
    notes = dict(PromissoryNote.objects.filter(credit=overdue_credit).values_list("number", "status"))
    assert notes[f"P-{overdue_credit.folio}-1"] == "sustituido"
    assert notes[agreement.note.number] == "vigente"
    overdue_credit.refresh_from_db()
    assert overdue_credit.administrative_status == "reestructurado"


def test_refused_outside_policy(overdue_credit, make_user):
    director = make_user(None, username="director", is_superuser=True)
    with pytest.raises(AgreementError, match="fuera de la política"):
        services.agreement_propose(actor=director, credit=overdue_credit, kind="liquidacion",
                                   as_of=AS_OF, principal_pct=80)


def test_refused_restructure_of_a_settled_credit(overdue_credit, supervisor):
    entry_post(actor=supervisor, credit=overdue_credit, kind="payoff", amount="12410.41",
               value_date=AS_OF, channel="caja", natural_key="todo", as_of=AS_OF)
    with pytest.raises(AgreementError, match="No se puede reestructurar un crédito liquidado"):
        services.agreement_propose(actor=supervisor, credit=overdue_credit, kind="reestructura",
                                   as_of=AS_OF)


def test_approver_below_the_required_level_is_refused(overdue_credit, collector, supervisor):
    agreement = services.agreement_propose(actor=collector, credit=overdue_credit, kind="liquidacion",
                                           as_of=AS_OF, principal_pct=10)
    assert agreement.required_level == 3
    with pytest.raises(AgreementError, match="requiere autorización de Subdirección de Cartera"):
        services.agreement_decide(actor=supervisor, agreement=agreement, approve=True, comment="",
                                  as_of=AS_OF)


def test_waiver_needs_documents_and_forgives_everything(overdue_credit, collector, portfolio_officer,
                                                        settings, tmp_path):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = tmp_path

    agreement = services.agreement_propose(actor=collector, credit=overdue_credit, kind="condonacion",
                                           as_of=AS_OF, reason="Fallecimiento del acreditado")
    with pytest.raises(AgreementError, match="Adjunte la documentación"):
        services.agreement_decide(actor=portfolio_officer, agreement=agreement, approve=True,
                                  comment="", as_of=AS_OF)
    services.document_attach(actor=collector, agreement=agreement,
                             file=ContentFile(b"%PDF-1.4 acta", name="acta.pdf"),
                             description="Acta de defunción")
    services.agreement_decide(actor=portfolio_officer, agreement=agreement, approve=True,
                              comment="Procede", as_of=AS_OF)
    state = engine_io.credit_state(overdue_credit, as_of=AS_OF)
    assert state.status == "paid_off" and state.payoff_amount == 0
    overdue_credit.refresh_from_db()
    assert overdue_credit.administrative_status == "condonado"
    # one waiver entry forgives exactly the debt at the agreement date, per component
    entries = list(LedgerEntry.objects.filter(credit=overdue_credit).values_list("kind", "amount"))
    assert entries == [("waiver", D("12410.41"))]
    agreement.refresh_from_db()
    assert agreement.discounts == {"late_interest": "118.78", "interest": "291.63", "principal": "12000.00"}
    assert agreement.pays == 0 and agreement.forgiven == agreement.debt == D("12410.41")
    waived = sum((a.amount for a in state.postings[0].allocations), D(0))
    assert waived == agreement.forgiven


def test_roles_levels(collector, supervisor, portfolio_officer):
    from recupera.core.predicates import authority_level

    assert [authority_level(u) for u in (collector, supervisor, portfolio_officer)] == [1, 2, 3]
    assert Role.COLLECTOR


def test_collection_fees_are_waived_with_late_interest_under_its_limit(overdue_credit, collector, supervisor):
    entry_post(actor=supervisor, credit=overdue_credit, kind="fee", amount="350.00",
               value_date=dt.date(2024, 6, 1), natural_key="gastos:1", as_of=AS_OF, reason="Visita")
    # a gestor may waive up to 50 % of late interest, and so of fees: 59.39 + 175.00; paid on
    # the offer's last valid day (05/07) the agreed amount also forgives the late interest of
    # those 15 days, beyond 50 %: the settlement needs the Jefe de Departamento
    agreement = services.agreement_propose(actor=collector, credit=overdue_credit, kind="liquidacion",
                                           as_of=AS_OF, late_interest_pct=50)
    assert agreement.debt == D("12760.41") and agreement.required_level == 2
    assert agreement.discounts == {"late_interest": "59.39", "fees": "175.00"}
    assert agreement.pays == D("12526.02") and agreement.pays + agreement.forgiven == agreement.debt
    options = services.offers_simulate(credit=overdue_credit, as_of=AS_OF, actor=collector)["options"]
    assert options[0]["discounts"]["fees"] == "350.00" and options[1]["discounts"]["fees"] == "350.00"


def test_write_off_and_waiver_requests_have_no_offer_validity(overdue_credit, collector):
    agreement = services.agreement_propose(actor=collector, credit=overdue_credit, kind="castigo",
                                           as_of=AS_OF, reason="Irrecuperable")
    assert agreement.valid_until is None and agreement.required_level == 4
