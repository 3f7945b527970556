"""The Cierre diario page is finished (issue 24, item 7): it proposes the next business date as
the new operation date, and a close just queued appears at once and updates itself, without
reloading («Aún no hay cierres» never stays after a close)."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

FRIDAY = dt.date(2026, 11, 27)
MONDAY = dt.date(2026, 11, 30)


def test_close_page_proposes_the_date_and_shows_the_queued_close(live_server, login, make_user, settings,
                                                                 screenshot):
    from recupera.cob.services import close_run
    from recupera.core.roles import Role
    from recupera.core.services import business_date_set

    business_date_set(actor=None, business_date=FRIDAY)
    page = login(make_user(Role.PORTFOLIO_OFFICE, username="subdir-e2e"))
    page.goto(f"{live_server.url}/cierre/")
    assert page.input_value("#id_business_date") == "2026-11-30"
    assert ("Se propone el siguiente día hábil, 30/11/2026: al terminar el cierre será la nueva fecha "
            "de operación.") in page.inner_text("#fecha-propuesta")
    assert "Aún no hay cierres." in page.inner_text("#runs")

    page.click("text=Ejecutar cierre")
    page.wait_for_load_state()
    assert "quedó en cola" in page.inner_text("main")
    assert "En cola" in page.inner_text("#en-cola") and "30/11/2026" in page.inner_text("#en-cola")
    assert "Aún no hay cierres." not in page.inner_text("#runs")
    screenshot(page, "cierre-en-cola")

    # The worker runs it: the table shows the finished close by itself.
    close_run(actor=None, business_date=MONDAY)
    page.locator("#runs .badge.ok", has_text="Terminado").wait_for(timeout=15_000)
    assert page.locator("#en-cola").count() == 0
    assert "30/11/2026" in page.inner_text("#runs")
