"""A password reset by Administración TI is temporary (issue 21, item 1): the account holder is
told by e-mail, and the next sign-in with it reaches nothing but the password change until the
holder picks their own; IT cannot keep using the account unseen."""

from __future__ import annotations

import pytest
from django.core import mail

from recupera.core import accounts
from recupera.core.models import AuditEntry
from recupera.core.roles import Role

pytestmark = pytest.mark.django_db
TEMPORARY = "Temporal-Recupera-2026"
OWN = "Mi-Clave-Nueva-Segura-77"


@pytest.fixture
def holder(make_user):
    return make_user(Role.COLLECTOR, username="gestor9", first_name="Ana", last_name="Quiroz",
                     email="ana.quiroz@ibcees.example")


def _reset(client_for, it_admin, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(it_admin).post(f"/admin/auth/user/{user.pk}/password/",
                                             {"password1": TEMPORARY, "password2": TEMPORARY})
    assert response.status_code == 302, response.content.decode()[:500]


def _sign_in(client, username, password):
    client.logout()
    return client.post("/entrar/", {"username": username, "password": password})


def test_the_holder_is_told_by_email(client_for, it_admin, holder, django_capture_on_commit_callbacks):
    it_admin.first_name, it_admin.last_name = "Raúl", "Téllez"
    it_admin.save()
    _reset(client_for, it_admin, holder, django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["ana.quiroz@ibcees.example"]]
    body = mail.outbox[0].body
    assert mail.outbox[0].subject == "Recupera: su contraseña fue restablecida"
    assert "Raúl Téllez (ti1) restableció la contraseña de su cuenta «gestor9»" in body
    assert "avise hoy a su jefe inmediato y a Administración TI" in body
    assert TEMPORARY not in body
    entry = AuditEntry.objects.get(action="usuario.contrasena_restablecida", object_id=str(holder.pk))
    assert entry.after == {"cambio_obligatorio": True, "aviso_por_correo": True}


def test_the_next_sign_in_must_choose_a_new_password(client, client_for, it_admin, holder,
                                                     django_capture_on_commit_callbacks):
    _reset(client_for, it_admin, holder, django_capture_on_commit_callbacks)
    signed = _sign_in(client, "gestor9", TEMPORARY)
    assert signed.status_code == 302
    for url in ("/", "/cobranza/", "/personas/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url == "/contrasena/", url
    api = client.get("/api/v1/cases/")
    assert api.status_code == 403
    assert "Su contraseña fue restablecida" in api.json()["detail"]
    page = client.get("/contrasena/").content.decode()
    assert "Su contraseña fue restablecida por ti1 el " in page
    assert "ti1" in page
    changed = client.post("/contrasena/", {"old_password": TEMPORARY, "new_password1": OWN,
                                           "new_password2": OWN})
    assert changed.status_code == 302
    assert client.get("/cobranza/").status_code == 200
    assert accounts.password_reset_pending(user=holder) is None
    # Later sign-ins are ordinary.
    _sign_in(client, "gestor9", OWN)
    assert client.get("/cobranza/").status_code == 200


def test_a_holder_without_email_is_still_forced(client, client_for, it_admin, make_user,
                                                django_capture_on_commit_callbacks):
    quiet = make_user(Role.CASHIER, username="caja7")
    _reset(client_for, it_admin, quiet, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    entry = AuditEntry.objects.get(action="usuario.contrasena_restablecida", object_id=str(quiet.pk))
    assert entry.after["aviso_por_correo"] is False
    assert accounts.password_reset_pending(user=quiet) == entry


def test_ones_own_password_change_is_not_a_reset(client, holder):
    client.force_login(holder, backend="recupera.core.predicates.AdminModelBackend")
    client.post("/contrasena/", {"old_password": "Clave-Segura-2026", "new_password1": OWN,
                                 "new_password2": OWN})
    assert accounts.password_reset_pending(user=holder) is None
    assert client.get("/cobranza/").status_code == 200
