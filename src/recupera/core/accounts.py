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


PASSWORD_RESET = "usuario.contrasena_restablecida"
# The session key that holds a sign-in until the account holder chooses a new password.
MUST_CHANGE_PASSWORD = "recupera_password_reset"


def account_password_reset_record(*, actor: Any, user: Any) -> None:
    """Someone else (Administración TI, a superuser) set this account's password in the admin
    (the admin's transaction). Such a password is temporary: the holder must choose a new one
    at the next sign-in (`password_reset_pending`, `ForcedPasswordChangeMiddleware`), and is told
    by e-mail when the account has one (after commit). A reset of one's own password is an
    ordinary change."""
    if getattr(actor, "pk", None) == user.pk:
        audit_record(actor=actor, action=PASSWORD_CHANGED, obj=user)
        return
    audit_record(actor=actor, action=PASSWORD_RESET, obj=user,
                 after={"cambio_obligatorio": True, "aviso_por_correo": bool(user.email)})
    if user.email:
        when = timezone.localtime()
        transaction.on_commit(lambda: _password_reset_notify(actor=actor, user=user, when=when))


def _password_reset_notify(*, actor: Any, user: Any, when: dt.datetime) -> None:
    from django.core.mail import send_mail

    from recupera.core.models import actor_names

    username, full_name = actor_names(actor)
    who = f"{full_name} ({username})" if full_name else (username or "el sistema")
    send_mail(
        subject="Recupera: su contraseña fue restablecida",
        message=(
            f"Hola {user.get_full_name() or user.get_username()}:\n\n"
            f"{who} restableció la contraseña de su cuenta «{user.get_username()}» de Recupera el "
            f"{when:%d/%m/%Y} a las {when:%H:%M}. Al entrar con la contraseña temporal que le "
            f"den, Recupera le pedirá escoger una nueva.\n\n"
            f"Si usted no lo pidió, avise hoy a su jefe inmediato y a Administración TI: alguien "
            f"más podría intentar entrar con su cuenta.\n"),
        from_email=None, recipient_list=[user.email], fail_silently=True)


def password_reset_pending(*, user: Any) -> AuditEntry | None:
    """The reset by someone else that the account holder has not yet followed with a password
    of their own (the latest of the two rows on the account; one indexed query)."""
    last = (AuditEntry.objects.filter(object_type=user._meta.label_lower, object_id=str(user.pk),
                                      action__in=[PASSWORD_RESET, PASSWORD_CHANGED])
            .order_by("-at", "-id").first())
    return last if last is not None and last.action == PASSWORD_RESET else None


