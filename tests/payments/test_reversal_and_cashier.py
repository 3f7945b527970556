"""Reversal equals never posted; the cashier: receipts, idempotency, cash cut, prepayments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.payments.conftest import TODAY, cie_file, cie_line

pytestmark = pytest.mark.django_db


def _state(credit, as_of=TODAY):
    from recupera.credits.engine_io import credit_state, state_json

    data = state_json(credit, credit_state(credit, as_of=as_of))
    data.pop("payments")
    data.pop("folio")
    data.pop("borrower")
    data.pop("payment_reference")  # each credit has its own
    return data


def test_reversal_leaves_the_credit_as_if_never_posted(make_credit, ref, run_import, make_user):
    from recupera.core.models import AuditEntry
    from recupera.core.roles import Role
    from recupera.payments.models import BankOperation
    from recupera.payments.services import payment_reversal_post

    paid, untouched = make_credit(), make_credit()
    run_import(cie_file([
        cie_line(date=dt.date(2025, 1, 10), reference=ref(paid), amount="231.99", guide="1"),
        cie_line(date=dt.date(2025, 2, 12), reference=ref(paid), amount="500.00", guide="2"),
    ]))
    assert _state(paid) != _state(untouched)
    boss = make_user(Role.SUPERVISOR)
    for op in BankOperation.objects.filter(credit=paid):
        payment_reversal_post(actor=boss, entry=op.ledger_entry, reason="cheque devuelto",
                              business_date=TODAY)
    assert _state(paid) == _state(untouched)
    paid.refresh_from_db()
    untouched.refresh_from_db()
    assert (paid.total_overdue, paid.payoff_amount) == (untouched.total_overdue, untouched.payoff_amount)
    assert set(BankOperation.objects.values_list("status", flat=True)) == {"reversado"}
    assert AuditEntry.objects.filter(action="pagos.operacion.reversar", actor=boss).count() == 2


def test_misapplied_payment_is_requeued_and_reassigned(make_credit, ref, run_import, make_user):
    from recupera.core.roles import Role
    from recupera.credits.models import LedgerEntry
    from recupera.payments.models import BankOperation
    from recupera.payments.services import payment_reversal_post, unidentified_assign

    wrong, right = make_credit(), make_credit()
    run_import(cie_file([cie_line(date=dt.date(2025, 3, 3), reference=ref(wrong), amount="300.00")]))
    op = BankOperation.objects.get()
    boss = make_user(Role.SUPERVISOR)
    payment_reversal_post(actor=boss, entry=op.ledger_entry, reason="pago mal aplicado",
                          business_date=TODAY, requeue=True)
    op.refresh_from_db()
    assert op.status == "no_identificado" and op.credit is None
    unidentified_assign(actor=boss, operation=op, credit=right, note="ficha del acreditado",
                        business_date=TODAY)
    op.refresh_from_db()
    assert op.credit == right and op.ledger_entry.natural_key == f"banco:{op.pk}:2"
    assert LedgerEntry.objects.filter(credit=right, kind="payment").count() == 1
    # Re-reversal and re-assignment to the first credit again still posts only once per key.
    payment_reversal_post(actor=boss, entry=op.ledger_entry, reason="otra vez mal", business_date=TODAY,
                          requeue=True)
    op.refresh_from_db()
    unidentified_assign(actor=boss, operation=op, credit=wrong, note="corregido", business_date=TODAY)
    assert LedgerEntry.objects.filter(kind="payment").count() == 3
    assert LedgerEntry.objects.filter(kind="reversal").count() == 2


def test_only_payments_are_reversed_and_a_reason_is_required(make_credit, make_user):
    from recupera.core.roles import Role
    from recupera.payments.services import cash_payment_capture, payment_reversal_post

    credit = make_credit()
    cashier = make_user(Role.CASHIER)
    receipt, _ = cash_payment_capture(actor=cashier, credit=credit, amount="100.00", request_id="r1",
                                      business_date=TODAY)
    with pytest.raises(ValidationError):
        payment_reversal_post(actor=cashier, entry=receipt.ledger_entry, reason="", business_date=TODAY)


def test_cash_payment_is_idempotent_and_prints_a_receipt(make_credit, make_user):
    from recupera.core.roles import Role
    from recupera.credits.models import LedgerEntry
    from recupera.payments.services import cash_payment_capture
    from recupera.payments.views import _receipt_context

    credit = make_credit()
    cashier = make_user(Role.CASHIER)
    receipt, created = cash_payment_capture(actor=cashier, credit=credit, amount="1340.25",
                                            request_id="abc", business_date=TODAY)
    again, created_again = cash_payment_capture(actor=cashier, credit=credit, amount="1340.25",
                                                request_id="abc", business_date=TODAY)
    assert created and not created_again and again.pk == receipt.pk
    assert LedgerEntry.objects.filter(credit=credit).count() == 1
    assert receipt.folio.startswith("CAJA-")
    ctx = _receipt_context(receipt)
    assert sum((a.amount for a in ctx["allocations"]), Decimal("0")) == Decimal("1340.25")
    from django.template.loader import render_to_string
    html = render_to_string("payments/_receipt_body.html", ctx)
    assert "MIL TRESCIENTOS CUARENTA PESOS 25/100 M.N." in html
    from recupera.credits.pdf import render_pdf
    pdf = render_pdf("payments/pdf/receipt.html", {**ctx, "document_title": "Recibo de pago",
                                                    "generated_at": None})
    assert pdf.startswith(b"%PDF")


@pytest.mark.parametrize("amount", ["0", "-5", "abc"])
def test_cash_payment_refuses_bad_amounts(make_credit, make_user, amount):
    from recupera.core.roles import Role
    from recupera.payments.services import cash_payment_capture

    with pytest.raises(ValidationError):
        cash_payment_capture(actor=make_user(Role.CASHIER), credit=make_credit(), amount=amount,
                             request_id=f"x{amount}", business_date=TODAY)


def test_cash_cut_totals_by_cashier_and_leaves_reversed_out(make_credit, make_user):
    from recupera.core.roles import Role
    from recupera.payments.selectors import cash_cut
    from recupera.payments.services import cash_payment_capture, payment_reversal_post

    credit = make_credit()
    alma, beto = make_user(Role.CASHIER), make_user(Role.CASHIER)
    cash_payment_capture(actor=alma, credit=credit, amount="100.00", request_id="1", business_date=TODAY)
    r2, _ = cash_payment_capture(actor=alma, credit=credit, amount="50.00", request_id="2",
                                 business_date=TODAY, method="tarjeta")
    cash_payment_capture(actor=beto, credit=credit, amount="7.00", request_id="3", business_date=TODAY)
    r4, _ = cash_payment_capture(actor=alma, credit=credit, amount="20.00", request_id="4",
                                 business_date=TODAY)
    payment_reversal_post(actor=make_user(Role.SUPERVISOR), entry=r4.ledger_entry,
                          reason="billete falso", business_date=TODAY)
    cut = cash_cut(business_date=TODAY, cashier_id=alma.pk)
    assert cut["total"] == Decimal("150.00") and cut["count"] == 2
    assert cut["reversed_total"] == Decimal("20.00")
    assert dict(cut["totals"]) == {"Efectivo": Decimal("100.00"), "Tarjeta": Decimal("50.00")}
    assert cash_cut(business_date=TODAY, cashier_id=None)["total"] == Decimal("157.00")


def test_prepayment_at_the_counter_reamortizes_with_the_borrowers_choice(make_credit, make_user):
    from recupera.core.roles import Role
    from recupera.payments.services import cash_payment_capture
    from recupera.payments.views import _receipt_context

    cashier = make_user(Role.CASHIER)
    day = dt.date(2024, 12, 1)  # before the first due date: nothing overdue
    shorter, lower = make_credit(as_of=day), make_credit(as_of=day)
    r1, _ = cash_payment_capture(actor=cashier, credit=shorter, amount="3000.00", request_id="p1",
                                 business_date=day, kind="prepayment", prepayment_mode="keep_installment")
    r2, _ = cash_payment_capture(actor=cashier, credit=lower, amount="3000.00", request_id="p2",
                                 business_date=day, kind="prepayment", prepayment_mode="keep_term")
    s1, s2 = _receipt_context(r1)["new_schedule"], _receipt_context(r2)["new_schedule"]
    assert s1 is not None and s2 is not None
    assert len(s1.installments) < len(s2.installments)
    assert s2.installment_amount < s1.installment_amount


def test_prepayment_is_refused_while_something_is_overdue(make_credit, make_user):
    from recupera.core.roles import Role
    from recupera.payments.services import cash_payment_capture

    credit = make_credit()  # at TODAY installments 1-3 are overdue
    with pytest.raises(ValidationError) as info:
        cash_payment_capture(actor=make_user(Role.CASHIER), credit=credit, amount="1000.00",
                             request_id="p", business_date=TODAY, kind="prepayment")
    assert "vencido" in str(info.value)
