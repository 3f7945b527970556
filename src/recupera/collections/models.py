"""Collections workbench: cases, assignment, deadlines, actions, promises, calls and conduct.

Every write goes through `services.py`. Settings rows (CollectionSettings, ConductSettings) are
singletons (pk=1) edited by the Subdirección de Cartera in the admin.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from recupera.collections import conduct, logic

MONEY = {"max_digits": 14, "decimal_places": 2}
User = settings.AUTH_USER_MODEL


class Stage(models.TextChoices):
    PREVENTIVE = logic.PREVENTIVE, _("Preventiva")
    EARLY = logic.EARLY, _("Temprana")
    LATE = logic.LATE, _("Tardía")
    EXTRAJUDICIAL = logic.EXTRAJUDICIAL, _("Extrajudicial")
    JUDICIAL = logic.JUDICIAL, _("Judicial")


class Channel(models.TextChoices):
    CALL_OUT = conduct.CALL_OUT, _("Llamada saliente")
    CALL_IN = conduct.CALL_IN, _("Llamada entrante")
    VISIT = conduct.VISIT, _("Visita")
    SMS = conduct.SMS, _("SMS")
    EMAIL = conduct.EMAIL, _("Correo electrónico")
    WHATSAPP = conduct.WHATSAPP, _("WhatsApp")
    LETTER = conduct.LETTER, _("Carta")
    IN_PERSON = conduct.IN_PERSON, _("En persona (oficina)")


class Party(models.TextChoices):
    BORROWER = conduct.BORROWER, _("Acreditado")
    GUARANTOR = conduct.GUARANTOR, _("Aval")
    REPRESENTATIVE = conduct.REPRESENTATIVE, _("Representante legal")
    REFERENCE = conduct.REFERENCE, _("Referencia personal")
    OTHER = conduct.OTHER, _("Otra persona")


class _Singleton(models.Model):
    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)

    class Meta:
        abstract = True

    @classmethod
    def load(cls):  # type: ignore[no-untyped-def]
        row = cls.objects.filter(pk=1).first()
        return row if row is not None else cls(pk=1)


class CollectionSettings(_Singleton):
    """When cases open, how stages are cut, how promises are judged."""

    open_case_min_dpd = models.PositiveIntegerField(
        _("abrir caso desde (días de atraso)"), default=1)
    early_from_dpd = models.PositiveIntegerField(_("etapa temprana desde (días)"), default=1)
    late_from_dpd = models.PositiveIntegerField(_("etapa tardía desde (días)"), default=31)
    extrajudicial_from_dpd = models.PositiveIntegerField(_("etapa extrajudicial desde (días)"), default=91)
    preventive_case_days = models.PositiveIntegerField(
        _("días que dura un caso preventivo al corriente"), default=30)
    promise_tolerance = models.DecimalField(
        _("tolerancia de la promesa (MXN)"), default=Decimal("1.00"), **MONEY,
        help_text=_("Lo que puede faltar al pago para dar la promesa por cumplida."))
    promise_grace_days = models.PositiveSmallIntegerField(
        _("días de gracia de la promesa"), default=0,
        help_text=_("Días después de la fecha prometida antes de declararla incumplida."))

    class Meta:
        verbose_name = _("configuración de cobranza")
        verbose_name_plural = _("configuración de cobranza")

    def __str__(self) -> str:
        return str(_("Configuración de cobranza"))

    def stage_limits(self) -> logic.StageLimits:
        return logic.StageLimits(self.early_from_dpd, self.late_from_dpd, self.extrajudicial_from_dpd)


class ConductSettings(_Singleton):
    """The conduct limits enforced on every contact (docs/domain.md §5)."""

    timezone = models.CharField(_("zona horaria del deudor"), max_length=40, default="America/Hermosillo")
    weekdays = models.CharField(_("días permitidos"), max_length=20, default="0,1,2,3,4",
                                help_text=_("Números separados por coma; 0 = lunes … 6 = domingo."))
    window_start = models.TimeField(_("contactar desde"), default=dt.time(7, 0))
    window_end = models.TimeField(_("contactar hasta"), default=dt.time(22, 0))
    max_call_attempts = models.PositiveSmallIntegerField(_("máximo de intentos de llamada"), default=7)
    attempts_window_days = models.PositiveSmallIntegerField(_("en cuántos días"), default=7)
    quiet_days_after_conversation = models.PositiveSmallIntegerField(
        _("días sin llamar después de una conversación"), default=7)
    minor_age = models.PositiveSmallIntegerField(_("mayoría de edad"), default=18)
    older_adult_age = models.PositiveSmallIntegerField(_("edad de adulto mayor"), default=60)
    contact_points_on_file_only = models.BooleanField(_("solo medios del expediente"), default=True)

    class Meta:
        verbose_name = _("reglas de conducta en la cobranza")
        verbose_name_plural = _("reglas de conducta en la cobranza")

    def __str__(self) -> str:
        return str(_("Reglas de conducta"))

    def rules(self) -> conduct.ConductRules:
        days = frozenset(int(p) for p in self.weekdays.split(",") if p.strip().isdigit())
        return conduct.ConductRules(
            timezone=self.timezone, weekdays=days, window_start=self.window_start,
            window_end=self.window_end, max_call_attempts=self.max_call_attempts,
            attempts_window_days=self.attempts_window_days,
            quiet_days_after_conversation=self.quiet_days_after_conversation,
            minor_age=self.minor_age, older_adult_age=self.older_adult_age,
            contact_points_on_file_only=self.contact_points_on_file_only)


class Case(models.Model):
    """A credit under collection (caso de cobranza). At most one open case per credit."""

    class Status(models.TextChoices):
        OPEN = "abierto", _("Abierto")
        CLOSED = "cerrado", _("Cerrado")

    class Origin(models.TextChoices):
        AUTOMATIC = "automatico", _("Automático por atraso")
        MANUAL = "manual", _("Manual (preventivo)")

    class CloseReason(models.TextChoices):
        CURRENT = "al_corriente", _("Crédito al corriente")
        PAID_OFF = "liquidado", _("Crédito liquidado")
        WRITTEN_OFF = "castigado", _("Crédito castigado")
        WAIVED = "condonado", _("Crédito condonado")
        MANUAL = "manual", _("Cerrado a mano")

    credit = models.ForeignKey("credits.Credit", verbose_name=_("crédito"), on_delete=models.PROTECT,
                               related_name="cases")
    status = models.CharField(_("estado"), max_length=8, choices=Status.choices, default=Status.OPEN)
    origin = models.CharField(_("origen"), max_length=10, choices=Origin.choices, default=Origin.AUTOMATIC)
    stage = models.CharField(_("etapa"), max_length=14, choices=Stage.choices, default=Stage.PREVENTIVE)
    stage_by_decision = models.BooleanField(_("etapa fijada por decisión"), default=False)
    opened_on = models.DateField(_("abierto el"))
    closed_on = models.DateField(_("cerrado el"), null=True, blank=True)
    close_reason = models.CharField(_("motivo de cierre"), max_length=14, blank=True,
                                    choices=CloseReason.choices)
    collector = models.ForeignKey(User, verbose_name=_("gestor"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="cases")
    assigned_on = models.DateField(_("asignado el"), null=True, blank=True)
    # Deadlines (plazos de gestión), recomputed on assignment and on every action.
    first_contact_on = models.DateField(_("primer contacto"), null=True, blank=True)
    first_contact_due = models.DateField(_("primer contacto a más tardar"), null=True, blank=True)
    last_action_on = models.DateField(_("última gestión"), null=True, blank=True)
    next_action_due = models.DateField(_("siguiente gestión a más tardar"), null=True, blank=True)
    next_step_on = models.DateField(_("siguiente paso"), null=True, blank=True)
    broken_promise_on = models.DateField(_("promesa incumplida el"), null=True, blank=True)
    # The queue order and why (logic.priority_for), refreshed by the services.
    priority = models.IntegerField(_("prioridad"), default=0)
    priority_reasons = models.JSONField(_("motivos de la prioridad"), default=list, blank=True)
    priority_as_of = models.DateField(_("prioridad calculada al"), null=True, blank=True)

    class Meta:
        verbose_name = _("caso de cobranza")
        verbose_name_plural = _("casos de cobranza")
        ordering = ["-priority", "id"]
        constraints = [
            models.UniqueConstraint(fields=["credit"], condition=Q(status="abierto"),
                                    name="case_one_open_per_credit"),
            models.CheckConstraint(condition=Q(status="abierto", closed_on__isnull=True)
                                   | Q(status="cerrado", closed_on__isnull=False),
                                   name="case_closed_has_date"),
        ]
        # The queues' order is (-priority, id): with id in the index a page of 50 is read in
        # order and the scan stops; without it every case of the top priority (hundreds share
        # one) was joined to its credit and borrower and then sorted (7 ms a page at 1 M).
        indexes = [
            models.Index(fields=["collector", "status", "-priority", "id"], name="case_queue"),
            models.Index(fields=["status", "-priority", "id"], name="case_team_queue"),
        ]

    def __str__(self) -> str:
        return f"Caso {self.pk} · {self.credit_id}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Assignment(models.Model):
    """Who works a case, since when, until when, and why (the full history)."""

    class Kind(models.TextChoices):
        RULE = "regla", _("Por regla")
        MANUAL = "manual", _("Manual")
        BULK = "masiva", _("Reasignación masiva")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    collector = models.ForeignKey(User, verbose_name=_("gestor"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("tipo"), max_length=8, choices=Kind.choices)
    reason = models.CharField(_("motivo"), max_length=200, blank=True)
    rule = models.ForeignKey("AssignmentRule", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    starts_on = models.DateField(_("desde"))
    ends_on = models.DateField(_("hasta"), null=True, blank=True)
    assigned_by = models.ForeignKey(User, verbose_name=_("asignó"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("asignación")
        verbose_name_plural = _("asignaciones")
        ordering = ["case", "-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(ends_on__isnull=True),
                                    name="assignment_one_current_per_case"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.collector_id} ({self.starts_on:%d/%m/%Y})"


class AssignmentRule(models.Model):
    """Which collectors take which cases (set by the Subdirección). First matching rule wins."""

    name = models.CharField(_("nombre"), max_length=80)
    order = models.PositiveSmallIntegerField(_("orden"), default=10)
    municipality = models.ForeignKey("people.Municipality", verbose_name=_("municipio"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    region = models.CharField(_("región"), max_length=60, blank=True)
    stage = models.CharField(_("etapa"), max_length=14, choices=Stage.choices, blank=True)
    balance_min = models.DecimalField(_("saldo desde"), null=True, blank=True, **MONEY)
    balance_max = models.DecimalField(_("saldo hasta"), null=True, blank=True, **MONEY)
    collectors = models.ManyToManyField(User, verbose_name=_("gestores"), related_name="+")
    active = models.BooleanField(_("vigente"), default=True)

    class Meta:
        verbose_name = _("regla de asignación")
        verbose_name_plural = _("reglas de asignación")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class DeadlineRule(models.Model):
    """Plazos de gestión per stage (set by the Subdirección)."""

    stage = models.CharField(_("etapa"), max_length=14, choices=Stage.choices, unique=True)
    first_contact_business_days = models.PositiveSmallIntegerField(
        _("primer contacto en días hábiles"), default=3)
    action_every_days = models.PositiveSmallIntegerField(_("una gestión al menos cada (días)"), default=15)

    class Meta:
        verbose_name = _("plazo de gestión")
        verbose_name_plural = _("plazos de gestión")
        ordering = ["stage"]

    def __str__(self) -> str:
        return self.get_stage_display()


class Outcome(models.Model):
    """Coded result of an action (configurable catalog, seeded by a data migration)."""

    code = models.SlugField(_("clave"), max_length=30, unique=True)
    name = models.CharField(_("nombre"), max_length=80)
    is_conversation = models.BooleanField(_("hubo conversación con la persona"), default=False)
    discusses_debt = models.BooleanField(_("se trató el adeudo"), default=False,
                                         help_text=_("Se habló del adeudo o se pidió el pago."))
    requires_promise = models.BooleanField(_("lleva promesa de pago"), default=False)
    order = models.PositiveSmallIntegerField(_("orden"), default=10)
    active = models.BooleanField(_("vigente"), default=True)

    class Meta:
        verbose_name = _("resultado de gestión")
        verbose_name_plural = _("resultados de gestión")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class ConductOverride(models.Model):
    """A supervisor's recorded permission to break named conduct rules once, on one case."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="overrides")
    rules = models.JSONField(_("reglas exceptuadas"), default=list)
    reason = models.CharField(_("justificación"), max_length=300)
    valid_on = models.DateField(_("válida el"))
    granted_by = models.ForeignKey(User, verbose_name=_("autorizó"), on_delete=models.PROTECT,
                                   related_name="+")
    granted_at = models.DateTimeField(_("autorizada"), auto_now_add=True)
    used_at = models.DateTimeField(_("usada"), null=True, blank=True)

    class Meta:
        verbose_name = _("excepción a reglas de conducta")
        verbose_name_plural = _("excepciones a reglas de conducta")
        ordering = ["-granted_at"]

    def __str__(self) -> str:
        return f"Excepción {', '.join(self.rules)} · caso {self.case_id} · {self.valid_on:%d/%m/%Y}"


