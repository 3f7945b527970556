"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's
`live_server`. Mark them `@pytest.mark.browser`.

    def test_x(live_server, browser_page, login):
        login(user)                       # through the real login form
        browser_page.goto(live_server.url + "/creditos/")

Every test here gets the rows the migrations create (serialized rollback, autouse below).
Without /usr/bin/chromium the tests are skipped with the reason (never a silent pass).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM then refuses to run
# ("async unsafe") unless told that this is deliberate. Only the test process does this.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("RECUPERA_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Under the tests' own var folder (recupera.core.testing_var), or where RECUPERA_SCREENSHOTS says.
SCREENSHOT_DIR = Path(os.environ.get("RECUPERA_SCREENSHOTS",
                                     Path(os.environ.get("RECUPERA_VAR_DIR", "var")) / "screenshots"))
PASSWORD = "Clave-Segura-2026"


@pytest.fixture(autouse=True)
def _migration_rows_restored(django_db_serialized_rollback: None) -> None:
    """live_server runs on a transactional database, flushed after each test: serialized
    rollback puts back what the migrations created (roles, the CE product, catalogs) before
    every browser test, whatever ran before it."""


def _serialized_contents() -> dict[str, str]:
    from django.db import connections

    return {alias: connections[alias]._test_serialized_contents for alias in connections
            if hasattr(connections[alias], "_test_serialized_contents")}


def _restore_serialized_contents(saved: dict[str, str]) -> None:
    """Playwright's sync API runs the rest of the session in another greenlet, whose context
    holds new Django connection objects (asgiref Local): give them the serialized database
    that serialized rollback reloads, or later tests would find the migration rows gone."""
    from django.db import connections

    for alias, contents in saved.items():
        if not hasattr(connections[alias], "_test_serialized_contents"):
            connections[alias]._test_serialized_contents = contents


@pytest.fixture(scope="session")
def chromium_browser(django_db_setup: None) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Chromium no está instalado (apt-get install chromium); "
                    "la prueba de navegador no se ejecutó")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover
        pytest.skip("Playwright no está instalado (pip install playwright); "
                    "la prueba de navegador no se ejecutó")
    saved = _serialized_contents()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        _restore_serialized_contents(saved)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium_browser: Any) -> Iterator[Any]:
    """A fresh page (own cookies) in a desktop-sized, Spanish, Hermosillo-time context."""
    context = chromium_browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="es-MX", timezone_id="America/Hermosillo"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    # Every browser test is also a Content-Security-Policy test: anything the policy blocked
    # (an inline script, style or handler; a resource from elsewhere) fails the test.
    blocked: list[str] = []
    page.on("console", lambda msg: blocked.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    try:
        yield page
    finally:
        context.close()
    assert blocked == [], f"la política de seguridad de contenido bloqueó: {blocked}"


@pytest.fixture
def login(live_server: Any, browser_page: Any) -> Callable[..., Any]:
    """login(user, password=PASSWORD): sign in through the real login form, and for the roles
    that need the second factor (core/otp.py) type the authenticator code on /verificar/ (the
    user gets a confirmed device first); returns the page."""

    def _login(user: Any, password: str = PASSWORD) -> Any:
        from recupera.core.otp import requires_otp

        device = _authenticator_for(user) if requires_otp(user) else None
        browser_page.goto(f"{live_server.url}/entrar/")
        browser_page.fill("#id_username", user.get_username())
        browser_page.fill("#id_password", password)
        browser_page.click("button[type=submit]")
        browser_page.wait_for_load_state()
        assert "/entrar/" not in browser_page.url, "el inicio de sesión falló"
        if device is not None:
            assert "/verificar/" in browser_page.url, "no se pidió el segundo paso"
            browser_page.fill("#id_token", _current_code(device))
            browser_page.click("button.primary")
            browser_page.wait_for_load_state()
            assert "/verificar/" not in browser_page.url, "el código de verificación falló"
        return browser_page

    return _login


def _authenticator_for(user: Any) -> Any:
    """The user's confirmed TOTP device (created when missing), ready for a fresh code: the
    replay guard (last_t) and the throttle are cleared, so two sign-ins within one 30-second
    step both work."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="pruebas", confirmed=True)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0,
                                                   throttling_failure_timestamp=None)
    return device


def _current_code(device: Any) -> str:
    from django_otp.oath import totp

    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def screenshot() -> Callable[[Any, str], Path]:
    """screenshot(page, "name") -> SCREENSHOT_DIR/name.png (full page), for a human to look at
    (RECUPERA_SCREENSHOTS=/some/folder keeps them after the run)."""

    def _shot(page: Any, name: str) -> Path:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot
