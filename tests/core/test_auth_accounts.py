"""Issue 21, item 1: Administración TI manages accounts, never authority. It cannot grant
superuser, staff, groups or permissions; a role needs a second person; every account, group and
role change is audited."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from recupera.core import accounts
from recupera.core.models import AuditEntry, RoleGrant
from recupera.core.roles import Role

User = get_user_model()


def _change_form(user, **extra):
    data = {
        "username": user.username, "first_name": user.first_name, "last_name": user.last_name,
        "email": user.email, "is_active": "on",
        "date_joined_0": "01/01/2026", "date_joined_1": "08:00:00",
        "initial-date_joined_0": "01/01/2026", "initial-date_joined_1": "08:00:00",
    }
    data.update(extra)
    return data


def test_it_cannot_make_anyone_superuser_staff_or_give_a_role(client_for, it_admin, make_user):
    target = make_user(Role.COLLECTOR, username="gestor9", first_name="Ana")
    committee = Group.objects.get(name=Role.COMMITTEE.value)
    response = client_for(it_admin).post(
        f"/admin/auth/user/{target.pk}/change/",
        _change_form(target, first_name="Ana María", is_superuser="on", is_staff="on",
                     groups=[committee.pk]))
    assert response.status_code == 302, response.content.decode()[:2000]
    target.refresh_from_db()
    assert target.first_name == "Ana María"  # the account itself is IT's to manage
    assert not target.is_superuser and not target.is_staff
    assert list(target.groups.values_list("name", flat=True)) == [Role.COLLECTOR.value]


def test_it_cannot_make_itself_superuser(client_for, it_admin):
    client_for(it_admin).post(f"/admin/auth/user/{it_admin.pk}/change/",
                              _change_form(it_admin, is_superuser="on"))
    it_admin.refresh_from_db()
    assert not it_admin.is_superuser


def test_it_cannot_touch_a_superuser_account(client_for, it_admin, make_user):
    root = make_user(None, username="root", is_superuser=True, is_staff=True)
    client = client_for(it_admin)
    response = client.post(f"/admin/auth/user/{root.pk}/password/",
                           {"password1": "Nueva-Clave-Muy-Larga-1", "password2": "Nueva-Clave-Muy-Larga-1"})
    assert response.status_code == 403
    response = client.post(f"/admin/auth/user/{root.pk}/change/", _change_form(root, is_active=""))
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.is_active and root.check_password("Clave-Segura-2026")


def test_it_cannot_rename_or_empower_a_role_group(client_for, it_admin):
    group = Group.objects.get(name=Role.IT_ADMIN.value)
    response = client_for(it_admin).post(f"/admin/auth/group/{group.pk}/change/",
                                         {"name": Role.COMMITTEE.value + " 2"})
    assert response.status_code == 403
    group.refresh_from_db()
    assert group.name == Role.IT_ADMIN.value


def test_account_changes_in_the_admin_are_audited(client_for, it_admin, make_user):
    target = make_user(Role.COLLECTOR, username="gestor9", first_name="Ana")
    client = client_for(it_admin)
    client.post(f"/admin/auth/user/{target.pk}/change/", _change_form(target, first_name="Ana María"))
    entry = AuditEntry.objects.get(action="usuario.cambiar", object_id=str(target.pk))
    assert entry.actor == it_admin
    assert entry.before == {"first_name": "Ana"} and entry.after == {"first_name": "Ana María"}
    client.post(f"/admin/auth/user/{target.pk}/password/",
                {"password1": "Nueva-Clave-Muy-Larga-1", "password2": "Nueva-Clave-Muy-Larga-1"})
    target.refresh_from_db()
    assert target.check_password("Nueva-Clave-Muy-Larga-1")
    reset = AuditEntry.objects.get(action="usuario.contrasena_restablecida", object_id=str(target.pk))
    assert reset.actor == it_admin and "Nueva-Clave" not in str(reset.after)


def test_group_changes_by_a_superuser_are_audited(client_for, make_user):
    root = make_user(None, username="root", is_superuser=True, is_staff=True)
    group = Group.objects.get(name=Role.CUSTODY.value)
    response = client_for(root).post(f"/admin/auth/group/{group.pk}/change/",
                                     {"name": "Resguardo", "permissions": []})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="grupo.cambiar", object_id=str(group.pk))
    assert entry.actor == root and entry.after["name"] == "Resguardo"


def test_a_role_needs_a_second_person(client_for, it_admin, make_user, portfolio_officer):
    target = make_user(Role.COLLECTOR, username="gestor9")
    supervisor_role = Group.objects.get(name=Role.SUPERVISOR.value)
    response = client_for(it_admin).post("/admin/core/rolegrant/add/", {
        "user": target.pk, "role": supervisor_role.pk, "reason": "Cubre la jefatura en diciembre"})
    assert response.status_code == 302
    grant = RoleGrant.objects.get()
    assert grant.status == RoleGrant.Status.PENDING and grant.requested_by == it_admin
    assert not target.groups.filter(pk=supervisor_role.pk).exists()  # nothing granted yet
    # IT cannot decide its own request
    assert client_for(it_admin).get("/cuentas/roles/").status_code == 403
    client = client_for(portfolio_officer)
    page = client.get("/cuentas/roles/").content.decode()
    assert "Cubre la jefatura en diciembre" in page and "Autorizar" in page
    response = client.post("/cuentas/roles/", {"grant": grant.pk, "decision": "aprobar"}, follow=True)
    assert f"Rol «{Role.SUPERVISOR.value}» otorgado a gestor9." in response.content.decode()
    grant.refresh_from_db()
    assert grant.status == RoleGrant.Status.APPROVED and grant.decided_by == portfolio_officer
    assert target.groups.filter(pk=supervisor_role.pk).exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"rol.solicitar", "rol.aprobar", "usuario.cambiar"} <= actions
    change = AuditEntry.objects.get(action="usuario.cambiar", object_id=str(target.pk))
    assert change.after["groups"] == sorted([Role.COLLECTOR.value, Role.SUPERVISOR.value])


def test_nobody_decides_a_grant_for_themselves_and_the_committee_role_needs_the_committee(
        it_admin, portfolio_officer, make_user):
    own = accounts.role_grant_request(actor=it_admin, user=portfolio_officer,
                                      role=Group.objects.get(name=Role.CASHIER.value), reason="Caja")
    with pytest.raises(accounts.AccountError, match="para sí"):
        accounts.role_grant_decide(actor=portfolio_officer, grant=own, approve=True)
    top = accounts.role_grant_request(actor=it_admin, user=make_user(Role.COLLECTOR),
                                      role=Group.objects.get(name=Role.COMMITTEE.value), reason="x")
    with pytest.raises(accounts.AccountError, match="Dirección"):
        accounts.role_grant_decide(actor=portfolio_officer, grant=top, approve=True)
    director = make_user(Role.COMMITTEE)
    accounts.role_grant_decide(actor=director, grant=top, approve=False, comment="No procede")
    top.refresh_from_db()
    assert top.status == RoleGrant.Status.REJECTED and top.comment == "No procede"


def test_a_duplicate_request_is_refused_in_spanish(client_for, it_admin, make_user):
    target = make_user(Role.COLLECTOR, username="gestor9")
    collector_role = Group.objects.get(name=Role.COLLECTOR.value)
    page = client_for(it_admin).post("/admin/core/rolegrant/add/", {
        "user": target.pk, "role": collector_role.pk, "reason": "x"}).content.decode()
    assert "ya tiene el rol" in page
    assert not RoleGrant.objects.exists()


def test_it_resets_a_lost_second_factor_but_never_sets_one(client_for, it_admin, make_user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    lost = TOTPDevice.objects.create(user=make_user(Role.CASHIER), name="app", confirmed=True)
    client = client_for(it_admin)
    assert client.get("/admin/otp_totp/totpdevice/add/").status_code == 403
    assert client.post(f"/admin/otp_totp/totpdevice/{lost.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.filter(pk=lost.pk).exists()
