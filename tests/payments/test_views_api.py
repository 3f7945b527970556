"""Screens and API of payments: upload with progress, unidentified queue, cashier, reversal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recupera.core.roles import Role
from tests.payments.conftest import TODAY, cie_file, cie_line

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _business_date_and_tasks(settings, db):
    from recupera.core.services import business_date_set

    settings.TASKS = IMMEDIATE  # django-tasks resets its backends on setting_changed
    business_date_set(actor=None, business_date=TODAY)


def test_upload_screen_runs_the_import_and_shows_the_result(make_credit, ref, make_user, client_for,
                                                            django_capture_on_commit_callbacks):
    credit = make_credit()
    client = client_for(make_user(Role.PORTFOLIO_OFFICE))
    assert client.get("/pagos/importar/").status_code == 200
    content = cie_file([cie_line(date=dt.date(2025, 3, 10), reference=ref(credit), amount="231.99")])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/pagos/importar/", {
            "layout": "bbva-cie", "mode": "solo_validos",
            "file": SimpleUploadedFile("cie.txt", content)})
    assert response.status_code == 302
    detail = client.get(response["Location"])
    html = detail.content.decode()
    assert 'id="aplicados">1<' in html and "<progress" in html
    progress = client.get(response["Location"] + "progreso/", HTTP_HX_REQUEST="true")
    assert 'value="100"' in progress.content.decode() and progress["HX-Refresh"] == "true"
    assert client.get("/pagos/").status_code == 200


def test_progress_fragment_polls_while_the_import_runs(make_user, client_for, layouts):
    from recupera.payments.services import payment_import_create

    imp = payment_import_create(actor=None, layout=layouts["bbva-cie"], name="x.txt",
                                content=b"x" * 89, business_date=TODAY)
    client = client_for(make_user(Role.PORTFOLIO_OFFICE))
    html = client.get(f"/pagos/importaciones/{imp.pk}/progreso/").content.decode()
    assert 'hx-trigger="every 1s"' in html and 'value="0"' in html


def test_collector_sees_no_payments(make_user, client_for):
    client = client_for(make_user(Role.COLLECTOR))
    for url in ("/pagos/", "/pagos/importar/", "/pagos/no-identificados/", "/pagos/caja/"):
        assert client.get(url).status_code == 403, url


def test_unidentified_screen_search_and_assign(make_credit, make_user, client_for, run_import):
    from recupera.core.models import AuditEntry
    from recupera.payments.models import BankOperation

    credit = make_credit(folio="CE-7")
    run_import(cie_file([cie_line(date=dt.date(2025, 3, 10), reference="55", concept="SIN DATOS",
                                  amount="77.70")]))
    op = BankOperation.objects.get()
    client = client_for(make_user(Role.PORTFOLIO_OFFICE))
    listing = client.get("/pagos/no-identificados/", {"q": "77.70"}).content.decode()
    assert "SIN DATOS" in listing
    assert "SIN DATOS" not in client.get("/pagos/no-identificados/", {"q": "otra"}).content.decode()
    bad = client.post(f"/pagos/no-identificados/{op.pk}/", {"folio": "NO-EXISTE", "note": "x"})
    assert "No existe el crédito" in bad.content.decode()
    response = client.post(f"/pagos/no-identificados/{op.pk}/", {"folio": "CE-7", "note": "ficha"})
    assert response.status_code == 302 and response["Location"].endswith("/creditos/CE-7/")
    op.refresh_from_db()
    assert op.credit == credit and op.status == "aplicado"
    assert AuditEntry.objects.filter(action="pagos.no_identificado.asignar").count() == 1


def test_cashier_screen_receipt_pdf_and_cash_cut(make_credit, make_user, client_for):
    make_credit(folio="CE-9")
    client = client_for(make_user(Role.CASHIER))
    response = client.post("/pagos/caja/", {"folio": "CE-9", "amount": "500.00", "method": "efectivo",
                                            "kind": "payment", "prepayment_mode": "keep_installment",
                                            "request_id": "form-1"})
    assert response.status_code == 302
    receipt_page = client.get(response["Location"]).content.decode()
    assert "QUINIENTOS PESOS 00/100 M.N." in receipt_page
    pdf = client.get(response["Location"] + "recibo.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    cut = client.get("/pagos/caja/corte/").content.decode()
    assert 'id="total-corte">$500.00<' in cut


def test_reversal_screen_needs_authority_and_reason(make_credit, make_user, client_for):
    from recupera.credits.models import LedgerEntry
    from recupera.payments.services import cash_payment_capture

    credit = make_credit(folio="CE-3")
    receipt, _ = cash_payment_capture(actor=make_user(Role.CASHIER), credit=credit, amount="10.00",
                                      request_id="r", business_date=TODAY)
    url = f"/pagos/movimientos/{receipt.ledger_entry_id}/reversar/"
    assert client_for(make_user(Role.CASHIER)).get(url).status_code == 403
    client = client_for(make_user(Role.SUPERVISOR))
    assert "motivo" in client.post(url, {"reason": "x"}).content.decode().lower()
    response = client.post(url, {"reason": "cheque devuelto"})
    assert response.status_code == 302
    assert LedgerEntry.objects.filter(kind="reversal", reverses=receipt.ledger_entry).exists()


# --- API ----------------------------------------------------------------------------------------
def test_api_import_with_wait_reports_row_by_row(make_credit, ref, make_user, api_client_for):
    credit = make_credit()
    api = api_client_for(make_user(Role.PORTFOLIO_OFFICE))
    content = cie_file([
        cie_line(date=dt.date(2025, 3, 10), reference=ref(credit), amount="100.00", guide="1"),
        "310225" + cie_line(date=dt.date(2025, 3, 10), reference=ref(credit), amount="1.00",
                            guide="2")[6:],
    ])
    response = api.post("/api/v1/payments/imports/", {
        "file": SimpleUploadedFile("cie.txt", content), "layout": "bbva-cie", "wait": "true"},
        format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["applied_count"] == 1 and body["applied_amount"] == "100.00"
    assert body["problems"][0]["row"] == 2 and body["problems"][0]["column"] == "date"
    again = api.get(f"/api/v1/payments/imports/{body['id']}/").json()
    assert again["status"] == "terminada"
    assert api.get("/api/v1/payments/imports/").json()["count"] == 1


def test_api_unidentified_assign_cash_and_reverse(make_credit, make_user, api_client_for, run_import):
    credit = make_credit(folio="CE-11")
    run_import(cie_file([cie_line(date=dt.date(2025, 3, 10), reference="", amount="33.00")]))
    boss = api_client_for(make_user(Role.SUPERVISOR))
    queue = boss.get("/api/v1/payments/unidentified/").json()
    assert queue["count"] == 1 and queue["results"][0]["amount"] == "33.00"
    op_id = queue["results"][0]["id"]
    assigned = boss.post(f"/api/v1/payments/unidentified/{op_id}/assign/",
                         {"folio": "CE-11", "note": "llamada"}, format="json")
    assert assigned.status_code == 200 and assigned.json()["credit"] == "CE-11"

    cashier = api_client_for(make_user(Role.CASHIER))
    payload = {"folio": "CE-11", "amount": "250.00", "request_id": "pos-1"}
    first = cashier.post("/api/v1/payments/cash/", payload, format="json")
    second = cashier.post("/api/v1/payments/cash/", payload, format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["folio"] == second.json()["folio"]
    assert sum(Decimal(a["amount"]) for a in first.json()["allocations"]) == Decimal("250.00")
    bad = cashier.post("/api/v1/payments/cash/", {**payload, "request_id": "pos-2", "amount": "0"},
                       format="json")
    assert bad.status_code == 400
    assert cashier.post(f"/api/v1/payments/entries/{first.json()['ledger_entry']}/reverse/",
                        {"reason": "error"}, format="json").status_code == 403
    reversed_ = boss.post(f"/api/v1/payments/entries/{first.json()['ledger_entry']}/reverse/",
                          {"reason": "billete falso"}, format="json")
    assert reversed_.status_code == 201 and reversed_.json()["amount"] == "250.00"
    credit.refresh_from_db()


def test_api_reference_of_a_credit(make_credit, make_user, api_client_for):
    from recupera.payments.references import ALGORITHMS

    make_credit(folio="CE-12")
    body = api_client_for(make_user(Role.SUPERVISOR)).get("/api/v1/payments/references/CE-12/").json()
    assert ALGORITHMS["luhn"].valid(body["payment_reference"])
    assert len(body["references"]) == 2


def test_openapi_schema_lists_the_payments_endpoints(make_user, api_client_for):
    response = api_client_for(make_user(Role.IT_ADMIN)).get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/payments/imports/" in paths and "/api/v1/payments/cash/" in paths


def test_cli_import_payments(make_credit, ref, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    credit = make_credit()
    path = tmp_path / "cie.txt"
    path.write_bytes(cie_file([cie_line(date=dt.date(2025, 3, 10), reference=ref(credit), amount="12.34")]))
    out = StringIO()
    call_command("import", "payments", str(path), "--layout", "bbva-cie", stdout=out)
    text = out.getvalue()
    assert "aplicados: 1 ($12.34)" in text
    out = StringIO()
    call_command("import", "payments", str(path), "--layout", "bbva-cie", stdout=out)
    assert "duplicados (no aplicados otra vez): 1" in out.getvalue()
