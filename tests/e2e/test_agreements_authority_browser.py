"""Acceptance (issue 20, finding 6): the simulator shows what a restructure forgives and who must
authorize it; a gestor's restructure waits for the Subdirección, the jefe does not see it in
«Autorizaciones», the Subdirección applies it."""

from __future__ import annotations

import pytest

from recupera.core.roles import Role
from tests.e2e.test_agreements_browser import AS_OF, _overdue_credit

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_restructure_waits_for_the_level_its_forgiveness_needs(live_server, browser_page, login, make_user,
                                                               screenshot):
    from recupera.agreements.models import Agreement
    from recupera.collections.services import case_open, cases_reassign
    from recupera.core.models import OperatingDate

    OperatingDate.objects.update_or_create(pk=1, defaults={"business_date": AS_OF})
    collector = make_user(Role.COLLECTOR, username="gestora", first_name="Lucía")
    supervisor = make_user(Role.SUPERVISOR, username="jefe", first_name="Ramón")
    officer = make_user(Role.PORTFOLIO_OFFICE, username="subdirectora", first_name="Elena")
    credit = _overdue_credit()
    case = case_open(actor=None, credit=credit, as_of=AS_OF, origin="automatico")
    cases_reassign(actor=None, cases=[case], collector=collector, reason="prueba", as_of=AS_OF)

    page = login(collector)
    page.goto(f"{live_server.url}/convenios/simular/{credit.folio}/")
    option = page.inner_text("#opcion-reestructura")
    assert "$410.41" in option and "Subdirección de Cartera" in option  # not «$0.00, Gestor»
    page.select_option("#id_kind", "reestructura")
    page.fill("#id_new_term_months", "24")
    page.fill("#id_reason", "Ingreso reducido")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/convenios/*/")
    assert "requiere autorización de Subdirección de Cartera" in page.inner_text("main")
    agreement = Agreement.objects.get(credit=credit)
    assert page.inner_text("#estado-convenio") == "Por autorizar"
    screenshot(page, "agreements-restructure-pending")

    page.click("text=Salir")
    page = login(supervisor)
    page.click("nav >> text=Autorizaciones")
    assert page.locator(f"#convenio-{agreement.pk}").count() == 0

    page.click("text=Salir")
    page = login(officer)
    page.click("nav >> text=Autorizaciones")
    row = page.locator(f"#convenio-{agreement.pk}")
    row.locator("input[name=comment]").fill("Procede")
    row.locator("button[value=aprobar]").click()
    page.wait_for_selector("#sin-pendientes")
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.APPLIED
