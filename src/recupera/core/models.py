from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

APPEND_ONLY = "La bitácora de auditoría es de solo adición: no se modifica ni se borra."


def actor_names(user: Any) -> tuple[str, str]:
    """(username, full name) of a user as they are now; ("", "") for none (the system)."""
    if not getattr(user, "pk", None):
        return "", ""
    full = f"{user.first_name or ''} {user.last_name or ''}".strip()
    return user.username, full


class AuditEntryQuerySet(models.QuerySet):
    """Appends only: `update()` and `delete()` on any set of rows are refused (the model's
    save()/delete() guard single rows; on PostgreSQL a trigger guards the table itself,
    core/0006). `bulk_create` stores each actor's name as it is at write time."""

    def update(self, **kwargs: Any) -> int:
        raise ValidationError(APPEND_ONLY)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValidationError(APPEND_ONLY)

    _raw_delete = delete  # type: ignore[assignment]  # cascades and collectors use it

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[AuditEntry]:
        objs = list(objs)
        AuditEntry.fill_actor_names(objs)
        return super().bulk_create(objs, *args, **kwargs)


class AuditEntry(models.Model):
    """Append-only record of every accepted change: who, when, what, before and after.

    Who is kept twice: `actor` (the account, for filtering) and `actor_username` /
    `actor_name` as they were when the row was written, which is what every screen and export
    shows, so renaming an account does not rewrite history."""

    at = models.DateTimeField(_("fecha y hora"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("usuario"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    actor_username = models.CharField(_("usuario (al registrar)"), max_length=150, blank=True,
                                      default="", db_default="")
    actor_name = models.CharField(_("nombre del usuario (al registrar)"), max_length=300,
                                  blank=True, default="", db_default="")
    # Plain btrees only (no LIKE twins): the list filters action and object type with
    # icontains, which no btree serves, and object type + id exactly (audit_object_idx).
    action = models.CharField(_("acción"), max_length=80)
    object_type = models.CharField(_("tipo de objeto"), max_length=80)
    object_id = models.CharField(_("id del objeto"), max_length=64)
    object_repr = models.CharField(_("objeto"), max_length=200)
    before = models.JSONField(_("antes"), null=True, blank=True)
    after = models.JSONField(_("después"), null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("registro de auditoría")
        verbose_name_plural = _("bitácora de auditoría")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"], name="audit_object_idx"),
                   models.Index(fields=["action"], name="audit_action"),
                   models.Index(fields=["object_id"], name="audit_object_id")]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise ValidationError(APPEND_ONLY)
        AuditEntry.fill_actor_names([self])
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValidationError(APPEND_ONLY)

    @property
    def actor_display(self) -> str:
        """«usuario (Nombre Apellido)» as written; «sistema» for the system's own rows."""
        if not self.actor_username:
            return "sistema" if self.actor_id is None else f"usuario {self.actor_id}"
        return f"{self.actor_username} ({self.actor_name})" if self.actor_name else self.actor_username

    @staticmethod
    def fill_actor_names(entries: list[AuditEntry]) -> None:
        """Set actor_username/actor_name where missing: from the actor object when the caller
        passed one, else one query for all the remaining actor ids."""
        from django.contrib.auth import get_user_model

        missing: dict[int, list[AuditEntry]] = {}
        for entry in entries:
            if entry.actor_id is None or entry.actor_username:
                continue
            cached = AuditEntry._meta.get_field("actor").get_cached_value(entry, None)
            if cached is not None:
                entry.actor_username, entry.actor_name = actor_names(cached)
            else:
                missing.setdefault(entry.actor_id, []).append(entry)
        if missing:
            for user in get_user_model().objects.filter(pk__in=missing).only(
                    "username", "first_name", "last_name"):
                for entry in missing[user.pk]:
                    entry.actor_username, entry.actor_name = actor_names(user)


class AuditPseudonymPermit(models.Model):
    """While a row here names an audit row, the database lets that row's description and
    before/after values be rewritten (never its date, actor, action or object, never deleted).
    Only `core.audit.audit_pseudonymise` writes permits, and removes them in the same
    transaction: the one path by which the deletion of a person's data reaches the log
    (core/0007 triggers, on PostgreSQL and SQLite)."""

    entry_id = models.BigIntegerField(_("registro de auditoría"), unique=True)

    class Meta:
        verbose_name = _("permiso de seudonimización")
        verbose_name_plural = _("permisos de seudonimización")

    def __str__(self) -> str:
        return f"Permiso para el registro {self.entry_id}"


class OperatingDate(models.Model):
    """The system's business date (fecha de operación); one row, advanced by the daily close."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    business_date = models.DateField(_("fecha de operación"))

    class Meta:
        verbose_name = _("fecha de operación")
        verbose_name_plural = _("fecha de operación")

    def __str__(self) -> str:
        return f"{self.business_date:%d/%m/%Y}"


class BankClosureDay(models.Model):
    """A day the banks are closed besides weekends and federal holidays (set by users)."""

    date = models.DateField(_("fecha"), unique=True)
    description = models.CharField(_("motivo"), max_length=120)

    class Meta:
        verbose_name = _("día inhábil bancario")
        verbose_name_plural = _("días inhábiles bancarios")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.description}"


class RoleGrant(models.Model):
    """A request to give a staff account a role (a Django group). Administración TI requests it;
    a second person of higher authority decides (core/accounts.py: role_grant_request,
    role_grant_decide): nobody grants a role alone, nor to themselves."""

    class Status(models.TextChoices):
        PENDING = "pendiente", _("Pendiente")
        APPROVED = "aprobada", _("Aprobada")
        REJECTED = "rechazada", _("Rechazada")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("cuenta"),
                             on_delete=models.CASCADE, related_name="role_grants")
    role = models.ForeignKey("auth.Group", verbose_name=_("rol"), on_delete=models.PROTECT,
                             related_name="+")
    reason = models.CharField(_("motivo"), max_length=300)
    status = models.CharField(_("estado"), max_length=12, choices=Status.choices,
                              default=Status.PENDING, db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("solicitó"),
                                     on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("solicitada"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decidió"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decidida"), null=True, blank=True)
    comment = models.CharField(_("comentario"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("solicitud de rol")
        verbose_name_plural = _("solicitudes de rol")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.role.name} → {self.user.get_username()} ({self.get_status_display()})"


class SecurityAlert(models.Model):
    """Something the Jefe de Departamento and Administración TI must see: today, an account
    locked again and again by failed sign-ins (core/accounts.py: lockout_alert_raise)."""

    class Kind(models.TextChoices):
        REPEATED_LOCKOUT = "bloqueos_repetidos", _("Bloqueos repetidos de una cuenta")

    at = models.DateTimeField(_("fecha y hora"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("tipo"), max_length=30, choices=Kind.choices)
    username = models.CharField(_("usuario"), max_length=150)
    ip = models.CharField(_("dirección IP"), max_length=45, blank=True)
    detail = models.CharField(_("detalle"), max_length=300)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("atendió"),
                                        null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    acknowledged_at = models.DateTimeField(_("atendida"), null=True, blank=True)

    class Meta:
        verbose_name = _("alerta de seguridad")
        verbose_name_plural = _("alertas de seguridad")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.get_kind_display()}: {self.username}"
