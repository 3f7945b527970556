"""Cases, actions, promises and conduct through the services (the only way to write)."""

import datetime as dt
from decimal import Decimal

import pytest

from recupera.collections import services
from recupera.collections.models import Action, Assignment, Case, ConductOverride, Promise
from recupera.core.models import AuditEntry

from .conftest import AS_OF, MONDAY_10AM, party_person, phone_of

pytestmark = pytest.mark.django_db


def test_the_overdue_credit_has_days_past_due(make_credit):
    credit = make_credit()
    assert credit.days_past_due == 54
    assert credit.total_overdue > 0


# ---------------------------------------------------------------- cases

def test_cases_sync_opens_one_case_per_overdue_credit_and_is_idempotent(make_credit):
    overdue = make_credit()
    current = make_credit(first_due_date=dt.date(2025, 6, 15))
    counts = services.cases_sync(actor=None, as_of=AS_OF)
    assert counts["opened"] == 1
    case = Case.objects.get()
    assert case.credit == overdue and case.stage == "tardia" and case.status == "abierto"
    assert case.priority > 0 and case.priority_reasons[0]["code"] == "atraso"
    assert not Case.objects.filter(credit=current).exists()
    again = services.cases_sync(actor=None, as_of=AS_OF)
    assert again["opened"] == 0 and Case.objects.count() == 1
    assert AuditEntry.objects.filter(action="casos.sincronizar").count() == 2


def test_one_open_case_per_credit_is_a_database_constraint(make_credit):
    from django.db import IntegrityError, transaction

    credit = make_credit()
    services.case_open(actor=None, credit=credit, as_of=AS_OF)
    with pytest.raises(services.WorkbenchError, match="ya tiene un caso abierto"):
        services.case_open(actor=None, credit=credit, as_of=AS_OF)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(credit=credit, opened_on=AS_OF)


def test_threshold_and_stage_cuts_are_configurable(make_credit):
    from recupera.collections.models import CollectionSettings

    make_credit()
    CollectionSettings.objects.update_or_create(pk=1, defaults={"open_case_min_dpd": 60})
    assert services.cases_sync(actor=None, as_of=AS_OF)["opened"] == 0
    CollectionSettings.objects.filter(pk=1).update(open_case_min_dpd=30, extrajudicial_from_dpd=50)
    services.cases_sync(actor=None, as_of=AS_OF)
    assert Case.objects.get().stage == "extrajudicial"


def test_case_closes_as_current_when_the_credit_is_paid_up(make_case):
    from recupera.credits.services import payment_post

    case = make_case()
    credit = case.credit
    payment_post(actor=None, credit=credit, amount=credit.total_overdue + Decimal("50"),
                 value_date=AS_OF, channel="caja", natural_key="t-1", as_of=AS_OF)
    credit.refresh_from_db()
    assert credit.days_past_due == 0
    counts = services.cases_sync(actor=None, as_of=AS_OF)
    case.refresh_from_db()
    assert counts["closed_al_corriente"] == 1
    assert (case.status, case.close_reason, case.closed_on) == ("cerrado", "al_corriente", AS_OF)
    assert Assignment.objects.get(case=case).ends_on == AS_OF


def test_a_hand_opened_preventive_case_stays_open_for_its_days(make_credit):
    credit = make_credit(first_due_date=dt.date(2025, 6, 15))
    case = services.case_open(actor=None, credit=credit, as_of=AS_OF)
    assert case.stage == "preventiva" and case.origin == "manual"
    services.cases_sync(actor=None, as_of=AS_OF + dt.timedelta(days=5))
    case.refresh_from_db()
    assert case.is_open
    services.cases_sync(actor=None, as_of=AS_OF + dt.timedelta(days=31))
    case.refresh_from_db()
    assert case.status == "cerrado"


def test_judicial_stage_is_set_by_decision_and_kept_by_sync(make_case):
    case = make_case()
    services.case_stage_set(actor=None, case=case, stage="judicial", reason="Demanda presentada")
    services.cases_sync(actor=None, as_of=AS_OF)
    case.refresh_from_db()
    assert case.stage == "judicial" and case.stage_by_decision


# ---------------------------------------------------------------- actions and conduct

