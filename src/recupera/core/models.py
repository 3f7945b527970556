from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """Append-only record of every accepted change: who, when, what, before and after."""

    at = models.DateTimeField(_("fecha y hora"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("usuario"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    # Plain btrees only (no LIKE twins): the list filters action and object type with
    # icontains, which no btree serves, and object type + id exactly (audit_object_idx).
    action = models.CharField(_("acción"), max_length=80)
    object_type = models.CharField(_("tipo de objeto"), max_length=80)
    object_id = models.CharField(_("id del objeto"), max_length=64)
    object_repr = models.CharField(_("objeto"), max_length=200)
    before = models.JSONField(_("antes"), null=True, blank=True)
    after = models.JSONField(_("después"), null=True, blank=True)

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
            raise ValidationError("La bitácora de auditoría no se modifica.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValidationError("La bitácora de auditoría no se borra.")


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
