"""The named steps of the daily close, in order (like Fineract's business steps).

Each step takes a `StepContext` and finishes its `CloseStep` row inside the same transaction as
its work (`ctx.finish`), so a crash leaves a step either done or not done. The one long step,
the engine replay, commits in batches and keeps its checkpoint (the last credit id) in the
same transaction as each batch, so a crash resumes after the last committed batch.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from recupera import engine
from recupera.cob import aging
from recupera.cob.models import (
    CloseRun,
    CloseStep,
    CreditAging,
    PortfolioSnapshot,
    PrescriptionAlert,
)

BATCH = 500
PRESCRIPTION_WINDOW_DAYS = 180


@dataclass
class StepContext:
    run: CloseRun
    step: CloseStep
    actor: Any
    business_date: dt.date
    progress: Callable[[str], None]
    # Batched steps commit `batch_size` credits at a time (None: settings.COB_BATCH or BATCH)
    # and call `after_batch(step name, batches committed)` after each commit (the crash tests
    # pass one that stops the process there; close_run passes what its caller gave).
    batch_size: int | None = None
    after_batch: Callable[[str, int], None] | None = None

    def finish(self, *, rows: int, result: dict[str, Any] | None = None, note: str = "",
               status: str = CloseStep.Status.DONE) -> None:
        """Mark the step done; call inside the step's (last) transaction."""
        now = timezone.now()
        step = self.step
        step.status = status
        step.finished_at = now
        step.seconds = (now - step.started_at).total_seconds() if step.started_at else None
        step.rows = rows
        step.rows_done = max(step.rows_done, rows)
        step.rows_total = max(step.rows_total, step.rows_done)
        step.result = result or {}
        step.note = note[:300]
        step.save()


def _batch_size(ctx: StepContext) -> int:
    return ctx.batch_size or int(getattr(settings, "COB_BATCH", BATCH))


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


# --- 1. the business date ---------------------------------------------------------------------
def step_business_date(ctx: StepContext) -> None:
    from recupera.core.services import business_date_get, business_date_set

    with transaction.atomic():
        before = business_date_get()
        business_date_set(actor=ctx.actor, business_date=ctx.business_date)
        ctx.finish(rows=1, result={"antes": before.isoformat(), "despues": ctx.business_date.isoformat()})


# --- 2. the engine, for credits with new events ------------------------------------------------
def _candidates_sql(prev_ledger: int, ledger_max: int, prev_disb: int, disb_max: int,
                    count: bool) -> tuple[str, list[Any]]:
    """The credits the replay step takes (see docs/daily-close.md). The credits with entries or
    disbursements newer than their facts are found first, from the id ranges since the previous
    close (MATERIALIZED: a small set on a normal day), then joined to the portfolio by hash:
    written as `c.id IN (subquery)` PostgreSQL ran the subquery as a plain SubPlan, re-read for
    every credit, when its estimate outgrew work_mem (the first close of a 1,000,000-credit
    portfolio ran for more than ten minutes)."""
    from recupera.credits.models import Credit, Disbursement, LedgerEntry

    credit, aging_t = _q(Credit._meta.db_table), _q(CreditAging._meta.db_table)
    ledger, disb = _q(LedgerEntry._meta.db_table), _q(Disbursement._meta.db_table)
    newer = f"""
        WITH ne AS MATERIALIZED (
            SELECT DISTINCT le.credit_id FROM {ledger} le JOIN {aging_t} a2 ON a2.credit_id = le.credit_id
            WHERE le.id > %s AND le.id <= %s AND le.id > a2.last_entry_id),
        nd AS MATERIALIZED (
            SELECT DISTINCT d.credit_id FROM {disb} d JOIN {aging_t} a3 ON a3.credit_id = d.credit_id
            WHERE d.id > %s AND d.id <= %s AND d.id > a3.last_disbursement_id)"""
    where = """(c.has_new_events OR a.credit_id IS NULL OR a.volatile
        OR c.state_as_of IS NULL OR a.source_as_of IS NULL OR c.state_as_of <> a.source_as_of
        OR ne.credit_id IS NOT NULL OR nd.credit_id IS NOT NULL)"""
    params: list[Any] = [prev_ledger, ledger_max, prev_disb, disb_max]
    base = (f"FROM {credit} c LEFT JOIN {aging_t} a ON a.credit_id = c.id "
            f"LEFT JOIN ne ON ne.credit_id = c.id LEFT JOIN nd ON nd.credit_id = c.id WHERE {where}")
    if count:
        return f"{newer} SELECT COUNT(*) {base}", params
    return f"{newer} SELECT c.id {base} ORDER BY c.id", params


