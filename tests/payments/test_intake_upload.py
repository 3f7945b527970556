"""Issue 20, payments intake: upload limits on every path (#12), the API never answers 500 for a
bad file (#8), rejected rows listed and re-submitted from the screen (#9)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recupera.core.roles import Role
from tests.payments.conftest import TODAY, csv_file

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _business_date_and_tasks(settings, db):
    from recupera.core.services import business_date_set

    business_date_set(actor=None, business_date=TODAY)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _payments():
    from recupera.credits.models import LedgerEntry

    return sorted((e.value_date, e.amount) for e in LedgerEntry.objects.filter(kind="payment"))


# --- 12. limits ---------------------------------------------------------------------------------
def test_api_refuses_a_file_too_big_or_of_the_wrong_kind(make_user, api_client_for, monkeypatch):
    from recupera.payments import services

    api = api_client_for(make_user(Role.PORTFOLIO_OFFICE))
    monkeypatch.setattr(services, "MAX_UPLOAD_BYTES", 2 * 1024 * 1024)
    response = api.post("/api/v1/payments/imports/", {
        "file": SimpleUploadedFile("pagos.csv", b"x" * (3 * 1024 * 1024)), "layout": "generic-csv",
        "wait": "true"}, format="multipart")
    assert response.status_code == 400
    assert response.json() == {"file": ["El archivo pesa 3.0 MB; el máximo es 2 MB. Divídalo en "
                                        "archivos más chicos."]}
    response = api.post("/api/v1/payments/imports/", {
        "file": SimpleUploadedFile("pagos.xlsx", b"PK\x03\x04rest"), "layout": "generic-csv"},
        format="multipart")
    assert response.status_code == 400
    assert "«.xlsx» no es un archivo de pagos" in response.json()["file"][0]
    from recupera.payments.models import PaymentImport

    assert PaymentImport.objects.count() == 0


def test_upload_screen_shows_the_size_limit(make_user, client_for, monkeypatch):
    from recupera.payments import services

    monkeypatch.setattr(services, "MAX_UPLOAD_BYTES", 2 * 1024 * 1024)
    client = client_for(make_user(Role.PORTFOLIO_OFFICE))
    response = client.post("/pagos/importar/", {
        "layout": "generic-csv", "mode": "solo_validos",
        "file": SimpleUploadedFile("pagos.csv", b"x" * (3 * 1024 * 1024))})
    assert response.status_code == 200
    assert "El archivo pesa 3.0 MB; el máximo es 2 MB." in response.content.decode()


def test_api_bad_file_is_a_report_not_a_500(make_credit, ref, make_user, api_client_for):
    credit = make_credit()
    content = csv_file([("2025-03-10", ref(credit), "10.00", "OP-1", "BBVA")]) + (
        b'2025-03-10,REF,10.00,"' + b"Y" * 200_000 + b'",BBVA\n')
    api = api_client_for(make_user(Role.PORTFOLIO_OFFICE))
    response = api.post("/api/v1/payments/imports/", {
        "file": SimpleUploadedFile("pagos.csv", content.replace(b"\n", b"\r")),
        "layout": "generic-csv", "wait": "true"}, format="multipart")
    assert response.status_code == 201, response.content[:300]
    body = response.json()
    assert body["applied_amount"] == "10.00" and body["error_count"] == 1
    assert body["problems"][0]["row"] == 3 and "caracteres" in body["problems"][0]["message"]


def test_text_fields_longer_than_their_column_are_errors_not_cut(make_credit, ref, run_import):
    credit = make_credit()
    content = csv_file([("2025-03-10", ref(credit) + "9" * 40, "10.00", "OP-1", "BBVA"),
                        ("2025-03-10", ref(credit), "11.00", "X" * 201, "BBVA")])
    imp = run_import(content, "generic-csv")
    errors = {p["row"]: p for p in imp.problems if p["severity"] == "error"}
    assert errors[2]["column_label"] == "referencia" and "el máximo es 40" in errors[2]["message"]
    assert errors[3]["column_label"] == "operacion" and "el máximo es 200" in errors[3]["message"]
    assert _payments() == []


# --- 9. rejected rows listed and re-submitted ---------------------------------------------------
def test_rejected_rows_are_listed_corrected_and_resubmitted(make_credit, ref, make_user,
                                                            client_for,
                                                            django_capture_on_commit_callbacks):
    credit = make_credit()
    client = client_for(make_user(Role.PORTFOLIO_OFFICE))
    content = csv_file([("2025-03-10", ref(credit), "10.00", "OP-1", "BBVA"),
                        ("2025-03-11", ref(credit), "1234,50", "OP-2", "BBVA")])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/pagos/importar/", {
            "layout": "generic-csv", "mode": "solo_validos",
            "file": SimpleUploadedFile("pagos.csv", content)})
    html = client.get(response["Location"]).content.decode()
    bad_line = f"2025-03-11,{ref(credit)},1234,50,OP-2,BBVA"
    assert bad_line in html and "Corregir y volver a enviar" in html
    assert "<td>amount</td>" not in html
    from recupera.payments.models import PaymentImport

    original = PaymentImport.objects.get()
    # A correction that is still wrong is refused on the new import's own report.
    fixed = f"fecha,referencia,importe,operacion,banco\n2025-03-11,{ref(credit)},1234.50,OP-2,BBVA\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/pagos/importaciones/{original.pk}/corregir/", {"text": fixed})
    assert response.status_code == 302
    again = PaymentImport.objects.exclude(pk=original.pk).get()
    assert again.resubmission_of_id == original.pk and again.status == "terminada"
    assert again.original_name == "pagos-correccion.csv"
    assert _payments() == [(dt.date(2025, 3, 10), Decimal("10.00")),
                           (dt.date(2025, 3, 11), Decimal("1234.50"))]
    html = client.get(response["Location"]).content.decode()
    assert "Corrige a" in html
    # Sending the same correction twice applies nothing twice.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/pagos/importaciones/{original.pk}/corregir/", {"text": fixed})
    assert len(_payments()) == 2


def test_resubmission_text_not_in_the_layouts_encoding_is_refused_on_screen(make_credit, ref,
                                                                            make_user, client_for,
                                                                            run_import):
    make_credit()
    imp = run_import(("2025-03-10".replace("-", "") + "X" * 83 + "\r\n").encode(), "bbva-cie")
    client = client_for(make_user(Role.PORTFOLIO_OFFICE))
    response = client.post(f"/pagos/importaciones/{imp.pk}/corregir/", {"text": "PAGO € \n"})
    assert response.status_code == 200
    assert "no se puede escribir en LATIN-1" in response.content.decode()


@pytest.mark.parametrize("q", ["NaN", "Infinity", "1e999999", "x" * 5000])
def test_unidentified_search_never_fails_on_odd_text(make_user, api_client_for, run_import, q):
    from tests.payments.conftest import cie_file, cie_line

    run_import(cie_file([cie_line(date=dt.date(2025, 3, 10), reference="", amount="33.00")]))
    api = api_client_for(make_user(Role.SUPERVISOR))
    response = api.get("/api/v1/payments/unidentified/", {"q": q})
    assert response.status_code == 200 and response.json()["count"] == 0
    assert api.get("/api/v1/payments/unidentified/", {"q": "33.00"}).json()["count"] == 1