def mark_forced_password_change(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """user_logged_in: a sign-in with a password someone else set must change it first."""
    if request is None or not hasattr(request, "session"):
        return
    pending = password_reset_pending(user=user)
    if pending is not None:
        request.session[MUST_CHANGE_PASSWORD] = {
            "by": pending.actor_display, "at": timezone.localtime(pending.at).strftime("%d/%m/%Y a las %H:%M")}


# sign-in lockouts (django-axes) ------------------------------------------------------------------
# Axes locks a username *from one address* (AXES_LOCKOUT_PARAMETERS) after AXES_FAILURE_LIMIT
# failures: someone elsewhere cannot lock a collector out. Each lockout of the same username and
# address within a day doubles the wait (lockout_cooloff), and LOCKOUT_ALERT_AFTER lockouts of one
# username within a day raise a SecurityAlert for the Jefe de Departamento and Administración TI.
LOCKOUT = "acceso.bloqueo"
LOCKOUT_WINDOW = dt.timedelta(hours=24)


def _lockouts_since(*, username: str, ip: str | None = None, since: dt.datetime) -> int:
    rows = AuditEntry.objects.filter(action=LOCKOUT, at__gte=since, after__username=username)
    if ip is not None:
        rows = rows.filter(after__ip=ip)
    return rows.count()


def lockout_cooloff(request: Any, now: dt.datetime | None = None) -> dt.timedelta:
    """AXES_COOLOFF_TIME: LOCKOUT_BASE_MINUTES for the first lockout of a username from an
    address in a day, doubled for each further one, at most LOCKOUT_MAX_MINUTES."""
    base = dt.timedelta(minutes=settings.LOCKOUT_BASE_MINUTES)
    if request is None:
        return base
    username = (request.POST.get("username") or "").strip() if request.method == "POST" else ""
    if not username:
        return base
    ip = getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR")
    now = now or timezone.now()
    previous = _lockouts_since(username=username, ip=ip, since=now - LOCKOUT_WINDOW)
    minutes = settings.LOCKOUT_BASE_MINUTES * 2 ** max(previous - 1, 0)
    return dt.timedelta(minutes=min(minutes, settings.LOCKOUT_MAX_MINUTES))


@transaction.atomic
def lockout_record(*, username: str, ip: str | None, now: dt.datetime | None = None) -> Any:
    """One lockout (audited); returns the SecurityAlert it raised, if any."""
    from django.contrib.auth import get_user_model

    from recupera.core.models import SecurityAlert

    now = now or timezone.now()
    from axes.models import AccessAttempt

    # The audit row hangs on the account when it exists, else on axes' attempt row.
    obj = (get_user_model().objects.filter(username=username).first()
           or AccessAttempt.objects.filter(username=username).order_by("-attempt_time").first())
    if obj is not None:
        audit_record(actor=None, action=LOCKOUT, obj=obj, after={"username": username, "ip": ip})
    since = now - LOCKOUT_WINDOW
    count = _lockouts_since(username=username, since=since)
    if count < settings.LOCKOUT_ALERT_AFTER:
        return None
    if SecurityAlert.objects.filter(username=username, at__gte=since,
                                    acknowledged_at__isnull=True).exists():
        return None
    alert = SecurityAlert.objects.create(
        kind=SecurityAlert.Kind.REPEATED_LOCKOUT, username=username, ip=ip or "",
        detail=f"La cuenta «{username}» se bloqueó {count} veces en 24 horas por contraseñas "
               f"incorrectas (último intento desde {ip or 'dirección desconocida'}).",
    )
    audit_record(actor=None, action="alerta.bloqueos_repetidos", obj=alert,
                 after={"username": username, "ip": ip, "bloqueos": count})
    return alert


def on_user_locked_out(sender: Any, request: Any = None, username: str | None = None,
                       ip_address: str | None = None, **kwargs: Any) -> None:
    """axes' user_locked_out fires on every refused attempt past the limit: record only the
    attempt that crosses it (one lockout)."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is not None and failures != settings.AXES_FAILURE_LIMIT:
        return
    lockout_record(username=username or "", ip=ip_address)


@transaction.atomic
def security_alert_acknowledge(*, actor: Any, alert: Any) -> Any:
    from recupera.core.models import SecurityAlert

    alert = SecurityAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.acknowledged_at is None:
        alert.acknowledged_by = actor
        alert.acknowledged_at = timezone.now()
        alert.save(update_fields=["acknowledged_by", "acknowledged_at"])
        audit_record(actor=actor, action="alerta.atender", obj=alert)
    return alert


# second factor (django-otp) ------------------------------------------------------------------------
OTP_FAILED = "otp.codigo_fallido"


@transaction.atomic
def otp_enrol_start(*, actor: Any, user: Any) -> Any:
    """The user's unconfirmed authenticator device (created once; its secret shown until the
    user proves it with a code)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from recupera.core.otp import TOTP_DEVICE_NAME

    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
        audit_record(actor=actor, action="otp.alta_iniciada", obj=user)
    return device


@transaction.atomic
def otp_enrol_confirm(*, actor: Any, device: Any, token: str) -> list[str] | None:
    """Confirm the device with a code from the app; returns the new one-time recovery codes
    (shown once), or None when the code is wrong."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from recupera.core.otp import RECOVERY_CODES, RECOVERY_DEVICE_NAME

    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if not device.verify_token(token):
        audit_record(actor=actor, action=OTP_FAILED, obj=device.user, after={"paso": "alta"})
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    StaticDevice.objects.filter(user=device.user).delete()
    recovery = StaticDevice.objects.create(user=device.user, name=RECOVERY_DEVICE_NAME)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=recovery, token=c) for c in codes])
    audit_record(actor=actor, action="otp.alta", obj=device.user,
                 after={"dispositivo": device.name, "codigos_de_recuperacion": len(codes)})
    return codes


def otp_verify(*, actor: Any, user: Any, token: str, ip: str | None) -> Any:
    """The device (authenticator or recovery code) that accepts `token`, or None. A recovery
    code works once (django-otp deletes it). Failures and recovery-code uses are audited."""
    from django_otp import match_token

    token = "".join((token or "").split())
    device = match_token(user, token) if token else None
    with transaction.atomic():
        if device is None:
            audit_record(actor=actor, action=OTP_FAILED, obj=user, after={"ip": ip})
        elif device._meta.model_name == "staticdevice":
            audit_record(actor=actor, action="otp.codigo_de_recuperacion", obj=user,
                         after={"ip": ip, "quedan": device.token_set.count()})
    return device


def otp_failures_exceeded(*, user: Any, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    since = now - dt.timedelta(minutes=settings.PASSWORD_CHANGE_LOCK_MINUTES)
    return AuditEntry.objects.filter(
        object_type=user._meta.label_lower, object_id=str(user.pk), at__gte=since,
        action=OTP_FAILED,
    ).count() >= settings.OTP_FAILURE_LIMIT