def _previous_marks(business_date: dt.date) -> tuple[int, int]:
    """The ledger and disbursement ids the previous finished close had seen."""
    prev = (CloseStep.objects.filter(name="recalculo_motor", status=CloseStep.Status.DONE,
                                     run__business_date__lt=business_date)
            .order_by("-run__business_date").values_list("params", flat=True).first())
    if not prev:
        return 0, 0
    return int(prev.get("ledger_max", 0)), int(prev.get("disbursement_max", 0))


def step_engine_replay(ctx: StepContext) -> None:
    """Replay the credits with something new (entries or disbursements since the previous close,
    has_new_events, aging facts that depend on the date) in batches, each one transaction:
    projections written (credits.services.credits_replay_batch, in a pool of replay workers
    when there are many) and the credits' aging facts stored for the set-based aging step."""
    from recupera.credits import engine_io
    from recupera.credits.models import Disbursement, LedgerEntry
    from recupera.credits.services import PARALLEL_MIN, replay_pool, replay_workers

    step = ctx.step
    if not step.params:
        prev_ledger, prev_disb = _previous_marks(ctx.business_date)
        step.params = {
            "ledger_max": LedgerEntry.objects.aggregate(m=Max("id"))["m"] or 0,
            "disbursement_max": Disbursement.objects.aggregate(m=Max("id"))["m"] or 0,
            "prev_ledger": prev_ledger, "prev_disbursement": prev_disb,
        }
    if "candidates" not in step.params:
        # the candidates, fixed when the step starts and kept with it: one scan of the portfolio,
        # not one per batch; a resumed step continues over the same list after its cursor
        sql, params = _candidates_sql(step.params["prev_ledger"], step.params["ledger_max"],
                                      step.params["prev_disbursement"], step.params["disbursement_max"],
                                      count=False)
        with connection.cursor() as cur:
            cur.execute(sql, params)
            step.params["candidates"] = [r[0] for r in cur.fetchall()]
        step.rows_total = len(step.params["candidates"])
        step.save(update_fields=["params", "rows_total"])
    p = step.params
    candidates: list[int] = p["candidates"]
    calendar = engine_io.business_calendar()
    size = _batch_size(ctx)
    left = len(candidates) - bisect.bisect_right(candidates, step.cursor or 0)
    workers = replay_workers() if left >= PARALLEL_MIN else 1
    pool = replay_pool(workers, calendar) if workers > 1 else None
    try:
        volatile = _replay_batches(ctx, candidates, size, calendar, pool)
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    with transaction.atomic():
        step.params = {k: v for k, v in p.items() if k != "candidates"}  # done: the list is not needed
        ctx.finish(rows=step.rows_done, result={"replayed": step.rows_done, "volatile_in_last_attempt": volatile})


def _replay_batches(ctx: StepContext, candidates: list[int], size: int, calendar: Any,
                    pool: Any) -> int:
    """The batches of step_engine_replay after its cursor; returns how many were volatile."""
    from recupera.credits.services import credits_replay_batch, lookups_by_index

    step = ctx.step
    batches = volatile = 0
    while True:
        start = bisect.bisect_right(candidates, step.cursor or 0)
        ids = candidates[start:start + size]
        if not ids:
            break
        with transaction.atomic():
            lookups_by_index()
            replayed = credits_replay_batch(ids, as_of=ctx.business_date, actor=ctx.actor,
                                            calendar=calendar, pool=pool, extra=aging.close_facts)
            rows = []
            for credit_id, f, last_entry, last_disb in replayed:
                volatile += f.volatile
                rows.append(CreditAging(
                    credit_id=credit_id, oldest_unpaid_eff=f.oldest_unpaid_eff,
                    first_open_due=f.first_open_due, first_due_date=f.first_due_date,
                    schedule_version=f.schedule_version, fixed_status=f.fixed_status,
                    volatile=f.volatile, source_as_of=ctx.business_date,
                    last_entry_id=last_entry, last_disbursement_id=last_disb))
            CreditAging.objects.filter(credit_id__in=ids).delete()
            CreditAging.objects.bulk_create(rows, batch_size=size)
            step.cursor = ids[-1]
            step.rows_done += len(ids)
            step.rows_total = max(step.rows_total, step.rows_done)
            step.save(update_fields=["cursor", "rows_done", "rows_total"])
        batches += 1
        ctx.progress(f"  {step.rows_done}/{step.rows_total}")
        if ctx.after_batch is not None:
            ctx.after_batch(step.name, batches)
    return volatile


