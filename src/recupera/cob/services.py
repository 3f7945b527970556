"""The daily close: `close_run` runs the named steps (cob/steps.py) for one business date.

Idempotent per date (a finished run is not repeated; finished steps are skipped) and resumable
after a crash (each step commits with its own completion mark; the engine step checkpoints per
batch). On PostgreSQL an advisory lock keeps two closes from running at once.

A date more than one business day after the current business date is refused unless the caller
passes `allow_date_jump=True` (recorded in the audit log as `cierre.salto_fecha`); a close of a
wrong date is undone with `close_run_void` (docs/daily-close.md, "Recovering from a wrong date").
"""

from __future__ import annotations

import contextlib
import datetime as dt
import traceback
from collections.abc import Callable, Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from recupera.cob.models import CloseRun, CloseStep
from recupera.cob.steps import STEPS, StepContext
from recupera.core.audit import audit_record

LOCK_KEY = 7_406_220  # advisory lock id of the daily close


class CloseBusy(Exception):
    """Another daily close is running."""


@contextlib.contextmanager
def _close_lock() -> Iterator[None]:
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        if not cur.fetchone()[0]:
            raise CloseBusy(_("Ya hay un cierre diario en curso; espere a que termine."))
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


def close_date_limit(current: dt.date | None = None) -> dt.date:
    """The latest date a close may take without `allow_date_jump`: the first business day after
    the current business date (so the close of a Saturday, a Sunday or the day after a holiday
    still runs unattended; a date beyond it is almost always a typo)."""
    from recupera.core.calendar import business_calendar
    from recupera.core.services import business_date_get

    current = current or business_date_get()
    return business_calendar().next_business_day_on_or_after(current + dt.timedelta(days=1))


def close_date_problem(business_date: dt.date) -> str | None:
    """The Spanish refusal for a date too far ahead of the business date, or None."""
    from recupera.core.services import business_date_get

    current = business_date_get()
    limit = close_date_limit(current)
    if business_date <= limit:
        return None
    return _("La fecha {date} está más de un día hábil después de la fecha de operación actual "
             "({current}; el siguiente día hábil es {limit}). Cierre los días uno por uno, o, si de "
             "verdad quiere adelantar la fecha, autorícelo expresamente: queda en la bitácora de "
             "auditoría.").format(date=business_date.strftime("%d/%m/%Y"),
                                  current=current.strftime("%d/%m/%Y"), limit=limit.strftime("%d/%m/%Y"))


@transaction.atomic
def close_run_prepare(*, actor: Any, business_date: dt.date, allow_date_jump: bool = False) -> CloseRun:
    """The run for `business_date` with its steps (created, or taken up again)."""
    from recupera.core.services import business_date_get

    later = CloseRun.objects.filter(business_date__gt=business_date,
                                    status=CloseRun.Status.FINISHED).order_by("business_date").first()
    if later is not None:
        raise ValidationError(_("Ya se cerró una fecha posterior ({date}); no se puede cerrar el {this}.").format(
            date=later.business_date.strftime("%d/%m/%Y"), this=business_date.strftime("%d/%m/%Y")))
    existing = CloseRun.objects.filter(business_date=business_date, status=CloseRun.Status.FINISHED).exists()
    jump = None if existing else close_date_problem(business_date)
    if jump is not None and not allow_date_jump:
        raise ValidationError(jump, code="salto_de_fecha")
    run, created = CloseRun.objects.select_for_update().get_or_create(
        business_date=business_date,
        defaults={"started_by": actor if getattr(actor, "pk", None) else None})
    if jump is not None:
        current = business_date_get()
        audit_record(actor=actor, action="cierre.salto_fecha", obj=run,
                     before={"business_date": current.isoformat()},
                     after={"business_date": business_date.isoformat(),
                            "limit": close_date_limit(current).isoformat()})
    if created:
        audit_record(actor=actor, action="cierre.iniciar", obj=run,
                     after={"business_date": business_date.isoformat()})
    elif run.status == CloseRun.Status.VOIDED:  # the date comes again: a close from scratch
        run.steps.all().delete()
        run.attempts += 1
        run.status = CloseRun.Status.RUNNING
        run.error = ""
        run.finished_at = None
        run.save(update_fields=["attempts", "status", "error", "finished_at"])
        audit_record(actor=actor, action="cierre.iniciar", obj=run,
                     after={"business_date": business_date.isoformat(), "attempt": run.attempts})
    elif run.status != CloseRun.Status.FINISHED:
        run.attempts += 1
        run.status = CloseRun.Status.RUNNING
        run.error = ""
        run.save(update_fields=["attempts", "status", "error"])
        audit_record(actor=actor, action="cierre.reanudar", obj=run,
                     after={"business_date": business_date.isoformat(), "attempt": run.attempts})
    have = set(run.steps.values_list("name", flat=True))
    CloseStep.objects.bulk_create([CloseStep(run=run, position=i, name=s.name)
                                   for i, s in enumerate(STEPS, start=1) if s.name not in have])
    return run


