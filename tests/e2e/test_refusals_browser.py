"""Every refusal is visible (issue 24, item 1): answers to htmx forms that refuse (422 with the
form and its Spanish reason, or a 403/404/500 page) appear on screen, through the one handler
in core/static/core/recupera.js and the htmx-config of core/base.html."""

from __future__ import annotations

import pytest

from recupera.core.roles import Role
from tests.e2e.test_workbench_browser import AS_OF, _credit

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _assigned_case(make_user):
    from recupera.collections import services
    from recupera.collections.models import Case
    from recupera.core.models import OperatingDate

    OperatingDate.objects.update_or_create(pk=1, defaults={"business_date": AS_OF})
    collector = make_user(Role.COLLECTOR, username="gestora", first_name="Lucía", last_name="Mora")
    supervisor = make_user(Role.SUPERVISOR, username="jefe", first_name="Ramón", last_name="Félix")
    credit = _credit(1, "40000.00")
    services.cases_sync(actor=None, as_of=AS_OF)
    case = Case.objects.get(credit=credit)
    services.cases_reassign(actor=supervisor, cases=[case], collector=collector,
                            reason="Cartera inicial", as_of=AS_OF)
    return case, collector, supervisor


def _outbound_call_without_number(page) -> None:
    page.select_option("#id_channel", "llamada_saliente")
    page.select_option("#id_party", "acreditado")
    page.select_option("#id_contact_point", "")
    page.select_option("#id_outcome", label="No contesta")
    page.click("#action-form button.primary")


def test_conduct_refusal_bad_date_and_lost_case_are_shown(live_server, login, make_user, screenshot):
    from recupera.collections.models import Action, Case

    case, collector, supervisor = _assigned_case(make_user)
    page = login(collector)
    page.goto(f"{live_server.url}/cobranza/caso/{case.pk}/")

    # A conduct rule refuses the call: the reason is on screen, nothing is saved.
    _outbound_call_without_number(page)
    alert = page.locator("#action-panel .conduct-refused")
    alert.wait_for()
    text = alert.inner_text()
    assert "La gestión no se registró: viola las reglas de conducta." in text
    assert "registrados en el expediente" in text
    assert "Solo el Jefe de Departamento puede autorizar una excepción" in text
    assert page.locator(".override-form").count() == 0
    screenshot(page, "refusal-conduct")

    # A date that does not exist: the field's Spanish error is on screen.
    page.select_option("#id_contact_point", index=1)
    page.select_option("#id_outcome", label="Promesa de pago")
    page.fill("#id_promise_amount", "1500.00")
    page.fill("#id_promise_due_on", "31/02/2025")
    with page.expect_response("**/gestion/") as answer:
        page.click("#action-form button.primary")
    assert answer.value.status == 422
    page.wait_for_selector("#action-panel .has-error")
    panel = page.inner_text("#action-panel")
    assert "Introduzca una fecha válida." in panel
    assert "viola las reglas de conducta" not in panel
    assert Action.objects.count() == 0

    # The case goes to another collector while the page is open: the 404 page's reason
    # appears in the alert area instead of nothing happening.
    other = make_user(Role.COLLECTOR, username="otro", first_name="Otro")
    Case.objects.filter(pk=case.pk).update(collector=other)
    page.fill("#id_promise_due_on", "14/03/2025")
    page.click("#action-form button.primary")
    page.wait_for_selector("#htmx-alert:not([hidden])")
    assert "No encontramos esta página" in page.inner_text("#htmx-alert")
    assert Action.objects.count() == 0
    screenshot(page, "refusal-not-found")


def test_supervisor_sees_the_authorize_exception_form(live_server, login, make_user, screenshot):
    case, collector, supervisor = _assigned_case(make_user)
    page = login(supervisor)
    page.goto(f"{live_server.url}/cobranza/caso/{case.pk}/")
    _outbound_call_without_number(page)
    page.locator(".override-form").wait_for()
    assert "Autorizar excepción (Jefe de Departamento)" in page.inner_text(".override-form")
    assert "registrados en el expediente" in page.inner_text("#action-panel .conduct-refused")
    screenshot(page, "refusal-override-form")
