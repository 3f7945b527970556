"""Every write of the workbench. Keyword-only arguments, `actor=` first, one transaction, an
audit row in it. Dates come in (`as_of`, `business_date`, `now`); nothing here reads a clock.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Case as SqlCase
from django.db.models import CharField, Count, Exists, F, OuterRef, Q, Sum, Value, When
from django.utils.translation import gettext as _

from recupera.collections import conduct, logic, selectors
from recupera.collections.models import (
    Action,
    Assignment,
    AssignmentRule,
    Case,
    CaseSyncRun,
    Channel,
    CollectionSettings,
    ConductOverride,
    ConductSettings,
    DeadlineRule,
    DeadlineSnapshot,
    Inquiry,
    Message,
    Outcome,
    Party,
    Promise,
    Stage,
)
from recupera.core.audit import audit_record, snapshot
from recupera.core.money import format_mxn, to_money

BATCH = 2000
# Credit statuses (credits.models.Credit.Status values) that end a case, with the reason.
CLOSING_STATUSES = {
    "liquidado": Case.CloseReason.PAID_OFF,
    "castigado": Case.CloseReason.WRITTEN_OFF,
    "condonado": Case.CloseReason.WAIVED,
}
# Ledger entry kinds that bring money in (credits.models.LedgerEntry.Kind values).
MONEY_IN_KINDS = ("payment", "payoff", "prepayment")
DEBTOR_PARTIES = (Party.BORROWER, Party.GUARANTOR, Party.REPRESENTATIVE)


class WorkbenchError(Exception):
    """A request the workbench refuses; the message is Spanish and shown to the user."""


class ConductRefused(WorkbenchError):
    """The contact breaks conduct rules and no supervisor override covers them."""

    def __init__(self, violations: Sequence[conduct.Violation]):
        self.violations = list(violations)
        super().__init__(" ".join(v.message for v in self.violations))


def _credit_model() -> Any:
    from recupera.credits.models import Credit

    return Credit


def _closing_reason(credit: Any) -> str | None:
    for status in (credit.administrative_status, credit.status):
        if status in CLOSING_STATUSES:
            return CLOSING_STATUSES[status]
    return None


# ---------------------------------------------------------------- cases

@transaction.atomic
def case_open(*, actor: Any, credit: Any, as_of: dt.date, origin: str = Case.Origin.MANUAL) -> Case:
    """Open a case by hand (preventive, or ahead of the daily close)."""
    if _closing_reason(credit):
        raise WorkbenchError(_("El crédito {folio} está {status}: no se abre caso.").format(
            folio=credit.folio, status=credit.get_status_display().lower()))
    limits = CollectionSettings.load().stage_limits()
    try:
        with transaction.atomic():
            case = Case.objects.create(credit=credit, origin=origin, opened_on=as_of,
                                       stage=logic.stage_for(credit.days_past_due, limits))
    except IntegrityError as exc:
        raise WorkbenchError(_("El crédito {folio} ya tiene un caso abierto.").format(
            folio=credit.folio)) from exc
    audit_record(actor=actor, action="caso.abrir", obj=case, after=snapshot(case))
    case_priorities_refresh(as_of=as_of, case_ids=[case.pk])
    return case


@transaction.atomic
def case_close(*, actor: Any, case: Case, as_of: dt.date, reason: str = Case.CloseReason.MANUAL) -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.is_open:
        raise WorkbenchError(_("El caso ya está cerrado."))
    case.status, case.closed_on, case.close_reason = Case.Status.CLOSED, as_of, reason
    case.save(update_fields=["status", "closed_on", "close_reason"])
    Assignment.objects.filter(case=case, ends_on__isnull=True).update(ends_on=as_of)
    audit_record(actor=actor, action="caso.cerrar", obj=case,
                 after={"close_reason": reason, "closed_on": as_of})
    return case


@transaction.atomic
def case_stage_set(*, actor: Any, case: Case, stage: str, reason: str) -> Case:
    """Move a case to a stage by decision (judicial); `stage=""` returns it to the days rule."""
    if not reason.strip():
        raise WorkbenchError(_("Indique el motivo del cambio de etapa."))
    case = Case.objects.select_for_update().select_related("credit").get(pk=case.pk)
    before = {"stage": case.stage, "stage_by_decision": case.stage_by_decision}
    if stage:
        case.stage, case.stage_by_decision = stage, True
    else:
        limits = CollectionSettings.load().stage_limits()
        case.stage, case.stage_by_decision = logic.stage_for(case.credit.days_past_due, limits), False
    case.save(update_fields=["stage", "stage_by_decision"])
    audit_record(actor=actor, action="caso.etapa", obj=case, before=before,
                 after={"stage": case.stage, "stage_by_decision": case.stage_by_decision,
                        "reason": reason})
    return case


@transaction.atomic
def cases_sync(*, actor: Any, as_of: dt.date) -> dict[str, int]:
    """The daily close's step: close, open and re-stage cases from the credits' cached state
    (set-based statements), then refresh the queue priorities. Repeating it changes nothing."""
    Credit = _credit_model()
    cfg = CollectionSettings.load()
    limits = cfg.stage_limits()
    counts: dict[str, int] = defaultdict(int)
    counts.update(opened=0, restaged=0)
    open_cases = Case.objects.filter(status=Case.Status.OPEN)

    # 1–3 are decided by one read of the open cases that change (closings and stage moves, in
    # that order: a closed case is not re-staged), then written by primary key, one UPDATE per
    # reason and stage: one join of the open cases with their credits instead of one per rule.
    preventive_until = as_of - dt.timedelta(days=cfg.preventive_case_days)
    bounds = [(Stage.PREVENTIVE, 0, limits.early_from_dpd - 1),
              (Stage.EARLY, limits.early_from_dpd, limits.late_from_dpd - 1),
              (Stage.LATE, limits.late_from_dpd, limits.extrajudicial_from_dpd - 1),
              (Stage.EXTRAJUDICIAL, limits.extrajudicial_from_dpd, None)]
    # 1. Close: settled, written off or waived credits (the first status that matches); current
    #    ones (a hand-opened preventive case stays open `preventive_case_days` so the collector
    #    can work it; a stage set by decision keeps the case open).
    closing = [When(Q(credit__status=status) | Q(credit__administrative_status=status), then=Value(reason))
               for status, reason in CLOSING_STATUSES.items()]
    closing.append(When(Q(credit__days_past_due=0, stage_by_decision=False)
                        & ~Q(origin=Case.Origin.MANUAL, opened_on__gt=preventive_until),
                        then=Value(Case.CloseReason.CURRENT)))
    # 3. Re-stage: judicial credits to the judicial stage (from then on by decision), the rest by
    #    days past due unless their stage was set by decision.
    staging = [When(Q(credit__administrative_status="juridico") & ~Q(stage=Stage.JUDICIAL),
                    then=Value(Stage.JUDICIAL)),
               When(stage_by_decision=True, then=F("stage"))]
    for stage, low, high in bounds:
        dpd_filter = Q(credit__days_past_due__gte=low)
        if high is not None:
            dpd_filter &= Q(credit__days_past_due__lte=high)
        staging.append(When(dpd_filter, then=Value(stage)))
    changes = (open_cases
               .annotate(close_as=SqlCase(*closing, default=Value(""), output_field=CharField()),
                         stage_to=SqlCase(*staging, default=F("stage"), output_field=CharField()))
               .filter(Q(close_as__gt="") | ~Q(stage_to=F("stage")))
               .values_list("pk", "close_as", "stage_to").order_by("pk"))
    to_close: dict[str, list[int]] = defaultdict(list)
    to_stage: dict[str, list[int]] = defaultdict(list)
    for case_id, close_as, stage_to in changes:
        if close_as:
            to_close[close_as].append(case_id)
        else:
            to_stage[stage_to].append(case_id)
    for reason in [*CLOSING_STATUSES.values(), Case.CloseReason.CURRENT]:
        counts[f"closed_{reason}"] = _update_by_pk(to_close[reason], status=Case.Status.CLOSED,
                                                   closed_on=as_of, close_reason=reason)
    Assignment.objects.filter(ends_on__isnull=True, case__status=Case.Status.CLOSED).update(ends_on=as_of)

    # 2. Open: overdue credits past the threshold without an open case.
    candidates = (
        Credit.objects.filter(days_past_due__gte=max(1, cfg.open_case_min_dpd))
        .exclude(status__in=list(CLOSING_STATUSES))
        .exclude(administrative_status__in=list(CLOSING_STATUSES))
        # NOT EXISTS (an anti-join): NOT IN over hundreds of thousands of open cases outgrows
        # work_mem on PostgreSQL and is then rescanned per credit
        .exclude(Exists(Case.objects.filter(status=Case.Status.OPEN, credit_id=OuterRef("pk"))))
        .values_list("pk", "days_past_due", "administrative_status")
        .order_by("pk"))
    batch: list[Case] = []
    for credit_id, dpd, admin_status in candidates.iterator(chunk_size=BATCH):
        judicial = admin_status == "juridico"
        batch.append(Case(credit_id=credit_id, opened_on=as_of, origin=Case.Origin.AUTOMATIC,
                          stage=Stage.JUDICIAL if judicial else logic.stage_for(dpd, limits),
                          stage_by_decision=judicial))
        if len(batch) >= BATCH:
            counts["opened"] += len(Case.objects.bulk_create(batch))
            batch = []
    if batch:
        counts["opened"] += len(Case.objects.bulk_create(batch))

    # 3, written (the cases opened above already have the stage their credit says).
    counts["to_judicial"] = _update_by_pk(to_stage.pop(Stage.JUDICIAL, []), stage=Stage.JUDICIAL,
                                          stage_by_decision=True)
    for stage, ids in sorted(to_stage.items()):
        counts["restaged"] += _update_by_pk(ids, stage=stage)

    # 4. The queue order.
    counts["prioritized"] = case_priorities_refresh(as_of=as_of)
    run = CaseSyncRun.objects.create(kind="cases_sync", as_of=as_of, counts=dict(counts))
    audit_record(actor=actor, action="casos.sincronizar", obj=run, after=dict(counts))
    return dict(counts)


def _update_by_pk(ids: Sequence[int], **values: Any) -> int:
    """UPDATE the cases `ids` (in chunks, so the statement stays small) to `values`."""
    done = 0
    for i in range(0, len(ids), 10_000):
        done += Case.objects.filter(pk__in=ids[i:i + 10_000]).update(**values)
    return done


def _prescription_by_credit(credit_ids: Sequence[int]) -> dict[int, dt.date]:
    """The earliest prescription date of the pagarés in force, per credit (legal.prescription)."""
    from recupera.core import extensions

    return extensions.earliest_prescriptions(credit_ids)


def _priorities_sql_update(*, as_of: dt.date) -> int:
    """PostgreSQL: `logic.priority_for` of every open case as one UPDATE, writing only the cases
    whose score or reasons change (incremental; `priority_as_of` is the date of the refresh that
    last changed them). The same points, order and Spanish labels as the Python function;
    tests/collections/test_priorities_sql.py compares both on a sample of cases and dates."""
    from django.db import connection

    from recupera.core import extensions
    from recupera.credits.models import Credit, PromissoryNote

    L = logic
    case_t, credit_t = Case._meta.db_table, Credit._meta.db_table
    note_t, promise_t = PromissoryNote._meta.db_table, Promise._meta.db_table

    def reason(cond: str, code: str, label: str, points: str) -> tuple[str, str, str]:
        return cond, f"jsonb_build_object('code', '{code}', 'label', {label}, 'points', {points})", points

    def d(col: str) -> str:
        return f"to_char({col}, 'DD/MM/YYYY')"

    left = "(f.prescription_date - %(as_of)s::date)"
    band = f"LEAST({L.DPD_BANDS}, (f.dpd + 29) / 30)"
    dpd_points = f"({L.POINTS_PER_30_DPD} * {band})"
    dpd_label = (f"CASE WHEN {band} < {L.DPD_BANDS} THEN 'Atraso de ' || (30 * {band} - 29) || ' a ' "
                 f"|| (30 * {band}) || ' días' ELSE 'Atraso de más de {30 * (L.DPD_BANDS - 1)} días' END")
    balance_points = f"LEAST({L.MAX_BALANCE_POINTS}, floor(f.balance / {L.BALANCE_PER_POINT})::int)"
    rx_points = (f"({L.MAX_PRESCRIPTION_POINTS} * (({L.PRESCRIPTION_HORIZON_DAYS} - {left}) / 30 + 1)"
                 f" / {L.PRESCRIPTION_BANDS})")
    parts = [
        reason(f"f.broken_promise_on IS NOT NULL AND %(as_of)s::date - f.broken_promise_on <= {L.BROKEN_PROMISE_DAYS}",
               "promesa_incumplida", f"'Promesa incumplida el ' || {d('f.broken_promise_on')}",
               str(L.BROKEN_PROMISE_POINTS)),
        reason("f.promise_due_on = %(as_of)s::date", "promesa_hoy", "'Promesa de pago vence hoy'",
               str(L.PROMISE_TODAY_POINTS)),
        reason("f.first_contact_due < %(as_of)s::date", "plazo_primer_contacto",
               f"'Plazo de primer contacto vencido el ' || {d('f.first_contact_due')}", str(L.DEADLINE_POINTS)),
        reason("(f.first_contact_due IS NULL OR f.first_contact_due >= %(as_of)s::date) "
               "AND f.next_action_due < %(as_of)s::date", "plazo_gestion",
               f"'Sin gestión dentro del plazo (venció el ' || {d('f.next_action_due')} || ')'",
               str(L.DEADLINE_POINTS)),
        reason(f"{left} BETWEEN 0 AND {L.PRESCRIPTION_HORIZON_DAYS}", "prescripcion",
               f"'Pagaré prescribe el ' || {d('f.prescription_date')}", rx_points),
        reason("f.dpd > 0", "atraso", dpd_label, dpd_points),
        reason(f"f.balance >= {L.BALANCE_PER_POINT}", "saldo",
               f"'Saldo para liquidar de $' || to_char({balance_points} * {L.BALANCE_PER_POINT}, "
               "'FM999,999,999,999,990.00') || ' o más'", balance_points),
    ]
    # The score as integers and each reason's object built once, only when it applies: the
    # array of the ones that do, in order (to_jsonb of a jsonb[] without its NULLs). Building
    # every reason twice as a one-element jsonb array (once for its points) and concatenating
    # seven arrays was 37 µs a case: 18 s of a 1M close's 22 s cases step.
    score = " + ".join(f"(CASE WHEN {cond} THEN ({points})::int ELSE 0 END)" for cond, _o, points in parts)
    reasons = ("to_jsonb(array_remove(ARRAY["
               + ", ".join(f"CASE WHEN {cond} THEN {obj} END" for cond, obj, _p in parts)
               + "]::jsonb[], NULL))")
    # prescription (recupera.legal.prescription, behind core.extensions: the same rule): per pagaré in force and not in a
    # lawsuit, 3 years after the later of the first unpaid installment's due date (or the
    # declaration of the whole debt due, if earlier) and the last acknowledgment; the earliest
    # per credit. PostgreSQL's `+ interval '3 years'` clamps Feb 29 to Feb 28, as add_years.
    facts = extensions.prescription_fact_sql("x.credit_id")
    sql = f"""
        WITH x AS MATERIALIZED (
            SELECT k.credit_id, {extensions.prescription_fact_sql("k.credit_id")['first_unpaid_due']}
                   AS first_unpaid
            FROM (SELECT DISTINCT credit_id FROM {case_t} WHERE status = %(open)s) k),
        nx AS MATERIALIZED (
            SELECT n.credit_id, n.interrupted_on,
                   LEAST(x.first_unpaid, n.accelerated_on) AS due
            FROM x JOIN {note_t} n ON n.credit_id = x.credit_id
            WHERE n.status = 'vigente' AND x.first_unpaid IS NOT NULL
              AND LEAST(x.first_unpaid, n.accelerated_on) <= %(rx_cutoff)s),
        rx AS MATERIALIZED (
            SELECT x.credit_id,
                   MIN((GREATEST(x.due, x.interrupted_on, {facts['last_payment_on']},
                                 {facts['last_agreement_on']}) + interval '3 years')::date)
                       AS prescription_date
            FROM nx x GROUP BY x.credit_id),
        f AS MATERIALIZED (
            SELECT k.id, k.broken_promise_on, k.first_contact_due, k.next_action_due,
                   c.days_past_due AS dpd, c.payoff_amount AS balance,
                   p.due_on AS promise_due_on, rx.prescription_date
            FROM {case_t} k JOIN {credit_t} c ON c.id = k.credit_id
            LEFT JOIN (SELECT case_id, MIN(due_on) AS due_on FROM {promise_t}
                       WHERE status = %(pending)s GROUP BY case_id) p ON p.case_id = k.id
            LEFT JOIN rx ON rx.credit_id = k.credit_id
            WHERE k.status = %(open)s),
        n AS MATERIALIZED (SELECT f.id, {score} AS priority, {reasons} AS reasons FROM f)
        UPDATE {case_t} SET priority = n.priority, priority_reasons = n.reasons, priority_as_of = %(as_of)s
        FROM n WHERE {case_t}.id = n.id
          AND ({case_t}.priority <> n.priority OR {case_t}.priority_reasons <> n.reasons
               OR {case_t}.priority_as_of IS NULL)"""
    # Only the pagarés whose term can end by the end of the window (a superset by a day around
    # Feb 29): a credit's earliest date is among them whenever it falls in the window, and when
    # it does not no pagaré there can give points either; the payments and agreements are read
    # for these alone.
    rx_cutoff = extensions.prescription_start_cutoff(as_of + dt.timedelta(days=L.PRESCRIPTION_HORIZON_DAYS))
    with connection.cursor() as cur:
        cur.execute(sql, {"as_of": as_of, "open": Case.Status.OPEN, "pending": Promise.Status.PENDING,
                          "rx_cutoff": rx_cutoff})
        return cur.rowcount


def case_priorities_refresh(*, as_of: dt.date, case_ids: Sequence[int] | None = None,
                            set_based: bool | None = None) -> int:
    """Recompute priority and its reasons for open cases (all, or `case_ids`). Returns the cases
    written. All open cases on PostgreSQL: one SQL UPDATE of the ones that change
    (`_priorities_sql_update`); otherwise in Python batches (`logic.priority_for`)."""
    from django.db import connection

    if set_based is None:
        set_based = case_ids is None and connection.vendor == "postgresql"
    if set_based:
        return _priorities_sql_update(as_of=as_of)
    qs = Case.objects.filter(status=Case.Status.OPEN).select_related("credit").only(
        "id", "credit_id", "broken_promise_on", "first_contact_due", "next_action_due",
        "credit__days_past_due", "credit__payoff_amount").order_by("pk")
    if case_ids is not None:
        qs = qs.filter(pk__in=list(case_ids))
    done = 0
    chunk: list[Case] = []

    def flush(rows: list[Case]) -> None:
        ids = [c.pk for c in rows]
        earliest: dict[int, dt.date] = {}
        for case_id, due_on in (Promise.objects.filter(case_id__in=ids, status=Promise.Status.PENDING)
                                .values_list("case_id", "due_on")):
            if case_id not in earliest or due_on < earliest[case_id]:
                earliest[case_id] = due_on
        promise_due = earliest
        prescription = _prescription_by_credit([c.credit_id for c in rows])
        for case in rows:
            score, reasons = logic.priority_for(logic.PriorityFacts(
                days_past_due=case.credit.days_past_due, balance=case.credit.payoff_amount,
                broken_promise_on=case.broken_promise_on, promise_due_on=promise_due.get(case.pk),
                first_contact_due=case.first_contact_due, next_action_due=case.next_action_due,
                prescription_date=prescription.get(case.credit_id)), as_of=as_of)
            case.priority = score
            case.priority_reasons = [{"code": r.code, "label": r.label, "points": r.points}
                                     for r in reasons]
            case.priority_as_of = as_of
        Case.objects.bulk_update(rows, ["priority", "priority_reasons", "priority_as_of"])

    for case in qs.iterator(chunk_size=BATCH):
        chunk.append(case)
        if len(chunk) >= BATCH:
            flush(chunk)
            done += len(chunk)
            chunk = []
    if chunk:
        flush(chunk)
        done += len(chunk)
    return done


# ---------------------------------------------------------------- assignment and deadlines

def _deadline_rules() -> dict[str, DeadlineRule]:
    return {r.stage: r for r in DeadlineRule.objects.all()}


def _apply_deadlines(case: Case, rules: dict[str, DeadlineRule], calendar: Any) -> None:
    rule = rules.get(case.stage)
    if rule is None:
        case.first_contact_due = case.next_action_due = None
        return
    if case.first_contact_on is None and case.assigned_on:
        case.first_contact_due = logic.add_business_days(
            case.assigned_on, rule.first_contact_business_days, calendar.is_business_day)
    else:
        case.first_contact_due = None
    start = case.last_action_on or case.assigned_on
    case.next_action_due = start + dt.timedelta(days=rule.action_every_days) if start else None


def _calendar() -> Any:
    from recupera.core.calendar import business_calendar

    return business_calendar()


def _assign(cases: Sequence[Case], collector_of: dict[int, Any], *, actor: Any, as_of: dt.date,
            kind: str, reason: str, rule_of: dict[int, Any] | None = None) -> None:
    """End the current assignments of `cases` and start new ones (set-based)."""
    ids = [c.pk for c in cases]
    Assignment.objects.filter(case_id__in=ids, ends_on__isnull=True).update(ends_on=as_of)
    Assignment.objects.bulk_create([
        Assignment(case_id=c.pk, collector=collector_of[c.pk], kind=kind, reason=reason,
                   rule=(rule_of or {}).get(c.pk), starts_on=as_of, assigned_by=actor
                   if getattr(actor, "pk", None) else None)
        for c in cases])
    rules, calendar = _deadline_rules(), _calendar()
    for case in cases:
        case.collector = collector_of[case.pk]
        case.assigned_on = as_of
        _apply_deadlines(case, rules, calendar)
    Case.objects.bulk_update(list(cases), ["collector", "assigned_on", "first_contact_due",
                                           "next_action_due"], batch_size=BATCH)


def _active_collectors() -> Any:
    from django.contrib.auth import get_user_model

    from recupera.core.roles import Role

    return get_user_model().objects.filter(is_active=True, groups__name=Role.COLLECTOR.value)


def _borrower_places(credit_ids: Sequence[int]) -> dict[int, tuple[int | None, str]]:
    """credit id -> (municipality id, region) of the borrower's (first) address."""
    from recupera.credits.models import Credit

    places: dict[int, tuple[int | None, str]] = {}
    try:
        from recupera.people.models import Address
    except ImportError:  # pragma: no cover
        return places
    borrower_of = dict(Credit.objects.filter(pk__in=credit_ids).values_list("pk", "borrower_id"))
    person_place: dict[int, tuple[int | None, str]] = {}
    for person_id, mun_id, region in (Address.objects.filter(person_id__in=set(borrower_of.values()),
                                                             is_current=True)
                                      .order_by("person_id", "-pk")
                                      .values_list("person_id", "municipality_id",
                                                   "municipality__region")):
        person_place[person_id] = (mun_id, region or "")
    for credit_id, person_id in borrower_of.items():
        places[credit_id] = person_place.get(person_id, (None, ""))
    return places


