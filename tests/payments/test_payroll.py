"""Payroll deduction (descuento vía nómina): enrollments, the export, the `nomina` import."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from recupera.core.roles import Role
from tests.payments.conftest import TODAY

pytestmark = pytest.mark.django_db
APRIL = "2025-04"  # as of 01/04/2025 (after TODAY, 31/03/2025); installment 4 due 15/04/2025
HEADER = "period,employee_number,folio,amount_deducted,operation_id"


@pytest.fixture(autouse=True)
def _business_date(db):
    from recupera.core.services import business_date_set

    business_date_set(actor=None, business_date=TODAY)


def _enroll(credit, number: str, *, agency: str = "SEP", amount: str | None = None,
            active: bool = True):
    from recupera.payments.services import payroll_enrollment_save

    enrollment, _created = payroll_enrollment_save(
        actor=None, credit=credit, employee_number=number, agency=agency,
        since=dt.date(2024, 1, 1), active=active, amount=amount)
    return enrollment


def _pay_installments_on_time(credit, count: int) -> None:
    """Pay installments 1..count on their due dates with the engine's punctual amount."""
    from recupera.credits.engine_io import credit_state
    from recupera.credits.services import entry_post

    for k in range(count):
        due = credit_state(credit, as_of=TODAY).installments[k].effective_due_date
        amount = credit_state(credit, as_of=due).installments[k].amount_due
        entry_post(actor=None, credit=credit, kind="payment", value_date=due, amount=amount,
                   natural_key=f"test:{credit.pk}:{k}", channel="caja", as_of=TODAY)


def _export(period: str = APRIL, **kwargs) -> list[dict[str, str]]:
    from recupera.payments.payroll import parse_period, payroll_csv, payroll_lines

    text = payroll_csv(payroll_lines(period=parse_period(period), business_date=TODAY, **kwargs))
    assert text.splitlines()[0] == ("employee_number,curp,name,folio,agency,amount_to_deduct,"
                                    "period")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def payroll_debtors(make_credit, make_person):
    """Two enrolled debtors (one current, one overdue) and three who must not be exported."""
    current = make_credit(folio="CE-NOM-001", borrower=make_person("Ana", "López"))
    _pay_installments_on_time(current, 3)
    overdue = make_credit(folio="CE-NOM-002", borrower=make_person("Luis", "Pérez"))
    _enroll(current, "E-1001")
    _enroll(overdue, "E-2002", agency="Salud")
    not_enrolled = make_credit(folio="CE-NOM-003")  # overdue, but not a state employee
    inactive = make_credit(folio="CE-NOM-004")
    _enroll(inactive, "E-4004", active=False)
    nothing_owed = make_credit(folio="CE-NOM-005", first_due_date=dt.date(2026, 1, 15))
    _enroll(nothing_owed, "E-5005")
    return {"current": current, "overdue": overdue, "not_enrolled": not_enrolled,
            "inactive": inactive, "nothing_owed": nothing_owed}


# --- enrollments ------------------------------------------------------------------------------
def test_enrollment_is_audited_and_validated(make_credit, make_person):
    from django.core.exceptions import ValidationError

    from recupera.core.models import AuditEntry
    from recupera.payments.services import payroll_enrollment_save

    credit = make_credit()
    enrollment = _enroll(credit, " E-77 ", agency="  Secretaría   de Salud ")
    assert (enrollment.employee_number, enrollment.agency) == ("E-77", "Secretaría de Salud")
    _enroll(credit, "E-77", agency="Secretaría de Salud", amount="300")
    enrollment.refresh_from_db()
    assert enrollment.amount == Decimal("300.00")
    actions = list(AuditEntry.objects.filter(object_type="payments.payrollenrollment")
                   .order_by("pk").values_list("action", flat=True))
    assert actions == ["pagos.nomina.inscribir", "pagos.nomina.modificar"]
    other = make_credit(borrower=make_person("Otro", "Deudor"))
    with pytest.raises(ValidationError) as exc:
        payroll_enrollment_save(actor=None, credit=other, employee_number="E-77",
                                agency="secretaría de salud", since=TODAY, amount="-5")
    assert "amount" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        payroll_enrollment_save(actor=None, credit=other, employee_number="E-77",
                                agency="secretaría de salud", since=TODAY)
    assert "otra persona" in exc.value.message_dict["employee_number"][0]


