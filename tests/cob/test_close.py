"""The daily close: named steps, the engine's answer, idempotent per date, resumable."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

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


def _engine_prescriptions(as_of: dt.date) -> dict[int, dt.date]:
    """{note id: prescription date} of every pagaré in force, from the engine's own answer at
    `as_of` (its first installment not settled) and the ledger read in Python: an independent
    path to the date the close's facts query gives."""
    from recupera.credits import engine_io
    from recupera.credits.models import Credit
    from recupera.legal import prescription as rx

    calendar = engine_io.business_calendar()
    out = {}
    for credit in Credit.objects.select_related("product").prefetch_related(
            "disbursements", "ledger_entries", "notes").order_by("pk"):
        state = engine_io.credit_state(credit, as_of=as_of, calendar=calendar)
        open_dues = [i.due_date for i in state.installments
                     if i.status not in ("paid", "paid_late", "cancelled")]
        reversed_ids = {e.reverses_id for e in credit.ledger_entries.all() if e.reverses_id}
        payments = [e.value_date for e in credit.ledger_entries.all()
                    if e.kind in rx.ACKNOWLEDGING_ENTRIES and e.pk not in reversed_ids]
        for note in credit.notes.all():
            if note.status not in ("vigente", "en_juicio"):
                continue
            agreements = [a.as_of for a in credit.agreements.filter(
                kind__in=rx.ACKNOWLEDGING_AGREEMENT_KINDS, status__in=rx.ACKNOWLEDGING_AGREEMENT_STATUSES)]
            day = rx.prescription_date(first_unpaid_due=min(open_dues) if open_dues else None,
                                       accelerated_on=note.accelerated_on,
                                       acknowledged=[note.interrupted_on, *payments, *agreements],
                                       in_lawsuit=note.status == "en_juicio")
            if day:
                out[note.pk] = day
    return out


def test_notes_near_prescription_are_flagged(portfolio, settings):
    """The close flags exactly the pagarés whose date, by the engine's own answer, falls in the
    window (here 2 years, to flag many), with that date to the day; an interruption takes one
    out at the next close and a declaration of the whole debt due brings one in."""
    from recupera.credits.models import PromissoryNote

    settings.COB_PRESCRIPTION_WINDOW_DAYS = 2 * 365
    d = AS_OF + dt.timedelta(days=1)
    close_run(actor=None, business_date=d)
    horizon = d + dt.timedelta(days=2 * 365)
    expected = {pk: day for pk, day in _engine_prescriptions(d).items() if day <= horizon}
    flagged = dict(PrescriptionAlert.objects.values_list("note_id", "prescription_date"))
    assert flagged == expected and len(flagged) >= 5
    assert all(a.days_left == (a.prescription_date - d).days for a in PrescriptionAlert.objects.all())
    note = PromissoryNote.objects.get(pk=min(flagged))
    PromissoryNote.objects.filter(pk=note.pk).update(interrupted_on=d)  # acknowledged today
    # the whole debt declared due on 31/01/2024 for every other pagaré: those not acknowledged
    # since prescribe on 31/01/2027 and come in
    PromissoryNote.objects.filter(status="vigente").exclude(pk__in=list(flagged)).update(
        accelerated_on=dt.date(2024, 1, 31))
    d2 = d + dt.timedelta(days=1)
    close_run(actor=None, business_date=d2)
    assert not PrescriptionAlert.objects.filter(note=note).exists()
    expected = {pk: day for pk, day in _engine_prescriptions(d2).items()
                if day <= d2 + dt.timedelta(days=2 * 365)}
    flagged_now = dict(PrescriptionAlert.objects.values_list("note_id", "prescription_date"))
    assert flagged_now == expected
    assert dt.date(2027, 1, 31) in set(flagged_now.values()) and note.pk not in flagged_now


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
