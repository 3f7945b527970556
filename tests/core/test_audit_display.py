"""The audit log for people (core/audit_display.py): Spanish field names, labels for codes,
es-MX amounts and dates, Sonora's time, the object's Spanish type."""

from __future__ import annotations

import pytest
from django.urls import reverse

from recupera.core.audit_display import audit_values, format_value, object_type_label
from recupera.core.models import AuditEntry


def pairs(values, object_type):
    return [(v.label, v.value) for v in audit_values(values, object_type)]


def test_values_of_a_ledger_entry_are_readable():
    assert pairs({"amount": "1234.50", "value_date": "2026-11-26", "kind": "payment"},
                 "credits.ledgerentry") == [("Importe", "$1,234.50"), ("Fecha valor", "26/11/2026"),
                                            ("Tipo", "Pago")]


def test_codes_times_lists_and_unknown_objects():
    assert format_value("2026-11-26T21:05:00+00:00") == "26/11/2026 14:05"  # Hermosillo, UTC-7
    assert format_value("llamada_saliente") == "Llamada saliente"
    assert format_value(["llamada_saliente", "x"]) == "Llamada saliente, x"
    assert format_value(True) == "sí" and format_value(None) == "—"
    assert pairs({"total_overdue": "99.10"}, "no.such") == [("Total overdue", "$99.10")]
    assert pairs(None, "credits.credit") == []


def test_object_types_in_spanish():
    assert object_type_label("payments.paymentimport") == "Importación de pagos"
    assert object_type_label("credits.credit") == "Crédito"


@pytest.mark.django_db
def test_audit_page_shows_readable_values(client_for, portfolio_officer):
    AuditEntry.objects.create(action="pago.aplicar", object_type="credits.ledgerentry", object_id="7",
                              object_repr="CE-1", before=None,
                              after={"amount": "1500.00", "value_date": "2026-11-26", "kind": "payment"})
    html = client_for(portfolio_officer).get(reverse("audit:list")).content.decode()
    assert "$1,500.00" in html and "26/11/2026" in html and "Fecha valor" in html
    assert "credits.ledgerentry" not in html and "{&#x27;amount" not in html and "{'amount" not in html