# --- export -----------------------------------------------------------------------------------
def test_export_to_the_cent(payroll_debtors):
    from recupera.credits.engine_io import credit_state

    rows = _export()
    assert [r["folio"] for r in rows] == ["CE-NOM-001", "CE-NOM-002"]  # SEP, then Salud
    current, overdue = rows
    # Current: only installment 4 at its punctual amount: 231.99 - rebate 28.71.
    assert current == {"employee_number": "E-1001", "curp": payroll_debtors["current"].borrower.curp,
                       "name": "Ana López Mendoza", "folio": "CE-NOM-001", "agency": "SEP",
                       "amount_to_deduct": "203.28", "period": APRIL}
    # Overdue: installments 1-3 in full (3 x 231.99 = 695.97) + late interest to 01/04/2025 at
    # 9 % (171.99 x 76 days -> 3.27, 172.85 x 43 -> 1.86, 173.71 x 14 -> 0.61: 5.74)
    # + installment 4 at its punctual amount (203.28) = 904.99.
    state = credit_state(payroll_debtors["overdue"], as_of=dt.date(2025, 4, 1))
    assert state.total_overdue == Decimal("695.97") + state.late_interest
    assert overdue["amount_to_deduct"] == f"{state.total_overdue + Decimal('203.28'):.2f}"
    assert state.late_interest == Decimal("5.74")
    assert overdue["amount_to_deduct"] == "904.99"
    assert (overdue["employee_number"], overdue["agency"]) == ("E-2002", "Salud")


def test_export_cap_agency_filter_and_fortnights(payroll_debtors):
    _enroll(payroll_debtors["overdue"], "E-2002", agency="Salud", amount="500")
    assert {r["folio"]: r["amount_to_deduct"] for r in _export()} == {
        "CE-NOM-001": "203.28", "CE-NOM-002": "500.00"}
    assert [r["folio"] for r in _export(agency="salud")] == ["CE-NOM-002"]
    # Q1 holds installment 4 (15/04); in Q2 the current debtor owes nothing more (as of 16/04
    # the unpaid installment 4 is overdue, so it is exported once, not twice).
    assert [r["period"] for r in _export("2025-04-Q1")] == ["2025-04-Q1", "2025-04-Q1"]
    q2 = {r["folio"]: r["amount_to_deduct"] for r in _export("2025-04-Q2")}
    # 231.99 with full interest + 1 day of late interest on 174.58 at 9 % (0.04).
    assert q2 == {"CE-NOM-001": "232.03", "CE-NOM-002": "500.00"}


def test_export_command_writes_the_file(payroll_debtors, tmp_path):
    out = tmp_path / "nomina.csv"
    stdout = io.StringIO()
    call_command("payroll", "export", "--period", APRIL, "--out", str(out), stdout=stdout)
    text = out.read_text(encoding="utf-8")
    assert text.startswith("employee_number,curp,name,folio,agency,amount_to_deduct,period\n")
    assert "CE-NOM-001" in text and "203.28" in text and "CE-NOM-003" not in text
    assert "2 descuentos" in stdout.getvalue()


def test_bad_period_is_refused_in_spanish():
    from django.core.management.base import CommandError

    from recupera.payments.payroll import parse_period

    assert (parse_period("2025-02-q2").start, parse_period("2025-02-q2").end) == (
        dt.date(2025, 2, 16), dt.date(2025, 2, 28))
    for bad in ("2025-13", "2025-4", "abril", "2025-04-Q3"):
        with pytest.raises(ValueError, match="no es un periodo válido"):
            parse_period(bad)
    with pytest.raises(CommandError, match="no es un periodo válido"):
        call_command("payroll", "export", "--period", "2025-13", "--out", "/tmp/x.csv")


# --- web: button and permission -----------------------------------------------------------------
def test_export_button_and_download_for_the_portfolio_office(payroll_debtors, make_user, client_for):
    client = client_for(make_user(Role.PORTFOLIO_OFFICE))
    assert "/pagos/nomina/exportar/" in client.get("/pagos/").content.decode()
    assert client.get("/pagos/nomina/exportar/").status_code == 200
    response = client.get("/pagos/nomina/exportar/", {"period": APRIL})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="nomina-2025-04.csv"' in response["Content-Disposition"]
    assert "E-1001" in response.content.decode("utf-8")
    bad = client.get("/pagos/nomina/exportar/", {"period": "2025-99"})
    assert bad.status_code == 200 and "no es un periodo válido" in bad.content.decode()


def test_collector_and_cashier_cannot_export(make_user, client_for):
    client = client_for(make_user(Role.COLLECTOR))
    assert client.get("/pagos/nomina/exportar/", {"period": APRIL}).status_code == 403
    cashier = client_for(make_user(Role.CASHIER))
    assert "/pagos/nomina/exportar/" not in cashier.get("/pagos/").content.decode()
    assert cashier.get("/pagos/nomina/exportar/").status_code == 403


