"""The bulk demo data (PostgreSQL): every copied credit's cached columns, schedule, allocations and
daily-close facts are what the engine says for that credit, to the cent; copies have their own
people, folios and ledger entries; the same seed gives the same portfolio."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.db import connection

AS_OF = dt.date(2026, 11, 26)


def _engine_view(credit, calendar):
    from recupera.cob.aging import facts_for
    from recupera.core.money import to_money
    from recupera.credits import engine_io

    state = engine_io.credit_state(credit, as_of=credit.state_as_of, calendar=calendar)
    cached = {
        "status": str(engine_io.status_for(credit, state)), "days_past_due": state.days_past_due,
        "bucket": state.bucket, "principal_disbursed": to_money(state.principal_disbursed),
        "principal_outstanding": to_money(state.principal_outstanding),
        "total_overdue": to_money(state.total_overdue), "payoff_amount": to_money(state.payoff_amount),
        "credit_balance": to_money(state.credit_balance), "next_due_date": state.next_due_date}
    allocations = sorted(
        (engine_io.entry_id_of(p.event_id), p.value_date, a.installment, a.schedule_version, a.component,
         to_money(a.amount))
        for p in state.postings for a in p.allocations)
    schedule = sorted((s.version, i.number, i.due_date, i.effective_due_date, to_money(i.principal),
                       to_money(i.interest)) for s in state.schedules for i in s.installments)
    f = facts_for(state, tolerance=credit.product.dpd_tolerance, end_of_studies=credit.end_of_studies)
    facts = (f.oldest_unpaid_eff, f.first_open_due, f.first_due_date, f.schedule_version, f.fixed_status,
             f.volatile, state.as_of)
    return cached, allocations, schedule, facts


def _stored_view(credit):
    from recupera.cob.models import CreditAging
    from recupera.credits.models import Allocation, Installment

    cached = {k: getattr(credit, k) for k in (
        "status", "days_past_due", "bucket", "principal_disbursed", "principal_outstanding", "total_overdue",
        "payoff_amount", "credit_balance", "next_due_date")}
    cached["status"] = str(cached["status"])
    allocations = sorted(Allocation.objects.filter(credit=credit).values_list(
        "entry_id", "value_date", "installment", "schedule_version", "component", "amount"))
    schedule = sorted(Installment.objects.filter(schedule__credit=credit).values_list(
        "schedule__version", "number", "due_date", "effective_due_date", "principal", "interest"))
    a = CreditAging.objects.get(credit=credit)
    facts = (a.oldest_unpaid_eff, a.first_open_due, a.first_due_date, a.schedule_version, a.fixed_status,
             a.volatile, a.source_as_of)
    return cached, allocations, schedule, facts


@pytest.mark.django_db
def test_every_copied_credit_is_what_the_engine_says_for_it():
    if connection.vendor != "postgresql":
        pytest.skip("Los datos masivos de demostración son de PostgreSQL.")
    from recupera.credits.bulk_demo import bulk_portfolio_create

    # inside the test's transaction: one connection, one transaction
    _check_copies(bulk_portfolio_create(actor=None, credits=90, seed=7, as_of=AS_OF, templates=30))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps migration rows for later tests
def test_copies_on_two_connections_are_the_same_portfolio():
    if connection.vendor != "postgresql":
        pytest.skip("Los datos masivos de demostración son de PostgreSQL.")
    from recupera.credits.bulk_demo import bulk_portfolio_create

    before = _ddl()
    counts = bulk_portfolio_create(actor=None, credits=90, seed=7, as_of=AS_OF, templates=30, workers=2)
    _check_copies(counts)
    assert _ddl() == before  # indexes and keys back, no maps or undo record left


def _check_copies(counts):
    from recupera.credits import engine_io
    from recupera.credits.models import Credit, CreditParty, LedgerEntry
    from recupera.credits.services import allocation_lines

    made = Credit.objects.count() - counts["creditos"]  # templates (a plan may yield a few less)
    assert 25 <= made <= 30 and counts["creditos"] == 2 * made
    calendar = engine_io.business_calendar()
    copies = (Credit.objects.filter(folio__startswith="CB7-").select_related("product")
              .prefetch_related("disbursements", "ledger_entries").order_by("pk"))
    assert copies.count() == counts["creditos"]
    with_payments = 0
    for credit in copies:
        engine_view, stored = _engine_view(credit, calendar), _stored_view(credit)
        assert stored == engine_view, credit.folio
        # the digest of the copy's own allocation rows, as a replay computes it
        lines = allocation_lines(credit.pk, engine_io.credit_state(credit, as_of=credit.state_as_of,
                                                                   calendar=calendar))
        assert (credit.allocations_count, credit.allocations_digest) == (
            len(lines), hashlib.md5("".join(lines).encode()).hexdigest()), credit.folio
        with_payments += bool(engine_view[1])
    assert with_payments > 10  # the sample has credits with payments (allocations), not only schedules
    # the copies have their own people and entries
    borrowers = set(copies.values_list("borrower_id", flat=True))
    templates = set(Credit.objects.exclude(folio__startswith="CB7-").values_list("borrower_id", flat=True))
    assert len(borrowers) == counts["creditos"] and not borrowers & templates
    assert not CreditParty.objects.filter(credit__in=copies, person_id__in=templates).exists()
    assert LedgerEntry.objects.filter(credit__in=copies).count() > 0
    assert not LedgerEntry.objects.filter(credit__in=copies, reverses__isnull=False).exclude(
        reverses__credit_id=models_credit_of_reversal()).exists()


def models_credit_of_reversal():
    from django.db.models import F

    return F("credit_id")


@pytest.mark.django_db
def test_the_indexes_and_keys_are_back_after_the_bulk_copy():
    if connection.vendor != "postgresql":
        pytest.skip("Los datos masivos de demostración son de PostgreSQL.")
    from recupera.credits.bulk_demo import bulk_portfolio_create

    before = _ddl()
    bulk_portfolio_create(actor=None, credits=40, seed=8, as_of=AS_OF, templates=20)
    assert _ddl() == before


def _ddl():
    with connection.cursor() as cur:
        cur.execute("""SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2""")
        constraints = cur.fetchall()
        cur.execute("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
                    "ORDER BY 1, 2")
        indexes = cur.fetchall()
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        return constraints, indexes, cur.fetchall()


def _row_counts():
    from django.apps import apps

    return {m._meta.db_table: m.objects.count() for m in apps.get_models()
            if m._meta.app_label in ("credits", "people", "cob")}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_failed_copy_worker_leaves_nothing_half_applied(monkeypatch):
    """One of the two copy connections fails after the other committed its half: the committed
    copies are deleted and the indexes and keys are back; the templates stay."""
    if connection.vendor != "postgresql":
        pytest.skip("Los datos masivos de demostración son de PostgreSQL.")
    from recupera.credits import bulk_demo

    real = bulk_demo._copy_range

    def second_fails(statements, first, last):
        if first > 1:
            raise RuntimeError("la conexión se cayó")
        return real(statements, first, last)

    before = _ddl()
    monkeypatch.setattr(bulk_demo, "_copy_range", second_fails)
    with pytest.raises(RuntimeError, match="se cayó"):
        bulk_demo.bulk_portfolio_create(actor=None, credits=60, seed=9, as_of=AS_OF, templates=20, workers=2)
    assert _ddl() == before
    from recupera.credits.models import Credit

    templates = Credit.objects.count()
    assert 15 <= templates <= 20 and not Credit.objects.filter(folio__startswith="CB9-").exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("dies", ["after the copies", "after the index builds", "before the validations"])
def test_a_load_killed_midway_is_undone_by_the_next_one(monkeypatch, dies):
    """The process dies (nothing in it runs any more) after the copies, after the indexes were
    built but before the keys were attached to them, or after the foreign keys were added NOT
    VALID: the next bulk load first deletes the copies and restores the indexes and keys."""
    if connection.vendor != "postgresql":
        pytest.skip("Los datos masivos de demostración son de PostgreSQL.")
    from recupera.credits import bulk_demo

    before = _ddl()

    class Killed(BaseException):
        pass

    real_copy, real_attach = bulk_demo._copy_range, bulk_demo._SecondaryIndexes._attach

    def copy_then_die(statements, first, last):
        real_copy(statements, first, last)
        raise Killed

    def attach(secondary):
        if dies == "before the validations":
            real_attach(secondary)
        raise Killed

    if dies == "after the copies":
        monkeypatch.setattr(bulk_demo, "_copy_range", copy_then_die)
    else:
        monkeypatch.setattr(bulk_demo._SecondaryIndexes, "_attach", attach)
    monkeypatch.setattr(bulk_demo, "_recover_pending", lambda cur: False)  # a dead process undoes nothing
    templates_only = {}
    real_statements = bulk_demo._copy_statements

    def count_then_plan(*args, **kwargs):
        templates_only.update(_row_counts())  # what is there before any copy
        return real_statements(*args, **kwargs)

    monkeypatch.setattr(bulk_demo, "_copy_statements", count_then_plan)
    with pytest.raises(Killed):
        bulk_demo.bulk_portfolio_create(actor=None, credits=60, seed=9, as_of=AS_OF, templates=20, workers=2)
    monkeypatch.undo()
    assert _ddl() != before  # indexes dropped, maps and the undo record left
    from recupera.credits.models import Credit

    assert Credit.objects.filter(folio__startswith="CB9-").exists()
    with connection.cursor() as cur:
        assert bulk_demo._recover_pending(cur) is True
    assert _ddl() == before
    assert not Credit.objects.filter(folio__startswith="CB9-").exists()
    assert _row_counts() == templates_only
