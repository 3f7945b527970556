"""Portfolio office uploads a BBVA CIE file, watches the progress bar finish (htmx polling) and
finds the payment on the credit page."""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BUSINESS_DATE = dt.date(2025, 3, 31)
FOLIO = "CE-2025-PAGO1"


@pytest.fixture
def credit_with_reference():
    from recupera.core.services import business_date_set
    from recupera.credits.models import Product
    from recupera.credits.services import credit_create, credit_refresh, disbursement_add
    from recupera.payments.references import payment_reference_for
    from recupera.people.models import Person
    from recupera.people.names import search_name

    business_date_set(actor=None, business_date=BUSINESS_DATE)
    person = Person.objects.create(curp="VARM010504MSRLMRA3", first_name="María", last_name="Valenzuela",
                                   second_last_name="Romero", sex="M", birth_date=dt.date(2001, 5, 4),
                                   search_name=search_name("María", "Valenzuela", "Romero"))
    credit = credit_create(actor=None, folio=FOLIO, product=Product.objects.get(code="CE"),
                           borrower=person, first_due_date=dt.date(2025, 1, 15), term_months=60)
    disbursement_add(actor=None, credit=credit, number=1, date=dt.date(2020, 1, 15),
                     amount=Decimal("12000.00"))
    credit_refresh(credit=credit, as_of=BUSINESS_DATE)
    return credit, payment_reference_for(credit)


def _worker(stop: threading.Event) -> None:
    """Stands in for `recupera worker`: runs pending imports a moment after they are stored."""
    from django.db import connections

    from recupera.payments.models import PaymentImport
    from recupera.payments.services import payment_import_run

    try:
        while not stop.is_set():
            pending = PaymentImport.objects.filter(status="pendiente").first()
            if pending is not None:
                time.sleep(1.5)  # let the page show the bar before it fills
                payment_import_run(actor=pending.uploaded_by, payment_import=pending)
            time.sleep(0.2)
    finally:
        connections.close_all()


def test_upload_bank_file_watch_progress_and_find_the_payment(
        live_server, login, browser_page, make_user, credit_with_reference, tmp_path, screenshot):
    from recupera.core.roles import Role
    from tests.payments.conftest import cie_file, cie_line

    _credit, reference = credit_with_reference
    path = tmp_path / "cie-marzo.txt"
    path.write_bytes(cie_file([cie_line(date=dt.date(2025, 3, 12), reference=reference,
                                        amount="1340.25", guide="4455667")]))
    page = login(make_user(Role.PORTFOLIO_OFFICE, username="subdir"))
    stop = threading.Event()
    worker = threading.Thread(target=_worker, args=(stop,), daemon=True)
    worker.start()
    try:
        page.goto(f"{live_server.url}/pagos/importar/")
        page.select_option("#id_layout", "bbva-cie")
        page.set_input_files("#id_file", str(path))
        page.click("main form button[type=submit]")
        page.wait_for_selector("progress#barra")
        assert page.locator("progress#barra").get_attribute("value") == "0"
        page.wait_for_selector("#resultado", timeout=20_000)  # htmx polled, then reloaded
        assert page.locator("progress#barra").get_attribute("value") == "100"
        assert page.locator("#aplicados").inner_text() == "1"
        screenshot(page, "pagos-importacion")
        page.click(f"a:has-text('{FOLIO}')")
        page.wait_for_selector("#h-movimientos")
        movements = page.locator("table.movements").inner_text()
        assert "12/03/2025" in movements and "$1,340.25" in movements
        screenshot(page, "pagos-credito")
    finally:
        stop.set()
        worker.join(10)