# --- 3. aging by the date alone (set-based) ---------------------------------------------------
def _dpd_sql(date_param: str = "%s") -> str:
    if connection.vendor == "postgresql":
        diff = f"({date_param}::date - a.oldest_unpaid_eff)"
    else:
        diff = f"CAST(julianday({date_param}) - julianday(a.oldest_unpaid_eff) AS INTEGER)"
    return f"CASE WHEN a.oldest_unpaid_eff < {date_param} THEN {diff} ELSE 0 END"


def _bucket_sql(dpd: str) -> str:
    whens = []
    for name, low, high in engine.BUCKETS:
        cond = f"{dpd} >= {low}" + (f" AND {dpd} <= {high}" if high is not None else "")
        whens.append(f"WHEN {cond} THEN '{name}'")
    return "CASE " + " ".join(whens) + " END"


def _status_sql(dpd: str) -> str:
    """The displayed status: the administrative one, else the engine's rule on the cached facts
    (aging.status_at), mapped as engine_io.status_for maps it."""
    from recupera.credits.engine_io import FINANCIAL_TO_STATUS
    from recupera.credits.models import Credit

    s = {k: str(v) for k, v in FINANCIAL_TO_STATUS.items()}
    return f"""CASE
        WHEN c.administrative_status <> '' THEN c.administrative_status
        WHEN a.fixed_status = 'nothing_disbursed' THEN '{Credit.Status.STUDYING.value}'
        WHEN a.fixed_status = 'paid_off' THEN '{s["paid_off"]}'
        WHEN a.fixed_status = 'written_off' THEN '{s["written_off"]}'
        WHEN {dpd} > 0 THEN '{s["overdue"]}'
        WHEN a.first_due_date IS NOT NULL AND %s < a.first_due_date THEN
            CASE WHEN c.end_of_studies IS NOT NULL AND %s < c.end_of_studies THEN '{s["studying"]}'
                 ELSE '{s["grace"]}' END
        ELSE '{s["current"]}' END"""


def aging_update(*, actor: Any, as_of: dt.date, rewind: bool = False) -> dict[str, int]:
    """DPD, bucket and status of every credit from its cached facts at `as_of` (one UPDATE of the
    rows that change), next due dates that passed, and an audit row per status change.
    `rewind`: `as_of` is before the date the cached columns were aged to (a voided close,
    cob.services.close_run_void): every next due date is recomputed, not only those that passed.
    Call inside a transaction."""
    from recupera.core.models import AuditEntry
    from recupera.credits.models import Credit, Installment, ScheduleVersion

    credit, aging_t = _q(Credit._meta.db_table), _q(CreditAging._meta.db_table)
    dpd = _dpd_sql()
    computed = f"""SELECT c.id AS id, c.folio AS folio, c.status AS old_status, a.dpd AS dpd,
            {_bucket_sql('a.dpd')} AS bucket, {_status_sql('a.dpd')} AS status
        FROM {credit} c JOIN (SELECT a.credit_id, a.fixed_status, a.first_due_date, {dpd} AS dpd
                              FROM {aging_t} a WHERE NOT a.volatile) a ON a.credit_id = c.id"""
    computed_params = [as_of] * 4  # status (2×), then dpd (2×)
    audits = []
    with connection.cursor() as cur:
        # one pass: the UPDATE returns the old and new status of the rows it wrote (the audit rows
        # of the status changes are written from them, in the same transaction)
        # (SQLite's RETURNING cannot name the FROM rows: there, the changes are selected first)
        update = f"""UPDATE {credit} SET days_past_due = n.dpd, bucket = n.bucket, status = n.status
            FROM ({computed}) n
            WHERE {credit}.id = n.id AND ({credit}.days_past_due <> n.dpd OR {credit}.bucket <> n.bucket
                  OR {credit}.status <> n.status)"""
        if connection.vendor == "postgresql":
            cur.execute(update + " RETURNING n.id, n.folio, n.old_status, n.status", computed_params)
            changed = [r for r in cur.fetchall() if r[2] != r[3]]
            aged = cur.rowcount
        else:
            cur.execute(f"SELECT n.id, n.folio, n.old_status, n.status FROM ({computed}) n "
                        "WHERE n.status <> n.old_status", computed_params)
            changed = cur.fetchall()
            cur.execute(update, computed_params)
            aged = cur.rowcount
        for cid, folio, old, new in sorted(changed):
            audits.append(AuditEntry(actor=actor if getattr(actor, "pk", None) else None,
                                     action="credito.estado", object_type="credits.credit",
                                     object_id=str(cid), object_repr=folio[:200],
                                     before={"status": old},
                                     after={"status": new, "as_of": as_of.isoformat(), "by": "cierre"}))
        AuditEntry.objects.bulk_create(audits, batch_size=1000)
        sched, inst = _q(ScheduleVersion._meta.db_table), _q(Installment._meta.db_table)
        floor = "CASE WHEN a.first_open_due > %s THEN a.first_open_due ELSE %s END"
        next_due = f"""UPDATE {credit} SET next_due_date = (
                SELECT MIN(i.due_date) FROM {sched} s JOIN {inst} i ON i.schedule_id = s.id
                WHERE s.credit_id = a.credit_id AND s.version = a.schedule_version
                  AND i.due_date >= {floor})
            FROM {aging_t} a
            WHERE a.credit_id = {credit}.id AND NOT a.volatile AND a.fixed_status = ''
              AND ({"TRUE" if rewind else f"{credit}.next_due_date < %s"})"""
        cur.execute(next_due, [as_of, as_of] if rewind else [as_of, as_of, as_of])
        moved = cur.rowcount
    return {"aged": aged, "next_due_moved": moved, "status_changed": len(audits)}


