"""Monthly recovery goals, the money attributed to collectors, their daily productivity and the
frozen month results (docs/goals.md).

`Recovery` is the attribution rule's output, one row per ledger entry that moves recovered
money (payments of every channel and their reversals), written by the daily close's
`productividad` step; pages and reports read it and `DailyProductivity`, never the ledger.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}
User = settings.AUTH_USER_MODEL


class Goal(models.Model):
    """The goal of one month: the institute's (collector empty) or one collector's.

    `amount` is the full-month goal; a collector on the team only part of the month
    (`active_from` / `active_to`) is measured against it pro-rated by business days
    (engine.goals.prorate)."""

    month = models.DateField(_("mes"), help_text=_("Primer día del mes."))
    collector = models.ForeignKey(User, verbose_name=_("gestor"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("meta"), **MONEY)
    active_from = models.DateField(_("en el equipo desde"), null=True, blank=True)
    active_to = models.DateField(_("en el equipo hasta"), null=True, blank=True)
    reason = models.CharField(_("motivo del último cambio"), max_length=300, blank=True)
    set_by = models.ForeignKey(User, verbose_name=_("fijada por"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("modificada"), auto_now=True)

    class Meta:
        verbose_name = _("meta de recuperación")
        verbose_name_plural = _("metas de recuperación")
        ordering = ["-month", "collector_id"]
        constraints = [
            models.UniqueConstraint(fields=["month", "collector"], condition=Q(collector__isnull=False),
                                    name="goal_one_per_collector_month"),
            models.UniqueConstraint(fields=["month"], condition=Q(collector__isnull=True),
                                    name="goal_one_institute_month"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="goal_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} · {self.collector_id or 'instituto'}: {self.amount}"


class Recovery(models.Model):
    """One ledger entry's recovered money as the attribution rule counts it: `amount` signed
    (a reversal is negative), in `month`, on `day`, for `collector` (empty: «sin gestor»)."""

    entry = models.OneToOneField("credits.LedgerEntry", on_delete=models.PROTECT, related_name="+")
    credit = models.ForeignKey("credits.Credit", on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    case = models.ForeignKey("collections.Case", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", db_index=False)
    collector = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", db_index=False)
    kind = models.CharField(_("tipo"), max_length=12)
    channel = models.CharField(_("canal"), max_length=20, blank=True)
    value_date = models.DateField(_("fecha valor"))
    month = models.DateField(_("mes en que cuenta"))
    day = models.DateField(_("día en que cuenta"))
    amount = models.DecimalField(_("importe"), **MONEY)
    reverses = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")

    class Meta:
        verbose_name = _("recuperación atribuida")
        verbose_name_plural = _("recuperaciones atribuidas")
        ordering = ["month", "day", "id"]
        indexes = [
            models.Index(fields=["month", "collector", "day"], name="recovery_month_collector"),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.month:%Y-%m} {self.collector_id or '-'} {self.amount}"


class DailyProductivity(models.Model):
    """The work of one collector on one business day, stored by the daily close
    (goals.services.productivity_store); definitions in docs/goals.md."""

    day = models.DateField(_("día"))
    collector = models.ForeignKey(User, verbose_name=_("gestor"), on_delete=models.PROTECT,
                                  related_name="+", db_index=False)
    actions = models.PositiveIntegerField(_("gestiones"), default=0)
    by_channel = models.JSONField(_("gestiones por canal"), default=dict, blank=True)
    by_outcome = models.JSONField(_("gestiones por resultado"), default=dict, blank=True)
    right_party_contacts = models.PositiveIntegerField(_("contactos efectivos"), default=0)
    visits = models.PositiveIntegerField(_("visitas"), default=0)
    promises_made = models.PositiveIntegerField(_("promesas hechas"), default=0)
    promises_made_amount = models.DecimalField(_("importe prometido"), default=Decimal("0"), **MONEY)
    promises_kept = models.PositiveIntegerField(_("promesas cumplidas"), default=0)
    promises_kept_amount = models.DecimalField(_("importe cumplido"), default=Decimal("0"), **MONEY)
    promises_broken = models.PositiveIntegerField(_("promesas incumplidas"), default=0)
    promises_broken_amount = models.DecimalField(_("importe incumplido"), default=Decimal("0"), **MONEY)
    agreements_proposed = models.PositiveIntegerField(_("convenios propuestos"), default=0)
    agreements_authorized = models.PositiveIntegerField(_("convenios autorizados"), default=0)
    cases_worked = models.PositiveIntegerField(_("casos trabajados"), default=0)
    cases_assigned = models.PositiveIntegerField(_("casos asignados"), default=0)
    first_contact_met = models.PositiveIntegerField(_("primer contacto a tiempo"), default=0)
    first_contact_missed = models.PositiveIntegerField(_("primer contacto vencido"), default=0)
    next_action_overdue = models.PositiveIntegerField(_("gestión vencida al cierre"), default=0)
    recovered = models.DecimalField(_("recuperado"), default=Decimal("0"), **MONEY)
    payments = models.IntegerField(_("pagos"), default=0)

    class Meta:
        verbose_name = _("productividad diaria")
        verbose_name_plural = _("productividad diaria")
        ordering = ["-day", "collector_id"]
        constraints = [models.UniqueConstraint(fields=["collector", "day"], name="productivity_once")]
        indexes = [models.Index(fields=["day"], name="productivity_day")]

    def __str__(self) -> str:
        return f"{self.day} · {self.collector_id}"

    @property
    def promise_kept_rate(self) -> Decimal | None:
        settled = self.promises_kept + self.promises_broken
        return None if not settled else (Decimal(self.promises_kept) * 100 / settled).quantize(Decimal("0.1"))


class MonthClose(models.Model):
    """A month frozen by the first daily close of the next month: its results are `MonthResult`
    rows; money of that month that arrives later counts in the first open month."""

    month = models.DateField(_("mes"), unique=True)
    closed_on = models.DateField(_("congelado en el cierre del"))
    total_goal = models.DecimalField(_("meta del instituto"), default=Decimal("0"), **MONEY)
    total_recovered = models.DecimalField(_("recuperado"), default=Decimal("0"), **MONEY)
    unassigned_recovered = models.DecimalField(_("recuperado sin gestor"), default=Decimal("0"), **MONEY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mes congelado")
        verbose_name_plural = _("meses congelados")
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class MonthResult(models.Model):
    """One collector's frozen month: goal (pro-rated), recovered, payments counted."""

    close = models.ForeignKey(MonthClose, on_delete=models.CASCADE, related_name="results")
    collector = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    goal = models.DecimalField(_("meta"), **MONEY)
    recovered = models.DecimalField(_("recuperado"), **MONEY)
    payments = models.IntegerField(_("pagos"), default=0)

    class Meta:
        verbose_name = _("resultado del mes")
        verbose_name_plural = _("resultados del mes")
        ordering = ["close", "collector_id"]
        constraints = [models.UniqueConstraint(fields=["close", "collector"], name="month_result_once")]

    def __str__(self) -> str:
        return f"{self.close_id} · {self.collector_id}: {self.recovered}"
