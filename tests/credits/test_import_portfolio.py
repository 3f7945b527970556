"""`recupera import portfolio`: the legacy portfolio layout, validated row by row, stored
all-or-nothing (or partially), idempotent on natural keys."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.credits.import_helpers import (
    append_to,
    copy_portfolio,
    portfolio_xlsx,
    replace_in,
    run_import,
    stored_counts,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cartera(tmp_path):
    return copy_portfolio(tmp_path)


def _assert_valid_portfolio_stored() -> None:
    from recupera.credits.models import Credit, CreditParty, LedgerEntry
    from recupera.people.models import Person

    assert set(Person.objects.values_list("curp", flat=True)) == {
        "GOMC900101HSRNRR01", "LOPM920315MSRPRR08", "RAVJ880720HSRMLN06", "PEGA950505MSRRRN09"}
    carlos = Person.objects.get(curp="GOMC900101HSRNRR01")
    assert (carlos.first_name, carlos.last_name, carlos.second_last_name) == ("Carlos", "Gómez", "Montaño")

    c1 = Credit.objects.get(folio="CE-0001")
    assert c1.product.code == "CE"
    assert c1.borrower.curp == "GOMC900101HSRNRR01"
    assert list(c1.parties.filter(role=CreditParty.Role.GUARANTOR).values_list("person__curp", flat=True)) \
        == ["RAVJ880720HSRMLN06"]
    assert c1.end_of_studies == dt.date(2020, 6, 30)
    assert c1.term_months == 36 and c1.grace_months is None and c1.base_rate is None
    assert c1.academic_average == Decimal("85.50")
    assert [(d.number, d.date, d.amount) for d in c1.disbursements.order_by("number")] == [
        (1, dt.date(2018, 8, 15), Decimal("15000.00")), (2, dt.date(2019, 2, 15), Decimal("15000.00"))]
    assert c1.principal_disbursed == Decimal("30000.00")  # replayed by the engine

    c2 = Credit.objects.get(folio="CE-0002")  # the file's values override the product's
    assert (c2.base_rate, c2.late_rate, c2.grace_months, c2.term_months, c2.first_due_date) == (
        Decimal("0.05"), Decimal("0.10"), 3, 24, dt.date(2022, 4, 10))
    assert [d.amount for d in c2.disbursements.all()] == [Decimal("20000.50")]
    assert c2.notes.get().number == "P-0002-1"

    c3 = Credit.objects.get(folio="CE-0003")
    assert not c3.parties.filter(role=CreditParty.Role.GUARANTOR).exists()
    assert c3.disbursements.get().amount == Decimal("12000.00")

    # Payments: posted in value-date order (the file lists OP-1001 before OP-1000).
    p1 = list(LedgerEntry.objects.filter(credit=c1).order_by("id").values_list(
        "natural_key", "value_date", "amount", "channel", "kind"))
    assert p1 == [("cartera:op:OP-1000", dt.date(2021, 1, 10), Decimal("1000.00"), "banco", "payment"),
                  ("cartera:op:OP-1001", dt.date(2021, 2, 10), Decimal("1000.00"), "banco", "payment")]
    # Two identical rows without an operation number are two payments.
    p2 = list(LedgerEntry.objects.filter(credit=c2).values_list("value_date", "amount", "channel"))
    assert p2 == [(dt.date(2022, 4, 10), Decimal("900.00"), "caja")] * 2
    assert c1.allocations.exists()  # the engine applied the payments


def test_valid_portfolio_round_trip_and_second_import_changes_nothing(cartera):
    before = stored_counts()
    code, out = run_import(cartera)
    assert code == 0, out
    _assert_valid_portfolio_stored()
    after = stored_counts()
    assert after["Person"] - before["Person"] == 4
    assert after["Credit"] - before["Credit"] == 3
    assert after["Disbursement"] - before["Disbursement"] == 4
    assert after["LedgerEntry"] - before["LedgerEntry"] == 4
    assert "Importación terminada sin problemas." in out

    code, out = run_import(cartera)
    assert code == 0, out
    assert stored_counts() == after
    assert "ya existían" in out
    lines = {line.split()[0]: line.split()[1:] for line in out.splitlines()[1:] if line[:1].isalpha()}
    assert lines["personas"] == ["0", "4", "0"]
    assert lines["créditos"] == ["0", "3", "0"]
    assert lines["ministraciones"] == ["0", "4", "0"]
    assert lines["pagos"] == ["0", "4", "0"]
    assert "Sin cambios" in out


def test_xlsx_with_the_same_sheets_is_equivalent_to_the_csv_files(cartera, tmp_path):
    book = portfolio_xlsx(cartera, tmp_path / "cartera.xlsx")
    code, out = run_import(book)
    assert code == 0, out
    _assert_valid_portfolio_stored()
    counts = stored_counts()
    code, out = run_import(cartera)  # the CSV files hold exactly the same data
    assert code == 0, out
    assert stored_counts() == counts
    assert "Sin cambios" in out


def test_new_payments_for_credits_already_imported_are_added(cartera):
    assert run_import(cartera)[0] == 0
    append_to(cartera, "pagos", "CE-0003,2024-06-10,500.00,spei,SPEI-77")
    code, out = run_import(cartera)
    assert code == 0, out
    from recupera.credits.models import LedgerEntry

    entry = LedgerEntry.objects.get(natural_key="cartera:op:SPEI-77")
    assert (entry.credit.folio, entry.amount) == ("CE-0003", Decimal("500.00"))


def test_dry_run_validates_and_stores_nothing(cartera):
    before = stored_counts()
    code, out = run_import(cartera, "--dry-run")
    assert code == 0, out
    assert stored_counts() == before
    assert "Simulación" in out


MALFORMED = [
    pytest.param("creditos", "CE-0001,CE,GOMC900101HSRNRR01", "CE-0001,CE,GOMC900101HSRNRR09",
                 "creditos.csv, fila 2, columna curp_acreditado: la CURP GOMC900101HSRNRR09 tiene un "
                 "dígito verificador incorrecto.", id="bad-curp"),
    pytest.param("personas", "PEGA950505MSRRRN09,Ana", "PEGA950505MSRRRN08,Ana",
                 "personas.csv, fila 5, columna curp: la CURP PEGA950505MSRRRN08 tiene un dígito "
                 "verificador incorrecto.", id="bad-curp-person"),
    pytest.param("creditos", "CE-0002,CE,", "CE-0002,XX9,",
                 "creditos.csv, fila 3, columna producto: el producto «XX9» no existe en el catálogo "
                 "de productos.", id="unknown-product"),
    pytest.param("ministraciones", "20000.50", "-20000.50",
                 "ministraciones.csv, fila 4, columna importe: el importe -20000.50 debe ser mayor que "
                 "cero.", id="negative-amount"),
    pytest.param("pagos", "2021-02-10,1000.00", "2021-02-10,0.00",
                 "pagos.csv, fila 2, columna importe: el importe 0.00 debe ser mayor que cero.", id="zero-amount"),
    pytest.param("ministraciones", "2019-02-15,15000.00", '2019-02-15,"15,000.00"',
                 "ministraciones.csv, fila 3, columna importe: «15,000.00» no es un número válido.",
                 id="thousands-separator"),
    pytest.param("pagos", "CE-0001,2021-02-10", "CE-0001,2025-02-10",
                 "pagos.csv, fila 2, columna fecha: la fecha 2025-02-10 es posterior a 2024-12-31",
                 id="payment-after-as-of"),
    pytest.param("ministraciones", "2018-08-15", "1985-08-15",
                 "ministraciones.csv, fila 2, columna fecha: la fecha 1985-08-15 es anterior a 1990-01-01",
                 id="date-before-1990"),
    pytest.param("creditos", "2021-12-15,3,24,0.05,0.10,,2022-04-10", "2021-12-15,3,24,0.05,0.10,,2040-04-10",
                 "creditos.csv, fila 3, columna fecha_primer_pago: la fecha 2040-04-10 es posterior a "
                 "2034-12-31", id="due-date-too-far"),
    pytest.param("creditos", "2021-12-15,3,24,0.05", "2021-12-15,3,24,6",
                 "creditos.csv, fila 3, columna tasa_anual: la tasa 6 está fuera de rango", id="rate-out-of-range"),
    pytest.param("creditos", ",85.5,", ",105,",
                 "creditos.csv, fila 2, columna promedio: el promedio 105 está fuera de rango (de 0 a 100).",
                 id="average-over-100"),
    pytest.param("personas", "Hermosillo,Sonora", "Hermosiyo,Sonora",
                 "personas.csv, fila 2, columna municipio: «Hermosiyo» no es un municipio de Sonora del "
                 "catálogo", id="unknown-municipality"),
    pytest.param("creditos", "CE-0003,CE,PEGA950505MSRRRN09", "CE-0003,CE,SAHL910210HSRNRS09",
                 "creditos.csv, fila 4, columna curp_acreditado: la persona con CURP SAHL910210HSRNRS09 "
                 "no está en personas.csv ni en el sistema.", id="borrower-unknown"),
    pytest.param("personas", "primer_apellido", "apellido_paterno",
                 "personas.csv, fila 1: el encabezado no corresponde al formato: faltan las columnas "
                 "primer_apellido; sobran las columnas apellido_paterno.", id="wrong-columns"),
]


@pytest.mark.parametrize(("name", "old", "new", "message"), MALFORMED)
def test_malformed_row_is_refused_with_file_row_and_column_and_nothing_is_stored(cartera, name, old, new, message):
    replace_in(cartera, name, old, new)
    before = stored_counts()
    code, out = run_import(cartera)
    assert code == 1
    assert message in out, out
    assert "no se guardó nada" in out
    assert stored_counts() == before


def test_duplicate_folio_in_the_file(cartera):
    append_to(cartera, "creditos", "CE-0001,CE,LOPM920315MSRPRR08,,2020-06-30,,,,,,")
    before = stored_counts()
    code, out = run_import(cartera)
    assert code == 1
    assert "creditos.csv, fila 5, columna folio: el folio CE-0001 está repetido (ya aparece en la fila 2)." in out
    assert stored_counts() == before


def test_disbursement_and_payment_for_a_missing_credit(cartera):
    append_to(cartera, "ministraciones", "CE-9999,1,2020-01-15,100.00,")
    append_to(cartera, "pagos", "CE-9998,2021-01-15,100.00,caja,X1")
    before = stored_counts()
    code, out = run_import(cartera)
    assert code == 1
    assert ("ministraciones.csv, fila 6, columna folio: no existe el crédito con folio CE-9999 (ni en "
            "creditos.csv ni en el sistema) para esta ministración.") in out
    assert ("pagos.csv, fila 6, columna folio: no existe el crédito con folio CE-9998 (ni en "
            "creditos.csv ni en el sistema) para este pago.") in out
    assert stored_counts() == before


def test_every_problem_is_reported_not_only_the_first(cartera):
    replace_in(cartera, "creditos", "CE-0002,CE,", "CE-0002,XX9,")
    replace_in(cartera, "ministraciones", "20000.50", "-20000.50")
    replace_in(cartera, "pagos", "CE-0001,2021-02-10", "CE-0001,2021-02-31")
    code, out = run_import(cartera)
    assert code == 1
    assert "creditos.csv, fila 3, columna producto" in out
    assert "ministraciones.csv, fila 4, columna importe" in out
    assert "pagos.csv, fila 2, columna fecha: «2021-02-31» no es una fecha válida" in out


def test_wrong_encoding_is_refused(cartera):
    path = cartera / "personas.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1"))
    before = stored_counts()
    code, out = run_import(cartera)
    assert code == 1
    assert "personas.csv, fila 2: el archivo no está codificado en UTF-8" in out
    assert stored_counts() == before


def test_xlsx_renamed_csv_is_refused(cartera, tmp_path):
    book = portfolio_xlsx(cartera, tmp_path / "libro.xlsx")
    (cartera / "pagos.csv").write_bytes(book.read_bytes())
    before = stored_counts()
    code, out = run_import(cartera)
    assert code == 1
    assert "pagos.csv: el archivo es un libro de Excel con la extensión cambiada a .csv" in out
    assert stored_counts() == before


def test_empty_file_and_missing_file_are_refused(cartera):
    (cartera / "ministraciones.csv").write_bytes(b"")
    (cartera / "pagos.csv").unlink()
    before = stored_counts()
    code, out = run_import(cartera, "--partial")  # unreadable files: nothing, even partially
    assert code == 1
    assert "ministraciones.csv: el archivo está vacío" in out
    assert "pagos.csv: falta el archivo pagos.csv." in out
    assert stored_counts() == before


def test_folio_already_stored_with_different_data_is_an_error(cartera):
    assert run_import(cartera)[0] == 0
    replace_in(cartera, "creditos", "2020-06-30,,36,", "2020-06-30,,48,")
    before = stored_counts()
    code, out = run_import(cartera)
    assert code == 1
    assert ("creditos.csv, fila 2, columna plazo_meses: el folio CE-0001 ya existe en el sistema con "
            "otro valor en plazo_meses (en el sistema: 36; en el archivo: 48).") in out
    assert stored_counts() == before


def test_partial_stores_only_the_credits_whose_rows_are_all_valid(cartera):
    from recupera.credits.models import Credit, LedgerEntry
    from recupera.people.models import Person

    replace_in(cartera, "pagos", "CE-0001,2021-02-10,1000.00", "CE-0001,2021-02-10,-1000.00")  # CE-0001's payment
    replace_in(cartera, "creditos", ",,92,", ",,192,")  # CE-0003's own row
    code, out = run_import(cartera, "--partial")
    assert code == 1
    assert set(Credit.objects.values_list("folio", flat=True)) == {"CE-0002"}
    # CE-0002's people only (Juan is CE-0001's guarantor too, but CE-0002 uses him).
    assert set(Person.objects.values_list("curp", flat=True)) == {"LOPM920315MSRPRR08", "RAVJ880720HSRMLN06"}
    assert LedgerEntry.objects.count() == 2
    assert "el crédito CE-0001 no se importó, con sus ministraciones y pagos" in out
    assert "pagos.csv, fila 2, columna importe" in out
    lines = {line.split()[0]: line.split()[1:] for line in out.splitlines()[1:] if line[:1].isalpha()}
    assert lines["créditos"] == ["1", "0", "2"]

    # Fixing the files and importing again completes the portfolio; the rest already existed.
    replace_in(cartera, "pagos", "-1000.00", "1000.00")
    replace_in(cartera, "creditos", ",,192,", ",,92,")
    code, out = run_import(cartera, "--partial")
    assert code == 0, out
    _assert_valid_portfolio_stored()