def _rules_could_take(rules: list[Any]) -> Q | None:
    """The cases at least one of `rules` could take by its stage and balance bounds (OR of each
    rule's conditions); None when a rule has neither, so any case may match it."""
    condition: Q | None = None
    for rule in rules:
        parts = []
        if rule.stage:
            parts.append(Q(stage=rule.stage))
        if rule.balance_min is not None:
            parts.append(Q(credit__payoff_amount__gte=rule.balance_min))
        if rule.balance_max is not None:
            parts.append(Q(credit__payoff_amount__lte=rule.balance_max))
        if not parts:
            return None
        this = parts[0]
        for part in parts[1:]:
            this &= part
        condition = this if condition is None else condition | this
    return condition if condition is not None else Q(pk__in=[])


@transaction.atomic
def assignment_run(*, actor: Any, as_of: dt.date) -> dict[str, int]:
    """Assign the open unassigned cases by the rules, balancing each rule's collectors by
    workload (open cases) and then by balance (sum of payoff amounts)."""
    collectors = {u.pk: u for u in _active_collectors()}
    # Cases whose collector left (inactive or no longer a collector) go back to the pool.
    orphaned = Case.objects.filter(status=Case.Status.OPEN, collector__isnull=False).exclude(
        collector_id__in=list(collectors))
    counts: dict[str, int] = defaultdict(int)
    counts["released"] = orphaned.update(collector=None)
    rules = list(AssignmentRule.objects.filter(active=True).prefetch_related("collectors"))
    pool = Case.objects.filter(status=Case.Status.OPEN, collector__isnull=True)
    waiting = pool.count()
    if not waiting:
        run = CaseSyncRun.objects.create(kind="assignment_run", as_of=as_of, counts=dict(counts))
        audit_record(actor=actor, action="casos.asignar_reglas", obj=run, after=dict(counts))
        return dict(counts)
    # Only the cases some rule with collectors could take are loaded: each rule's stage and
    # balance bounds in SQL (its municipality and region are checked below, as before). A case
    # no such rule matches would be skipped by every rule of the loop, and leaving it out
    # changes no collector's load, so the assignments are the same. (At 1 M credits with the
    # collectors' caps reached, the daily close loaded 362,500 cases to assign none: 22 s.)
    # With no rule that has an active collector, nothing is loaded.
    candidates = _rules_could_take(
        [rule for rule in rules if any(u.pk in collectors for u in rule.collectors.all())])
    pending = list((pool if candidates is None else pool.filter(candidates))
                   .select_related("credit").only("id", "stage", "credit_id", "credit__payoff_amount",
                                                  "first_contact_on", "last_action_on")
                   .order_by("-credit__payoff_amount", "pk"))
    load: dict[int, list[Any]] = {pk: [0, Decimal("0")] for pk in collectors}
    for collector_id, n, balance in (Case.objects.filter(status=Case.Status.OPEN,
                                                         collector_id__in=list(collectors))
                                     .values("collector_id")
                                     .annotate(n=models_count(), b=Sum("credit__payoff_amount"))
                                     .values_list("collector_id", "n", "b")):
        load[collector_id] = [n, balance or Decimal("0")]
    places = _borrower_places([c.credit_id for c in pending])
    collector_of: dict[int, Any] = {}
    rule_of: dict[int, Any] = {}
    heaps: dict[int, list[tuple[int, Decimal, int]]] = {}
    for rule in rules:
        pool = [u.pk for u in rule.collectors.all() if u.pk in collectors]
        heaps[rule.pk] = [(load[pk][0], load[pk][1], pk) for pk in pool]
        heapq.heapify(heaps[rule.pk])
    for case in pending:
        mun_id, region = places.get(case.credit_id, (None, ""))
        balance = case.credit.payoff_amount
        for rule in rules:
            if rule.municipality_id and rule.municipality_id != mun_id:
                continue
            if rule.region and rule.region.strip().lower() != region.strip().lower():
                continue
            if rule.stage and rule.stage != case.stage:
                continue
            if rule.balance_min is not None and balance < rule.balance_min:
                continue
            if rule.balance_max is not None and balance > rule.balance_max:
                continue
            heap = heaps[rule.pk]
            if not heap:
                continue
            # The least loaded collector of the pool takes it (cases first, then balance).
            n, total, pk = heapq.heappop(heap)
            load[pk] = [load[pk][0] + 1, load[pk][1] + balance]
            for other in heaps.values():  # a collector in several pools carries one load
                for i, (_n, _t, opk) in enumerate(other):
                    if opk == pk:
                        other[i] = (load[pk][0], load[pk][1], pk)
                heapq.heapify(other)
            heapq.heappush(heap, (load[pk][0], load[pk][1], pk))
            collector_of[case.pk] = collectors[pk]
            rule_of[case.pk] = rule
            break
    assigned = [c for c in pending if c.pk in collector_of]
    if assigned:
        _assign(assigned, collector_of, actor=actor, as_of=as_of, kind=Assignment.Kind.RULE,
                reason=_("Asignación por reglas"), rule_of=rule_of)
        case_priorities_refresh(as_of=as_of, case_ids=[c.pk for c in assigned])
    counts["assigned"] = len(assigned)
    counts["unmatched"] = waiting - len(assigned)
    run = CaseSyncRun.objects.create(kind="assignment_run", as_of=as_of, counts=dict(counts))
    audit_record(actor=actor, action="casos.asignar_reglas", obj=run, after=dict(counts))
    return dict(counts)


