"""Issue 20, payments intake: the CLI (#4 future and impossible dates, #8 --chunk and columns in
messages, #9 exit codes) and resuming a killed import (#10)."""

from __future__ import annotations

import datetime as dt
import os
import socket
from decimal import Decimal
from io import StringIO

import pytest

from tests.payments.conftest import csv_file

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 3, 31)


@pytest.fixture
def business_date(db):
    from recupera.core.services import business_date_set

    business_date_set(actor=None, business_date=TODAY)
    return TODAY


def _cli(*args):
    from django.core.management import call_command

    out = StringIO()
    code = 0
    try:
        call_command("import", "payments", *args, stdout=out)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue()


def _file(tmp_path, content: bytes, name="pagos.csv"):
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def _payments():
    from recupera.credits.models import LedgerEntry

    return sorted((e.value_date, e.amount) for e in LedgerEntry.objects.filter(kind="payment"))


# --- 4. future and impossible dates ------------------------------------------------------------
def test_cli_refuses_a_business_date_after_the_systems(business_date, make_credit, ref, tmp_path):
    """`--date 2030-01-01` accepted a payment dated 2029-12-31 that the engine then ignored."""
    credit = make_credit()
    path = _file(tmp_path, csv_file([("2029-12-31", ref(credit), "61.27", "OP-1", "BBVA")]))
    code, text = _cli(path, "--layout", "generic-csv", "--date", "2030-01-01")
    assert code == 2
    assert "01/01/2030 es posterior a la fecha de operación del sistema (31/03/2025)" in text
    assert _payments() == []
    # Without --date the system's date is used and the future value date is a row error.
    code, text = _cli(path, "--layout", "generic-csv")
    assert code == 3 and "posterior a la fecha de operación" in text
    assert _payments() == []


def test_cli_impossible_date_is_a_spanish_message(business_date, tmp_path):
    code, text = _cli(_file(tmp_path, b"x\n"), "--layout", "generic-csv", "--date", "2026-02-31")
    assert code == 2
    assert text == "La fecha «2026-02-31» no es válida; escríbala como AAAA-MM-DD (p. ej. 2025-03-31).\n"


def test_payroll_cli_impossible_date_is_a_spanish_message(business_date, tmp_path):
    from django.core.management import CommandError, call_command

    out = StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("payroll", "import", _file(tmp_path, b"x\n"), "--date", "2026-02-31",
                     stdout=out)
    assert exc.value.code == 2 and "La fecha «2026-02-31» no es válida" in out.getvalue()
    with pytest.raises(SystemExit):
        call_command("payroll", "import", _file(tmp_path, b"x\n"), "--date", "2025-04-01",
                     stdout=out)
    assert "posterior a la fecha de operación del sistema (31/03/2025)" in out.getvalue()
    with pytest.raises(CommandError, match="La fecha «2026-02-31» no es válida"):
        call_command("payroll", "export", "--period", "2025-03", "--out",
                     str(tmp_path / "n.csv"), "--date", "2026-02-31", stdout=StringIO())


# --- 8. --chunk and columns in the CLI's messages ------------------------------------------------
@pytest.mark.parametrize("chunk", ["0", "-5", "abc", "10001"])
def test_cli_refuses_a_bad_chunk(business_date, tmp_path, chunk):
    code, text = _cli(_file(tmp_path, b"x\n"), "--layout", "generic-csv", "--chunk", chunk)
    assert code == 2 and f"--chunk «{chunk}» no es válido" in text


def test_service_refuses_a_bad_chunk(business_date, layouts):
    from django.core.exceptions import ValidationError

    from recupera.payments.services import payment_file_import

    with pytest.raises(ValidationError):
        payment_file_import(actor=None, layout=layouts["generic-csv"], name="x.csv",
                            content=b"fecha,referencia,importe,operacion,banco\n",
                            business_date=TODAY, chunk_size=0)


# --- 9. rejected rows: a distinct exit code, the row and column named ----------------------------
def test_cli_exit_code_tells_rejected_rows_apart(business_date, make_credit, ref, tmp_path):
    credit = make_credit()
    good = csv_file([("2025-03-10", ref(credit), "10.00", "OP-1", "BBVA")])
    code, text = _cli(_file(tmp_path, good), "--layout", "generic-csv")
    assert code == 0, text
    mixed = csv_file([("2025-03-10", ref(credit), "10.00", "OP-2", "BBVA"),
                      ("2025-03-10", ref(credit), "abc", "OP-3", "BBVA")])
    code, text = _cli(_file(tmp_path, mixed, "b.csv"), "--layout", "generic-csv")
    assert code == 3
    assert "[error] renglón 3, columna importe: «abc» no es un importe válido" in text
    assert "Hubo 1 renglones rechazados" in text
    code, text = _cli(_file(tmp_path, b"\xff\xfe\x00\x00", "c.csv"), "--layout", "generic-csv")
    assert code == 1 and "Rechazada" in text


