"""Negotiation policy, offers (agreements), their installments and approvals."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}
PCT = {"max_digits": 7, "decimal_places": 4, "default": Decimal("0")}
RATE = {"max_digits": 8, "decimal_places": 6}
User = settings.AUTH_USER_MODEL


class Level(models.IntegerChoices):
    """Authority levels, lowest first (core.predicates.authority_level maps roles to them)."""

    COLLECTOR = 1, _("Gestor de cobranza")
    SUPERVISOR = 2, _("Jefe de Departamento")
    PORTFOLIO_OFFICE = 3, _("Subdirección de Cartera")
    COMMITTEE = 4, _("Dirección / Comité")


class NegotiationPolicy(models.Model):
    """What may be offered to a segment of the portfolio (set by the Subdirección)."""

    name = models.CharField(_("nombre"), max_length=120)
    active = models.BooleanField(_("vigente"), default=True)
    priority = models.PositiveSmallIntegerField(_("prioridad"), default=100,
                                                help_text=_("La política de menor número que "
                                                            "aplique al crédito es la que rige."))
    dpd_min = models.PositiveIntegerField(_("días de atraso desde"), default=0)
    dpd_max = models.PositiveIntegerField(_("días de atraso hasta"), null=True, blank=True)
    balance_min = models.DecimalField(_("adeudo desde"), default=Decimal("0"), **MONEY)
    balance_max = models.DecimalField(_("adeudo hasta"), null=True, blank=True, **MONEY)
    stage = models.CharField(_("etapa del caso"), max_length=14, blank=True)
    campaign = models.ForeignKey("Campaign", verbose_name=_("campaña"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="policies")
    max_term_months = models.PositiveSmallIntegerField(_("plazo máximo de reestructura (meses)"),
                                                       default=60)
    capitalize_interest = models.BooleanField(_("capitalizar intereses en la reestructura"),
                                              default=False)
    break_after_missed = models.PositiveSmallIntegerField(
        _("convenio incumplido tras N pagos omitidos"), default=2)
    tolerance_days = models.PositiveSmallIntegerField(_("días de tolerancia por pago"), default=5)
    revoke_on_break = models.BooleanField(_("revocar la condonación si se incumple"), default=True)
    offer_valid_days = models.PositiveSmallIntegerField(_("vigencia de la oferta (días)"), default=15)

    class Meta:
        verbose_name = _("política de negociación")
        verbose_name_plural = _("políticas de negociación")
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def stage_label(self) -> str:
        """The case stage's Spanish label («Tardía»), or "" for any stage."""
        from recupera.collections.models import Stage

        return str(Stage(self.stage).label) if self.stage in Stage.values else self.stage


class AuthorityLimit(models.Model):
    """The maximum one authority level may grant under a policy (percentages 0–100)."""

    policy = models.ForeignKey(NegotiationPolicy, on_delete=models.CASCADE, related_name="limits")
    level = models.PositiveSmallIntegerField(_("nivel"), choices=Level.choices)
    max_late_interest_pct = models.DecimalField(_("condonación máx. de moratorios %"), **PCT)
    max_interest_pct = models.DecimalField(_("descuento máx. de interés ordinario %"), **PCT)
    max_principal_pct = models.DecimalField(_("descuento máx. de capital %"), **PCT)
    min_down_payment_pct = models.DecimalField(_("enganche mínimo %"), **PCT)
    max_installments = models.PositiveSmallIntegerField(_("número máximo de pagos"), default=12)

    class Meta:
        verbose_name = _("facultad de autorización")
        verbose_name_plural = _("facultades de autorización")
        ordering = ["policy", "level"]
        constraints = [models.UniqueConstraint(fields=["policy", "level"], name="limit_one_per_level")]

    def __str__(self) -> str:
        return f"{self.policy} · {self.get_level_display()}"


class Campaign(models.Model):
    """Regularization campaign: a time window, the credits it reaches (days past due, debt,
    status) and what it forgives (percentages of late interest, of overdue interest and of
    collection fees). A negotiation policy may be segmented by campaign: it then governs the
    credits in the campaign (reached by it or within its segment) during its window.
    `campaign_apply` posts its discount entries; the run_* fields show the task's progress."""

    class RunStatus(models.TextChoices):
        NOT_RUN = "sin_aplicar", _("Sin aplicar")
        QUEUED = "en_cola", _("En cola")
        RUNNING = "en_curso", _("Aplicando")
        DONE = "terminada", _("Aplicada")
        FAILED = "fallida", _("Con error")

    name = models.CharField(_("nombre"), max_length=120)
    starts_on = models.DateField(_("inicia"))
    ends_on = models.DateField(_("termina"))
    dpd_min = models.PositiveIntegerField(_("días de atraso desde"), default=1)
    dpd_max = models.PositiveIntegerField(_("días de atraso hasta"), null=True, blank=True)
    balance_min = models.DecimalField(_("adeudo desde"), default=Decimal("0"), **MONEY)
    balance_max = models.DecimalField(_("adeudo hasta"), null=True, blank=True, **MONEY)
    statuses = models.JSONField(_("estados del crédito"), default=list, blank=True,
                                help_text=_("Vacío: cualquier estado con adeudo."))
    late_interest_pct = models.DecimalField(_("condonación de moratorios %"), **PCT)
    interest_pct = models.DecimalField(_("descuento de interés ordinario vencido %"), **PCT)
    fees_pct = models.DecimalField(_("condonación de gastos de cobranza %"), **PCT)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    run_status = models.CharField(_("aplicación"), max_length=12, choices=RunStatus.choices,
                                  default=RunStatus.NOT_RUN)
    run_as_of = models.DateField(_("aplicada al"), null=True, blank=True)
    run_total = models.PositiveIntegerField(default=0)
    run_done = models.PositiveIntegerField(default=0)
    run_note = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("campaña de regularización")
        verbose_name_plural = _("campañas de regularización")
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return self.name