def close_run(*, actor: Any, business_date: dt.date, allow_date_jump: bool = False,
              progress: Callable[[str], None] | None = None, batch_size: int | None = None,
              after_batch: Callable[[str, int], None] | None = None) -> CloseRun:
    """Run (or resume) the daily close of `business_date`. Returns the run; a finished run is
    returned untouched. A failing step marks the run failed and re-raises. A date more than one
    business day after the business date needs `allow_date_jump` (audited). `batch_size` and
    `after_batch` go to the batched steps (cob.steps.StepContext; the crash tests use them)."""
    say = progress or (lambda _msg: None)
    with _close_lock():
        run = close_run_prepare(actor=actor, business_date=business_date, allow_date_jump=allow_date_jump)
        if run.finished:
            say(_("El cierre del {date} ya estaba terminado.").format(date=business_date.strftime("%d/%m/%Y")))
            return run
        by_name = {s.name: s for s in STEPS}
        for step in run.steps.order_by("position"):
            if step.status in (CloseStep.Status.DONE, CloseStep.Status.SKIPPED):
                say(f"= {step.name}: {step.get_status_display().lower()}")
                continue
            definition = by_name[step.name]
            step.status = CloseStep.Status.RUNNING
            step.started_at = step.started_at or timezone.now()
            step.save(update_fields=["status", "started_at"])
            say(f"> {step.name}")
            ctx = StepContext(run=run, step=step, actor=actor, business_date=business_date, progress=say,
                              batch_size=batch_size, after_batch=after_batch)
            try:
                definition.run(ctx)
            except Exception as exc:
                CloseStep.objects.filter(pk=step.pk).update(status=CloseStep.Status.FAILED,
                                                            note=str(exc)[:300])
                CloseRun.objects.filter(pk=run.pk).update(
                    status=CloseRun.Status.FAILED, error=traceback.format_exc()[-4000:])
                raise
            step.refresh_from_db()
            say(f"  {step.name}: {step.rows} renglones, {step.seconds or 0:.2f} s")
        with transaction.atomic():
            run.status = CloseRun.Status.FINISHED
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "finished_at"])
            audit_record(actor=actor, action="cierre.terminar", obj=run, after={
                "business_date": business_date.isoformat(),
                "steps": {s.name: s.rows for s in run.steps.all()}})
        return run


def close_run_void(*, actor: Any, business_date: dt.date, reason: str) -> CloseRun:
    """Undo the close of a wrong date (the latest one): mark its run voided, put the business
    date back to what it was before that run, make the next close replay every credit the
    wrong date touched, and drop that date's portfolio snapshot. What the collections steps did
    (cases, promises, plans) stays and is listed for review (docs/daily-close.md)."""
    from recupera.cob.models import PortfolioSnapshot
    from recupera.cob.steps import aging_update
    from recupera.core.services import business_date_get, business_date_set
    from recupera.credits.models import Credit

    reason = " ".join((reason or "").split())
    if len(reason) < 10:
        raise ValidationError(_("Escriba el motivo de la anulación (al menos 10 caracteres)."))
    with _close_lock(), transaction.atomic():
        run = CloseRun.objects.select_for_update().filter(business_date=business_date).first()
        if run is None or run.status == CloseRun.Status.VOIDED:
            raise ValidationError(_("No hay un cierre vigente del {date} que anular.").format(
                date=business_date.strftime("%d/%m/%Y")))
        later = CloseRun.objects.filter(business_date__gt=business_date).exclude(
            status=CloseRun.Status.VOIDED).order_by("business_date").first()
        if later is not None:
            raise ValidationError(_("Solo se puede anular el último cierre: después está el del {date}.").format(
                date=later.business_date.strftime("%d/%m/%Y")))
        step = run.steps.filter(name="fecha_operacion").first()
        previous = (step.result or {}).get("antes") if step is not None else None
        if previous:
            restore = dt.date.fromisoformat(previous)
        else:
            earlier = CloseRun.objects.filter(business_date__lt=business_date, status=CloseRun.Status.FINISHED
                                              ).order_by("-business_date").first()
            restore = earlier.business_date if earlier else business_date_get()
        if restore >= business_date:
            restore = business_date - dt.timedelta(days=1)
        current = business_date_get()
        if current > restore:
            business_date_set(actor=actor, business_date=restore)
        # Credits the wrong close replayed carry that date's figures: the next close replays
        # them. The rest are aged back to the restored date now (DPD, bucket, status, next due).
        touched = Credit.objects.filter(state_as_of__gt=restore).update(has_new_events=True)
        aged = aging_update(actor=actor, as_of=restore, rewind=True)
        snapshots, _kinds = PortfolioSnapshot.objects.filter(business_date=business_date).delete()
        before_status = run.status
        run.status = CloseRun.Status.VOIDED
        run.error = (_("Anulado: {reason}").format(reason=reason))[:4000]
        run.save(update_fields=["status", "error"])
        audit_record(actor=actor, action="cierre.anular", obj=run,
                     before={"status": before_status, "business_date": current.isoformat()},
                     after={"status": run.status, "business_date": restore.isoformat(), "reason": reason,
                            "credits_to_replay": touched, "snapshots_deleted": snapshots,
                            "aged_back": aged["aged"]})
    return run