class FieldRefused(WorkbenchError):
    """A value the workbench refuses, naming the form field it belongs to (for the page)."""

    def __init__(self, field: str | None, message: str):
        self.field = field
        super().__init__(message)


RULE_FIELDS = ("name", "order", "municipality", "region", "stage", "balance_min", "balance_max",
               "collectors", "active")


def _rule_state(rule: AssignmentRule, collectors: Iterable[Any] | None = None) -> dict[str, Any]:
    """The rule as the audit row keeps it (collectors as sorted ids)."""
    ids = sorted(c.pk for c in (collectors if collectors is not None else rule.collectors.all()))
    return {**snapshot(rule, ["name", "order", "municipality_id", "region", "stage", "balance_min",
                              "balance_max", "active"]), "collectors": ids}


def _catalog_region(region: str) -> str:
    """The catalog spelling of a region of Sonora ("" stays ""); refuses an unknown one."""
    from recupera.people.models import Municipality

    region = (region or "").strip()
    if not region:
        return ""
    known = {r.lower(): r for r in Municipality.objects.values_list("region", flat=True).distinct()}
    if region.lower() not in known:
        raise FieldRefused("region", _("Región: «{r}» no es una región del catálogo de Sonora.").format(
            r=region))
    return known[region.lower()]


def _rule_clean(values: dict[str, Any]) -> dict[str, Any]:
    """Check and normalize a rule's values (all of them), with the Spanish message naming the
    field: a name, a non-negative order, municipality or region (not both), a known stage,
    0 ≤ saldo desde ≤ saldo hasta, at least one active collector."""
    values = dict(values)
    values["name"] = (values.get("name") or "").strip()
    if not values["name"]:
        raise FieldRefused("name", _("Nombre: escriba el nombre de la regla."))
    order = values.get("order")
    if order is None or int(order) < 0:
        raise FieldRefused("order", _("Orden: escriba un número entero mayor o igual a cero."))
    values["order"] = int(order)
    values["region"] = (values.get("region") or "").strip()
    if values.get("municipality") is not None and values["region"]:
        raise FieldRefused("region", _("Región: elija un municipio o una región, no ambos."))
    values["region"] = _catalog_region(values["region"])
    values["stage"] = values.get("stage") or ""
    if values["stage"] and values["stage"] not in Stage.values:
        raise FieldRefused("stage", _("Etapa: elija una etapa de la lista."))
    low, high = values.get("balance_min"), values.get("balance_max")
    low = to_money(low) if low not in (None, "") else None
    high = to_money(high) if high not in (None, "") else None
    if low is not None and low < 0:
        raise FieldRefused("balance_min", _("Saldo desde: no puede ser negativo."))
    if high is not None and high < 0:
        raise FieldRefused("balance_max", _("Saldo hasta: no puede ser negativo."))
    if low is not None and high is not None and low > high:
        raise FieldRefused("balance_max", _(
            "Saldo hasta: debe ser mayor o igual que el saldo desde ({low}).").format(low=format_mxn(low)))
    values["balance_min"], values["balance_max"] = low, high
    collectors = list(values.get("collectors") or [])
    if not collectors:
        raise FieldRefused("collectors", _("Gestores: elija al menos un gestor de cobranza."))
    active = set(_active_collectors().filter(pk__in=[c.pk for c in collectors])
                 .values_list("pk", flat=True))
    strangers = [c for c in collectors if c.pk not in active]
    if strangers:
        raise FieldRefused("collectors", _("Gestores: {names} no es gestor de cobranza activo.").format(
            names=", ".join(c.get_full_name() or c.username for c in strangers)))
    values["collectors"] = collectors
    return values