class CampaignCredit(models.Model):
    """One credit a campaign reached: what it forgave (the discount entries it posted)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="credits")
    credit = models.ForeignKey("credits.Credit", on_delete=models.PROTECT, related_name="+")
    applied_on = models.DateField(_("aplicada el"))
    days_past_due = models.PositiveIntegerField(_("días de atraso"))
    debt = models.DecimalField(_("adeudo antes"), **MONEY)
    discounts = models.JSONField(_("descuentos"), default=dict)
    forgiven = models.DecimalField(_("condonado"), **MONEY)
    entries = models.JSONField(_("movimientos registrados"), default=list)

    class Meta:
        ordering = ["campaign", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "credit"], name="campaign_credit_once")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.credit_id}"


class Agreement(models.Model):
    """One offer and, once authorized, the agreement it becomes."""

    class Kind(models.TextChoices):
        SETTLEMENT = "liquidacion", _("Liquidación con descuento")
        PLAN = "convenio", _("Convenio de pago")
        RESTRUCTURE = "reestructura", _("Reestructura")
        WRITE_OFF = "castigo", _("Castigo")
        WAIVER = "condonacion", _("Condonación por fallecimiento o incapacidad")

    class Status(models.TextChoices):
        PENDING = "por_autorizar", _("Por autorizar")
        REJECTED = "rechazado", _("Rechazado")
        AUTHORIZED = "autorizado", _("Autorizado, en espera de pago")
        IN_FORCE = "vigente", _("Vigente")
        FULFILLED = "cumplido", _("Cumplido")
        BROKEN = "incumplido", _("Incumplido")
        APPLIED = "aplicado", _("Aplicado")

    credit = models.ForeignKey("credits.Credit", verbose_name=_("crédito"), on_delete=models.PROTECT,
                               related_name="agreements")
    case = models.ForeignKey("collections.Case", verbose_name=_("caso"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="agreements")
    kind = models.CharField(_("tipo"), max_length=14, choices=Kind.choices)
    status = models.CharField(_("estado"), max_length=14, choices=Status.choices,
                              default=Status.PENDING, db_index=True)
    policy = models.ForeignKey(NegotiationPolicy, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="agreements")
    as_of = models.DateField(_("fecha del acuerdo"))
    valid_until = models.DateField(_("vigente hasta"), null=True, blank=True)
    debt = models.DecimalField(_("adeudo a la fecha"), **MONEY)
    debt_parts = models.JSONField(_("desglose del adeudo"), default=dict)
    discounts = models.JSONField(_("descuentos"), default=dict)  # component -> "amount"
    interest_adjustment = models.DecimalField(_("ajuste de interés del periodo"),
                                              default=Decimal("0"), **MONEY)
    forgiven = models.DecimalField(_("el Instituto condona"), **MONEY)
    pays = models.DecimalField(_("el deudor paga"), **MONEY)
    down_payment = models.DecimalField(_("enganche"), default=Decimal("0"), **MONEY)
    installments_count = models.PositiveSmallIntegerField(_("número de pagos"), default=0)
    new_rate = models.DecimalField(_("nueva tasa anual"), null=True, blank=True, **RATE)
    new_term_months = models.PositiveSmallIntegerField(_("nuevo plazo (meses)"), null=True, blank=True)
    new_first_due_date = models.DateField(_("primer pago"), null=True, blank=True)
    capitalize_interest = models.BooleanField(_("capitaliza intereses"), default=False)
    required_level = models.PositiveSmallIntegerField(_("nivel que autoriza"), choices=Level.choices)
    proposed_by = models.ForeignKey(User, verbose_name=_("propuso"), on_delete=models.PROTECT,
                                    related_name="agreements_proposed")
    reason = models.TextField(_("motivo / justificación"), blank=True)
    entries = models.JSONField(_("movimientos registrados"), default=list, blank=True)
    note = models.ForeignKey("credits.PromissoryNote", verbose_name=_("pagaré nuevo"), null=True,
                             blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_on = models.DateField(_("concluido el"), null=True, blank=True)

    class Meta:
        verbose_name = _("convenio")
        verbose_name_plural = _("convenios")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(pays__gte=0) & Q(forgiven__gte=0),
                                   name="agreement_amounts_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk} · {self.credit}"


class AgreementInstallment(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="installments")
    number = models.PositiveSmallIntegerField(_("número"))  # 0 = enganche
    due_date = models.DateField(_("fecha"))
    amount = models.DecimalField(_("importe"), **MONEY)

    class Meta:
        ordering = ["agreement", "number"]
        constraints = [models.UniqueConstraint(fields=["agreement", "number"],
                                               name="agreement_installment_unique")]

    def __str__(self) -> str:
        return f"{self.agreement_id}-{self.number}"


class Approval(models.Model):
    class Decision(models.TextChoices):
        APPROVED = "autorizado", _("Autorizado")
        REJECTED = "rechazado", _("Rechazado")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="approvals")
    level = models.PositiveSmallIntegerField(_("nivel"), choices=Level.choices)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(_("decisión"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("comentario"), blank=True)
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agreement", "decided_at"]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.decision}"


class SupportingDocument(models.Model):
    """Supporting paper of a write-off or a waiver (acta de defunción, dictamen…)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(_("archivo"), upload_to="convenios/%Y/%m/")
    description = models.CharField(_("descripción"), max_length=200)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agreement", "uploaded_at"]

    def __str__(self) -> str:
        return self.description
