"""Issue 21, item 9 (the smaller holes of sign-in): the API schema and docs need a session,
redirects stay on this site, the password rules, the password-change lock, and `recupera demo`
refuses to reset passwords on a database that is not the demo's."""

import io

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from recupera.core.models import AuditEntry
from recupera.core.roles import Role

PASSWORD = "Clave-Segura-2026"


@pytest.mark.parametrize("name", ["api-v1:schema", "api-v1:docs", "api-v1:redoc"])
def test_api_schema_and_docs_refuse_anonymous_visitors(db, client, name):
    assert APIClient().get(reverse(name), {"format": "json"}).status_code in (302, 401, 403)
    response = client.get(reverse(name))
    assert response.status_code in (302, 401, 403)
    assert "openapi" not in response.content.decode().lower()


def test_api_schema_is_served_to_a_signed_in_user(make_user, api_client_for):
    response = api_client_for(make_user(Role.AUDITOR)).get(reverse("api-v1:schema"), {"format": "json"})
    assert response.status_code == 200 and "/api/v1/persons/" in response.json()["paths"]


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/x", "/\\evil.example"])
def test_the_case_page_never_redirects_off_site(client_for, make_user, target):
    from django.test import RequestFactory

    from recupera.core.views import safe_next_url

    request = RequestFactory().post("/cobranza/caso/1/gestion/", {"next": target})
    assert safe_next_url(request, "/cobranza/caso/1/") == "/cobranza/caso/1/"
    request = RequestFactory().post("/x/", {"next": "/cobranza/caso/7/?a=1"})
    assert safe_next_url(request, "/") == "/cobranza/caso/7/?a=1"


def test_login_refuses_an_off_site_next(client, make_user):
    make_user(Role.COLLECTOR, username="lucia", password=PASSWORD)
    response = client.post(reverse("login") + "?next=//evil.example/",
                           {"username": "lucia", "password": PASSWORD, "next": "//evil.example/"})
    assert response.status_code == 302 and "evil.example" not in response["Location"]


@pytest.mark.parametrize("password,reason", [
    ("Recupera", "por lo menos 12 caracteres"),
    ("Valenzuela.2026!", "su nombre"),
    ("lucia.v-2026-xyz", "su nombre"),
    ("Gestor17-Sonora", "su nombre"),
    ("123456789012345", "totalmente numérica"),
])
def test_password_rules_refuse_short_and_personal_passwords(make_user, password, reason):
    user = make_user(Role.COLLECTOR, username="gestor17", first_name="Lucía",
                     last_name="Valenzuela Romero")
    with pytest.raises(ValidationError) as caught:
        validate_password(password, user)
    assert any(reason in m for m in caught.value.messages), caught.value.messages


def test_the_demo_password_meets_the_rules(make_user):
    from recupera.core.roles import DEMO_USERS
    from recupera.ops.management.commands.demo import DEMO_PASSWORD

    for username, first, last in DEMO_USERS.values():
        user = make_user(None, username=username, first_name=first, last_name=last)
        validate_password(DEMO_PASSWORD, user)


def _change(client, old):
    return client.post(reverse("password_change"), {
        "old_password": old, "new_password1": "Otra-Clave-Larga-99", "new_password2": "Otra-Clave-Larga-99"})


def test_password_change_locks_after_five_wrong_current_passwords(client_for, make_user):
    user = make_user(Role.CASHIER, username="alma", password=PASSWORD)
    client = client_for(user)
    for _ in range(4):
        response = _change(client, "no-es-la-clave")
        assert response.status_code == 200 and "Demasiados intentos" not in response.content.decode()
    response = _change(client, "no-es-la-clave")  # the fifth locks the form at once
    assert response.status_code == 429 and "Demasiados intentos" in response.content.decode()
    response = _change(client, PASSWORD)  # even the right one, now
    assert response.status_code == 429
    assert "Demasiados intentos" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert AuditEntry.objects.filter(action="usuario.contrasena_fallida", object_id=str(user.pk)).count() == 5


def test_password_change_is_audited(client_for, make_user):
    user = make_user(Role.CASHIER, username="alma", password=PASSWORD)
    assert _change(client_for(user), PASSWORD).status_code == 302
    entry = AuditEntry.objects.get(action="usuario.contrasena_cambiada")
    assert entry.actor == user and entry.object_id == str(user.pk)
    assert "password" not in str(entry.after)


def test_demo_refuses_a_database_with_other_accounts(make_user, settings):
    make_user(Role.IT_ADMIN, username="admin.real", password=PASSWORD)
    out = io.StringIO()
    with pytest.raises(CommandError, match="no es la de la demostración"):
        call_command("demo", "--no-serve", stdout=out)
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username="gestor").exists()
    assert get_user_model().objects.get(username="admin.real").check_password(PASSWORD)


def test_demo_database_check_accepts_an_empty_or_marked_database(db, make_user):
    from recupera.ops.management.commands.demo import demo_database_refusal, mark_demo_database

    assert demo_database_refusal() is None  # no accounts yet
    make_user(Role.COLLECTOR, username="otro")
    assert demo_database_refusal() is not None
    mark_demo_database()
    assert demo_database_refusal() is None
