"""The fast projection writer (append-only allocations, schedule fingerprints, set-based SQL)
leaves exactly what a fresh engine replay says, to the cent, allocations included."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from recupera.core.money import to_money
from recupera.credits import engine_io
from recupera.credits.models import Allocation, Credit, Installment, ScheduleVersion
from recupera.credits.services import credit_refresh, payment_post, schedule_fingerprint
from tests.payments.conftest import TODAY, cie_file, cie_line


def _stored(credit: Credit) -> dict:
    credit = Credit.objects.get(pk=credit.pk)
    return {
        "cached": (credit.status, credit.state_as_of, credit.days_past_due, credit.bucket,
                   credit.principal_disbursed, credit.principal_outstanding, credit.total_overdue,
                   credit.payoff_amount, credit.credit_balance, credit.next_due_date,
                   credit.has_new_events),
        "allocations": list(Allocation.objects.filter(credit=credit).order_by("id").values_list(
            "entry_id", "posting_kind", "value_date", "installment", "schedule_version",
            "component", "amount")),
        "schedules": [(v.version, v.starts_on, v.principal, v.rate, v.installment_amount,
                       v.reason, v.fingerprint,
                       list(Installment.objects.filter(schedule=v).order_by("number").values_list(
                           "number", "due_date", "effective_due_date", "principal", "interest")))
                      for v in ScheduleVersion.objects.filter(credit=credit).order_by("version")],
    }


def _engine(credit: Credit, as_of: dt.date) -> dict:
    fresh = Credit.objects.select_related("product").prefetch_related(
        "disbursements", "ledger_entries").get(pk=credit.pk)
    state = engine_io.credit_state(fresh, as_of=as_of)
    return {
        "cached": (engine_io.status_for(fresh, state), state.as_of, state.days_past_due,
                   state.bucket, to_money(state.principal_disbursed),
                   to_money(state.principal_outstanding), to_money(state.total_overdue),
                   to_money(state.payoff_amount), to_money(state.credit_balance),
                   state.next_due_date, False),
        "allocations": [(engine_io.entry_id_of(p.event_id), p.kind, p.value_date, a.installment,
                         a.schedule_version, a.component, to_money(a.amount))
                        for p in state.postings for a in p.allocations],
        "schedules": [(s.version, s.starts_on, to_money(s.principal), s.rate,
                       to_money(s.installment_amount), s.reason, schedule_fingerprint(s),
                       [(i.number, i.due_date, i.effective_due_date, to_money(i.principal),
                         to_money(i.interest)) for i in s.installments])
                      for s in state.schedules],
    }


def test_bulk_import_projections_equal_a_fresh_engine_replay(make_credit, ref, run_import):
    fresh, later, earlier = make_credit(), make_credit(), make_credit()
    # `later`: a stored payment before the file's (its allocations stay, the new ones append).
    payment_post(actor=None, credit=later, amount="231.99", value_date=dt.date(2025, 1, 15),
                 channel="caja", natural_key="caja-1", as_of=TODAY)
    # `earlier`: a stored payment after the file's value date (the replay re-allocates it).
    payment_post(actor=None, credit=earlier, amount="300.00", value_date=dt.date(2025, 3, 20),
                 channel="caja", natural_key="caja-2", as_of=TODAY)
    before_earlier = _stored(earlier)["allocations"]
    lines = [cie_line(date=dt.date(2025, 3, 3), reference=ref(fresh), amount="1500.00",
                      guide="0000001"),
             cie_line(date=dt.date(2025, 3, 3), reference=ref(later), amount="250.00",
                      guide="0000002"),
             cie_line(date=dt.date(2025, 3, 3), reference=ref(earlier), amount="700.50",
                      guide="0000003")]
    imp = run_import(cie_file(lines), replay="deferred")
    assert imp.applied_count == 3, imp.problems
    for credit in (fresh, later, earlier):
        assert _stored(credit) == _engine(credit, TODAY), credit.folio
    assert _stored(earlier)["allocations"] != before_earlier  # the re-allocation was written
    # A per-credit refresh afterwards finds nothing to change.
    for credit in (fresh, later, earlier):
        before = _stored(credit)
        credit_refresh(credit=credit, as_of=TODAY)
        assert _stored(credit) == before
    paid = sum(a[-1] for a in _stored(fresh)["allocations"] if a[1] == "payment")
    assert paid == Decimal("1500.00")


def test_a_schedule_row_without_fingerprint_is_rewritten_equal(make_credit):
    credit = make_credit()
    expected = _engine(credit, TODAY)
    ScheduleVersion.objects.filter(credit=credit).update(fingerprint="")
    credit_refresh(credit=credit, as_of=TODAY)
    assert _stored(credit) == expected
    assert _stored(credit)["schedules"][0][6]  # the fingerprint is stored again


def test_bulk_refresh_in_worker_processes_equals_a_fresh_engine_replay(make_credit):
    from recupera.credits.services import credits_bulk_refresh

    credits = [make_credit() for _ in range(3)]
    for i, credit in enumerate(credits):
        payment_post(actor=None, credit=credit, amount=f"{150 + 400 * i}.25",
                     value_date=dt.date(2025, 2, 10), channel="caja", natural_key=f"w-{i}",
                     as_of=TODAY)
    # a projection lost, its digest unknown (""): rewritten; one whose digest does not match
    # the new replay's first rows (stale): rewritten too
    Allocation.objects.filter(credit=credits[0]).delete()
    Credit.objects.filter(pk=credits[0].pk).update(allocations_digest="")
    Allocation.objects.filter(credit=credits[1]).update(amount=Decimal("0.01"))
    Credit.objects.filter(pk=credits[1].pk).update(allocations_digest="0" * 32)
    as_of = dt.date(2025, 6, 30)
    assert credits_bulk_refresh(credits=credits, as_of=as_of, workers=2) == 3
    for credit in credits:
        assert _stored(credit) == _engine(credit, as_of), credit.folio


def test_allocations_with_an_unknown_digest_are_read_once_and_kept_when_they_are_a_prefix(
        make_credit):
    """A credit whose digest is not known (copied by the bulk demo, or stored before the digest
    existed): its rows are read back, kept (same ids) when they begin the new replay's, and the
    digest is known afterwards; rows that are not a prefix are rewritten."""
    kept, changed = make_credit(), make_credit()
    for credit in (kept, changed):
        payment_post(actor=None, credit=credit, amount="250.00", value_date=dt.date(2025, 1, 20),
                     channel="caja", natural_key=f"u1-{credit.pk}", as_of=TODAY)
    Credit.objects.filter(pk__in=[kept.pk, changed.pk]).update(allocations_digest="")
    Allocation.objects.filter(credit=changed, component="interest").update(amount=Decimal("0.01"))
    before = list(Allocation.objects.filter(credit=kept).order_by("id").values_list("id", flat=True))
    tampered = set(Allocation.objects.filter(credit=changed).values_list("id", flat=True))
    for credit in (kept, changed):
        payment_post(actor=None, credit=credit, amount="300.00", value_date=dt.date(2025, 3, 20),
                     channel="caja", natural_key=f"u2-{credit.pk}", as_of=TODAY)
    after = list(Allocation.objects.filter(credit=kept).order_by("id").values_list("id", flat=True))
    assert after[:len(before)] == before and len(after) > len(before)  # appended, not rewritten
    for credit in (kept, changed):
        assert _stored(credit) == _engine(credit, TODAY)
        credit.refresh_from_db()
        assert credit.allocations_digest and credit.allocations_count == len(
            _engine(credit, TODAY)["allocations"])
    assert tampered and not set(Allocation.objects.filter(credit=changed).values_list(
        "id", flat=True)) & tampered  # rewritten