def test_logging_a_call_with_a_promise(make_case, outcome, collector):
    case = make_case()
    borrower = party_person(case, "acreditado")
    action = services.action_log(
        actor=collector, case=case, now=MONDAY_10AM, business_date=AS_OF, channel="llamada_saliente",
        party="acreditado", person=borrower, contact_point=phone_of(borrower),
        outcome=outcome("promesa_pago"), promise_amount=Decimal("1500.00"),
        promise_due_on=AS_OF + dt.timedelta(days=5), notes="Paga el viernes", duration_seconds=180)
    promise = Promise.objects.get()
    assert promise.action == action and promise.amount == Decimal("1500.00") and promise.status == "pendiente"
    case.refresh_from_db()
    assert case.first_contact_on == AS_OF and case.last_action_on == AS_OF
    assert case.first_contact_due is None and case.next_action_due == AS_OF + dt.timedelta(days=10)
    assert AuditEntry.objects.filter(action="gestion.registrar", object_id=str(action.pk)).exists()
    assert AuditEntry.objects.filter(action="promesa.registrar").exists()


def test_a_promise_outcome_needs_amount_and_date(make_case, outcome, collector):
    case = make_case()
    with pytest.raises(services.WorkbenchError, match="importe y la fecha"):
        services.action_log(actor=collector, case=case, now=MONDAY_10AM, business_date=AS_OF,
                            channel="llamada_entrante", party="acreditado", outcome=outcome("promesa_pago"))


def test_a_call_at_22_30_is_refused_with_its_reason(make_case, outcome, collector):
    case = make_case()
    borrower = party_person(case, "acreditado")
    with pytest.raises(services.ConductRefused) as refused:
        services.action_log(actor=collector, case=case, now=MONDAY_10AM.replace(hour=22, minute=30),
                            business_date=AS_OF, channel="llamada_saliente", party="acreditado",
                            person=borrower, contact_point=phone_of(borrower), outcome=outcome("no_contesta"))
    assert [v.code for v in refused.value.violations] == ["horario"]
    assert "22:30" in str(refused.value)
    assert not Action.objects.exists()


def test_the_8th_attempt_in_7_days_is_refused(make_case, outcome, collector):
    case = make_case()
    borrower = party_person(case, "acreditado")
    point = phone_of(borrower)
    for i in range(7):
        services.action_log(actor=collector, case=case, now=MONDAY_10AM + dt.timedelta(minutes=20 * i),
                            business_date=AS_OF, channel="llamada_saliente", party="acreditado",
                            person=borrower, contact_point=point, outcome=outcome("no_contesta"))
    with pytest.raises(services.ConductRefused, match="intento número 8"):
        services.action_log(actor=collector, case=case, now=MONDAY_10AM + dt.timedelta(hours=3),
                            business_date=AS_OF, channel="llamada_saliente", party="acreditado",
                            person=borrower, contact_point=point, outcome=outcome("no_contesta"))
    assert Action.objects.count() == 7


def test_asking_a_reference_to_pay_is_refused(make_case, outcome, collector):
    case = make_case()
    reference = party_person(case, "referencia")
    with pytest.raises(services.ConductRefused, match="referencia personal") as refused:
        services.action_log(actor=collector, case=case, now=MONDAY_10AM, business_date=AS_OF,
                            channel="llamada_saliente", party="referencia", person=reference,
                            contact_point=phone_of(reference), outcome=outcome("contacto_efectivo"))
    assert [v.code for v in refused.value.violations] == ["tercero_cobro"]
    # Asking the reference to help locate the debtor is fine.
    services.action_log(actor=collector, case=case, now=MONDAY_10AM, business_date=AS_OF,
                        channel="llamada_saliente", party="referencia", person=reference,
                        contact_point=phone_of(reference), outcome=outcome("localizacion"))


def test_a_person_named_in_a_role_must_hold_it_on_the_credit(make_case, outcome, collector):
    case = make_case()
    reference = party_person(case, "referencia")
    with pytest.raises(services.WorkbenchError, match="no es aval"):
        services.action_log(actor=collector, case=case, now=MONDAY_10AM, business_date=AS_OF,
                            channel="llamada_saliente", party="aval", person=reference,
                            contact_point=phone_of(reference), outcome=outcome("no_contesta"))


def test_a_number_not_on_file_is_refused(make_case, outcome, collector):
    case = make_case()
    with pytest.raises(services.ConductRefused, match="registrados en el expediente"):
        services.action_log(actor=collector, case=case, now=MONDAY_10AM, business_date=AS_OF,
                            channel="llamada_saliente", party="acreditado", outcome=outcome("no_contesta"))


