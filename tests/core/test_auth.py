"""Sign-in, lockout, password change and the role menus."""

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.urls import reverse

from recupera.core.navigation import NAV_ITEMS
from recupera.core.roles import Role

PASSWORD = "Clave-Segura-2026"

MENU = {
    Role.COLLECTOR: {"Inicio", "Personas", "Créditos", "Mi cartera de hoy", "Llamada entrante", "Recados",
                     "Documentos en mi poder"},
    Role.SUPERVISOR: {"Inicio", "Personas", "Créditos", "Mi cartera de hoy", "Equipo", "Llamada entrante",
                      "Recados", "Autorizaciones", "Pagos", "Archivo", "Metas del equipo"},
    Role.PORTFOLIO_OFFICE: {"Inicio", "Personas", "Créditos", "Importar cartera", "Bitácora de auditoría",
                            "Equipo", "Llamada entrante", "Recados", "Reglas y plazos", "Autorizaciones",
                            "Campañas", "Pagos", "Cierre diario", "Solicitudes de rol", "Archivo",
                            "Metas del equipo", "Recuperación del instituto"},
    Role.CUSTODY: {"Inicio", "Personas", "Créditos", "Archivo"},
    Role.CASHIER: {"Inicio", "Personas", "Créditos", "Pagos", "Caja"},
    Role.AUDITOR: {"Inicio", "Personas", "Créditos", "Bitácora de auditoría", "Equipo", "Pagos",
                    "Cierre diario", "Derechos ARCO", "Consultas de datos personales", "Archivo",
                    "Metas del equipo", "Recuperación del instituto"},
    Role.IT_ADMIN: {"Importar cartera", "Bitácora de auditoría", "Administración", "Pagos", "Cierre diario"},
    Role.COMMITTEE: {"Inicio", "Personas", "Créditos", "Autorizaciones", "Solicitudes de rol", "Archivo",
                     "Recuperación del instituto"},
    Role.DATA_PROTECTION: {"Inicio", "Personas", "Créditos", "Bitácora de auditoría", "Derechos ARCO",
                           "Aviso de privacidad", "Consultas de datos personales"},
}


def test_passwords_are_hashed_with_argon2(make_user, settings):
    from recupera import settings as project_settings

    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user = make_user(Role.COLLECTOR)
    assert identify_hasher(user.password).algorithm == "argon2"


def test_login_page_is_spanish(client, db):
    page = client.get(reverse("login")).content.decode()
    assert "Iniciar sesión" in page and "Contraseña" in page and 'lang="es-MX"' in page


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_login_and_logout(client, make_user):
    make_user(Role.COLLECTOR, username="lucia", password=PASSWORD)
    response = client.post(reverse("login"), {"username": "lucia", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_message_is_spanish(client, make_user):
    make_user(Role.COLLECTOR, username="lucia", password=PASSWORD)
    page = client.post(reverse("login"), {"username": "lucia", "password": "mala"}).content.decode()
    assert "Usuario o contraseña incorrectos" in page


def test_five_wrong_passwords_lock_the_account_with_a_spanish_message(client, make_user):
    make_user(Role.COLLECTOR, username="lucia", password=PASSWORD)
    for _ in range(4):
        response = client.post(reverse("login"), {"username": "lucia", "password": "mala"})
        assert "Cuenta bloqueada" not in response.content.decode()
    response = client.post(reverse("login"), {"username": "lucia", "password": "mala"})
    assert response.status_code == 429
    assert "Su cuenta se bloqueó por 5 intentos fallidos" in response.content.decode()
    # Even the right password is refused now.
    response = client.post(reverse("login"), {"username": "lucia", "password": PASSWORD})
    assert response.status_code == 429
    assert client.get(reverse("home")).status_code == 302


def test_password_change(client, make_user, second_factor):
    user = make_user(Role.CASHIER, username="alma", password=PASSWORD)
    client.post(reverse("login"), {"username": "alma", "password": PASSWORD})
    second_factor(client, user)  # the cashier's role needs the second factor (core/otp.py)
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "Otra-Clave-Larga-99", "new_password2": "Otra-Clave-Larga-99",
    })
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Otra-Clave-Larga-99")


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_only_its_menu(client_for, make_user, role):
    page = client_for(make_user(role)).get(reverse("home"))
    html = page.content.decode()
    nav = html.split('<nav class="mainnav"', 1)[1].split("</nav>", 1)[0]
    shown = {str(item.label) for item in NAV_ITEMS if f">{item.label}<" in nav}
    assert shown == MENU[role]


def test_user_without_role_gets_403_on_search_and_audit(client_for, make_user):
    client = client_for(make_user(None))
    assert client.get(reverse("search"), {"q": "abc"}).status_code == 403
    assert client.get(reverse("audit:list")).status_code == 403


def test_model_permissions_count_only_for_staff(make_user, django_assert_num_queries):
    """The Django admin's model permissions (held by the IT group) answer only for staff users;
    for everyone else a check the rules deny ends there, without reading permissions."""
    from django.contrib.auth.models import Permission

    it_staff = make_user(Role.IT_ADMIN, is_staff=True)
    it_not_staff = make_user(Role.IT_ADMIN)
    assert it_staff.has_perm("payments.change_bankagreement")
    assert not it_not_staff.has_perm("payments.change_bankagreement")
    collector = make_user(Role.COLLECTOR)
    collector.user_permissions.add(Permission.objects.get(codename="change_bankagreement"))
    assert collector.has_perm("collections.use_workbench")  # the rules answer (reads the roles once)
    with django_assert_num_queries(0):
        assert not collector.has_perm("collections.view_team")
        assert not collector.has_perm("payments.change_bankagreement")


def test_the_menu_follows_the_roles_it_is_kept_by(make_user):
    """menu_for keeps one menu per combination of roles (non-staff users): a user given another
    role gets that role's menu on the next request, staff users are computed each time."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from recupera.core.navigation import menu_for

    user = make_user(Role.COLLECTOR)
    assert "collections:team" not in {i.url_name for i in menu_for(user)}
    user.groups.add(Group.objects.get(name=Role.SUPERVISOR.value))
    fresh = get_user_model().objects.get(pk=user.pk)  # the next request's user
    assert "collections:team" in {i.url_name for i in menu_for(fresh)}
    assert "collections:team" not in {i.url_name for i in menu_for(make_user(Role.COLLECTOR))}
    fresh.is_active = False
    assert menu_for(fresh) == []
