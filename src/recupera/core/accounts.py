"""Services for staff accounts: passwords, role grants, lockout alerts, second factor.

Every write here follows the project's rule: keyword-only arguments, `actor=` first, one
transaction, an audit row (core/audit.py) inside it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from recupera.core.audit import audit_record
from recupera.core.models import AuditEntry

PASSWORD_FAILED = "usuario.contrasena_fallida"
PASSWORD_CHANGED = "usuario.contrasena_cambiada"


# passwords ------------------------------------------------------------------------------------

@transaction.atomic
def user_password_set(*, actor: Any, user: Any, raw_password: str) -> None:
    """Set a new password (already validated by the form). The audit row never holds it."""
    user.set_password(raw_password)
    user.save(update_fields=["password"])
    audit_record(actor=actor, action=PASSWORD_CHANGED, obj=user)


@transaction.atomic
def password_change_failure_record(*, actor: Any, user: Any, ip: str | None) -> None:
    """A wrong current password on the password-change form (counted by the lock)."""
    audit_record(actor=actor, action=PASSWORD_FAILED, obj=user, after={"ip": ip})


def password_change_locked(*, user: Any, now: dt.datetime | None = None) -> bool:
    """True when the user typed a wrong current password PASSWORD_CHANGE_FAILURE_LIMIT times in
    the last PASSWORD_CHANGE_LOCK_MINUTES (one indexed count on the audit log)."""
    now = now or timezone.now()
    since = now - dt.timedelta(minutes=settings.PASSWORD_CHANGE_LOCK_MINUTES)
    failures = AuditEntry.objects.filter(
        object_type=user._meta.label_lower, object_id=str(user.pk), at__gte=since,
        action=PASSWORD_FAILED,
    ).count()
    return failures >= settings.PASSWORD_CHANGE_FAILURE_LIMIT


# accounts, groups and permissions --------------------------------------------------------------

class AccountError(Exception):
    """A refused account change; the message is Spanish and shown to the user."""


def account_snapshot(user: Any) -> dict[str, Any]:
    """What the audit log keeps of an account (never the password hash)."""
    return {
        "username": user.get_username(),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "groups": sorted(user.groups.values_list("name", flat=True)) if user.pk else [],
        "user_permissions": sorted(
            f"{app}.{codename}" for app, codename in
            user.user_permissions.values_list("content_type__app_label", "codename")
        ) if user.pk else [],
    }


def group_snapshot(group: Any) -> dict[str, Any]:
    return {
        "name": group.name,
        "permissions": sorted(
            f"{app}.{codename}" for app, codename in
            group.permissions.values_list("content_type__app_label", "codename")
        ) if group.pk else [],
    }


def account_change_record(*, actor: Any, user: Any, before: dict[str, Any] | None,
                          action: str = "usuario.cambiar") -> None:
    """Audit an account change made by the Django admin (which runs each save in one transaction:
    the row lands in it). `before` is account_snapshot() taken before the change, None when
    the account is new."""
    after = account_snapshot(user)
    if before is not None and before == after:
        return
    audit_record(actor=actor, action=action if before is not None else "usuario.crear", obj=user,
                 before=before, after=after)


def group_change_record(*, actor: Any, group: Any, before: dict[str, Any] | None) -> None:
    after = group_snapshot(group)
    if before is not None and before == after:
        return
    audit_record(actor=actor, action="grupo.cambiar" if before is not None else "grupo.crear",
                 obj=group, before=before, after=after)


def account_delete_record(*, actor: Any, obj: Any, snapshot: dict[str, Any]) -> None:
    audit_record(actor=actor, action=f"{obj._meta.model_name}.borrar", obj=obj, before=snapshot)


@transaction.atomic
def role_grant_request(*, actor: Any, user: Any, role: Any, reason: str) -> Any:
    """Administración TI asks for `role` on `user`; nothing changes until someone decides."""
    from recupera.core.models import RoleGrant

    if not actor.has_perm("core.request_role_grant"):
        raise AccountError("Solo Administración TI solicita roles.")
    if not (reason or "").strip():
        raise AccountError("Escriba el motivo de la solicitud.")
    if user.groups.filter(pk=role.pk).exists():
        raise AccountError(f"La cuenta {user.get_username()} ya tiene el rol «{role.name}».")
    if RoleGrant.objects.filter(user=user, role=role, status=RoleGrant.Status.PENDING).exists():
        raise AccountError(f"Ya hay una solicitud pendiente del rol «{role.name}» para "
                           f"{user.get_username()}.")
    grant = RoleGrant.objects.create(user=user, role=role, reason=reason.strip()[:300],
                                     requested_by=actor)
    audit_record(actor=actor, action="rol.solicitar", obj=grant,
                 after={"usuario": user.get_username(), "rol": role.name, "motivo": grant.reason})
    return grant


@transaction.atomic
def role_grant_decide(*, actor: Any, grant: Any, approve: bool, comment: str = "") -> Any:
    """A second person approves (the account joins the group) or rejects a pending request."""
    from recupera.core.models import RoleGrant

    grant = RoleGrant.objects.select_for_update().select_related("role", "user").get(pk=grant.pk)
    if grant.status != RoleGrant.Status.PENDING:
        raise AccountError("Esta solicitud ya se decidió.")
    if not actor.has_perm("core.decide_role_grant", grant):
        raise AccountError("No puede decidir esta solicitud: nadie autoriza su propia solicitud "
                           "ni un rol para sí, y el rol «Dirección / Comité» lo autoriza la "
                           "Dirección.")
    before = account_snapshot(grant.user)
    grant.status = RoleGrant.Status.APPROVED if approve else RoleGrant.Status.REJECTED
    grant.decided_by = actor
    grant.decided_at = timezone.now()
    grant.comment = (comment or "").strip()[:300]
    grant.save(update_fields=["status", "decided_by", "decided_at", "comment"])
    audit_record(actor=actor, action="rol.aprobar" if approve else "rol.rechazar", obj=grant,
                 after={"usuario": grant.user.get_username(), "rol": grant.role.name,
                        "comentario": grant.comment})
    if approve:
        grant.user.groups.add(grant.role)
        account_change_record(actor=actor, user=grant.user, before=before)
    return grant


def account_password_reset_record(*, actor: Any, user: Any) -> None:
    """IT set another account's password in the admin (the admin's transaction)."""
    audit_record(actor=actor, action="usuario.contrasena_restablecida", obj=user)
