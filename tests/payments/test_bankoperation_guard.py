"""Bank operations are the exactly-once guard: PostgreSQL refuses to delete them or to change
what the bank reported (payments/0006). Issue #20 item 7: deleting one operation row and
re-importing the file posted the money a second time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from tests.payments.conftest import cie_file, cie_line

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="el disparador de payments_bankoperation es de PostgreSQL; en SQLite "
                              "no existe (DATABASE_URL=postgres://… para esta prueba)"),
]


def _paid(credit) -> Decimal:
    from recupera.credits.models import LedgerEntry

    return sum((e.amount for e in LedgerEntry.objects.filter(credit=credit, kind="payment")),
               Decimal("0"))


def test_deleting_an_operation_is_refused_and_a_reimport_posts_nothing(make_credit, ref, run_import):
    from recupera.payments.models import BankOperation

    credit = make_credit()
    content = cie_file([cie_line(date=dt.date(2025, 3, 10), reference=ref(credit),
                                 amount="2666.80", guide="4000001")])
    assert run_import(content).applied_count == 1
    op = BankOperation.objects.get(credit=credit)
    with pytest.raises(IntegrityError, match="no admite DELETE"), transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("DELETE FROM payments_bankoperation WHERE id = %s", [op.pk])
    again = run_import(content, name="pagos-de-nuevo.txt")
    assert again.applied_count == 0 and again.duplicate_count == 1
    assert _paid(credit) == Decimal("2666.80")
    assert BankOperation.objects.filter(pk=op.pk).exists()


@pytest.mark.parametrize("column, value", [
    ("amount", "1.00"), ("operation_key", "otra"), ("value_date", "2025-03-11"),
    ("agreement_id", None), ("raw", "x"), ("payment_import_id", None), ("channel", "caja"),
])
def test_what_the_bank_reported_cannot_change(make_credit, ref, run_import, column, value):
    from recupera.payments.models import BankOperation

    credit = make_credit()
    run_import(cie_file([cie_line(date=dt.date(2025, 3, 10), reference=ref(credit),
                                  amount="500.00", guide="4000002")]))
    op = BankOperation.objects.get(credit=credit)
    with pytest.raises(IntegrityError, match="no se modifican"), transaction.atomic():
        with connection.cursor() as cur:
            cur.execute(f"UPDATE payments_bankoperation SET {column} = %s WHERE id = %s",
                        [value, op.pk])
    op.refresh_from_db()
    assert op.amount == Decimal("500.00") and op.value_date == dt.date(2025, 3, 10)


def test_reversal_and_requeue_still_update_the_operation(make_credit, ref, run_import):
    """The columns the services change (status, credit, match, entry, reason) stay writable."""
    from recupera.payments.models import BankOperation
    from recupera.payments.services import payment_reversal_post, unidentified_assign

    a, b = make_credit(), make_credit()
    run_import(cie_file([cie_line(date=dt.date(2025, 3, 10), reference=ref(a),
                                  amount="300.00", guide="4000003")]))
    op = BankOperation.objects.get(credit=a)
    payment_reversal_post(actor=None, entry=op.ledger_entry, reason="pago mal aplicado",
                          business_date=dt.date(2025, 3, 31), requeue=True)
    op.refresh_from_db()
    assert op.status == "no_identificado" and op.credit_id is None and op.ledger_entry_id is None
    unidentified_assign(actor=None, operation=op, credit=b, note="ficha enviada por el acreditado",
                        business_date=dt.date(2025, 3, 31))
    op.refresh_from_db()
    assert op.status == "aplicado" and op.credit_id == b.pk and op.match == "manual"
    assert _paid(b) == Decimal("300.00")