# --- 10. a killed import is stale and resumes ---------------------------------------------------
class _Killed(BaseException):
    pass


def _killed_import(layouts, content: bytes, *, runner: str):
    """An import as a kill -9 leaves it: its first chunk committed, status «procesando», the
    process gone (`runner`)."""
    from recupera.payments.models import PaymentImport
    from recupera.payments.services import payment_file_import

    def die(imp):
        raise _Killed

    with pytest.raises(_Killed):
        payment_file_import(actor=None, layout=layouts["generic-csv"], name="pagos.csv",
                            content=content, business_date=TODAY, chunk_size=1, on_progress=die)
    imp = PaymentImport.objects.get()
    assert imp.applied_count == 1
    PaymentImport.objects.filter(pk=imp.pk).update(status="procesando", runner=runner,
                                                   failure="")
    imp.refresh_from_db()
    return imp


def test_killed_import_is_stale_and_resumes_from_the_cli(business_date, make_credit, ref, layouts,
                                                         tmp_path):
    credit = make_credit()
    content = csv_file([("2025-03-10", ref(credit), "10.00", "OP-1", "BBVA"),
                        ("2025-03-11", ref(credit), "20.00", "OP-2", "BBVA")])
    dead = f"{socket.gethostname()}:{2**22 + 12345}:999"  # no such process
    imp = _killed_import(layouts, content, runner=dead)
    assert imp.stale and imp.resumable
    code, text = _cli("--resume", str(imp.pk))
    assert code == 0, text
    imp.refresh_from_db()
    assert imp.status == "terminada" and imp.applied_count == 2, text
    assert imp.applied_amount == Decimal("30.00")
    assert _payments() == [(dt.date(2025, 3, 10), Decimal("10.00")),
                           (dt.date(2025, 3, 11), Decimal("20.00"))]  # the first one once
    from recupera.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="pagos.importacion.reanudar",
                                     object_id=str(imp.pk)).count() == 1
    code, text = _cli("--resume", str(imp.pk))
    assert code == 2 and "ya terminó" in text


def test_a_live_import_is_not_stale_and_cannot_be_resumed(business_date, make_credit, ref,
                                                           layouts):
    from django.core.exceptions import ValidationError

    from recupera.payments.services import _runner_id, payment_import_resume

    credit = make_credit()
    content = csv_file([("2025-03-10", ref(credit), "10.00", "OP-1", "BBVA")])
    imp = _killed_import(layouts, content, runner=_runner_id())  # this very process: alive
    assert not imp.stale
    with pytest.raises(ValidationError, match="se está procesando"):
        payment_import_resume(actor=None, payment_import=imp)


def test_stale_by_heartbeat_when_the_runner_is_on_another_host(business_date, make_credit, ref,
                                                               layouts, settings):
    from django.utils import timezone

    from recupera.payments.models import PaymentImport

    credit = make_credit()
    content = csv_file([("2025-03-10", ref(credit), "10.00", "OP-1", "BBVA")])
    imp = _killed_import(layouts, content, runner=f"otro-servidor:{os.getpid()}:1")
    assert not imp.stale
    settings.RECUPERA_IMPORT_STALE_SECONDS = 60
    PaymentImport.objects.filter(pk=imp.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(seconds=61))
    imp.refresh_from_db()
    assert imp.stale


def test_resume_button_on_the_import_screen(business_date, make_credit, ref, layouts, make_user,
                                            client_for, django_capture_on_commit_callbacks,
                                            settings):
    from recupera.core.roles import Role

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    credit = make_credit()
    content = csv_file([("2025-03-10", ref(credit), "10.00", "OP-1", "BBVA"),
                        ("2025-03-11", ref(credit), "20.00", "OP-2", "BBVA")])
    imp = _killed_import(layouts, content, runner=f"{socket.gethostname()}:{2**22 + 7}:1")
    client = client_for(make_user(Role.PORTFOLIO_OFFICE))
    html = client.get(f"/pagos/importaciones/{imp.pk}/").content.decode()
    assert "se interrumpió" in html and "Reanudar" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/pagos/importaciones/{imp.pk}/reanudar/")
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    imp.refresh_from_db()
    assert imp.status == "terminada" and imp.applied_amount == Decimal("30.00")
    assert "Reanudar" not in html
    assert _payments() == [(dt.date(2025, 3, 10), Decimal("10.00")),
                           (dt.date(2025, 3, 11), Decimal("20.00"))]
