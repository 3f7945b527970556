"""Malformed and oversized portfolio files (issue 20 #8, #12): every problem is a Spanish row
problem naming file, row and column, nothing is stored, and every path has limits (file size,
type, rows, cell length); an .xlsx is streamed and its reading stops at the row limit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.credits.import_helpers import (
    FILES,
    append_to,
    copy_portfolio,
    portfolio_xlsx,
    run_import,
    stored_counts,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cartera(tmp_path):
    return copy_portfolio(tmp_path)


def _refused(folder, *args: str) -> str:
    before = stored_counts()
    code, out = run_import(folder, *args)
    assert code == 1, out
    assert "no se guardó nada" in out
    assert stored_counts() == before
    return out


def test_cr_only_line_endings_are_read_like_any_csv(cartera):
    for name in FILES:
        path = cartera / f"{name}.csv"
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))
    code, out = run_import(cartera)
    assert code == 0, out
    assert stored_counts()["Credit"] == 3


def test_a_10_mb_line_names_file_row_and_column_in_spanish(cartera):
    append_to(cartera, "pagos", "CE-0001,2021-03-10,100.00,banco," + "X" * 10_000_000)
    out = _refused(cartera)
    assert ("pagos.csv, fila 6, columna operacion: el archivo CSV está mal formado: un dato tiene más "
            "de 131,072 caracteres") in out, out[:500]
    assert "field larger" not in out


def test_a_200_kb_quoted_field_names_file_row_and_column(cartera):
    append_to(cartera, "personas", 'SAHL910210HSRNRS09,"' + "a,b\n" * 50_000 + '",x,1991-02-10,,,,,,,,')
    out = _refused(cartera)
    assert ("personas.csv, fila 6, columna nombre: el archivo CSV está mal formado: un dato tiene más "
            "de 131,072 caracteres") in out, out[:500]


def test_an_unclosed_quote_is_a_spanish_row_problem(cartera):
    append_to(cartera, "pagos", 'CE-0001,2021-03-10,100.00,"banco,OP-9')
    out = _refused(cartera)
    assert "pagos.csv, fila 6: el archivo CSV está mal formado: el archivo termina dentro de un texto" in out, out


def test_a_long_cell_is_refused_without_echoing_it(cartera):
    append_to(cartera, "pagos", "CE-0001," + "9" * 3000 + ",100.00,banco,OP-9")
    out = _refused(cartera)
    assert ("pagos.csv, fila 6, columna fecha: el dato tiene 3,000 caracteres; ningún dato de este "
            "formato puede pasar de 1000") in out
    assert "9" * 1001 not in out


def test_csv_row_limit(cartera, settings):
    settings.PORTFOLIO_IMPORT_MAX_ROWS = 3
    out = _refused(cartera)
    assert ("ministraciones.csv, fila 5: el archivo tiene más de 3 filas de datos, el máximo por "
            "archivo; divídalo") in out, out
    assert "pagos.csv, fila 5: el archivo tiene más de 3 filas" in out


def test_csv_size_limit(cartera, settings):
    settings.PORTFOLIO_IMPORT_MAX_CSV_BYTES = 300
    out = _refused(cartera)
    assert "personas.csv: el archivo pesa 1 KB; el máximo es 0 KB." in out or \
        "personas.csv: el archivo pesa" in out, out


def test_xlsx_reading_stops_at_the_row_limit(cartera, tmp_path, settings, monkeypatch):
    from recupera.credits.importing import sources

    for n in range(2, 60):
        append_to(cartera, "pagos", f"CE-0001,2021-03-{(n % 27) + 1:02d},10.00,banco,OP-X{n}")
    book = portfolio_xlsx(cartera, tmp_path / "cartera.xlsx")
    settings.PORTFOLIO_IMPORT_MAX_ROWS = 10
    seen = {"cells": 0}
    real = sources.cell_text

    def counting(value):
        seen["cells"] += 1
        return real(value)

    monkeypatch.setattr(sources, "cell_text", counting)
    out = _refused(book)
    assert "cartera.xlsx, hoja pagos, fila 12: el archivo tiene más de 10 filas de datos" in out, out
    # personas 5 rows, creditos 4, ministraciones 5, pagos stopped at 12 (of 64): 26 rows × ≤ 13 cells
    assert seen["cells"] <= 26 * 13


def test_xlsx_size_and_unpacked_size_limits(cartera, tmp_path, settings):
    book = portfolio_xlsx(cartera, tmp_path / "cartera.xlsx")
    settings.PORTFOLIO_IMPORT_MAX_XLSX_UNPACKED_BYTES = 2048
    out = _refused(book)
    assert "cartera.xlsx: el libro ocupa" in out and "una vez descomprimido; el máximo es 2 KB" in out, out
    settings.PORTFOLIO_IMPORT_MAX_XLSX_BYTES = 1024
    out = _refused(book)
    assert "cartera.xlsx: el libro pesa" in out and "el máximo es 1 KB" in out, out


def test_a_damaged_xlsx_is_a_spanish_problem(tmp_path):
    book = tmp_path / "roto.xlsx"
    book.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    out = _refused(book)
    assert "roto.xlsx: no se pudo abrir el libro de Excel: el archivo está dañado" in out, out


@pytest.fixture
def officer_client(client_for, portfolio_officer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    from recupera.core.models import OperatingDate

    OperatingDate.objects.update_or_create(pk=1, defaults={"business_date": dt.date(2024, 12, 31)})
    return client_for(portfolio_officer)


def _uploads(folder):
    return {name: SimpleUploadedFile(f"{name}.csv", (folder / f"{name}.csv").read_bytes(), "text/csv")
            for name in FILES}


def test_upload_form_refuses_an_excel_book_renamed_csv_and_a_file_too_big(officer_client, cartera, tmp_path,
                                                                         settings):
    from recupera.credits.models_import import ImportJob

    data = _uploads(cartera)
    book = portfolio_xlsx(cartera, tmp_path / "libro.xlsx")
    data["pagos"] = SimpleUploadedFile("pagos.csv", book.read_bytes(), "text/csv")
    page = officer_client.post(reverse("credits:import"), {**data, "mode": "todo_o_nada"})
    assert page.status_code == 200
    assert "El archivo es un libro de Excel, no un CSV" in page.content.decode()

    settings.PORTFOLIO_IMPORT_MAX_XLSX_BYTES = 2**20 // 2  # 0 MB shown: half a megabyte
    settings.PORTFOLIO_IMPORT_MAX_CSV_BYTES = 2**20
    big = SimpleUploadedFile("cartera.xlsx", b"PK\x03\x04" + b"\x00" * (2**20), "application/octet-stream")
    page = officer_client.post(reverse("credits:import"), {"xlsx": big, "mode": "todo_o_nada"})
    assert "El archivo pesa más de 0 MB, el máximo" in page.content.decode()
    fake = SimpleUploadedFile("cartera.xlsx", b"curp,nombre\n", "application/octet-stream")
    page = officer_client.post(reverse("credits:import"), {"xlsx": fake, "mode": "todo_o_nada"})
    assert "El archivo no es un libro de Excel .xlsx" in page.content.decode()
    assert not ImportJob.objects.exists()


def test_upload_whose_body_is_too_large_is_refused_on_screen(officer_client, cartera, settings):
    from recupera.credits.models_import import ImportJob

    settings.PORTFOLIO_IMPORT_MAX_CSV_BYTES = 1024
    settings.PORTFOLIO_IMPORT_MAX_XLSX_BYTES = 1024
    for n in range(2000):
        append_to(cartera, "pagos", f"CE-0001,2021-03-10,10.00,banco,OP-Y{n}")
    page = officer_client.post(reverse("credits:import"), {**_uploads(cartera), "mode": "todo_o_nada"})
    assert page.status_code == 413
    assert "Los archivos pesan más de lo permitido" in page.content.decode()
    assert not ImportJob.objects.exists()