@transaction.atomic
def assignment_rule_create(*, actor: Any, name: str, collectors: Sequence[Any], order: int = 10,
                           municipality: Any = None, region: str = "", stage: str = "",
                           balance_min: Decimal | None = None,
                           balance_max: Decimal | None = None) -> AssignmentRule:
    """A rule of the Subdirección: which collectors take the matching cases."""
    values = _rule_clean({"name": name, "collectors": collectors, "order": order,
                          "municipality": municipality, "region": region, "stage": stage,
                          "balance_min": balance_min, "balance_max": balance_max})
    collectors = values.pop("collectors")
    rule = AssignmentRule.objects.create(**values)
    rule.collectors.set(collectors)
    audit_record(actor=actor, action="regla_asignacion.crear", obj=rule,
                 after=_rule_state(rule, collectors))
    return rule


@transaction.atomic
def assignment_rule_update(*, actor: Any, rule: AssignmentRule, **fields: Any) -> AssignmentRule:
    """Change any of a rule's fields (RULE_FIELDS); the others stay. Audited before/after;
    nothing is written when nothing changes."""
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"assignment_rule_update: unknown fields {sorted(unknown)}")
    rule = AssignmentRule.objects.select_for_update().get(pk=rule.pk)
    current = list(rule.collectors.all())
    before = _rule_state(rule, current)
    values = {"name": rule.name, "order": rule.order, "municipality": rule.municipality,
              "region": rule.region, "stage": rule.stage, "balance_min": rule.balance_min,
              "balance_max": rule.balance_max, "collectors": current, **fields}
    active = bool(values.pop("active", rule.active))
    values = _rule_clean(values)
    collectors = values.pop("collectors")
    for name, value in values.items():
        setattr(rule, name, value)
    rule.active = active
    after = _rule_state(rule, collectors)
    if after == before:
        return rule
    rule.save()
    if after["collectors"] != before["collectors"]:
        rule.collectors.set(collectors)
    audit_record(actor=actor, action="regla_asignacion.editar", obj=rule, before=before, after=after)
    return rule


