"""Acceptance (issue 23): a collector with a goal posts a promise, the cashier takes the
payment at the counter, the daily close runs, and the collector's home («Mi día») shows the new
percentage and the promise kept; the Jefe's dashboard and the Subdirección's month render."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from recupera.core.roles import Role
from tests.e2e.test_workbench_browser import _credit

AS_OF = dt.date(2025, 3, 10)

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_promise_payment_close_and_the_collectors_home(live_server, browser_page, login, make_user, screenshot):
    from recupera.cob.services import close_run
    from recupera.collections import services
    from recupera.collections.models import Case
    from recupera.core.models import OperatingDate
    from recupera.goals.services import goals_save

    OperatingDate.objects.update_or_create(pk=1, defaults={"business_date": AS_OF - dt.timedelta(days=3)})
    collector = make_user(Role.COLLECTOR, username="gestora", first_name="Lucía", last_name="Valenzuela")
    supervisor = make_user(Role.SUPERVISOR, username="jefe", first_name="Ramón")
    cashier = make_user(Role.CASHIER, username="cajera", first_name="Alma")
    credit = _credit(1, "40000.00")
    services.cases_sync(actor=None, as_of=AS_OF)
    services.cases_reassign(actor=supervisor, cases=list(Case.objects.all()), collector=collector,
                            reason="Cartera inicial", as_of=dt.date(2025, 3, 3))
    goals_save(actor=supervisor, month=dt.date(2025, 3, 1), business_date=dt.date(2025, 2, 27),
               institute_amount="20000.00", collector_amounts={collector.pk: "6000.00"})
    close_run(actor=None, business_date=AS_OF - dt.timedelta(days=3))  # Friday 07/03
    OperatingDate.objects.filter(pk=1).update(business_date=AS_OF)
    case = Case.objects.get(credit=credit)

    # Before: the goal and nothing recovered.
    page = login(collector)
    assert "$6,000.00" in page.inner_text("section.myday")
    assert page.inner_text("[data-testid=avance]") == "0.0 %"

    # The collector logs a call with a promise for today.
    page.goto(f"{live_server.url}/cobranza/caso/{case.pk}/")
    page.select_option("#id_channel", "llamada_entrante")
    page.select_option("#id_party", "acreditado")
    page.select_option("#id_outcome", label="Promesa de pago")
    page.fill("#id_promise_due_on", AS_OF.strftime("%d/%m/%Y"))
    page.fill("#id_notes", "Paga hoy en caja")
    page.fill("#id_promise_amount", "1500.00")
    page.press("#id_promise_amount", "Enter")
    page.wait_for_selector("text=Gestión registrada.")
    page.goto(f"{live_server.url}/")
    assert "vence hoy" in page.inner_text("section.myday")
    page.click("text=Salir")

    # The cashier takes the payment.
    page = login(cashier)
    page.goto(f"{live_server.url}/pagos/caja/")
    page.fill("#id_folio", "E2E-1")
    page.fill("#id_amount", "1500.00")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/pagos/**")
    assert "CAJA-" in page.inner_text("main")
    page.click("text=Salir")

    # The daily close runs; the collector's home shows 25.0 % and the promise kept.
    close_run(actor=None, business_date=AS_OF)
    page = login(collector)
    panel = page.inner_text("section.myday")
    assert page.inner_text("[data-testid=avance]") == "25.0 %"  # 1,500.00 of 6,000.00
    assert "$1,500.00" in panel and "cumplida" in panel
    # 4,500.00 missing over the 14 business days left in March (the 17th is a holiday)
    assert "$321.43" in panel and "quedan 14 días hábiles" in panel
    screenshot(page, "metas-mi-dia")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "metas-mi-dia-telefono")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.click("text=Salir")

    # The Jefe: the team dashboard and the drill-down agree.
    page = login(supervisor)
    page.goto(f"{live_server.url}/metas/equipo/?mes=2025-03")
    table = page.inner_text("main table.grid")
    assert "Lucía Valenzuela" in table and "$1,500.00" in table and "25.0 %" in table
    assert page.locator("img.chart").count() == 2
    screenshot(page, "metas-equipo")
    page.click("main table.grid a:has-text('Pagos')")
    assert page.inner_text("[data-testid=total]") == "$1,500.00"
    assert "Caja" in page.inner_text("main table")
    assert Decimal("1500.00") == Decimal(page.inner_text("[data-testid=total]").strip("$").replace(",", ""))
