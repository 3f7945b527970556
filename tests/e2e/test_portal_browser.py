"""Acceptance (issue 27) in Chromium: a debtor signs in with the code the demo SMS sender wrote,
downloads the statement and the payment slip, asks for a payment plan, and the request appears
in the collector's workbench. And axe-core (axe-playwright-python, its script bundled: no
network) on every portal page, at phone size, with zero serious or critical violations."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# the portal's fixtures (two debtors with overdue credits, a collector)
from tests.portal import conftest as _portal  # noqa: E402

world = _portal.world
sms_file = _portal._sms_file
product_ce = _portal.product_ce

PHONE = "+526621000001"


def _code(phone: str = PHONE) -> str:
    from recupera.portal.senders import last_sms_to

    return re.search(r"\b(\d{6})\b", last_sms_to(phone) or "").group(1)


def _portal_signin(page, base: str, identifier: str = "PTL-0001", phone: str = PHONE) -> None:
    page.goto(f"{base}/portal/entrar/")
    page.fill("#id_identifier", identifier)
    page.click("button.p-button")
    page.wait_for_url("**/portal/entrar/codigo/")
    page.fill("#id_code", _code(phone))
    page.click("button.p-button")
    page.wait_for_url("**/portal/cuenta/")


def test_debtor_signs_in_downloads_and_requests_a_plan(live_server, browser_page, login, world, screenshot,
                                                       tmp_path):
    from recupera.portal.models import PortalRequest

    page = browser_page
    page.goto(f"{live_server.url}/portal/entrar/")
    page.fill("#id_identifier", "PTL-0001")
    page.click("button.p-button")
    assert "enviamos un código de 6 dígitos" in page.inner_text("main")
    page.fill("#id_code", "000000" if _code() != "000000" else "111111")
    page.click("button.p-button")
    assert "El código no es correcto o ya venció." in page.inner_text("main")
    page.fill("#id_code", _code())
    page.click("button.p-button")
    page.wait_for_url("**/portal/cuenta/")
    assert "Hola, Ana" in page.inner_text("main")
    page.click("text=Crédito PTL-0001")
    main = page.inner_text("main")
    assert "Tiene pagos atrasados desde hace" in main and "Para liquidar hoy" in main
    screenshot(page, "portal-credito")

    with page.expect_download() as info:
        page.click("text=Descargar estado de cuenta (PDF)")
    statement = info.value
    assert statement.suggested_filename == "estado-de-cuenta-PTL-0001-20240620.pdf"
    assert open(statement.path(), "rb").read(5) == b"%PDF-"

    page.check("input[name=importe][value=liquidar]")
    with page.expect_download() as info:
        page.click("text=Descargar ficha de pago (PDF)")
    slip = info.value
    assert slip.suggested_filename == "ficha-de-pago-PTL-0001.pdf"
    assert open(slip.path(), "rb").read(5) == b"%PDF-"

    page.click("text=Ver opciones de convenio")
    card = page.locator(".p-card", has_text="Convenio de pagos")
    card.locator("button", has_text="Solicitar esta opción").click()
    assert "Recibimos su solicitud. Su gestor la revisará" in page.inner_text("main")
    assert "Solicitud de convenio" in page.inner_text("main")
    req = PortalRequest.objects.get()
    assert req.kind == "plan" and req.collector == world.collector

    # The collector, in the same browser (the two sessions do not mix), sees it in the workbench.
    login(world.collector)
    page.goto(f"{live_server.url}/cobranza/")
    page.click("text=1 solicitud del portal por atender")
    row = page.locator("tr", has_text="PTL-0001")
    assert "Solicitud de convenio" in row.inner_text() and "Ana López" in row.inner_text()
    screenshot(page, "portal-bandeja-gestor")
    row.locator("a", has_text="Proponer en el simulador").click()
    assert "/convenios/simular/PTL-0001/" in page.url
    assert page.input_value("#id_installments") == str(req.plan["installments"])
    # the debtor's portal session is still there, the staff one did not replace it
    page.goto(f"{live_server.url}/portal/cuenta/")
    assert "Hola, Ana" in page.inner_text("main")


def _serious(results) -> list[str]:
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in results.response["violations"]
            if v.get("impact") in ("serious", "critical")]


def test_every_portal_page_passes_axe(live_server, chromium_browser, world, screenshot):
    import datetime as dt

    from axe_playwright_python.sync_playwright import Axe

    from recupera.privacy.demo import DEMO_NOTICE
    from recupera.privacy.models import PrivacyNotice

    PrivacyNotice.objects.create(version="2024-1", text=DEMO_NOTICE, effective_date=dt.date(2024, 1, 1))
    context = chromium_browser.new_context(viewport={"width": 390, "height": 844}, locale="es-MX",
                                           timezone_id="America/Hermosillo", is_mobile=True)
    page = context.new_page()
    axe = Axe()
    base = live_server.url
    found: dict[str, list[str]] = {}
    try:
        public = ["/portal/", "/portal/como-funciona/", "/portal/donde-pagar/", "/portal/aviso-de-privacidad/",
                  "/portal/arco/", "/portal/entrar/"]
        for path in public:
            page.goto(base + path)
            found[path] = _serious(axe.run(page))
        page.goto(base + "/portal/entrar/")
        page.fill("#id_identifier", "PTL-0001")
        page.click("button.p-button")
        found["/portal/entrar/codigo/"] = _serious(axe.run(page))
        page.fill("#id_code", _code())
        page.click("button.p-button")
        page.wait_for_url("**/portal/cuenta/")
        for path in ["/portal/cuenta/", "/portal/cuenta/PTL-0001/", "/portal/cuenta/PTL-0001/convenio/",
                     "/portal/cuenta/PTL-0001/llamenme/", "/portal/cuenta/PTL-0001/preguntas/",
                     "/portal/cuenta/NO-EXISTE/"]:
            page.goto(base + path)
            found[path] = _serious(axe.run(page))
            name = path.strip("/").replace("/", "-") or "portal"
            screenshot(page, f"movil-{name}")
        # a form with errors, too
        page.goto(base + "/portal/cuenta/PTL-0001/preguntas/")
        page.click("button.p-button")
        found["preguntas con error"] = _serious(axe.run(page))
    finally:
        context.close()
    assert {path: v for path, v in found.items() if v} == {}
    assert len(found) == 14
