"""The daily close: `close_run` runs the named steps (cob/steps.py) for one business date.

Idempotent per date (a finished run is not repeated; finished steps are skipped) and resumable
after a crash (each step commits with its own completion mark; the engine step checkpoints per
batch). On PostgreSQL an advisory lock keeps two closes from running at once.
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


@transaction.atomic
def close_run_prepare(*, actor: Any, business_date: dt.date) -> CloseRun:
    """The run for `business_date` with its steps (created, or taken up again)."""
    later = CloseRun.objects.filter(business_date__gt=business_date,
                                    status=CloseRun.Status.FINISHED).order_by("business_date").first()
    if later is not None:
        raise ValidationError(_("Ya se cerró una fecha posterior ({date}); no se puede cerrar el {this}.").format(
            date=later.business_date.strftime("%d/%m/%Y"), this=business_date.strftime("%d/%m/%Y")))
    run, created = CloseRun.objects.select_for_update().get_or_create(
        business_date=business_date,
        defaults={"started_by": actor if getattr(actor, "pk", None) else None})
    if created:
        audit_record(actor=actor, action="cierre.iniciar", obj=run,
                     after={"business_date": business_date.isoformat()})
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


def close_run(*, actor: Any, business_date: dt.date,
              progress: Callable[[str], None] | None = None) -> CloseRun:
    """Run (or resume) the daily close of `business_date`. Returns the run; a finished run is
    returned untouched. A failing step marks the run failed and re-raises."""
    say = progress or (lambda _msg: None)
    with _close_lock():
        run = close_run_prepare(actor=actor, business_date=business_date)
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
            ctx = StepContext(run=run, step=step, actor=actor, business_date=business_date, progress=say)
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