def step_aging(ctx: StepContext) -> None:
    with transaction.atomic():
        counts = aging_update(actor=ctx.actor, as_of=ctx.business_date)
        ctx.finish(rows=counts["aged"], result=counts)


# --- 4–7. collections (services of the collections app) ---------------------------------------
def _call_collections(ctx: StepContext, function: str, **kwargs: Any) -> None:
    try:
        from recupera.collections import services
    except ImportError:  # pragma: no cover - the app is part of the project
        services = None
    fn = getattr(services, function, None)
    with transaction.atomic():
        if fn is None:
            ctx.finish(rows=0, status=CloseStep.Status.SKIPPED,
                       note=f"No disponible: recupera.collections.services.{function} aún no existe.")
            return
        result = fn(**kwargs) or {}
        rows = sum(v for v in result.values() if isinstance(v, int)) if isinstance(result, dict) else 0
        ctx.finish(rows=rows, result=result if isinstance(result, dict) else {"resultado": str(result)})


def step_cases(ctx: StepContext) -> None:
    _call_collections(ctx, "cases_sync", actor=ctx.actor, as_of=ctx.business_date)


def step_assignment(ctx: StepContext) -> None:
    _call_collections(ctx, "assignment_run", actor=ctx.actor, as_of=ctx.business_date)


def step_promises(ctx: StepContext) -> None:
    _call_collections(ctx, "promises_evaluate", actor=ctx.actor, as_of=ctx.business_date)


def step_deadlines(ctx: StepContext) -> None:
    _call_collections(ctx, "deadlines_flag", actor=ctx.actor, as_of=ctx.business_date)


def step_agreements(ctx: StepContext) -> None:
    """Payment plans in force: fulfilled or broken (recupera.agreements.services.plans_evaluate)."""
    from recupera.agreements.services import plans_evaluate

    with transaction.atomic():
        result = plans_evaluate(actor=ctx.actor, as_of=ctx.business_date)
        ctx.finish(rows=sum(result.values()), result=result)


