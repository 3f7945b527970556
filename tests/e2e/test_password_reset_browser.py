"""In Chromium: a collector whose password IT reset signs in with the temporary one, sees why
only the password change is open, chooses a new password and reaches the workbench."""

import pytest

from recupera.core.roles import Role

pytestmark = pytest.mark.browser
TEMPORARY = "Temporal-Recupera-2026"
OWN = "Mi-Clave-Nueva-Segura-77"


def test_a_reset_password_must_be_changed_at_sign_in(live_server, browser_page, make_user,
                                                     screenshot):
    from recupera.core import accounts

    holder = make_user(Role.COLLECTOR, username="gestor9", first_name="Ana", last_name="Quiroz")
    it_admin = make_user(Role.IT_ADMIN, username="ti1", first_name="Raúl", last_name="Téllez",
                         is_staff=True)
    holder.set_password(TEMPORARY)  # what the admin's password form does, then its audit row
    holder.save()
    accounts.account_password_reset_record(actor=it_admin, user=holder)

    page = browser_page
    page.goto(f"{live_server.url}/entrar/")
    page.fill("#id_username", "gestor9")
    page.fill("#id_password", TEMPORARY)
    page.click("button[type=submit]")
    page.wait_for_url("**/contrasena/")
    notice = page.locator("p.msg.warning[role=alert]").inner_text()
    assert "Su contraseña fue restablecida por ti1 (Raúl Téllez) el " in notice
    assert "escoja una nueva, que solo usted conozca" in notice
    screenshot(page, "password_reset_forced_change")
    page.goto(f"{live_server.url}/cobranza/")  # anything else sends back here
    page.wait_for_url("**/contrasena/")
    page.fill("#id_old_password", TEMPORARY)
    page.fill("#id_new_password1", OWN)
    page.fill("#id_new_password2", OWN)
    page.click("button.primary")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/cobranza/")
    assert "/cobranza/" in page.url
    assert page.locator("p.msg.warning[role=alert]").count() == 0
