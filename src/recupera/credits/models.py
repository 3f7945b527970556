"""Credits, their paper and their money.

Source of truth: `LedgerEntry` rows (append-only) plus the credit's terms and disbursements.
Everything else here that holds money (ScheduleVersion/Installment, Allocation, the cached
columns on Credit) is a projection the engine wrote, rebuilt by replay, never edited by hand.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}
RATE = {"max_digits": 8, "decimal_places": 6}


class Program(models.Model):
    class Kind(models.TextChoices):
        CREDIT = "credito", _("Crédito educativo")
        SCHOLARSHIP = "beca", _("Beca")
        STIMULUS = "estimulo", _("Estímulo")

    code = models.CharField(_("clave"), max_length=20, unique=True)
    name = models.CharField(_("nombre"), max_length=120)
    kind = models.CharField(_("tipo"), max_length=10, choices=Kind.choices, default=Kind.CREDIT)
    active = models.BooleanField(_("vigente"), default=True)

    class Meta:
        verbose_name = _("programa")
        verbose_name_plural = _("programas")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class Product(models.Model):
    class InterestBeforeRepayment(models.TextChoices):
        NONE = "none", _("No se cobra")
        CAPITALIZE = "capitalize", _("Se capitaliza al iniciar la amortización")

    code = models.CharField(_("clave"), max_length=20, unique=True)
    name = models.CharField(_("nombre"), max_length=120)
    program = models.ForeignKey(Program, verbose_name=_("programa"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="products")
    base_rate = models.DecimalField(_("tasa ordinaria anual"), **RATE)
    punctual_rate = models.DecimalField(_("tasa por pago puntual"), **RATE)
    excellence_rate = models.DecimalField(_("tasa de excelencia"), null=True, blank=True, **RATE)
    excellence_threshold = models.DecimalField(_("promedio mínimo para excelencia"), max_digits=5,
                                               decimal_places=2, null=True, blank=True)
    late_rate = models.DecimalField(_("tasa moratoria anual"), **RATE)
    grace_months = models.PositiveSmallIntegerField(_("meses de gracia"), default=6)
    default_term_months = models.PositiveSmallIntegerField(_("plazo en meses"), default=60)
    interest_before_repayment = models.CharField(
        _("interés antes de la amortización"), max_length=12,
        choices=InterestBeforeRepayment.choices, default=InterestBeforeRepayment.NONE)
    allocation_order = models.CharField(
        _("prelación de pagos"), max_length=80, default="fees,late_interest,interest,principal",
        help_text=_("Componentes separados por coma: fees, late_interest, interest, principal."))
    dpd_tolerance = models.DecimalField(_("tolerancia para días de atraso"), default=Decimal("1.00"), **MONEY)
    active = models.BooleanField(_("vigente"), default=True)

    class Meta:
        verbose_name = _("producto")
        verbose_name_plural = _("productos")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    def clean(self) -> None:
        parts = [p.strip() for p in self.allocation_order.split(",")]
        if sorted(parts) != sorted(["fees", "late_interest", "interest", "principal"]):
            raise ValidationError({"allocation_order": _(
                "La prelación debe nombrar una vez cada componente: fees, late_interest, interest, principal.")})


class Credit(models.Model):
    class Status(models.TextChoices):
        STUDYING = "en_estudios", _("En estudios")
        GRACE = "gracia", _("Periodo de gracia")
        REPAYING = "amortizacion", _("Amortización")
        OVERDUE = "vencido", _("Vencido")
        PLAN = "convenio", _("Convenio")
        RESTRUCTURED = "reestructurado", _("Reestructurado")
        LEGAL = "juridico", _("Jurídico")
        PAID_OFF = "liquidado", _("Liquidado")
        WRITTEN_OFF = "castigado", _("Castigado")
        WAIVED = "condonado", _("Condonado")

    # States set by a decision, not by the money; they win over the engine's status.
    ADMINISTRATIVE = (Status.PLAN, Status.RESTRUCTURED, Status.LEGAL, Status.WRITTEN_OFF, Status.WAIVED)

    folio = models.CharField(_("folio"), max_length=20, unique=True)
    product = models.ForeignKey(Product, verbose_name=_("producto"), on_delete=models.PROTECT,
                                related_name="credits")
    program = models.ForeignKey(Program, verbose_name=_("programa"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="credits")
    borrower = models.ForeignKey("people.Person", verbose_name=_("acreditado"), on_delete=models.PROTECT,
                                 related_name="credits_as_borrower")
    school = models.CharField(_("escuela"), max_length=160, blank=True)
    career = models.CharField(_("carrera"), max_length=160, blank=True)
    end_of_studies = models.DateField(_("fecha de fin de estudios"), null=True, blank=True)
    academic_average = models.DecimalField(_("promedio"), max_digits=5, decimal_places=2, null=True, blank=True)
    # Per-credit overrides of the product (null = the product's value).
    base_rate = models.DecimalField(_("tasa ordinaria anual"), null=True, blank=True, **RATE)
    late_rate = models.DecimalField(_("tasa moratoria anual"), null=True, blank=True, **RATE)
    grace_months = models.PositiveSmallIntegerField(_("meses de gracia"), null=True, blank=True)
    term_months = models.PositiveSmallIntegerField(_("plazo en meses"), null=True, blank=True)
    first_due_date = models.DateField(_("fecha del primer pago"), null=True, blank=True)
    administrative_status = models.CharField(_("estado administrativo"), max_length=16, blank=True,
                                             choices=[(s.value, s.label) for s in ADMINISTRATIVE])
    created_at = models.DateTimeField(_("alta"), auto_now_add=True)

    # Cache of the engine's answer at `state_as_of` (never the source of truth).
    status = models.CharField(_("estado"), max_length=16, choices=Status.choices, default=Status.STUDYING)
    state_as_of = models.DateField(_("estado calculado al"), null=True, blank=True)
    # Not indexed: the daily close moves it on every overdue credit, and an update that changes
    # no indexed column can stay on its page (a HOT update) instead of a new entry in each of the
    # table's indexes. Days-past-due filters and sorts scan the table (docs/architecture.md).
    days_past_due = models.IntegerField(_("días de atraso"), default=0)
    bucket = models.CharField(_("tramo de atraso"), max_length=16, default="al_corriente")
    principal_disbursed = models.DecimalField(_("capital ministrado"), default=Decimal("0"), **MONEY)
    principal_outstanding = models.DecimalField(_("saldo de capital"), default=Decimal("0"), **MONEY)
    total_overdue = models.DecimalField(_("total vencido"), default=Decimal("0"), **MONEY)
    payoff_amount = models.DecimalField(_("monto para liquidar"), default=Decimal("0"), **MONEY)
    credit_balance = models.DecimalField(_("saldo a favor"), default=Decimal("0"), **MONEY)
    next_due_date = models.DateField(_("próximo vencimiento"), null=True, blank=True)
    # Not indexed: the daily close finds these in its one scan of the portfolio, imports read it
    # by pk, and without an index setting it is a HOT update (see credits/0007).
    has_new_events = models.BooleanField(_("tiene movimientos por recalcular"), default=False)
    # What the stored Allocation rows of this credit are, so a replay can append to them without
    # reading them back: their number and the MD5 of their COPY text in id order
    # (credits.services.allocation_lines). "" = not known: the next replay rewrites them.
    allocations_count = models.IntegerField(_("aplicaciones guardadas"), default=0)
    allocations_digest = models.CharField(_("huella de las aplicaciones"), max_length=32,
                                          blank=True, default="")

    class Meta:
        verbose_name = _("crédito")
        verbose_name_plural = _("créditos")
        ordering = ["folio"]
        # Plain btrees: the status and bucket are matched exactly, never with LIKE (db_index on
        # a CharField would add a varchar_pattern_ops twin that every write maintains).
        indexes = [models.Index(fields=["status"], name="credit_status"),
                   models.Index(fields=["bucket"], name="credit_bucket")]
        constraints = [
            models.CheckConstraint(condition=Q(academic_average__isnull=True)
                                   | Q(academic_average__gte=0, academic_average__lte=100),
                                   name="credit_average_0_100"),
        ]

    def __str__(self) -> str:
        return self.folio


class CreditParty(models.Model):
    """A person's role on a credit: borrower, guarantor or personal reference."""

    class Role(models.TextChoices):
        BORROWER = "acreditado", _("Acreditado")
        GUARANTOR = "aval", _("Aval")
        REFERENCE = "referencia", _("Referencia personal")

    # No index of its own: credit_party_unique starts with it.
    credit = models.ForeignKey(Credit, on_delete=models.CASCADE, related_name="parties", db_index=False)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="credit_roles")
    role = models.CharField(_("papel"), max_length=12, choices=Role.choices)
    since = models.DateField(_("desde"), null=True, blank=True)

    class Meta:
        verbose_name = _("persona del crédito")
        verbose_name_plural = _("personas del crédito")
        constraints = [models.UniqueConstraint(fields=["credit", "person", "role"], name="credit_party_unique")]

    def __str__(self) -> str:
        return f"{self.credit_id}:{self.get_role_display()}"