# --- 8. pagarés near prescription -------------------------------------------------------------
def prescriptions_flag(*, as_of: dt.date, window_days: int) -> dict[str, int]:
    """Keep one PrescriptionAlert per pagaré in force that prescribes within `window_days`
    (or already prescribed and still in force), by the legal clock of recupera.legal.prescription
    (the earliest unpaid installment, declarations and acknowledgments; registered in
    core.extensions). Call inside a
    transaction."""
    from recupera.core import extensions

    horizon = as_of + dt.timedelta(days=window_days)
    # the credits whose first unpaid installment (or a declaration) is old enough, then their
    # pagarés' exact dates: acknowledgments and lawsuits only move a date later or stop it
    credit_ids = extensions.credits_that_may_prescribe(horizon)
    existing = {a.note_id: a for a in PrescriptionAlert.objects.all()}
    keep: set[int] = set()
    new: list[PrescriptionAlert] = []
    changed: list[PrescriptionAlert] = []
    for clock in extensions.note_clocks(credit_ids):
        date = clock.date
        if date is None or date > horizon:
            continue
        keep.add(clock.note_id)
        days_left = (date - as_of).days
        alert = existing.get(clock.note_id)
        if alert is None:
            new.append(PrescriptionAlert(note_id=clock.note_id, credit_id=clock.credit_id,
                                         prescription_date=date, days_left=days_left,
                                         first_flagged_on=as_of, last_seen_on=as_of))
        elif (alert.prescription_date, alert.days_left, alert.last_seen_on) != (date, days_left, as_of):
            alert.prescription_date, alert.days_left, alert.last_seen_on = date, days_left, as_of
            changed.append(alert)
    PrescriptionAlert.objects.bulk_create(new, batch_size=1000)
    PrescriptionAlert.objects.bulk_update(changed, ["prescription_date", "days_left", "last_seen_on"],
                                          batch_size=1000)
    gone = [pk for pk in existing if pk not in keep]
    PrescriptionAlert.objects.filter(note_id__in=gone).delete()
    return {"flagged": len(keep), "new": len(new), "cleared": len(gone)}


def step_prescription(ctx: StepContext) -> None:
    window = int(getattr(settings, "COB_PRESCRIPTION_WINDOW_DAYS", PRESCRIPTION_WINDOW_DAYS))
    with transaction.atomic():
        counts = prescriptions_flag(as_of=ctx.business_date, window_days=window)
        ctx.finish(rows=counts["flagged"], result=counts)


# --- 9. the portfolio snapshot ----------------------------------------------------------------
def portfolio_snapshot_store(*, as_of: dt.date) -> int:
    """Counts and balances per status and bucket at `as_of` (replaces that date's rows).
    Balances are the cached ones (as of each credit's state_as_of; docs/daily-close.md)."""
    from recupera.credits.models import Credit

    PortfolioSnapshot.objects.filter(business_date=as_of).delete()
    snap, credit = _q(PortfolioSnapshot._meta.db_table), _q(Credit._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(f"""INSERT INTO {snap} (business_date, status, bucket, credits, principal_outstanding,
                total_overdue, payoff_amount)
            SELECT %s, status, bucket, COUNT(*), COALESCE(SUM(principal_outstanding), 0),
                   COALESCE(SUM(total_overdue), 0), COALESCE(SUM(payoff_amount), 0)
            FROM {credit} GROUP BY status, bucket""", [as_of])
        return cur.rowcount


def step_snapshot(ctx: StepContext) -> None:
    with transaction.atomic():
        n = portfolio_snapshot_store(as_of=ctx.business_date)
        ctx.finish(rows=n, result={"groups": n})


# --- 10. goals: attributed money, month freeze, productivity ------------------------------------
def step_productivity(ctx: StepContext) -> None:
    """recupera.goals.services.goals_close (docs/goals.md): after the promises, plans and
    deadlines of the day, so that the day's kept and broken promises are counted."""
    from recupera.goals.services import goals_close

    with transaction.atomic():
        result = goals_close(actor=ctx.actor, as_of=ctx.business_date)
        ctx.finish(rows=result["attributed"] + result["productivity_rows"], result=result)


@dataclass(frozen=True)
class Step:
    name: str
    label: Any
    run: Callable[[StepContext], None]


STEPS: tuple[Step, ...] = (
    Step("fecha_operacion", _("Avanzar la fecha de operación"), step_business_date),
    Step("recalculo_motor", _("Recalcular con el motor los créditos con movimientos"), step_engine_replay),
    Step("antiguedad", _("Días de atraso, tramo y estado por la fecha"), step_aging),
    Step("casos", _("Abrir, escalar y cerrar casos"), step_cases),
    Step("asignacion", _("Asignar casos"), step_assignment),
    Step("promesas", _("Evaluar promesas de pago"), step_promises),
    Step("convenios", _("Evaluar convenios de pago"), step_agreements),
    Step("plazos", _("Señalar plazos vencidos"), step_deadlines),
    Step("prescripcion", _("Señalar pagarés próximos a prescribir"), step_prescription),
    Step("foto_cartera", _("Foto diaria de la cartera"), step_snapshot),
    Step("productividad", _("Recuperación por gestor, productividad y cierre de mes"), step_productivity),
)
STEP_LABELS = {s.name: s.label for s in STEPS}