@transaction.atomic
def assignment_rule_deactivate(*, actor: Any, rule: AssignmentRule) -> AssignmentRule:
    """The rule stops taking cases (cases it already assigned keep their collector)."""
    rule = AssignmentRule.objects.select_for_update().get(pk=rule.pk)
    if not rule.active:
        raise WorkbenchError(_("La regla «{name}» ya no está vigente.").format(name=rule.name))
    rule.active = False
    rule.save(update_fields=["active"])
    audit_record(actor=actor, action="regla_asignacion.desactivar", obj=rule,
                 before={"active": True}, after={"active": False})
    return rule


# ---------------------------------------------------------------- outcome catalog

def _outcome_code(name: str) -> str:
    """A new, unused code from the name ("Dejó recado" -> "dejo_recado", then "dejo_recado_2")."""
    from django.utils.text import slugify

    base = (slugify(name).replace("-", "_") or "resultado")[:26]
    code, n = base, 1
    while Outcome.objects.filter(code=code).exists():
        n += 1
        code = f"{base}_{n}"
    return code


def _outcome_name(name: str, *, exclude: int | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise FieldRefused("name", _("Nombre: escriba el nombre del resultado."))
    if len(name) > 80:
        raise FieldRefused("name", _("Nombre: use a lo más 80 caracteres."))
    if Outcome.objects.filter(name__iexact=name).exclude(pk=exclude).exists():
        raise FieldRefused("name", _("Nombre: ya hay un resultado «{name}» en el catálogo.").format(
            name=name))
    return name


def _outcome_order(order: Any) -> int:
    if order is None or int(order) < 0:
        raise FieldRefused("order", _("Orden: escriba un número entero mayor o igual a cero."))
    return int(order)


@transaction.atomic
def outcome_create(*, actor: Any, name: str, order: int = 10, is_conversation: bool = False,
                   discusses_debt: bool = False, requires_promise: bool = False) -> Outcome:
    """A new entry of the outcome catalog. A promise implies a conversation about the debt."""
    name = _outcome_name(name)
    if requires_promise:
        is_conversation = discusses_debt = True
    outcome = Outcome.objects.create(code=_outcome_code(name), name=name, order=_outcome_order(order),
                                     is_conversation=is_conversation, discusses_debt=discusses_debt,
                                     requires_promise=requires_promise)
    audit_record(actor=actor, action="resultado.crear", obj=outcome, after=snapshot(outcome))
    return outcome


OUTCOME_FIELDS = ("name", "order", "active")


@transaction.atomic
def outcome_update(*, actor: Any, outcome: Outcome, **fields: Any) -> Outcome:
    """Rename, reorder or reactivate a catalog entry. Its code and its meaning (conversation,
    debt, promise) stay: past actions were judged by them."""
    unknown = set(fields) - set(OUTCOME_FIELDS)
    if unknown:
        raise TypeError(f"outcome_update: unknown fields {sorted(unknown)}")
    outcome = Outcome.objects.select_for_update().get(pk=outcome.pk)
    before = snapshot(outcome, list(OUTCOME_FIELDS))
    if "name" in fields:
        outcome.name = _outcome_name(fields["name"], exclude=outcome.pk)
    if "order" in fields:
        outcome.order = _outcome_order(fields["order"])
    if "active" in fields:
        outcome.active = bool(fields["active"])
    after = snapshot(outcome, list(OUTCOME_FIELDS))
    if after == before:
        return outcome
    outcome.save(update_fields=list(OUTCOME_FIELDS))
    audit_record(actor=actor, action="resultado.editar", obj=outcome, before=before, after=after)
    return outcome


@transaction.atomic
def outcome_deactivate(*, actor: Any, outcome: Outcome) -> Outcome:
    """The outcome leaves the action form; the actions that used it keep it."""
    outcome = Outcome.objects.select_for_update().get(pk=outcome.pk)
    if not outcome.active:
        raise WorkbenchError(_("El resultado «{name}» ya no está vigente.").format(name=outcome.name))
    if Outcome.objects.filter(active=True).exclude(pk=outcome.pk).count() == 0:
        raise WorkbenchError(_("Debe quedar al menos un resultado vigente en el catálogo."))
    outcome.active = False
    outcome.save(update_fields=["active"])
    audit_record(actor=actor, action="resultado.desactivar", obj=outcome,
                 before={"active": True}, after={"active": False})
    return outcome


def models_count() -> Any:
    from django.db.models import Count

    return Count("id")


@transaction.atomic
def cases_reassign(*, actor: Any, cases: Iterable[Case], collector: Any, reason: str,
                   as_of: dt.date) -> int:
    """Manual (one case) or bulk reassignment by the supervisor, with the reason."""
    if not reason.strip():
        raise WorkbenchError(_("Indique el motivo de la reasignación (vacaciones, permiso, carga…)."))
    if not _active_collectors().filter(pk=collector.pk).exists():
        raise WorkbenchError(_("{name} no es un gestor activo.").format(
            name=collector.get_full_name() or collector.username))
    locked = list(Case.objects.select_for_update().filter(
        pk__in=[c.pk for c in cases], status=Case.Status.OPEN).order_by("pk"))
    if not locked:
        raise WorkbenchError(_("No hay casos abiertos que reasignar."))
    kind = Assignment.Kind.MANUAL if len(locked) == 1 else Assignment.Kind.BULK
    before = {c.pk: c.collector_id for c in locked}
    _assign(locked, {c.pk: collector for c in locked}, actor=actor, as_of=as_of, kind=kind,
            reason=reason.strip())
    for case in locked:
        audit_record(actor=actor, action="caso.reasignar", obj=case,
                     before={"collector": before[case.pk]},
                     after={"collector": collector.pk, "reason": reason.strip()})
    case_priorities_refresh(as_of=as_of, case_ids=[c.pk for c in locked])
    return len(locked)


# ---------------------------------------------------------------- conduct and actions

def _debt_history(case: Case, now: dt.datetime, rules: conduct.ConductRules,
                  ) -> tuple[list[dt.datetime], dt.datetime | None]:
    """(this debt's outbound call attempts in the window, the last conversation with a debtor)."""
    since = now - dt.timedelta(days=rules.attempts_window_days)
    attempts = list(Action.objects.filter(case__credit_id=case.credit_id, channel=conduct.CALL_OUT,
                                          at__gt=since, at__lte=now).values_list("at", flat=True))
    last = (Action.objects.filter(case__credit_id=case.credit_id, outcome__is_conversation=True,
                                  party__in=DEBTOR_PARTIES, at__lte=now)
            .order_by("-at").values_list("at", flat=True).first())
    return attempts, last


def _roles_on_credit(case: Case, person: Any) -> set[str]:
    from recupera.credits.models import CreditParty

    roles = set(CreditParty.objects.filter(credit_id=case.credit_id, person=person)
                .values_list("role", flat=True))
    if person.pk == case.credit.borrower_id:
        roles.add("acreditado")
    return roles


def _party_facts(case: Case, party: str, person: Any) -> bool:
    """Is `person` a debtor (borrower or guarantor) of the case's credit? Also checks that a
    person named as borrower/guarantor/reference holds that role on the credit."""
    if person is None:
        return party in DEBTOR_PARTIES
    roles = _roles_on_credit(case, person)
    if party in (Party.BORROWER, Party.GUARANTOR, Party.REFERENCE) and party not in roles:
        raise WorkbenchError(_("{name} no es {role} de este crédito.").format(
            name=person, role=Party(party).label.lower()))
    return bool(roles & {"acreditado", "aval"})


def conduct_check(*, case: Case, now: dt.datetime, channel: str, party: str, outcome: Outcome | None,
                  person: Any = None, contact_point: Any = None,
                  debtor_requested: bool = False) -> list[conduct.Violation]:
    """The conduct rules this contact would break (read-only; `action_log` enforces them)."""
    rules = ConductSettings.load().rules()
    if contact_point is not None and person is None:
        person = contact_point.person
    is_debtor = _party_facts(case, party, person)
    if contact_point is not None and contact_point.person_id != person.pk:
        raise WorkbenchError(_("El medio de contacto no pertenece a la persona elegida."))
    # On file means on the file of this credit: a number of somebody outside it does not count.
    on_file = bool(contact_point is not None and contact_point.active
                   and _roles_on_credit(case, contact_point.person))
    attempts, last = _debt_history(case, now, rules)
    attempt = conduct.ContactAttempt(
        at=now, channel=channel, party=party,
        discusses_debt=bool(outcome and outcome.discusses_debt),
        contact_on_file=on_file,
        person_birth_date=getattr(person, "birth_date", None), person_is_debtor=is_debtor,
        debtor_requested=debtor_requested, prior_call_attempts=attempts,
        last_conversation_at=last, opposed_channels=_opposed_channels(case, party, person))
    return conduct.check_contact(attempt, rules)


def _opposed_channels(case: Case, party: str, person: Any) -> frozenset[str]:
    """The channels the contacted person objects to (ARCO opposition; privacy app)."""
    from recupera.privacy.selectors import opposed_channels

    if person is None and party == Party.BORROWER:
        return opposed_channels(case.credit.borrower_id)
    return opposed_channels(getattr(person, "pk", None))


@transaction.atomic
def conduct_override_grant(*, actor: Any, case: Case, rules: Sequence[str], reason: str,
                           valid_on: dt.date) -> ConductOverride:
    """A supervisor allows, once and on one day, a contact that breaks the named rules."""
    if not actor.has_perm("collections.override_conduct", case):
        raise WorkbenchError(_("Solo el Jefe de Departamento puede autorizar excepciones."))
    if set(rules) & conduct.NOT_OVERRIDABLE:
        raise WorkbenchError(_("La oposición del titular a un medio de contacto no admite "
                               "excepciones."))
    unknown = [r for r in rules if r not in conduct.RULE_LABELS]
    if not rules or unknown:
        raise WorkbenchError(_("Elija las reglas que se exceptúan."))
    if len(reason.strip()) < 10:
        raise WorkbenchError(_("Escriba la justificación de la excepción (al menos 10 caracteres)."))
    override = ConductOverride.objects.create(case=case, rules=sorted(set(rules)),
                                              reason=reason.strip(), valid_on=valid_on,
                                              granted_by=actor)
    audit_record(actor=actor, action="conducta.excepcion_autorizar", obj=override,
                 after=snapshot(override))
    return override


@transaction.atomic
def action_log(*, actor: Any, case: Case, now: dt.datetime, business_date: dt.date, channel: str,
               party: str, outcome: Outcome, person: Any = None, contact_point: Any = None,
               notes: str = "", duration_seconds: int | None = None,
               next_step_on: dt.date | None = None, debtor_requested: bool = False,
               promise_amount: Decimal | None = None, promise_due_on: dt.date | None = None,
               ) -> Action:
    """Record one action (and its promise), after the conduct rules allow it.

    A contact that breaks a rule is refused (ConductRefused, with the Spanish reasons) unless an
    unused supervisor override for this case and day names every broken rule; the override is
    then used up and the audit row says so.
    """
    case = Case.objects.select_for_update().select_related("credit").get(pk=case.pk)
    if not case.is_open:
        raise WorkbenchError(_("El caso está cerrado: no se registran gestiones."))
    if channel not in Channel.values or party not in Party.values:
        raise WorkbenchError(_("Canal o persona contactada desconocidos."))
    if outcome.requires_promise:
        if promise_amount is None or promise_due_on is None:
            raise WorkbenchError(_("El resultado «{o}» requiere el importe y la fecha de la promesa.")
                                 .format(o=outcome.name))
        promise_amount = to_money(promise_amount)
        if promise_amount <= 0:
            raise WorkbenchError(_("El importe prometido debe ser mayor que cero."))
        if promise_due_on < business_date:
            raise WorkbenchError(_("La fecha prometida no puede ser anterior a hoy ({d}).").format(
                d=f"{business_date:%d/%m/%Y}"))
        if party not in DEBTOR_PARTIES:
            raise ConductRefused([conduct.Violation(conduct.THIRD_PARTY_ASKED_TO_PAY, _(
                "Solo el acreditado, el aval o su representante legal pueden prometer un pago."))])
    violations = conduct_check(case=case, now=now, channel=channel, party=party, outcome=outcome,
                               person=person, contact_point=contact_point,
                               debtor_requested=debtor_requested)
    override = None
    if violations:
        codes = {v.code for v in violations}
        for candidate in ConductOverride.objects.select_for_update().filter(
                case=case, valid_on=business_date, used_at__isnull=True).order_by("granted_at"):
            if codes <= set(candidate.rules):
                override = candidate
                break
        if override is None:
            raise ConductRefused(violations)
        override.used_at = now
        override.save(update_fields=["used_at"])
    action = Action.objects.create(
        case=case, actor=actor, at=now, business_date=business_date, channel=channel, party=party,
        person=person, contact_point=contact_point, outcome=outcome, notes=notes.strip(),
        duration_seconds=duration_seconds, next_step_on=next_step_on,
        debtor_requested=debtor_requested, override=override)
    audit_record(actor=actor, action="gestion.registrar", obj=action, after=snapshot(action))
    if override is not None:
        audit_record(actor=actor, action="conducta.excepcion_usada", obj=override, after={
            "action": action.pk, "granted_by": override.granted_by_id,
            "violations": [{"code": v.code, "message": v.message} for v in violations]})
    if outcome.requires_promise:
        promise = Promise.objects.create(case=case, action=action, amount=promise_amount,
                                         due_on=promise_due_on, made_on=business_date,
                                         created_by=actor)
        audit_record(actor=actor, action="promesa.registrar", obj=promise, after=snapshot(promise))
    # Deadlines and the queue.
    case.last_action_on = business_date
    if outcome.is_conversation and case.first_contact_on is None:
        case.first_contact_on = business_date
    case.next_step_on = next_step_on
    case.broken_promise_on = None  # followed up
    _apply_deadlines(case, _deadline_rules(), _calendar())
    case.save(update_fields=["last_action_on", "first_contact_on", "next_step_on",
                             "broken_promise_on", "first_contact_due", "next_action_due"])
    case_priorities_refresh(as_of=business_date, case_ids=[case.pk])
    return action


# ---------------------------------------------------------------- promises

def _money_in(credit_ids: Sequence[int], since: dt.date, until: dt.date) -> dict[int, list[tuple[dt.date, Decimal]]]:
    from recupera.credits.models import LedgerEntry

    rows: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for credit_id, value_date, amount in (
            LedgerEntry.objects.filter(credit_id__in=credit_ids, kind__in=MONEY_IN_KINDS,
                                       value_date__gte=since, value_date__lte=until,
                                       reversed_by__isnull=True)
            .values_list("credit_id", "value_date", "amount")):
        rows[credit_id].append((value_date, amount))
    return rows


@transaction.atomic
def deadlines_flag(*, as_of: dt.date, actor: Any = None) -> dict[str, int]:
    """The daily close's «plazos» step: count, per collector (and the unassigned cases), the
    open cases with an overdue plazo de gestión at `as_of` and keep it as that date's
    DeadlineSnapshot (one aggregate query; rerunning the date replaces its rows). The queue
    already puts these cases higher (+80) with the reason; the snapshots are the history the
    team page compares with. Returns {"primer_contacto": n, "gestion": m} over all cases."""
    rows = list(Case.objects.filter(status=Case.Status.OPEN).values("collector_id").annotate(
        open_cases=Count("pk"),
        first_contact=Count("pk", filter=selectors.overdue_first_contact(as_of)),
        action=Count("pk", filter=selectors.overdue_action(as_of))).order_by("collector_id"))
    DeadlineSnapshot.objects.filter(business_date=as_of).delete()
    DeadlineSnapshot.objects.bulk_create([
        DeadlineSnapshot(business_date=as_of, collector_id=r["collector_id"], open_cases=r["open_cases"],
                         first_contact_overdue=r["first_contact"], action_overdue=r["action"])
        for r in rows])
    counts = {"primer_contacto": sum(r["first_contact"] for r in rows),
              "gestion": sum(r["action"] for r in rows)}
    CaseSyncRun.objects.create(kind="deadlines_flag", as_of=as_of, counts=counts)
    return counts


@transaction.atomic
def promises_evaluate(*, as_of: dt.date, actor: Any = None) -> dict[str, int]:
    """Judge the pending promises from the payments posted (value dates from the day the promise
    was made to its date plus the grace days): kept when the paid amount reaches the promise
    less the tolerance; once the date (plus grace) has passed, partly kept or broken. A broken
    promise puts its case back at the top of the queue."""
    cfg = CollectionSettings.load()
    pending = list(Promise.objects.select_for_update().filter(
        status=Promise.Status.PENDING, made_on__lte=as_of).select_related("case").order_by("pk"))
    counts: dict[str, int] = defaultdict(int)
    if not pending:
        return dict(counts)
    grace = dt.timedelta(days=cfg.promise_grace_days)
    money = _money_in(sorted({p.case.credit_id for p in pending}),
                      min(p.made_on for p in pending), as_of)
    broken_cases: list[int] = []
    for promise in pending:
        deadline = promise.due_on + grace
        paid = sum((amount for value_date, amount in money.get(promise.case.credit_id, [])
                    if promise.made_on <= value_date <= min(deadline, as_of)), Decimal("0"))
        before = snapshot(promise, ["status", "paid_amount"])
        if paid >= promise.amount - cfg.promise_tolerance:
            promise.status = Promise.Status.KEPT
        elif as_of > deadline:
            promise.status = Promise.Status.PARTIAL if paid > 0 else Promise.Status.BROKEN
        else:
            if paid != promise.paid_amount:
                promise.paid_amount = paid
                promise.save(update_fields=["paid_amount"])
            continue
        promise.paid_amount, promise.evaluated_on = paid, as_of
        promise.save(update_fields=["status", "paid_amount", "evaluated_on"])
        audit_record(actor=actor, action=f"promesa.{promise.status}", obj=promise, before=before,
                     after=snapshot(promise, ["status", "paid_amount"]))
        counts[promise.status] += 1
        if promise.status != Promise.Status.KEPT and promise.case.is_open:
            broken_cases.append(promise.case_id)
    if broken_cases:
        Case.objects.filter(pk__in=broken_cases).update(broken_promise_on=as_of)
        case_priorities_refresh(as_of=as_of, case_ids=broken_cases)
    return dict(counts)


# ---------------------------------------------------------------- settings

@transaction.atomic
def settings_update(*, actor: Any, forms: Sequence[Any]) -> None:
    """Save validated ModelForms of the workbench settings (collection, conduct, deadlines),
    with one audit row per changed row (before/after)."""
    for form in forms:
        if not form.has_changed():
            continue
        instance = form.instance
        model = type(instance)
        fields = list(form.changed_data)
        stored = model.objects.filter(pk=instance.pk).first() if instance.pk else None
        before = _plain(snapshot(stored, fields)) if stored is not None else None
        saved = form.save()
        audit_record(actor=actor, action="cobranza.reglas", obj=saved, before=before,
                     after=_plain(snapshot(saved, fields)))


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    """Times (contact window) as "HH:MM" for the JSON audit row."""
    return {k: v.strftime("%H:%M") if isinstance(v, dt.time) else v for k, v in values.items()}


# ---------------------------------------------------------------- messages and inquiries

@transaction.atomic
def message_take(*, actor: Any, for_user: Any, now: dt.datetime, caller: str, phone: str,
                 text: str, case: Case | None = None) -> Message:
    if not caller.strip() or not text.strip():
        raise WorkbenchError(_("Escriba quién llamó y el recado."))
    message = Message.objects.create(for_user=for_user, taken_by=actor, taken_at=now,
                                     caller=caller.strip(), phone=phone.strip(), text=text.strip(),
                                     case=case)
    audit_record(actor=actor, action="recado.tomar", obj=message,
                 after={"for_user": for_user.pk, "case": case.pk if case else None})
    return message


@transaction.atomic
def message_acknowledge(*, actor: Any, message: Message, now: dt.datetime) -> Message:
    if message.for_user_id != actor.pk:
        raise WorkbenchError(_("Solo el destinatario da por recibido un recado."))
    if message.acknowledged_at is None:
        Message.objects.filter(pk=message.pk).update(acknowledged_at=now)
        message.acknowledged_at = now
        audit_record(actor=actor, action="recado.enterado", obj=message)
    return message


@transaction.atomic
def inquiry_log(*, actor: Any, now: dt.datetime, caller: str, category: str, question: str,
                phone: str = "", resolution: str = "", resolved: bool = False,
                channel: str = conduct.CALL_IN, case: Case | None = None) -> Inquiry:
    if not caller.strip() or not question.strip():
        raise WorkbenchError(_("Escriba el nombre de quien pregunta y la pregunta."))
    inquiry = Inquiry.objects.create(taken_by=actor, at=now, caller=caller.strip(), phone=phone.strip(),
                                     category=category, question=question.strip(),
                                     resolution=resolution.strip(), resolved=resolved,
                                     channel=channel, case=case)
    audit_record(actor=actor, action="atencion.registrar", obj=inquiry, after=snapshot(inquiry))
    return inquiry
