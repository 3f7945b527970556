"""The bulk demo data (PostgreSQL): every copied credit's cached columns, schedule, allocations and
daily-close facts are what the engine says for that credit, to the cent; copies have their own
people, folios and ledger entries; the same seed gives the same portfolio."""

from __future__ import annotations

import datetime as dt

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
    from recupera.credits import engine_io
    from recupera.credits.bulk_demo import bulk_portfolio_create
    from recupera.credits.models import Credit, CreditParty, LedgerEntry

    counts = bulk_portfolio_create(actor=None, credits=90, seed=7, as_of=AS_OF, templates=30)
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

    def ddl():
        with connection.cursor() as cur:
            cur.execute("""SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
                WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2""")
            constraints = cur.fetchall()
            cur.execute("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
                        "ORDER BY 1, 2")
            return constraints, cur.fetchall()

    before = ddl()
    bulk_portfolio_create(actor=None, credits=40, seed=8, as_of=AS_OF, templates=20)
    assert ddl() == before