class Action(models.Model):
    """One collection action (gestión): the evidence of who contacted whom, when and how."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="actions")
    actor = models.ForeignKey(User, verbose_name=_("gestor"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("fecha y hora"))
    business_date = models.DateField(_("fecha de operación"))
    channel = models.CharField(_("canal"), max_length=18, choices=Channel.choices)
    party = models.CharField(_("persona contactada"), max_length=14, choices=Party.choices)
    person = models.ForeignKey("people.Person", verbose_name=_("persona"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    contact_point = models.ForeignKey("people.ContactPoint", verbose_name=_("medio de contacto"),
                                      null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    outcome = models.ForeignKey(Outcome, verbose_name=_("resultado"), on_delete=models.PROTECT,
                                related_name="+")
    notes = models.TextField(_("notas"), blank=True)
    duration_seconds = models.PositiveIntegerField(_("duración (segundos)"), null=True, blank=True)
    next_step_on = models.DateField(_("siguiente paso"), null=True, blank=True)
    debtor_requested = models.BooleanField(_("el deudor pidió la llamada"), default=False)
    override = models.OneToOneField(ConductOverride, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="action")

    class Meta:
        verbose_name = _("gestión")
        verbose_name_plural = _("gestiones")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["case", "-at"], name="action_case_at")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.at:%d/%m/%Y %H:%M}"


class Promise(models.Model):
    class Status(models.TextChoices):
        PENDING = "pendiente", _("Pendiente")
        KEPT = "cumplida", _("Cumplida")
        PARTIAL = "parcial", _("Cumplida en parte")
        BROKEN = "incumplida", _("Incumplida")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="promises")
    action = models.OneToOneField(Action, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="promise")
    amount = models.DecimalField(_("importe prometido"), **MONEY)
    due_on = models.DateField(_("fecha prometida"))
    made_on = models.DateField(_("hecha el"))
    status = models.CharField(_("estado"), max_length=10, choices=Status.choices, default=Status.PENDING)
    paid_amount = models.DecimalField(_("pagado"), default=Decimal("0"), **MONEY)
    evaluated_on = models.DateField(_("evaluada el"), null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("promesa de pago")
        verbose_name_plural = _("promesas de pago")
        ordering = ["-due_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="promise_amount_positive")]
        indexes = [models.Index(fields=["status", "due_on"], name="promise_status_due")]

    def __str__(self) -> str:
        return f"{self.amount} al {self.due_on:%d/%m/%Y}"


class Message(models.Model):
    """A recado for an absent colleague."""

    for_user = models.ForeignKey(User, verbose_name=_("para"), on_delete=models.PROTECT,
                                 related_name="messages_received")
    taken_by = models.ForeignKey(User, verbose_name=_("tomó el recado"), on_delete=models.PROTECT,
                                 related_name="+")
    taken_at = models.DateTimeField(_("fecha y hora"))
    caller = models.CharField(_("quién llamó"), max_length=120)
    phone = models.CharField(_("teléfono"), max_length=20, blank=True)
    text = models.TextField(_("recado"))
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    acknowledged_at = models.DateTimeField(_("enterado"), null=True, blank=True)

    class Meta:
        verbose_name = _("recado")
        verbose_name_plural = _("recados")
        ordering = ["-taken_at", "-id"]
        indexes = [models.Index(fields=["for_user", "acknowledged_at"], name="message_unread")]

    def __str__(self) -> str:
        return f"Recado de {self.caller}"

    @property
    def subject(self) -> Any:
        """The person the recado is about: the borrower of its case (the caller, usually), whose
        blocked data hide the caller and the phone (core/personal.py)."""
        return self.case.credit.borrower if self.case_id else None


class Inquiry(models.Model):
    """A question from the public (atención al público)."""

    class Category(models.TextChoices):
        BALANCE = "saldo", _("Saldo y estado de cuenta")
        PAYMENT = "pago", _("Cómo y dónde pagar")
        REFERENCE = "referencia", _("Referencia bancaria")
        AGREEMENT = "convenio", _("Convenio o reestructura")
        SETTLEMENT = "finiquito", _("Carta de finiquito / no adeudo")
        PROGRAMS = "programas", _("Becas y créditos (solicitudes)")
        COMPLAINT = "queja", _("Queja")
        OTHER = "otro", _("Otro")

    taken_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("fecha y hora"))
    channel = models.CharField(_("canal"), max_length=18, choices=Channel.choices, default=Channel.CALL_IN)
    caller = models.CharField(_("nombre"), max_length=120)
    phone = models.CharField(_("teléfono"), max_length=20, blank=True)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    category = models.CharField(_("categoría"), max_length=12, choices=Category.choices)
    question = models.TextField(_("pregunta"))
    resolution = models.TextField(_("respuesta / resolución"), blank=True)
    resolved = models.BooleanField(_("resuelta"), default=False)

    class Meta:
        verbose_name = _("atención al público")
        verbose_name_plural = _("atención al público")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_category_display()} · {self.caller}"


class DeadlineSnapshot(models.Model):
    """What the daily close found of the plazos de gestión, per collector (none = unassigned
    cases): the open cases, those whose first contact is overdue and those without an action
    within the stage's interval (each case counted once, first contact first, as the queue's
    priority reasons). One row per collector and business date (collections.services.deadlines_flag);
    the team page compares today with a week before."""

    business_date = models.DateField(_("fecha de operación"))
    collector = models.ForeignKey(User, verbose_name=_("gestor"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    open_cases = models.PositiveIntegerField(_("casos abiertos"))
    first_contact_overdue = models.PositiveIntegerField(_("primer contacto vencido"))
    action_overdue = models.PositiveIntegerField(_("gestión vencida"))

    class Meta:
        verbose_name = _("plazos vencidos al cierre")
        verbose_name_plural = _("plazos vencidos al cierre")
        ordering = ["-business_date", "collector_id"]
        constraints = [
            models.UniqueConstraint(fields=["business_date", "collector"], name="deadline_snapshot_once",
                                    condition=Q(collector__isnull=False)),
            models.UniqueConstraint(fields=["business_date"], name="deadline_snapshot_unassigned_once",
                                    condition=Q(collector__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.business_date} · {self.collector_id or '-'}: {self.overdue}"

    @property
    def overdue(self) -> int:
        return self.first_contact_overdue + self.action_overdue


class CaseSyncRun(models.Model):
    """One run of `cases_sync` or `assignment_run` (what the daily close did, for the audit)."""

    kind = models.CharField(max_length=20)
    as_of = models.DateField()
    counts = models.JSONField(default=dict)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ejecución de cobranza")
        verbose_name_plural = _("ejecuciones de cobranza")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.as_of}"


class LetterTemplate(models.Model):
    """An editable collection letter (Django template text; see letters.py for the variables)."""

    name = models.CharField(_("nombre"), max_length=80)
    body = models.TextField(_("texto"))
    active = models.BooleanField(_("vigente"), default=True)

    class Meta:
        verbose_name = _("plantilla de carta")
        verbose_name_plural = _("plantillas de carta")

    def __str__(self) -> str:
        return self.name


class LetterBatch(models.Model):
    """A mass letter run (background task) with its progress."""

    class Status(models.TextChoices):
        QUEUED = "en_cola", _("En cola")
        RUNNING = "generando", _("Generando")
        DONE = "terminado", _("Terminado")
        FAILED = "fallido", _("Fallido")

    template = models.ForeignKey(LetterTemplate, on_delete=models.PROTECT, related_name="+")
    case_ids = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    file = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lote de cartas")
        verbose_name_plural = _("lotes de cartas")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Lote {self.pk} ({self.total})"

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else 0
