"""Bad files: each case gets a Spanish report row by row; no bad row is stored; valid rows are
applied only as the chosen mode says."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from tests.payments.conftest import cie_file, cie_line, csv_file

pytestmark = pytest.mark.django_db
D = dt.date(2025, 3, 10)


def _stored():
    from recupera.credits.models import LedgerEntry
    from recupera.payments.models import BankOperation

    return BankOperation.objects.count(), LedgerEntry.objects.filter(kind="payment").count()


def _errors(imp):
    return [p for p in imp.problems if p["severity"] == "error"]


@pytest.fixture
def credit(make_credit):
    return make_credit()


def _with_bad_line(good: str, bad: str) -> bytes:
    return cie_file([good, bad])


@pytest.mark.parametrize(("mutate", "column", "text"), [
    (lambda s: "310225" + s[6:], "date", "no es una fecha válida; se espera DDMMAA"),
    (lambda s: s[:78] + "0000012A450", "amount", "solo dígitos"),
    (lambda s: s[:78] + "-0000010000", "amount", "negativo"),
    (lambda s: s[:78] + "00000000000", "amount", "es cero"),
    (lambda s: s[:6] + "99999999" + s[14:], "agreement", "convenio 99999999 no está registrado"),
    (lambda s: "010130" + s[6:], "date", "posterior a la fecha de operación"),
    (lambda s: s + "X", "", "mide 90 caracteres"),
], ids=["fecha", "importe-letras", "negativo", "cero", "convenio", "fecha-futura", "longitud"])
def test_bad_cie_row_is_reported_and_not_stored(credit, ref, run_import, mutate, column, text):
    good = cie_line(date=D, reference=ref(credit), amount="100.00", guide="0000001")
    bad = mutate(cie_line(date=D, reference=ref(credit), amount="200.00", guide="0000002"))
    imp = run_import(_with_bad_line(good, bad))
    assert imp.status == "terminada"
    errors = _errors(imp)
    assert len(errors) == 1, imp.problems
    assert errors[0]["row"] == 2 and errors[0]["column"] == column
    assert text in errors[0]["message"]
    assert imp.applied_count == 1 and imp.error_count == 1
    assert _stored() == (1, 1)  # only the good row


@pytest.mark.parametrize(("amount", "text"), [
    ("-100.00", "negativo"), ("0.00", "es cero"), ("\"1,234.50\"", "comas"), ("12.345", "no es un importe"),
    ("abc", "no es un importe"), ("", "falta el importe"),
])
def test_bad_csv_amounts(credit, ref, run_import, amount, text):
    content = csv_file([("2025-03-10", ref(credit), "10.00", "OP-1", "BBVA"),
                        ("2025-03-10", ref(credit), amount, "OP-2", "BBVA")])
    imp = run_import(content, "generic-csv")
    errors = _errors(imp)
    assert [e["row"] for e in errors] == [3] and text in errors[0]["message"]
    assert _stored() == (1, 1)


def test_bad_csv_date_and_unknown_bank(credit, ref, run_import):
    content = csv_file([("10/03/2025", ref(credit), "10.00", "OP-1", "BBVA"),
                        ("2025-03-10", ref(credit), "10.00", "OP-2", "Banco Patito")])
    imp = run_import(content, "generic-csv")
    messages = {e["row"]: e["message"] for e in _errors(imp)}
    assert "se espera AAAA-MM-DD" in messages[2]
    assert "«Banco Patito» no corresponde" in messages[3]
    assert _stored() == (0, 0)


def test_all_or_nothing_mode_applies_nothing_when_a_row_is_bad(credit, ref, run_import):
    good = cie_line(date=D, reference=ref(credit), amount="100.00", guide="0000001")
    bad = "310225" + cie_line(date=D, reference=ref(credit), amount="5.00", guide="0000002")[6:]
    imp = run_import(cie_file([good, bad]), mode="todo_o_nada")
    assert imp.status == "rechazada"
    assert imp.applied_count == 0
    assert any("todo o nada" in p["message"] for p in imp.problems)
    assert _stored() == (0, 0)
    # The corrected file then applies in full.
    fixed = run_import(cie_file([good]), mode="todo_o_nada")
    assert fixed.status == "terminada" and fixed.applied_count == 1


def test_wrong_layout_csv_read_as_cie(credit, ref, run_import):
    imp = run_import(csv_file([("2025-03-10", ref(credit), "10.00", "OP-1", "BBVA")]), "bbva-cie")
    assert imp.status == "rechazada"
    assert "no corresponde al formato «BBVA CIE»" in imp.problems[0]["message"]
    assert "CSV" in imp.problems[0]["message"]
    assert _stored() == (0, 0)


def test_wrong_layout_cie_read_as_csv(credit, ref, run_import):
    imp = run_import(cie_file([cie_line(date=D, reference=ref(credit), amount="1.00")]), "generic-csv")
    assert imp.status == "rechazada"
    assert "«BBVA CIE»" in imp.problems[0]["message"]
    assert _stored() == (0, 0)


def test_csv_with_the_wrong_header(credit, run_import):
    imp = run_import(b"date,ref,amount\n2025-03-10,1,2\n", "generic-csv")
    assert imp.status == "rechazada"
    assert "faltan las columnas" in imp.problems[0]["message"]


def test_truncated_cie_file_is_rejected_whole(credit, ref, run_import):
    lines = [cie_line(date=D, reference=ref(credit), amount="10.00", guide=f"{i:07d}") for i in range(3)]
    content = cie_file(lines)[:-40]  # cut inside the last record, no final newline
    imp = run_import(content)
    assert imp.status == "rechazada"
    assert "truncado" in imp.problems[0]["message"] and "renglón (3)" in imp.problems[0]["message"]
    assert _stored() == (0, 0)


def test_truncated_csv_file_is_rejected_whole(credit, ref, run_import):
    content = csv_file([("2025-03-10", ref(credit), "10.00", "OP-1", "BBVA"),
                        ("2025-03-10", ref(credit), "11.00", "OP-2", "BBVA")])
    imp = run_import(content[:-12], "generic-csv")
    assert imp.status == "rechazada" and "truncado" in imp.problems[0]["message"]
    assert _stored() == (0, 0)


def test_wrong_encoding_latin1_bytes_in_a_utf8_csv_refuses_the_whole_file(credit, ref, run_import):
    """Issue 20 #9: a Latin-1 file in a UTF-8 layout is refused as a whole, never half read
    (before: the good first row was posted and the Latin-1 row rejected)."""
    content = csv_file([("2025-03-10", ref(credit), "10.00", "OP-1", "BBVA")])
    content += f"2025-03-10,{ref(credit)},12.00,OP-Ñ2,BBVA\n".encode("latin-1")
    imp = run_import(content, "generic-csv")
    assert imp.status == "rechazada"
    (problem,) = imp.problems
    assert problem["row"] is None
    assert "no está en UTF-8" in problem["message"] and "renglón 3" in problem["message"]
    assert "No se leyó ningún renglón" in problem["message"]
    assert _stored() == (0, 0)


def test_wrong_encoding_utf8_in_a_latin1_cie_file_refuses_the_whole_file(credit, ref, run_import):
    good = cie_line(date=D, reference=ref(credit), amount="10.00", guide="0000001")
    bad = cie_line(date=D, reference=ref(credit), amount="10.00", guide="0000002",
                   concept="PAGO MUÑOZ")
    content = (good + "\r\n").encode("latin-1") + (bad + "\r\n").encode("utf-8")
    imp = run_import(content)
    assert imp.status == "rechazada"
    assert "está en UTF-8" in imp.problems[0]["message"]
    assert "renglón 2" in imp.problems[0]["message"]
    assert _stored() == (0, 0)


def test_xlsx_renamed_txt_is_rejected(credit, run_import):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["fecha", "referencia", "importe"])
    buffer = io.BytesIO()
    book.save(buffer)
    imp = run_import(buffer.getvalue(), name="pagos.txt")
    assert imp.status == "rechazada"
    assert "Excel (.xlsx)" in imp.problems[0]["message"]
    assert _stored() == (0, 0)


@pytest.mark.parametrize("content", [b"", b"   \n\n", b"\xff\xfe1\x002\x00"], ids=["vacio", "blancos", "utf16"])
def test_empty_or_binary_files(credit, run_import, content):
    imp = run_import(content)
    assert imp.status == "rechazada" and imp.problems[0]["row"] is None
    assert _stored() == (0, 0)


def test_report_messages_are_spanish_and_name_the_row(credit, ref, run_import):
    bad = "320125" + cie_line(date=D, reference=ref(credit), amount="5.00")[6:]
    imp = run_import(cie_file([bad]))
    (error,) = _errors(imp)
    assert error == {"row": 1, "column": "date", "severity": "error",
                     "column_label": "fecha (posiciones 1-6)", "raw": bad,
                     "message": "«320125» no es una fecha válida; se espera DDMMAA."}
    assert imp.applied_amount == Decimal("0")
