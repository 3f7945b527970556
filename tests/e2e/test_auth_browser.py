"""Signing in with the second factor, in Chromium: password, enrolment (QR code and secret on
screen), the code, the recovery codes; a wrong code's message on screen."""

import base64

import pytest

from recupera.core.roles import Role

pytestmark = pytest.mark.browser
PASSWORD = "Clave-Segura-2026"


def _code_for(secret_text: str) -> str:
    from django_otp.oath import totp

    raw = secret_text.replace(" ", "")
    key = base64.b32decode(raw + "=" * (-len(raw) % 8))
    return f"{totp(key):06d}"


def test_a_cashier_enrols_and_signs_in_with_a_code(live_server, browser_page, make_user, screenshot):
    make_user(Role.CASHIER, username="alma", password=PASSWORD, first_name="Alma")
    page = browser_page
    page.goto(f"{live_server.url}/entrar/")
    page.fill("#id_username", "alma")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/verificar/alta/**")
    assert page.locator("h1").inner_text() == "Activar la verificación en dos pasos"
    assert page.locator("figure.qr svg").count() == 1
    assert page.locator("form[role=search]").count() == 0  # no menu before the second step
    page.fill("#id_token", "000000")
    page.click("button.primary")
    assert "El código no coincide" in page.locator("p.error").inner_text()
    page.wait_for_timeout(1100)  # django-otp makes a wrong code wait a second
    page.fill("#id_token", _code_for(page.locator("#otp-secret").inner_text()))
    page.click("button.primary")
    assert page.locator("h1").inner_text() == "Verificación en dos pasos activada"
    assert page.locator("ul.recovery-codes li").count() == 10
    screenshot(page, "otp_recovery_codes")
    page.click("text=Ya los guardé, continuar")
    assert "Buen día, Alma" in page.locator("h1").inner_text()


def test_swagger_renders_under_the_content_security_policy(live_server, browser_page, login,
                                                              make_user):
    page = login(make_user(Role.AUDITOR))
    page.goto(f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Recupera API" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock-tag").count() > 3  # the operations, from the schema
