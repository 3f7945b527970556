"""The daily close (cierre diario): runs, their named steps, and what the close keeps.

`CreditAging` is the close's own cache per credit: the engine's facts that do not change while
nothing happens to the credit (the effective due date of the oldest installment still owed, the
first due date, the schedule in force), so that the daily step for a credit whose only change is
the date is one set-based UPDATE (docs/daily-close.md).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 16, "decimal_places": 2}


class CloseRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "en_curso", _("En curso")
        FINISHED = "terminado", _("Terminado")
        FAILED = "fallido", _("Fallido")
        VOIDED = "anulado", _("Anulado")  # a wrong date undone by close_run_void

    business_date = models.DateField(_("fecha de operación"), unique=True)
    status = models.CharField(_("estado"), max_length=10, choices=Status.choices,
                              default=Status.RUNNING)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("inicio"), auto_now_add=True)
    finished_at = models.DateTimeField(_("fin"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("intentos"), default=1)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("cierre diario")
        verbose_name_plural = _("cierres diarios")
        ordering = ["-business_date"]

    def __str__(self) -> str:
        return f"Cierre {self.business_date:%d/%m/%Y}"

    @property
    def finished(self) -> bool:
        return self.status == self.Status.FINISHED

    @property
    def seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class CloseStep(models.Model):
    class Status(models.TextChoices):
        PENDING = "pendiente", _("Pendiente")
        RUNNING = "en_curso", _("En curso")
        DONE = "terminado", _("Terminado")
        SKIPPED = "omitido", _("Omitido")
        FAILED = "fallido", _("Fallido")

    run = models.ForeignKey(CloseRun, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("orden"))
    name = models.CharField(_("paso"), max_length=40)
    status = models.CharField(_("estado"), max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    started_at = models.DateTimeField(_("inicio"), null=True, blank=True)
    finished_at = models.DateTimeField(_("fin"), null=True, blank=True)
    seconds = models.FloatField(_("segundos"), null=True, blank=True)
    rows = models.BigIntegerField(_("renglones"), default=0)
    rows_total = models.BigIntegerField(_("renglones por procesar"), default=0)
    rows_done = models.BigIntegerField(_("renglones procesados"), default=0)
    # Checkpoint of a batched step: the last credit id committed, and the step's fixed inputs.
    cursor = models.BigIntegerField(_("último id procesado"), default=0)
    params = models.JSONField(_("parámetros"), default=dict, blank=True)
    result = models.JSONField(_("resultado"), default=dict, blank=True)
    note = models.CharField(_("nota"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("paso del cierre")
        verbose_name_plural = _("pasos del cierre")
        ordering = ["run", "position"]
        constraints = [models.UniqueConstraint(fields=["run", "name"], name="cob_step_unique_name")]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.name}"

    @property
    def percent(self) -> int:
        if self.status in (self.Status.DONE, self.Status.SKIPPED):
            return 100
        if not self.rows_total:
            return 0
        return min(100, int(100 * self.rows_done / self.rows_total))


class CreditAging(models.Model):
    """What the engine said about a credit that stays true until something happens to it."""

    credit = models.OneToOneField("credits.Credit", primary_key=True, on_delete=models.CASCADE,
                                  related_name="aging")
    # Effective due date of the oldest installment whose unpaid principal + interest exceeds
    # the tolerance (DOMAIN §3.12), due or not yet due; null when nothing is owed.
    oldest_unpaid_eff = models.DateField(null=True, blank=True)
    # Due date of the first installment not settled (next_due_date never goes before it).
    first_open_due = models.DateField(null=True, blank=True)
    first_due_date = models.DateField(null=True, blank=True)
    schedule_version = models.PositiveSmallIntegerField(default=1)
    # A status the date cannot change (paid off, nothing disbursed); blank when it can.
    fixed_status = models.CharField(max_length=16, blank=True)
    # The facts could not be checked against the engine: replay this credit every close.
    volatile = models.BooleanField(default=False)
    source_as_of = models.DateField(null=True, blank=True)  # Credit.state_as_of they came from
    last_entry_id = models.BigIntegerField(default=0)
    last_disbursement_id = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("antigüedad del crédito")
        verbose_name_plural = _("antigüedad de los créditos")

    def __str__(self) -> str:
        return f"{self.credit_id}"


class PortfolioSnapshot(models.Model):
    """The portfolio at a business date, per status and bucket (roll rates and history)."""

    business_date = models.DateField(_("fecha de operación"), db_index=True)
    status = models.CharField(_("estado"), max_length=16)
    bucket = models.CharField(_("tramo de atraso"), max_length=16)
    credits = models.BigIntegerField(_("créditos"))
    principal_outstanding = models.DecimalField(_("saldo de capital"), default=Decimal("0"), **MONEY)
    total_overdue = models.DecimalField(_("total vencido"), default=Decimal("0"), **MONEY)
    payoff_amount = models.DecimalField(_("monto para liquidar"), default=Decimal("0"), **MONEY)

    class Meta:
        verbose_name = _("foto de la cartera")
        verbose_name_plural = _("fotos de la cartera")
        ordering = ["business_date", "status", "bucket"]
        constraints = [models.UniqueConstraint(fields=["business_date", "status", "bucket"],
                                               name="cob_snapshot_unique")]

    def __str__(self) -> str:
        return f"{self.business_date} {self.status} {self.bucket}"


class PrescriptionAlert(models.Model):
    """A pagaré in force whose prescription date is near (DOMAIN §6)."""

    note = models.OneToOneField("credits.PromissoryNote", on_delete=models.CASCADE,
                                related_name="prescription_alert")
    credit = models.ForeignKey("credits.Credit", on_delete=models.CASCADE, related_name="+")
    prescription_date = models.DateField(_("fecha de prescripción"), db_index=True)
    days_left = models.IntegerField(_("días restantes"))
    first_flagged_on = models.DateField(_("señalado desde"))
    last_seen_on = models.DateField(_("última revisión"))

    class Meta:
        verbose_name = _("pagaré por prescribir")
        verbose_name_plural = _("pagarés por prescribir")
        ordering = ["prescription_date"]

    def __str__(self) -> str:
        return f"{self.note_id} {self.prescription_date}"
