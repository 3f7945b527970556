"""Credits services: creation, disbursements, the append-only ledger, idempotent postings,
reversals and the projections the replay writes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from recupera.core.models import AuditEntry
from recupera.credits.models import (
    Allocation,
    Credit,
    CreditParty,
    Installment,
    LedgerEntry,
    ScheduleVersion,
)
from recupera.credits.services import (
    credit_create,
    credit_refresh,
    credits_bulk_refresh,
    entry_post,
    lock_credits,
    payment_post,
    payment_reverse,
)

FIRST_DUE = dt.date(2025, 1, 15)
BEFORE = dt.date(2025, 1, 1)


@pytest.fixture
def credit(make_credit):
    """12,000.00 at 6 % over 60 months, first due 15/01/2025 (installment 231.99)."""
    return make_credit(first_due_date=FIRST_DUE, as_of=BEFORE)


def test_credit_create_records_parties_and_an_audit_row(product_ce, make_person):
    borrower, guarantor, reference = make_person(), make_person(), make_person()
    credit = credit_create(actor=None, folio="CE-0001", product=product_ce, borrower=borrower,
                           guarantors=[guarantor], references=[reference],
                           end_of_studies=dt.date(2024, 6, 30), academic_average=Decimal("92.5"))
    roles = set(CreditParty.objects.filter(credit=credit).values_list("person_id", "role"))
    assert roles == {(borrower.pk, "acreditado"), (guarantor.pk, "aval"), (reference.pk, "referencia")}
    assert credit.program.code == "CE"
    assert AuditEntry.objects.filter(action="credito.alta", object_id=str(credit.pk)).count() == 1


def test_credit_create_refuses_a_repeated_folio_in_spanish(product_ce, make_person, credit):
    with pytest.raises(ValidationError) as exc:
        credit_create(actor=None, folio=credit.folio, product=product_ce, borrower=make_person(),
                      end_of_studies=dt.date(2024, 6, 30))
    assert "Ya existe un crédito con el folio" in str(exc.value.message_dict["folio"])


def test_credit_create_needs_end_of_studies_or_first_due_date(product_ce, make_person):
    with pytest.raises(ValidationError) as exc:
        credit_create(actor=None, folio="X-1", product=product_ce, borrower=make_person())
    assert "fin de estudios" in exc.value.message_dict["end_of_studies"][0]


def test_disbursement_note_falls_due_on_the_last_installment(credit):
    note = credit.notes.get()
    assert note.amount == Decimal("12000.00")
    assert note.number == f"{credit.folio}-01"
    # first due 15/01/2025 + 59 months = 15/12/2029 (installment 60)
    assert note.due_date == dt.date(2029, 12, 15)
    # but it prescribes installment by installment: the first one's 3 years (docs/legal.md)
    from recupera.legal.prescription import earliest_by_credit

    assert earliest_by_credit([credit.pk]) == {credit.pk: dt.date(2028, 1, 15)}


def test_refresh_writes_the_cached_columns(credit):
    credit.refresh_from_db()
    assert credit.status == Credit.Status.GRACE
    assert credit.state_as_of == BEFORE
    assert credit.principal_disbursed == Decimal("12000.00")
    assert credit.principal_outstanding == Decimal("12000.00")
    assert credit.next_due_date == FIRST_DUE
    assert credit.has_new_events is False
    version = ScheduleVersion.objects.get(credit=credit)
    assert version.installment_amount == Decimal("231.99")
    first = Installment.objects.get(schedule=version, number=1)
    assert (first.principal, first.interest) == (Decimal("171.99"), Decimal("60.00"))
    assert Installment.objects.filter(schedule=version).count() == 60


def test_punctual_payment_closes_the_installment_with_its_rebate(credit):
    # 171.99 principal + 60.00 interest − 30.00 rebate (3 % of 6 %) = 201.99
    entry, created = payment_post(actor=None, credit=credit, amount="201.99",
                                  value_date=FIRST_DUE, channel="caja", natural_key="caja:1")
    assert created
    credit.refresh_from_db()
    assert credit.status == Credit.Status.REPAYING
    assert credit.principal_outstanding == Decimal("11828.01")
    assert credit.days_past_due == 0
    assert credit.next_due_date == dt.date(2025, 2, 15)
    rows = set(Allocation.objects.filter(credit=credit).values_list(
        "posting_kind", "installment", "component", "amount"))
    assert rows == {("payment", 1, "interest", Decimal("30.00")),
                    ("payment", 1, "principal", Decimal("171.99")),
                    ("rebate", 1, "rebate", Decimal("30.00"))}
    assert set(Allocation.objects.filter(credit=credit).values_list("entry_id", flat=True)) == {entry.pk}


def test_the_same_natural_key_posts_once(credit):
    first, created = payment_post(actor=None, credit=credit, amount="201.99", value_date=FIRST_DUE,
                                  channel="banco", natural_key="bbva:123")
    again, created_again = payment_post(actor=None, credit=credit, amount="201.99",
                                        value_date=FIRST_DUE, channel="banco", natural_key="bbva:123")
    assert created and not created_again
    assert again.pk == first.pk
    assert LedgerEntry.objects.filter(credit=credit).count() == 1
    assert AuditEntry.objects.filter(action="movimiento.payment").count() == 1


def test_reversal_leaves_the_credit_as_if_never_posted(make_credit):
    as_of = dt.date(2025, 4, 20)
    with_reversal = make_credit(first_due_date=FIRST_DUE, as_of=BEFORE)
    never = make_credit(first_due_date=FIRST_DUE, as_of=BEFORE)
    for credit in (with_reversal, never):
        payment_post(actor=None, credit=credit, amount="201.99", value_date=FIRST_DUE,
                     channel="caja", natural_key="p1")
    bounced, _ = payment_post(actor=None, credit=with_reversal, amount="500.00",
                              value_date=dt.date(2025, 2, 14), channel="banco", natural_key="p2")
    payment_post(actor=None, credit=with_reversal, amount="300.00", value_date=dt.date(2025, 3, 14),
                 channel="caja", natural_key="p3")
    payment_post(actor=None, credit=never, amount="300.00", value_date=dt.date(2025, 3, 14),
                 channel="caja", natural_key="p3")
    reversal, created = payment_reverse(actor=None, entry=bounced, reason="Cheque devuelto",
                                        value_date=dt.date(2025, 2, 20))
    assert created and reversal.reverses_id == bounced.pk
    credit_refresh(credit=with_reversal, as_of=as_of)
    credit_refresh(credit=never, as_of=as_of)

    fields = ["status", "days_past_due", "bucket", "principal_disbursed", "principal_outstanding",
              "total_overdue", "payoff_amount", "credit_balance", "next_due_date"]
    a = Credit.objects.values(*fields).get(pk=with_reversal.pk)
    b = Credit.objects.values(*fields).get(pk=never.pk)
    assert a == b
    assert a["status"] == Credit.Status.OVERDUE

    def applied(credit):
        return sorted(Allocation.objects.filter(credit=credit).exclude(entry__natural_key="p2")
                      .values_list("posting_kind", "installment", "component", "amount", "value_date"))

    assert applied(with_reversal) == applied(never)
    assert not Allocation.objects.filter(entry=bounced).exists()


def test_an_entry_is_reversed_only_once(credit):
    entry, _ = payment_post(actor=None, credit=credit, amount="201.99", value_date=FIRST_DUE,
                            channel="caja", natural_key="p1")
    payment_reverse(actor=None, entry=entry, reason="Error de captura", value_date=FIRST_DUE)
    with pytest.raises(ValidationError) as exc:
        payment_reverse(actor=None, entry=entry, reason="Otra vez", value_date=FIRST_DUE,
                        natural_key="otra-reversa")
    assert "ya fue reversado" in exc.value.message_dict["reverses"][0]


def test_a_reversal_needs_a_reason(credit):
    entry, _ = payment_post(actor=None, credit=credit, amount="201.99", value_date=FIRST_DUE,
                            channel="caja", natural_key="p1")
    with pytest.raises(ValidationError) as exc:
        payment_reverse(actor=None, entry=entry, reason=" ", value_date=FIRST_DUE)
    assert "motivo" in exc.value.message_dict["reason"][0]


@pytest.mark.parametrize("amount", ["0", "-5.00"])
def test_a_payment_needs_a_positive_amount(credit, amount):
    with pytest.raises(ValidationError) as exc:
        payment_post(actor=None, credit=credit, amount=amount, value_date=FIRST_DUE,
                     channel="caja", natural_key="p1")
    assert "importe" in exc.value.message_dict["amount"][0]
    assert not LedgerEntry.objects.exists()


def test_a_value_date_after_the_business_date_is_refused(credit):
    with pytest.raises(ValidationError) as exc:
        payment_post(actor=None, credit=credit, amount="100.00", value_date=dt.date(2025, 2, 1),
                     channel="caja", natural_key="p1", as_of=dt.date(2025, 1, 31))
    assert exc.value.message_dict["value_date"] == [
        "La fecha valor 01/02/2025 es posterior a la fecha de operación 31/01/2025."]


def test_a_discount_names_its_component(credit):
    with pytest.raises(ValidationError) as exc:
        entry_post(actor=None, credit=credit, kind="discount", value_date=FIRST_DUE,
                   amount="10.00", natural_key="q1", params={"component": "nada"})
    assert "componente" in exc.value.message_dict["params"][0]


def test_ledger_entries_are_never_edited_or_deleted_through_the_model(credit):
    entry, _ = payment_post(actor=None, credit=credit, amount="201.99", value_date=FIRST_DUE,
                            channel="caja", natural_key="p1")
    entry.amount = Decimal("1.00")
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_the_database_refuses_updates_and_deletes_of_the_ledger(credit):
    entry, _ = payment_post(actor=None, credit=credit, amount="201.99", value_date=FIRST_DUE,
                            channel="caja", natural_key="p1")
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1.00"))
    Allocation.objects.filter(entry=entry).delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    assert LedgerEntry.objects.get(pk=entry.pk).amount == Decimal("201.99")


def test_lock_credits_locks_in_ascending_id_order(make_credit):
    credits = [make_credit(first_due_date=FIRST_DUE) for _ in range(3)]
    ids = [credits[2].pk, credits[0].pk, credits[1].pk, credits[0].pk]
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        locked = lock_credits(ids)
    assert list(locked) == sorted({c.pk for c in credits})
    assert len(queries) == 1
    sql = queries[0]["sql"].upper()
    assert "ORDER BY" in sql and sql.rstrip().endswith(("ASC", "FOR UPDATE OF \"CREDITS_CREDIT\""))
    if connection.vendor == "postgresql":
        assert "FOR UPDATE" in sql


def test_refresh_keeps_schedule_rows_that_did_not_change(credit):
    before = list(ScheduleVersion.objects.filter(credit=credit).values_list("pk", flat=True))
    credit_refresh(credit=credit, as_of=dt.date(2025, 3, 1))
    assert list(ScheduleVersion.objects.filter(credit=credit).values_list("pk", flat=True)) == before


def test_a_status_change_writes_an_audit_row(credit):
    credit_refresh(credit=credit, as_of=dt.date(2025, 3, 1))
    row = AuditEntry.objects.filter(action="credito.estado", object_id=str(credit.pk)).latest("id")
    assert row.before == {"status": "gracia"}
    assert row.after == {"status": "vencido", "as_of": "2025-03-01"}


def test_bulk_refresh_writes_what_the_single_refresh_writes(make_credit):
    credits = [make_credit(first_due_date=FIRST_DUE) for _ in range(3)]
    payment_post(actor=None, credit=credits[1], amount="201.99", value_date=FIRST_DUE,
                 channel="caja", natural_key="p1")
    as_of = dt.date(2025, 6, 30)
    assert credits_bulk_refresh(credits=credits, as_of=as_of) == 3
    fields = ["status", "state_as_of", "days_past_due", "bucket", "principal_outstanding",
              "total_overdue", "payoff_amount", "next_due_date"]
    bulk = list(Credit.objects.filter(pk__in=[c.pk for c in credits]).order_by("pk").values(*fields))
    for c in credits:
        credit_refresh(credit=c, as_of=as_of)
    single = list(Credit.objects.filter(pk__in=[c.pk for c in credits]).order_by("pk").values(*fields))
    assert bulk == single
    assert bulk[0]["days_past_due"] == 166  # 30/06/2025 − 15/01/2025
    assert bulk[0]["bucket"] == "91-180"


def test_selectors_find_credits_by_folio_and_by_person(make_credit):
    from recupera.credits.selectors import credit_list, credit_search, credits_of_person

    a = make_credit(folio="CE-100", first_due_date=FIRST_DUE, as_of=BEFORE)
    make_credit(folio="CE-1001", first_due_date=FIRST_DUE, as_of=BEFORE)
    assert [c.folio for c in credit_search(query="CE-100", limit=10)] == ["CE-100", "CE-1001"]
    assert [c.folio for c in credit_search(query="ce-1001", limit=10)] == ["CE-1001"]
    assert credit_search(query="XX", limit=10) == []
    assert [c.folio for c in credit_list(filters={"q": "lopez ana"})] == ["CE-100", "CE-1001"]
    assert [c.folio for c in credit_list(filters={"status": "gracia", "dpd_max": 0})] == [
        "CE-100", "CE-1001"]
    guarantor = a.parties.get(role="aval").person
    found = list(credits_of_person(person=guarantor))
    assert [c.folio for c in found] == ["CE-100"]
    assert [p.role for p in found[0].roles_of_person] == ["aval"]