class Disbursement(models.Model):
    class Destination(models.TextChoices):
        STUDENT = "alumno", _("Cuenta del alumno (manutención)")
        SCHOOL = "escuela", _("Escuela (inscripción/colegiatura)")

    # No index of its own: disbursement_unique_number starts with it.
    credit = models.ForeignKey(Credit, on_delete=models.CASCADE, related_name="disbursements", db_index=False)
    number = models.PositiveSmallIntegerField(_("número"))
    date = models.DateField(_("fecha"))
    amount = models.DecimalField(_("importe"), **MONEY)
    destination = models.CharField(_("destino"), max_length=8, choices=Destination.choices,
                                   default=Destination.STUDENT)

    class Meta:
        verbose_name = _("ministración")
        verbose_name_plural = _("ministraciones")
        ordering = ["credit", "number"]
        constraints = [
            models.UniqueConstraint(fields=["credit", "number"], name="disbursement_unique_number"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="disbursement_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.credit_id}-{self.number}"


class PromissoryNote(models.Model):
    """The contrato-pagaré signed for one disbursement (or for a restructure)."""

    class Status(models.TextChoices):
        IN_FORCE = "vigente", _("Vigente")
        SUBSTITUTED = "sustituido", _("Sustituido")
        PAID = "pagado", _("Pagado")
        TO_RETURN = "por_devolver", _("Por devolver al deudor")
        RETURNED = "devuelto", _("Devuelto")
        IN_LAWSUIT = "en_juicio", _("En juicio")
        PRESCRIBED = "prescrito", _("Prescrito")

    # No index of its own: note_unique_number starts with it.
    credit = models.ForeignKey(Credit, on_delete=models.CASCADE, related_name="notes", db_index=False)
    disbursement = models.OneToOneField(Disbursement, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="note")
    number = models.CharField(_("número de pagaré"), max_length=40)
    amount = models.DecimalField(_("importe"), **MONEY)
    signed_on = models.DateField(_("fecha de suscripción"))
    due_date = models.DateField(_("fecha de vencimiento"), null=True, blank=True)
    status = models.CharField(_("estado"), max_length=14, choices=Status.choices, default=Status.IN_FORCE)
    interrupted_on = models.DateField(_("prescripción interrumpida el"), null=True, blank=True,
                                      help_text=_("Demanda o reconocimiento de adeudo."))
    accelerated_on = models.DateField(_("vencimiento anticipado declarado el"), null=True, blank=True,
                                      help_text=_("Desde esa fecha corre la prescripción de las "
                                                  "mensualidades que aún no vencían."))

    class Meta:
        verbose_name = _("pagaré")
        verbose_name_plural = _("pagarés")
        ordering = ["credit", "signed_on", "number"]
        constraints = [models.UniqueConstraint(fields=["credit", "number"], name="note_unique_number")]
        # The legal clock (recupera.legal.prescription) starts from the credit's first unpaid
        # installment (the close's aging facts) or from a declaration of the whole debt due:
        # the few pagarés with a declaration are found by this partial index.
        indexes = [
            models.Index(fields=["accelerated_on"], name="note_accelerated",
                         condition=Q(accelerated_on__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.number


class ScheduleVersion(models.Model):
    """A schedule the engine produced (projection; history of versions kept)."""

    # No index of its own: schedule_unique_version starts with it.
    credit = models.ForeignKey(Credit, on_delete=models.CASCADE, related_name="schedule_versions",
                               db_index=False)
    version = models.PositiveSmallIntegerField(_("versión"))
    starts_on = models.DateField(_("vigente desde"))
    principal = models.DecimalField(_("capital"), **MONEY)
    rate = models.DecimalField(_("tasa"), **RATE)
    installment_amount = models.DecimalField(_("mensualidad"), **MONEY)
    reason = models.CharField(_("motivo"), max_length=20, default="original")
    # Hash of the engine's schedule this row was written from (credits.services): a replay
    # compares it instead of loading the installments; "" (older rows) means "rewrite".
    fingerprint = models.CharField(_("huella"), max_length=32, blank=True, default="",
                                   editable=False)

    class Meta:
        verbose_name = _("tabla de amortización")
        verbose_name_plural = _("tablas de amortización")
        ordering = ["credit", "version"]
        constraints = [models.UniqueConstraint(fields=["credit", "version"], name="schedule_unique_version")]

    def __str__(self) -> str:
        return f"{self.credit_id} v{self.version}"


class Installment(models.Model):
    # No index of its own: installment_unique_number starts with it.
    schedule = models.ForeignKey(ScheduleVersion, on_delete=models.CASCADE, related_name="installments",
                                 db_index=False)
    number = models.PositiveSmallIntegerField(_("número"))
    due_date = models.DateField(_("vencimiento"))
    effective_due_date = models.DateField(_("vencimiento efectivo"))
    principal = models.DecimalField(_("capital"), **MONEY)
    interest = models.DecimalField(_("interés"), **MONEY)

    class Meta:
        verbose_name = _("mensualidad")
        verbose_name_plural = _("mensualidades")
        ordering = ["schedule", "number"]
        constraints = [models.UniqueConstraint(fields=["schedule", "number"], name="installment_unique_number")]

    def __str__(self) -> str:
        return f"{self.schedule_id}#{self.number}"


class LedgerEntry(models.Model):
    """One money event on a credit. Append-only: a correction is a new entry (a reversal)."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("Pago")
        REVERSAL = "reversal", _("Reversa")
        PREPAYMENT = "prepayment", _("Pago anticipado a capital")
        PAYOFF = "payoff", _("Liquidación anticipada")
        FEE = "fee", _("Gastos de cobranza")
        DISCOUNT = "discount", _("Quita / condonación")
        RESTRUCTURE = "restructure", _("Reestructura")
        WRITE_OFF = "write_off", _("Castigo")
        WAIVER = "waiver", _("Condonación")  # of the whole debt: death/disability, or a plan's remainder

    # No index of its own: ledger_replay_order and ledger_unique_natural_key start with it.
    credit = models.ForeignKey(Credit, on_delete=models.PROTECT, related_name="ledger_entries",
                               db_index=False)
    kind = models.CharField(_("tipo"), max_length=12, choices=Kind.choices)
    value_date = models.DateField(_("fecha valor"))
    amount = models.DecimalField(_("importe"), **MONEY)
    channel = models.CharField(_("canal"), max_length=20, blank=True)
    natural_key = models.CharField(_("clave de operación"), max_length=120,
                                   help_text=_("Identificador natural: repetirlo no aplica dos veces."))
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reversed_by")
    params = models.JSONField(_("parámetros"), default=dict, blank=True)
    reason = models.CharField(_("motivo"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("registrado"), auto_now_add=True)

    class Meta:
        verbose_name = _("movimiento")
        verbose_name_plural = _("movimientos")
        ordering = ["credit", "value_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["credit", "natural_key"], name="ledger_unique_natural_key"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="ledger_amount_not_negative"),
            models.CheckConstraint(condition=~Q(kind="reversal") | Q(reverses__isnull=False),
                                   name="ledger_reversal_names_entry"),
        ]
        indexes = [models.Index(fields=["credit", "value_date", "id"], name="ledger_replay_order")]

    def __str__(self) -> str:
        return f"{self.credit_id} {self.get_kind_display()} {self.value_date} {self.amount}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise ValidationError("Los movimientos no se modifican: registre una reversa.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValidationError("Los movimientos no se borran: registre una reversa.")


class Allocation(models.Model):
    """How the engine applied one entry (projection, rebuilt by replay).

    `posting_kind` is the entry's kind or "rebate" for the punctual-payment rebate the engine
    derived when an installment closed on time; `entry` is the entry that produced it.
    """

    # No index of its own: allocation_credit_entry starts with it.
    credit = models.ForeignKey(Credit, on_delete=models.CASCADE, related_name="allocations",
                               db_index=False)
    # No index of its own: ledger entries are append-only (never deleted, so no cascade looks
    # allocations up by entry) and a credit's allocations are read by allocation_credit_entry.
    entry = models.ForeignKey(LedgerEntry, on_delete=models.CASCADE, related_name="allocations",
                              db_index=False)
    posting_kind = models.CharField(_("tipo"), max_length=14)
    value_date = models.DateField(_("fecha valor"))
    installment = models.PositiveSmallIntegerField(_("mensualidad"), null=True, blank=True)
    # Installment numbers restart in a restructured schedule: the version tells them apart.
    schedule_version = models.PositiveSmallIntegerField(_("versión de la tabla"), default=1)
    component = models.CharField(_("componente"), max_length=24)
    amount = models.DecimalField(_("importe"), **MONEY)

    class Meta:
        verbose_name = _("aplicación")
        verbose_name_plural = _("aplicaciones")
        ordering = ["credit", "value_date", "entry", "id"]
        indexes = [models.Index(fields=["credit", "entry"], name="allocation_credit_entry")]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.component} {self.amount}"


# Import jobs live in their own module (credits/models_import.py) but belong to this app.
from recupera.credits.models_import import ImportJob, ImportJobFile  # noqa: E402, F401
