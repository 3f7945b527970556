"""Issue 21, item 2: the second factor (TOTP) for staff, admin and the roles that approve or
handle money; enrolment with a QR code and recovery codes; password first, then the code."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from recupera.core.models import AuditEntry
from recupera.core.roles import Role

PASSWORD = "Clave-Segura-2026"


def code(device, offset=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def sign_in(client, username):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.PORTFOLIO_OFFICE, Role.CASHIER,
                                  Role.COMMITTEE, Role.IT_ADMIN])
def test_money_and_approval_roles_cannot_work_with_the_password_alone(client, make_user, role):
    make_user(role, username="u1", password=PASSWORD)
    sign_in(client, "u1")
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("otp_enrol"))
    assert client.get("/api/v1/credits/").status_code == 403
    assert "verificación en dos pasos" in client.get("/api/v1/credits/").json()["detail"]


def test_the_admin_needs_the_second_factor(client, make_user):
    make_user(Role.IT_ADMIN, username="ti1", password=PASSWORD, is_staff=True)
    sign_in(client, "ti1")
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/auth/user/").status_code == 302


def test_a_collector_signs_in_with_the_password(client, make_user):
    make_user(Role.COLLECTOR, username="lucia", password=PASSWORD)
    sign_in(client, "lucia")
    assert client.get(reverse("home")).status_code == 200


def test_enrolment_shows_a_qr_code_and_the_secret_then_recovery_codes(client, make_user):
    user = make_user(Role.CASHIER, username="alma", password=PASSWORD)
    sign_in(client, "alma")
    page = client.get(reverse("otp_enrol"))
    html = page.content.decode()
    assert page.status_code == 200 and "Activar la verificación en dos pasos" in html
    assert "<svg" in html and "<img" not in html  # inline QR, no request to anyone
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    import base64
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    assert " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)) in html
    wrong = client.post(reverse("otp_enrol"), {"token": "000000" if code(device) != "000000" else "111111"})
    assert wrong.status_code == 422 and "El código no coincide" in wrong.content.decode()
    TOTPDevice.objects.get(pk=device.pk).throttle_reset()  # django-otp: a wait after a wrong code
    done = client.post(reverse("otp_enrol"), {"token": code(device)})
    html = done.content.decode()
    assert done.status_code == 200 and "Guarde estos códigos de recuperación" in html
    assert StaticToken.objects.filter(device__user=user).count() == 10
    for token in StaticToken.objects.filter(device__user=user).values_list("token", flat=True):
        assert f"<code>{token}</code>" in html
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("home")).status_code == 200
    assert AuditEntry.objects.filter(action="otp.alta", object_id=str(user.pk)).exists()


def _enrolled(make_user, role=Role.SUPERVISOR):
    user = make_user(role, username="jefe9", password=PASSWORD)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    return user, device


def test_password_then_code(client, make_user):
    user, device = _enrolled(make_user)
    response = client.post(reverse("login") + "?next=/cobranza/equipo/",
                           {"username": "jefe9", "password": PASSWORD, "next": "/cobranza/equipo/"})
    assert client.get(response["Location"]).status_code == 302  # the team page waits for the code
    page = client.get(reverse("otp_verify") + "?next=/cobranza/equipo/")
    assert "Verificación en dos pasos" in page.content.decode()
    bad = client.post(reverse("otp_verify"), {"token": "12345", "next": "/cobranza/equipo/"})
    assert bad.status_code == 422 and "Código incorrecto o vencido" in bad.content.decode()
    TOTPDevice.objects.get(pk=device.pk).throttle_reset()  # django-otp: a wait after a wrong code
    good = client.post(reverse("otp_verify"), {"token": code(device), "next": "/cobranza/equipo/"})
    assert good.status_code == 302 and good["Location"] == "/cobranza/equipo/"
    assert client.get("/cobranza/equipo/").status_code == 200
    assert AuditEntry.objects.filter(action="otp.codigo_fallido", object_id=str(user.pk)).count() == 1


def test_a_recovery_code_works_once(client, make_user):
    from django_otp.plugins.otp_static.models import StaticDevice

    user, _ = _enrolled(make_user)
    recovery = StaticDevice.objects.create(user=user, name="Códigos de recuperación")
    recovery.token_set.create(token="abcd2345")
    sign_in(client, "jefe9")
    response = client.post(reverse("otp_verify"), {"token": "abcd2345"}, follow=True)
    assert "Usó un código de recuperación" in response.content.decode()
    client.post(reverse("logout"))
    sign_in(client, "jefe9")
    assert client.post(reverse("otp_verify"), {"token": "abcd2345"}).status_code == 422


def test_five_wrong_codes_end_the_session(client, make_user):
    _enrolled(make_user)
    sign_in(client, "jefe9")
    for _ in range(4):
        assert client.post(reverse("otp_verify"), {"token": "999999x"}).status_code == 422
    response = client.post(reverse("otp_verify"), {"token": "999999x"}, follow=True)
    assert "Demasiados códigos incorrectos" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("login")
    assert client.get(reverse("home")).status_code == 302


def test_the_roles_that_need_the_code_are_configurable(client, make_user, settings):
    settings.RECUPERA_OTP_ROLES = ["COLLECTOR"]
    make_user(Role.SUPERVISOR, username="jefe9", password=PASSWORD)
    sign_in(client, "jefe9")
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    make_user(Role.COLLECTOR, username="lucia", password=PASSWORD)
    sign_in(client, "lucia")
    assert client.get(reverse("home")).status_code == 302