# --- import of the applied deductions -----------------------------------------------------------
def _applied(rows: list[str]) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


def _paid(credit) -> Decimal:
    from recupera.credits.models import LedgerEntry

    return sum((e.amount for e in LedgerEntry.objects.filter(credit=credit, channel="nomina")),
               Decimal("0"))


def test_import_posts_once_and_twice_is_duplicates(payroll_debtors, run_import):
    from recupera.payments.models import BankOperation

    content = _applied([
        "2025-03-Q2,E-1001,CE-NOM-001,203.28,OP-1",
        "2025-03-Q2,E-2002,,500.00,OP-2",  # no folio: identified by the employee number
        "2025-03-Q2,E-9999,CE-NADA,120.00,OP-3",  # nobody: the unidentified queue
    ])
    imp = run_import(content, "nomina", name="aplicados.csv")
    assert imp.status == "terminada"
    assert (imp.applied_count, imp.applied_amount) == (2, Decimal("703.28"))
    assert (imp.unidentified_count, imp.unidentified_amount) == (1, Decimal("120.00"))
    assert _paid(payroll_debtors["current"]) == Decimal("203.28")
    assert _paid(payroll_debtors["overdue"]) == Decimal("500.00")
    ops = {op.operation_key: op for op in BankOperation.objects.all()}
    assert ops["2025-03-Q2|OP-1"].match == "folio" and ops["2025-03-Q2|OP-1"].channel == "nomina"
    assert ops["2025-03-Q2|OP-1"].value_date == dt.date(2025, 3, 31)
    assert ops["2025-03-Q2|OP-2"].match == "empleado"
    unknown = ops["2025-03-Q2|OP-3"]
    assert unknown.status == "no_identificado" and unknown.credit is None
    assert "CE-NADA" in unknown.unidentified_reason and "E-9999" in unknown.unidentified_reason
    assert "E-9999" in unknown.concept  # searchable in the unidentified queue

    again = run_import(content, "nomina", name="aplicados-otra-vez.csv")
    assert (again.applied_count, again.duplicate_count, again.unidentified_count) == (0, 3, 0)
    assert _paid(payroll_debtors["current"]) == Decimal("203.28")
    assert _paid(payroll_debtors["overdue"]) == Decimal("500.00")
    assert BankOperation.objects.count() == 3


def test_import_reports_bad_rows_in_spanish(payroll_debtors, run_import):
    imp = run_import(_applied([
        "2025-03-Q2,E-1001,CE-NOM-001,203.28,OP-10",
        "2025-13,E-1001,CE-NOM-001,10.00,OP-11",
        '2025-03,E-1001,CE-NOM-001,"1,234.00",OP-12',
        "2025-03,E-1001,CE-NOM-001,-5.00,OP-13",
        "2025-04-Q1,E-1001,CE-NOM-001,10.00,OP-14",
        "2025-03,E-1001,CE-NOM-001,10.00,",
    ]), "nomina")
    assert imp.applied_count == 1 and imp.error_count == 5
    errors = {p["row"]: p["message"] for p in imp.problems if p["severity"] == "error"}
    assert "no es un periodo válido" in errors[3]
    assert "lleva comas" in errors[4]
    assert "negativo" in errors[5]
    assert "después de la fecha de operación" in errors[6]
    assert "identifica la operación" in errors[7]
    assert _paid(payroll_debtors["current"]) == Decimal("203.28")


def test_wrong_header_rejects_the_file(run_import):
    imp = run_import(b"fecha,referencia,importe,operacion,banco\n2025-03-10,1,10.00,X,BBVA\n",
                     "nomina")
    assert imp.status == "rechazada" and imp.applied_count == 0
    assert "faltan las columnas" in imp.problems[0]["message"]


def test_import_command(payroll_debtors, tmp_path):
    path = tmp_path / "aplicados.csv"
    path.write_bytes(_applied(["2025-03-Q2,E-1001,CE-NOM-001,203.28,OP-20"]))
    stdout = io.StringIO()
    call_command("payroll", "import", str(path), "--date", TODAY.isoformat(), stdout=stdout)
    assert "aplicados: 1" in stdout.getvalue()
    stdout = io.StringIO()
    call_command("payroll", "import", str(path), "--date", TODAY.isoformat(), stdout=stdout)
    assert "aplicados: 0" in stdout.getvalue() and "duplicados (no aplicados otra vez): 1" in (
        stdout.getvalue())
    assert _paid(payroll_debtors["current"]) == Decimal("203.28")
