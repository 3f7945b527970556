"""The daily close: named steps, the engine's answer, idempotent per date, resumable."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction

from recupera.cob import steps as cob_steps
from recupera.cob.models import (
    CloseRun,
    CloseStep,
    CreditAging,
    PortfolioSnapshot,
    PrescriptionAlert,
)
from recupera.cob.services import close_run
from recupera.collections.models import Case
from recupera.core.models import AuditEntry
from recupera.core.services import business_date_get
from recupera.credits.models import Credit

from .conftest import AS_OF, cached_view, engine_view

pytestmark = pytest.mark.django_db


def _diff(d: dt.date) -> dict[str, tuple]:
    want, have = engine_view(d), cached_view()
    return {f: (have[f], want[f]) for f in want if have[f] != want[f]}


def test_close_results_equal_the_engine_on_later_dates(portfolio):
    close_run(actor=None, business_date=AS_OF + dt.timedelta(days=1))
    assert _diff(AS_OF + dt.timedelta(days=1)) == {}
    assert CreditAging.objects.count() == len(portfolio)
    # later closes without new events: the date alone moves DPD, bucket, status, next due date
    for days in (9, 37, 95, 400):
        d = AS_OF + dt.timedelta(days=days)
        run = close_run(actor=None, business_date=d, allow_date_jump=True)
        replay = run.steps.get(name="recalculo_motor")
        volatile = CreditAging.objects.filter(volatile=True).count()
        assert replay.rows == volatile  # only credits the cached facts cannot follow
        assert _diff(d) == {}, d
    assert business_date_get() == AS_OF + dt.timedelta(days=400)


def test_the_replay_in_worker_processes_gives_the_same_close(portfolio, monkeypatch):
    """With many candidates the replay step runs the engine in a pool of worker processes
    (credits.services.PARALLEL_MIN), each part loaded and handed over while the previous ones
    replay (POOL_PART; here parts of 3 credits): the same cached columns, allocations and aging
    facts."""
    from recupera.credits import services

    monkeypatch.setattr(services, "PARALLEL_MIN", 1)
    monkeypatch.setattr(services, "POOL_PART", 3)
    assert len(portfolio) > 3 * 2
    created: list[int] = []
    real_pool = services.replay_pool
    monkeypatch.setattr(services, "replay_pool",
                        lambda workers, calendar: (created.append(workers), real_pool(2, calendar))[1])
    close_run(actor=None, business_date=AS_OF + dt.timedelta(days=1))
    assert created  # the pool was used
    assert _diff(AS_OF + dt.timedelta(days=1)) == {}
    assert CreditAging.objects.count() == len(portfolio)
    d = AS_OF + dt.timedelta(days=37)
    close_run(actor=None, business_date=d, allow_date_jump=True)
    assert _diff(d) == {}


def test_credits_with_new_payments_are_replayed_and_the_rest_aged(portfolio):
    from recupera.credits.services import payment_post

    d1 = AS_OF + dt.timedelta(days=1)
    close_run(actor=None, business_date=d1)
    d2 = AS_OF + dt.timedelta(days=20)
    overdue = list(Credit.objects.filter(status="vencido", administrative_status="").order_by("pk")[:5])
    for n, credit in enumerate(overdue):
        payment_post(actor=None, credit=credit, amount=Decimal("50000.00"), value_date=d2,
                     channel="banco", natural_key=f"cob-test-{n}", as_of=d2)
    # a payment marked for the close (as a bank file import leaves it)
    marked = next(c for c in portfolio if c not in overdue)
    Credit.objects.filter(pk=marked.pk).update(has_new_events=True)
    run = close_run(actor=None, business_date=d2, allow_date_jump=True)
    replayed = run.steps.get(name="recalculo_motor").rows
    assert replayed >= 6 and replayed < len(portfolio) // 4
    assert _diff(d2) == {}
    assert not Credit.objects.filter(has_new_events=True).exists()


def test_rerunning_a_date_skips_finished_steps_and_changes_nothing(portfolio):
    d = AS_OF + dt.timedelta(days=3)
    first = close_run(actor=None, business_date=d)
    assert first.status == CloseRun.Status.FINISHED
    assert [s.name for s in first.steps.order_by("position")] == [s.name for s in cob_steps.STEPS]
    before = (AuditEntry.objects.count(), cached_view(), PortfolioSnapshot.objects.count())
    again = close_run(actor=None, business_date=d)
    assert again.pk == first.pk and again.attempts == 1
    assert (AuditEntry.objects.count(), cached_view(), PortfolioSnapshot.objects.count()) == before
    # the snapshot adds up to the portfolio
    snap = PortfolioSnapshot.objects.filter(business_date=d)
    assert sum(s.credits for s in snap) == len(portfolio)


def test_a_failed_step_resumes_from_where_it_stopped(portfolio, monkeypatch):
    d = AS_OF + dt.timedelta(days=2)
    calls = {"n": 0}
    real = cob_steps.step_snapshot

    def broken(ctx):
        calls["n"] += 1
        raise RuntimeError("disco lleno")

    steps = list(cob_steps.STEPS)
    last = [s.name for s in steps].index("foto_cartera")
    steps[last] = cob_steps.Step(steps[last].name, steps[last].label, broken)
    monkeypatch.setattr("recupera.cob.services.STEPS", tuple(steps))
    with pytest.raises(RuntimeError):
        close_run(actor=None, business_date=d)
    run = CloseRun.objects.get(business_date=d)
    assert run.status == CloseRun.Status.FAILED and "disco lleno" in run.error
    done = dict(run.steps.values_list("name", "status"))
    assert done["foto_cartera"] == CloseStep.Status.FAILED
    assert done["antiguedad"] == CloseStep.Status.DONE
    replay_rows = run.steps.get(name="recalculo_motor").rows

    steps[last] = cob_steps.Step(steps[last].name, steps[last].label, real)
    monkeypatch.setattr("recupera.cob.services.STEPS", tuple(steps))
    run = close_run(actor=None, business_date=d)
    assert run.status == CloseRun.Status.FINISHED and run.attempts == 2
    assert run.steps.get(name="recalculo_motor").rows == replay_rows  # not replayed again
    assert calls["n"] == 1
    assert _diff(d) == {}


def test_closing_a_date_before_a_closed_one_is_refused(portfolio):
    from django.core.exceptions import ValidationError

    close_run(actor=None, business_date=AS_OF + dt.timedelta(days=5))
    with pytest.raises(ValidationError, match="Ya se cerró una fecha posterior"):
        close_run(actor=None, business_date=AS_OF + dt.timedelta(days=4))


def test_notes_near_prescription_are_flagged(portfolio):
    from recupera.credits.models import PromissoryNote

    d = AS_OF + dt.timedelta(days=1)
    note = PromissoryNote.objects.filter(status="vigente").order_by("pk").first()
    PromissoryNote.objects.filter(pk=note.pk).update(due_date=dt.date(2023, 12, 31))
    close_run(actor=None, business_date=d)
    alert = PrescriptionAlert.objects.get(note=note)
    assert alert.prescription_date == dt.date(2026, 12, 31)
    assert alert.days_left == (dt.date(2026, 12, 31) - d).days
    # an interruption (lawsuit) pushes it out of the window at the next close
    PromissoryNote.objects.filter(pk=note.pk).update(interrupted_on=dt.date(2026, 11, 1))
    close_run(actor=None, business_date=d + dt.timedelta(days=1))
    assert not PrescriptionAlert.objects.filter(note=note).exists()


def test_every_step_runs_and_the_deadlines_step_keeps_its_snapshot(portfolio):
    from recupera.collections.models import DeadlineSnapshot

    d = AS_OF + dt.timedelta(days=1)
    run = close_run(actor=None, business_date=d)
    assert set(run.steps.values_list("status", flat=True)) == {CloseStep.Status.DONE}
    step = run.steps.get(name="plazos")
    snapshots = DeadlineSnapshot.objects.filter(business_date=d)
    assert step.rows == sum(s.overdue for s in snapshots)
    assert sum(s.open_cases for s in snapshots) == Case.objects.filter(status="abierto").count() > 0


def test_cob_command_prints_the_steps(portfolio):
    out = io.StringIO()
    call_command("cob", date=(AS_OF + dt.timedelta(days=1)).isoformat(), stdout=out)
    text = out.getvalue()
    assert "recalculo_motor" in text and "foto_cartera" in text
    assert "Cierre del 27/11/2026: terminado" in text
    out = io.StringIO()
    call_command("cob", date="2026-11-27", stdout=out)
    assert "ya estaba terminado" in out.getvalue()


def test_the_prescription_query_finds_every_combination_of_dates(portfolio):
    """The step's index-friendly filter flags exactly the pagarés in force whose own
    prescription_date (the model's rule: the later of due date and interruption, + 3 years)
    falls within the window: due only, interrupted only, both, neither, and one not in force."""
    from recupera.cob.steps import prescriptions_flag
    from recupera.credits.models import PromissoryNote

    as_of, window = dt.date(2026, 12, 1), 180
    old, recent = dt.date(2023, 12, 31), dt.date(2026, 1, 10)
    combos = [(old, None), (None, old), (old, old), (old, recent), (recent, old), (None, None),
              (recent, None), (None, recent)]
    notes = list(PromissoryNote.objects.filter(status="vigente").order_by("pk")[:len(combos) + 1])
    assert len(notes) == len(combos) + 1
    for note, (due, interrupted) in zip(notes, combos, strict=False):
        PromissoryNote.objects.filter(pk=note.pk).update(due_date=due, interrupted_on=interrupted)
    PromissoryNote.objects.filter(pk=notes[-1].pk).update(due_date=old, interrupted_on=None, status="sustituido")
    PromissoryNote.objects.exclude(pk__in=[n.pk for n in notes]).update(due_date=recent)
    horizon = as_of + dt.timedelta(days=window)
    expected = {n.pk for n in PromissoryNote.objects.filter(status__in=["vigente", "en_juicio"])
                if n.prescription_date is not None and n.prescription_date <= horizon}
    assert expected == {notes[0].pk, notes[1].pk, notes[2].pk}
    with transaction.atomic():
        prescriptions_flag(as_of=as_of, window_days=window)
    assert set(PrescriptionAlert.objects.values_list("note_id", flat=True)) == expected


def test_the_batch_size_and_the_after_batch_hook_are_parameters(portfolio):
    """close_run(batch_size=, after_batch=): the replay step commits 50 credits at a time and
    calls the hook after each commit with the step's name and the batches committed so far,
    with its cursor and counts already saved (what the crash tests stop at)."""
    seen: list[tuple[str, int, int]] = []

    def after_batch(name: str, batches: int) -> None:
        step = CloseRun.objects.get(business_date=AS_OF + dt.timedelta(days=1)).steps.get(name=name)
        seen.append((name, batches, step.rows_done))

    close_run(actor=None, business_date=AS_OF + dt.timedelta(days=1), batch_size=50,
              after_batch=after_batch)
    assert len(portfolio) == 120
    assert seen == [("recalculo_motor", 1, 50), ("recalculo_motor", 2, 100),
                    ("recalculo_motor", 3, 120)]
    assert _diff(AS_OF + dt.timedelta(days=1)) == {}