def test_the_supervisor_override_allows_once_and_is_audited(make_case, outcome, collector, supervisor):
    case = make_case()
    borrower = party_person(case, "acreditado")
    late = MONDAY_10AM.replace(hour=22, minute=30)
    kwargs = {"case": case, "business_date": AS_OF, "channel": "llamada_saliente", "party": "acreditado",
              "person": borrower, "contact_point": phone_of(borrower), "outcome": outcome("contacto_efectivo")}
    with pytest.raises(services.WorkbenchError, match="Jefe de Departamento"):
        services.conduct_override_grant(actor=collector, case=case, rules=["horario"],
                                        reason="El deudor pidió hablar a esta hora", valid_on=AS_OF)
    override = services.conduct_override_grant(actor=supervisor, case=case, rules=["horario"],
                                               reason="El deudor pidió hablar a esta hora", valid_on=AS_OF)
    action = services.action_log(actor=collector, now=late, **kwargs)
    override.refresh_from_db()
    assert action.override == override and override.used_at == late
    granted = AuditEntry.objects.get(action="conducta.excepcion_autorizar")
    used = AuditEntry.objects.get(action="conducta.excepcion_usada")
    assert granted.actor == supervisor and used.actor == collector
    assert used.after["violations"][0]["code"] == "horario" and used.after["granted_by"] == supervisor.pk
    # Used up: the next late call is refused again.
    with pytest.raises(services.ConductRefused):
        services.action_log(actor=collector, now=late + dt.timedelta(minutes=5), **kwargs)
    assert ConductOverride.objects.filter(used_at__isnull=True).count() == 0


def test_an_override_for_other_rules_does_not_cover(make_case, outcome, collector, supervisor):
    case = make_case()
    borrower = party_person(case, "acreditado")
    services.conduct_override_grant(actor=supervisor, case=case, rules=["frecuencia"],
                                    reason="Solicitud expresa del acreditado", valid_on=AS_OF)
    with pytest.raises(services.ConductRefused):
        services.action_log(actor=collector, case=case, now=MONDAY_10AM.replace(hour=23),
                            business_date=AS_OF, channel="llamada_saliente", party="acreditado",
                            person=borrower, contact_point=phone_of(borrower), outcome=outcome("no_contesta"))


# ---------------------------------------------------------------- promises

def _promise(case, collector, outcome, *, due, amount="1500.00"):
    borrower = party_person(case, "acreditado")
    services.action_log(actor=collector, case=case, now=MONDAY_10AM, business_date=AS_OF,
                        channel="llamada_saliente", party="acreditado", person=borrower,
                        contact_point=phone_of(borrower), outcome=outcome("promesa_pago"),
                        promise_amount=Decimal(amount), promise_due_on=due)
    return Promise.objects.get(case=case)


def test_a_payment_on_the_promise_date_keeps_it(make_case, outcome, collector):
    from recupera.credits.services import payment_post

    case = make_case()
    due = AS_OF + dt.timedelta(days=4)
    promise = _promise(case, collector, outcome, due=due)
    assert services.promises_evaluate(as_of=due) == {}
    payment_post(actor=None, credit=case.credit, amount=Decimal("1499.50"), value_date=due,
                 channel="banco", natural_key="p-1", as_of=due)
    assert services.promises_evaluate(as_of=due) == {"cumplida": 1}
    promise.refresh_from_db()
    assert promise.status == "cumplida" and promise.paid_amount == Decimal("1499.50")


def test_a_missed_promise_is_broken_and_requeues_the_case_on_top(make_case, outcome, collector):
    case = make_case()
    other = make_case()
    services.case_priorities_refresh(as_of=AS_OF)
    due = AS_OF + dt.timedelta(days=4)
    promise = _promise(case, collector, outcome, due=due)
    assert services.promises_evaluate(as_of=due) == {}
    assert services.promises_evaluate(as_of=due + dt.timedelta(days=1)) == {"incumplida": 1}
    promise.refresh_from_db()
    case.refresh_from_db()
    other.refresh_from_db()
    assert promise.status == "incumplida"
    assert case.broken_promise_on == due + dt.timedelta(days=1)
    assert case.priority_reasons[0]["code"] == "promesa_incumplida"
    assert case.priority > other.priority
    assert AuditEntry.objects.filter(action="promesa.incumplida").exists()


