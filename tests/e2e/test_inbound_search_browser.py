"""The inbound-call box finds the caller as the collector types it (issue 24, item 2): without
accents, lower case, two words, a folio's beginning."""

from __future__ import annotations

import pytest

from tests.e2e.test_refusals_browser import _assigned_case

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize("typed", ["lopez", "ana lopez", "LÓPEZ soto ana", "e2e-"])
def test_collector_finds_the_caller(live_server, login, make_user, typed):
    case, collector, _ = _assigned_case(make_user)
    page = login(collector)
    page.goto(f"{live_server.url}/cobranza/llamada/")
    page.fill("#call-q", typed)
    page.press("#call-q", "Enter")
    page.wait_for_load_state()
    rows = page.locator("main table.grid tbody tr")
    assert rows.count() == 1
    row = rows.nth(0).inner_text()
    assert "E2E-1" in row and "Ana López Soto" in row and "$3,575.17" in row
    assert page.locator("text=Atender y registrar").count() == 1


def test_nothing_found_says_so(live_server, login, make_user):
    _, collector, _ = _assigned_case(make_user)
    page = login(collector)
    page.goto(f"{live_server.url}/cobranza/llamada/?q=lopez+ruiz+zzz")
    assert "No se encontró un caso abierto" in page.inner_text("main")
