"""Issue 20, payments intake: each finding reproduced with the file that showed it.

Each test failed on the code before the fix (docs/import-layouts.md describes the rules)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.payments.conftest import cie_file, cie_line, csv_file

pytestmark = pytest.mark.django_db
D = dt.date(2025, 3, 10)
NOMINA_HEADER = "period,employee_number,folio,amount_deducted,operation_id"


def _errors(imp):
    return [p for p in imp.problems if p["severity"] == "error"]


def _payments():
    from recupera.credits.models import LedgerEntry

    return sorted((e.credit.folio, e.amount) for e in
                  LedgerEntry.objects.filter(kind="payment").select_related("credit"))


def _operations():
    from recupera.payments.models import BankOperation

    return sorted((o.line_number, o.status, o.amount) for o in BankOperation.objects.all())


# --- 1. a row with more or fewer cells than its layout ------------------------------------------
def test_nomina_decimal_comma_is_a_row_error_not_a_payment(make_credit, run_import):
    """`…,1234,50,N-A1` posted $1,234.00 with operation id «50»; two such rows collided."""
    a, b = make_credit(folio="CE-A"), make_credit(folio="CE-B")
    content = "\n".join([
        NOMINA_HEADER,
        f"2025-02,E-1,{a.folio},1234,50,N-A1",
        f"2025-02,E-2,{b.folio},987,50,N-B1",
        f"2025-02,E-3,{b.folio},10.00,N-B2",
    ]).encode() + b"\n"
    imp = run_import(content, "nomina")
    errors = _errors(imp)
    assert [e["row"] for e in errors] == [2, 3]
    assert "tiene 6 columnas; el formato nomina tiene 5" in errors[0]["message"]
    assert "coma decimal" in errors[0]["message"]
    assert errors[0]["raw"] == f"2025-02,E-1,{a.folio},1234,50,N-A1"
    assert _payments() == [("CE-B", Decimal("10.00"))]
    assert imp.error_count == 2


def test_generic_csv_extra_and_missing_cells_are_row_errors(make_credit, ref, run_import):
    credit = make_credit()
    content = csv_file([("2025-03-10", ref(credit), "10.00", "OP-1", "BBVA")]) + (
        f"2025-03-10,{ref(credit)},20.00,OP-2,BBVA,extra\n"
        f"2025-03-10,{ref(credit)},30.00,OP-3\n").encode()
    imp = run_import(content, "generic-csv")
    assert {e["row"]: e["message"][:32] for e in _errors(imp)} == {
        3: "el renglón tiene 6 columnas; el ", 4: "el renglón tiene 4 columnas; el "}
    assert _payments() == [(credit.folio, Decimal("10.00"))]


# --- 2. absurd amounts --------------------------------------------------------------------------
def test_absurd_amount_goes_to_review_not_to_the_credit(make_credit, ref, run_import):
    credit = make_credit()
    content = csv_file([("2025-03-10", ref(credit), "999999999999.99", "OP-1", "BBVA"),
                        ("2025-03-10", ref(credit), "231.99", "OP-2", "BBVA")])
    imp = run_import(content, "generic-csv")
    assert imp.status == "terminada"
    assert _payments() == [(credit.folio, Decimal("231.99"))]
    assert imp.unidentified_count == 1 and imp.unidentified_amount == Decimal("999999999999.99")
    (warning,) = [p for p in imp.problems if p["severity"] == "aviso" and p["row"] == 2]
    assert "se envió a revisión" in warning["message"] and "$500,000.00" in warning["message"]
    from recupera.payments.models import BankOperation

    op = BankOperation.objects.get(line_number=2)
    assert op.status == "no_identificado" and op.credit_id is None
    assert "mayor que el máximo por pago" in op.unidentified_reason


def test_amount_far_above_the_credit_payoff_goes_to_review(make_credit, ref, run_import):
    credit = make_credit(amount="12000.00")  # payoff about 12,000
    content = csv_file([("2025-03-10", ref(credit), "90000.00", "OP-1", "BBVA")])
    imp = run_import(content, "generic-csv")
    assert _payments() == []
    assert imp.unidentified_count == 1
    assert "muy superior a lo que debe el crédito" in imp.problems[0]["message"]


def test_layout_max_amount_is_configurable(make_credit, ref, run_import, layouts):
    credit = make_credit()
    layouts["generic-csv"].max_amount = Decimal("100.00")
    layouts["generic-csv"].save()
    content = csv_file([("2025-03-10", ref(credit), "100.00", "OP-1", "BBVA"),
                        ("2025-03-10", ref(credit), "100.01", "OP-2", "BBVA")])
    imp = run_import(content, "generic-csv")
    assert _payments() == [(credit.folio, Decimal("100.00"))]
    assert imp.unidentified_count == 1 and imp.unidentified_amount == Decimal("100.01")


def test_one_credit_failing_does_not_roll_back_the_others(make_credit, ref, run_import,
                                                          monkeypatch):
    """The numeric overflow in credits.services._update_cached rolled back the whole chunk."""
    from django.db import DataError

    from recupera.credits import services as credit_services

    good, broken = make_credit(folio="BUENO"), make_credit(folio="ROTO")
    real = credit_services._update_cached

    def overflowing(credits):
        if any(c.pk == broken.pk for c in credits):
            raise DataError("numeric field overflow")
        return real(credits)

    monkeypatch.setattr(credit_services, "_update_cached", overflowing)
    content = csv_file([("2025-03-10", ref(broken), "50.00", "OP-1", "BBVA"),
                        ("2025-03-10", ref(good), "231.99", "OP-2", "BBVA"),
                        ("2025-03-10", "000", "7.00", "OP-3", "BBVA")])
    imp = run_import(content, "generic-csv", replay="now")
    assert imp.status == "terminada"
    assert _payments() == [("BUENO", Decimal("231.99"))]
    assert [op[:2] for op in _operations()] == [(3, "aplicado"), (4, "no_identificado")]
    (error,) = _errors(imp)
    assert error["row"] == 2 and "no se pudo aplicar" in error["message"]
    assert error["raw"].endswith(",50.00,OP-1,BBVA")
    assert imp.applied_count == 1 and imp.error_count == 1


def test_cashier_refuses_an_amount_above_its_maximum(make_credit, make_user, settings):
    from django.core.exceptions import ValidationError

    from recupera.core.roles import Role
    from recupera.payments.services import cash_payment_capture

    settings.RECUPERA_CASH_MAX_AMOUNT = "5000.00"
    cashier, credit = make_user(Role.CASHIER), make_credit()
    with pytest.raises(ValidationError) as exc:
        cash_payment_capture(actor=cashier, credit=credit, amount="5000.01", request_id="x",
                             business_date=D)
    assert "excede el máximo que recibe la caja ($5,000.00)" in exc.value.message_dict["amount"][0]
    receipt, _created = cash_payment_capture(actor=cashier, credit=credit, amount="5000.00",
                                             request_id="y", business_date=D)
    assert receipt.amount == Decimal("5000.00")


# --- 3. truncated last field --------------------------------------------------------------------
def test_last_line_without_newline_goes_to_review(make_credit, ref, run_import):
    """`123.45` cut to `1` posted $1.00."""
    credit = make_credit()
    content = csv_file([("2025-03-10", ref(credit), "10.00", "OP-1", "BBVA"),
                        ("2025-03-10", ref(credit), "123.45", "OP-2", "BBVA")])
    cut = content[:content.index(b"123.45") + 1] + b",OP-2,BBVA"  # no final newline
    imp = run_import(cut, "generic-csv")
    assert _payments() == [(credit.folio, Decimal("10.00"))]
    assert imp.unidentified_count == 1 and imp.unidentified_amount == Decimal("1.00")
    assert any("sin fin de línea" in p["message"] for p in imp.problems)


@pytest.fixture
def trailer_layout(layouts):
    layout = layouts["generic-csv"]
    layout.trailer = {"marker": "TOTAL", "count": 1, "amount": 2, "required": True}
    layout.save()
    return layout


def test_control_record_that_does_not_add_up_refuses_the_file(make_credit, ref, run_import,
                                                              trailer_layout):
    credit = make_credit()
    body = csv_file([("2025-03-10", ref(credit), "10.00", "OP-1", "BBVA"),
                     ("2025-03-10", ref(credit), "1", "OP-2", "BBVA")])
    imp = run_import(body + b"TOTAL,2,133.45\n", "generic-csv")
    assert imp.status == "rechazada"
    assert "no cuadra" in imp.problems[0]["message"]
    assert "$133.45" in imp.problems[0]["message"] and "$11.00" in imp.problems[0]["message"]
    assert _payments() == [] and _operations() == []
    # Line count too.
    imp = run_import(body + b"TOTAL,3,11.00\n", "generic-csv")
    assert imp.status == "rechazada" and "dice 3 renglones y el archivo trae 2" in imp.problems[0]["message"]
    # Missing control record: the file may be cut.
    imp = run_import(body, "generic-csv")
    assert imp.status == "rechazada" and "falta el registro de control" in imp.problems[0]["message"]
    # The right totals apply the file.
    imp = run_import(body + b"TOTAL,2,11.00\n", "generic-csv")
    assert imp.status == "terminada" and imp.applied_amount == Decimal("11.00")
    assert _payments() == [(credit.folio, Decimal("1.00")), (credit.folio, Decimal("10.00"))]


def test_fixed_width_control_record(make_credit, ref, run_import, layouts):
    credit = make_credit()
    layout = layouts["bbva-cie"]
    layout.trailer = {"marker": "9", "count": [1, 7], "amount": [7, 20]}
    layout.save()
    lines = [cie_line(date=D, reference=ref(credit), amount="10.00", guide="0000001"),
             cie_line(date=D, reference=ref(credit), amount="20.00", guide="0000002")]
    imp = run_import(cie_file([*lines, "9000002" + "0000000003100"]))
    assert imp.status == "rechazada" and "$31.00" in imp.problems[0]["message"]
    imp = run_import(cie_file([*lines, "9000002" + "0000000003000"]))
    assert imp.status == "terminada" and imp.applied_amount == Decimal("30.00")


# --- 8. the CSV reader's tracebacks become row problems ------------------------------------------
def test_cr_only_line_endings_are_read(make_credit, ref, run_import):
    credit = make_credit()
    content = csv_file([("2025-03-10", ref(credit), "10.00", "OP-1", "BBVA"),
                        ("2025-03-10", ref(credit), "20.00", "OP-2", "BBVA")]).replace(b"\n", b"\r")
    imp = run_import(content, "generic-csv")
    assert imp.status == "terminada" and imp.applied_amount == Decimal("30.00")


@pytest.mark.parametrize("bad", [
    "2025-03-10,REF,10.00,OP-9," + "X" * 10_000_000,
    '2025-03-10,REF,10.00,"' + "Y" * 200_000 + '",BBVA',
    '2025-03-10,REF,"10.00,OP-9,BBVA',
], ids=["linea-10MB", "campo-200KB", "comilla-sin-cerrar"])
def test_monster_lines_are_row_problems(make_credit, ref, run_import, bad):
    credit = make_credit()
    content = csv_file([("2025-03-10", ref(credit), "10.00", "OP-1", "BBVA")]) + bad.encode() + b"\n"
    imp = run_import(content, "generic-csv")
    assert imp.status == "terminada"
    (error,) = _errors(imp)
    assert error["row"] == 3
    assert "caracteres" in error["message"] or "comillas" in error["message"]
    assert len(error.get("raw", "")) <= 1000
    assert _payments() == [(credit.folio, Decimal("10.00"))]


def test_problems_name_the_column(make_credit, ref, run_import):
    credit = make_credit()
    content = csv_file([("2025-03-10", ref(credit), "1,5", "OP-1", "BBVA")]).replace(
        b"1,5", b'"1,5"')
    imp = run_import(content, "generic-csv")
    (error,) = _errors(imp)
    assert error["column"] == "amount" and error["column_label"] == "importe"
    from recupera.payments.parsing import Problem

    assert str(Problem(2, "amount", "x", label="importe")) == "renglón 2, columna importe: x"


# --- 12. limits ---------------------------------------------------------------------------------
def test_too_many_lines_refuse_the_file(make_credit, run_import, monkeypatch):
    from recupera.payments import parsing

    monkeypatch.setattr(parsing, "MAX_LINES", 3)
    rows = [("2025-03-10", "1", "1.00", f"OP-{i}", "BBVA") for i in range(4)]
    imp = run_import(csv_file(rows), "generic-csv")
    assert imp.status == "rechazada" and "el máximo por archivo es 3" in imp.problems[0]["message"]