def test_a_short_payment_is_partly_kept_and_reversed_payments_do_not_count(make_case, outcome, collector):
    from recupera.credits.models import LedgerEntry
    from recupera.credits.services import payment_post, payment_reverse

    case = make_case()
    due = AS_OF + dt.timedelta(days=4)
    promise = _promise(case, collector, outcome, due=due)
    payment_post(actor=None, credit=case.credit, amount=Decimal("500.00"), value_date=due,
                 channel="banco", natural_key="p-1", as_of=due)
    bounced, _ = payment_post(actor=None, credit=case.credit, amount=Decimal("1000.00"), value_date=due,
                              channel="banco", natural_key="p-2", as_of=due)
    payment_reverse(actor=None, entry=LedgerEntry.objects.get(pk=bounced.pk), reason="cheque devuelto",
                    value_date=due, as_of=due)
    services.promises_evaluate(as_of=due + dt.timedelta(days=1))
    promise.refresh_from_db()
    assert promise.status == "parcial" and promise.paid_amount == Decimal("500.00")


# ---------------------------------------------------------------- assignment, deadlines, messages

def test_assignment_run_balances_by_workload_and_records_history(make_credit, make_user, supervisor):
    from recupera.collections.models import AssignmentRule
    from recupera.core.roles import Role

    a, b = make_user(Role.COLLECTOR), make_user(Role.COLLECTOR)
    rule = AssignmentRule.objects.create(name="Todo", order=1)
    rule.collectors.set([a, b])
    for _ in range(4):
        make_credit()
    services.cases_sync(actor=None, as_of=AS_OF)
    counts = services.assignment_run(actor=supervisor, as_of=AS_OF)
    assert counts == {"released": 0, "assigned": 4, "unmatched": 0}
    assert sorted(Case.objects.values_list("collector_id", flat=True)) == sorted([a.pk, a.pk, b.pk, b.pk])
    case = Case.objects.first()
    assert case.first_contact_due is not None and case.first_contact_due > AS_OF
    assert Assignment.objects.filter(kind="regla", ends_on__isnull=True).count() == 4


def test_assignment_rules_by_stage_and_balance(make_credit, make_user):
    from recupera.collections.models import AssignmentRule
    from recupera.core.roles import Role

    late, big = make_user(Role.COLLECTOR), make_user(Role.COLLECTOR)
    r1 = AssignmentRule.objects.create(name="Saldos altos", order=1, balance_min=Decimal("100000"))
    r1.collectors.set([big])
    r2 = AssignmentRule.objects.create(name="Tardía", order=2, stage="tardia")
    r2.collectors.set([late])
    make_credit()
    services.cases_sync(actor=None, as_of=AS_OF)
    services.assignment_run(actor=None, as_of=AS_OF)
    assert Case.objects.get().collector == late


def test_bulk_reassignment_needs_a_reason_and_keeps_history(make_case, make_user, supervisor, collector):
    from recupera.core.roles import Role

    cases = [make_case(), make_case()]
    other = make_user(Role.COLLECTOR)
    with pytest.raises(services.WorkbenchError, match="motivo"):
        services.cases_reassign(actor=supervisor, cases=cases, collector=other, reason=" ", as_of=AS_OF)
    n = services.cases_reassign(actor=supervisor, cases=cases, collector=other, reason="Vacaciones",
                                as_of=AS_OF + dt.timedelta(days=1))
    assert n == 2
    history = list(Assignment.objects.filter(case=cases[0]).order_by("pk").values_list(
        "collector_id", "kind", "ends_on"))
    assert history == [(collector.pk, "manual", AS_OF + dt.timedelta(days=1)), (other.pk, "masiva", None)]
    assert AuditEntry.objects.filter(action="caso.reasignar").count() >= 2


def test_messages_are_acknowledged_only_by_their_recipient(make_user, collector, supervisor):
    msg = services.message_take(actor=supervisor, for_user=collector, now=MONDAY_10AM, caller="Sra. López",
                                phone="6621234567", text="Que le llame mañana")
    with pytest.raises(services.WorkbenchError):
        services.message_acknowledge(actor=supervisor, message=msg, now=MONDAY_10AM)
    services.message_acknowledge(actor=collector, message=msg, now=MONDAY_10AM)
    msg.refresh_from_db()
    assert msg.acknowledged_at == MONDAY_10AM


def test_inquiry_is_logged_with_category_and_resolution(collector):
    inquiry = services.inquiry_log(actor=collector, now=MONDAY_10AM, caller="Pedro", category="pago",
                                   question="¿Dónde pago?", resolution="En BBVA con su referencia",
                                   resolved=True)
    assert inquiry.resolved and AuditEntry.objects.filter(action="atencion.registrar").exists()


def test_first_contact_deadline_is_flagged_after_n_business_days(make_case):
    case = make_case()  # assigned Monday 10/03/2025; stage tardía: first contact in 3 business days
    assert case.first_contact_due == dt.date(2025, 3, 13)
    services.cases_sync(actor=None, as_of=dt.date(2025, 3, 13))
    case.refresh_from_db()
    assert "plazo_primer_contacto" not in [r["code"] for r in case.priority_reasons]
    services.cases_sync(actor=None, as_of=dt.date(2025, 3, 14))
    case.refresh_from_db()
    assert case.priority_reasons[0]["code"] == "plazo_primer_contacto"
    from recupera.collections.selectors import case_queue, team_workload

    assert list(case_queue(user=case.collector, filters={"flag": "plazo"}, as_of=dt.date(2025, 3, 14))) == [case]
    row = next(r for r in team_workload(as_of=dt.date(2025, 3, 14)) if r["collector"] == case.collector)
    assert row["overdue"] == 1


def test_deadlines_flag_counts_overdue_plazos_per_collector_once_per_date(make_case):
    from recupera.collections.models import DeadlineSnapshot
    from recupera.collections.selectors import team_workload

    friday = dt.date(2025, 3, 14)
    late_first = make_case()  # first contact due Thursday 13/03: overdue on Friday
    late_action = make_case()
    Case.objects.filter(pk=late_action.pk).update(  # contacted, last action on 01/03, every 10 days
        first_contact_on=dt.date(2025, 3, 1), first_contact_due=None, next_action_due=dt.date(2025, 3, 11))
    in_time = make_case()
    Case.objects.filter(pk=in_time.pk).update(first_contact_due=friday, next_action_due=dt.date(2025, 3, 25))
    unassigned = make_case(collector=None)
    for _attempt in (1, 2):  # a rerun of the date replaces its rows
        counts = services.deadlines_flag(actor=None, as_of=friday)
        assert counts == {"primer_contacto": 1, "gestion": 1}
    rows = {r.collector_id: r for r in DeadlineSnapshot.objects.filter(business_date=friday)}
    assert set(rows) == {late_first.collector_id, None}
    mine = rows[late_first.collector_id]
    assert (mine.open_cases, mine.first_contact_overdue, mine.action_overdue, mine.overdue) == (3, 1, 1, 2)
    assert (rows[None].open_cases, rows[None].overdue) == (1, 0)
    assert unassigned.collector_id is None
    # the team page's «hace una semana»: the latest close on or before as_of - 7 days
    week_later = next(r for r in team_workload(as_of=friday + dt.timedelta(days=7))
                      if r["collector"] == late_first.collector)
    assert week_later["week_before"].overdue == 2
    too_soon = next(r for r in team_workload(as_of=friday + dt.timedelta(days=6))
                    if r["collector"] == late_first.collector)
    assert too_soon["week_before"] is None


def test_assignment_rule_by_municipality_and_region(make_credit, make_user):
    from recupera.collections.models import AssignmentRule
    from recupera.core.roles import Role
    from recupera.people.models import Address, Municipality

    cajeme = Municipality.objects.get(name="Cajeme")
    north, south = make_user(Role.COLLECTOR), make_user(Role.COLLECTOR)
    r1 = AssignmentRule.objects.create(name="Cajeme", order=1, municipality=cajeme)
    r1.collectors.set([south])
    r2 = AssignmentRule.objects.create(name="Resto", order=2)
    r2.collectors.set([north])
    in_cajeme, elsewhere = make_credit(), make_credit()
    Address.objects.create(person=in_cajeme.borrower, street="Calle 5", municipality=cajeme)
    services.cases_sync(actor=None, as_of=AS_OF)
    services.assignment_run(actor=None, as_of=AS_OF)
    assert Case.objects.get(credit=in_cajeme).collector == south
    assert Case.objects.get(credit=elsewhere).collector == north
    # A region rule ahead of them takes the Cajeme case when it returns to the pool.
    regional = make_user(Role.COLLECTOR)
    r0 = AssignmentRule.objects.create(name="Región sur", order=0, region=cajeme.region.upper())
    r0.collectors.set([regional])
    Case.objects.filter(credit=in_cajeme).update(collector=None)
    services.assignment_run(actor=None, as_of=AS_OF)
    assert Case.objects.get(credit=in_cajeme).collector == regional


@pytest.mark.parametrize("prefilter", [True, False])
def test_assignment_loads_only_what_a_rule_could_take_and_assigns_the_same(make_credit, make_user,
                                                                           monkeypatch, prefilter):
    """The rules' stage and balance bounds filter the pool in SQL; with the filter off (every
    open unassigned case loaded and walked) the assignments and the counts are the same."""
    from recupera.collections.models import AssignmentRule
    from recupera.core.roles import Role
    from recupera.credits.models import Credit

    if not prefilter:
        monkeypatch.setattr(services, "_rules_could_take", lambda rules: None)
    big, mid, idle = make_user(Role.COLLECTOR), make_user(Role.COLLECTOR), make_user(Role.COLLECTOR)
    credits = [make_credit(amount=amount) for amount in ("30000.00", "12000.00", "12000.00", "5000.00",
                                                          "2000.00")]
    services.cases_sync(actor=None, as_of=AS_OF)
    balances = sorted(Credit.objects.values_list("payoff_amount", flat=True))
    r1 = AssignmentRule.objects.create(name="Altos", order=1, balance_min=balances[-1])
    r1.collectors.set([big])
    r2 = AssignmentRule.objects.create(name="Medios", order=2, balance_min=balances[1],
                                       balance_max=balances[-2], stage=Case.objects.first().stage)
    r2.collectors.set([mid])
    r3 = AssignmentRule.objects.create(name="Sin gestor activo", order=3)  # takes nothing: its only
    r3.collectors.set([idle])                                               # collector is inactive
    idle.is_active = False
    idle.save()
    counts = services.assignment_run(actor=None, as_of=AS_OF)
    assert counts == {"released": 0, "assigned": 4, "unmatched": 1}
    by_credit = dict(Case.objects.values_list("credit_id", "collector_id"))
    assert by_credit[credits[0].pk] == big.pk
    assert {by_credit[c.pk] for c in credits[1:4]} == {mid.pk}
    assert by_credit[credits[4].pk] is None


def test_daily_command_runs_the_steps(make_credit, capsys):
    from django.core.management import call_command

    make_credit()
    call_command("collections_daily", "--date", "2025-03-10")
    assert Case.objects.count() == 1
    assert "casos=" in capsys.readouterr().out


def test_a_strangers_number_is_not_on_this_credits_file(make_case, make_person, outcome, collector):
    case = make_case()
    stranger = make_person(first_name="Otro")
    with pytest.raises(services.ConductRefused, match="registrados en el expediente"):
        services.action_log(actor=collector, case=case, now=MONDAY_10AM, business_date=AS_OF,
                            channel="llamada_saliente", party="otro", contact_point=phone_of(stranger),
                            outcome=outcome("no_contesta"))


def test_promise_tolerance_and_grace_days_are_configurable(make_case, outcome, collector):
    from recupera.collections.models import CollectionSettings
    from recupera.credits.services import payment_post

    CollectionSettings.objects.update_or_create(pk=1, defaults={"promise_tolerance": Decimal("50.00"),
                                                                "promise_grace_days": 2})
    case = make_case()
    due = AS_OF + dt.timedelta(days=4)
    promise = _promise(case, collector, outcome, due=due, amount="1000.00")
    assert services.promises_evaluate(as_of=due + dt.timedelta(days=2)) == {}  # still in grace
    payment_post(actor=None, credit=case.credit, amount=Decimal("960.00"), value_date=due + dt.timedelta(days=2),
                 channel="banco", natural_key="g-1", as_of=due + dt.timedelta(days=2))
    assert services.promises_evaluate(as_of=due + dt.timedelta(days=3)) == {"cumplida": 1}
    promise.refresh_from_db()
    assert promise.paid_amount == Decimal("960.00")
