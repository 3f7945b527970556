"""Money coming in: bank agreements and file layouts (data, edited in the admin), payment
references, imported files with their result, bank operations (one row per operation the bank
reported, unique per agreement: the guard that applies money once) and cashier receipts.

The ledger (credits.LedgerEntry) stays the source of truth for what a credit owes; a
BankOperation or a Receipt says where a ledger entry came from.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}


class ReferenceAlgorithm(models.TextChoices):
    LUHN = "luhn", _("Luhn (BBVA «algoritmo 00»)")
    MOD97 = "mod97", _("Módulo 97 (estilo Banamex)")


class FileLayout(models.Model):
    """How to read one kind of payments file. Field positions are data, not code.

    `fields` maps the canonical field names (date, agreement, payment_type, branch, guide,
    reference, concept, amount, operation, bank) to where they are: for a fixed-width layout
    `[start, end]` (0-based, end exclusive); for a delimited one the header name (with
    `has_header`) or the 0-based column number.
    """

    class Kind(models.TextChoices):
        FIXED = "fixed", _("Ancho fijo")
        DELIMITED = "delimited", _("Delimitado")

    class AmountStyle(models.TextChoices):
        IMPLIED_CENTS = "implied_cents", _("Entero; los dos últimos dígitos son centavos")
        DECIMAL = "decimal", _("Con punto decimal (1234.50)")

    name = models.SlugField(_("nombre"), max_length=40, unique=True)
    description = models.CharField(_("descripción"), max_length=200, blank=True)
    kind = models.CharField(_("tipo"), max_length=10, choices=Kind.choices)
    encoding = models.CharField(_("codificación"), max_length=20, default="utf-8")
    delimiter = models.CharField(_("separador"), max_length=1, blank=True)
    has_header = models.BooleanField(_("tiene encabezado"), default=False)
    record_length = models.PositiveSmallIntegerField(_("longitud del registro"), null=True, blank=True)
    date_format = models.CharField(_("formato de fecha"), max_length=20, default="%Y-%m-%d",
                                   help_text=_("Códigos de strftime: %d%m%y, %Y-%m-%d, %d/%m/%Y."))
    amount_style = models.CharField(_("formato del importe"), max_length=14,
                                    choices=AmountStyle.choices, default=AmountStyle.DECIMAL)
    fields = models.JSONField(_("campos"), default=dict)
    operation_key_fields = models.JSONField(
        _("campos de la clave de operación"), default=list,
        help_text=_("Campos que identifican una operación del banco (p. ej. [\"operation\"])."))
    default_agreement = models.ForeignKey("BankAgreement", verbose_name=_("convenio por omisión"),
                                          null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="+")
    channel = models.CharField(_("canal"), max_length=20, default="banco")
    max_amount = models.DecimalField(
        _("importe máximo por pago"), null=True, blank=True, **MONEY,
        help_text=_("Un pago mayor no se aplica: va a la bandeja de no identificados para "
                    "revisión. Vacío: el tope general (RECUPERA_PAYMENT_MAX_AMOUNT)."))
    trailer = models.JSONField(
        _("registro de control"), default=dict, blank=True,
        help_text=_("Último renglón con los totales del banco: {\"marker\": \"TOTAL\", "
                    "\"count\": 1, \"amount\": 2, \"required\": true} (columnas en un archivo "
                    "delimitado; [inicio, fin] en uno de ancho fijo). Vacío: sin registro."))
    active = models.BooleanField(_("vigente"), default=True)

    class Meta:
        verbose_name = _("formato de archivo de pagos")
        verbose_name_plural = _("formatos de archivo de pagos")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """What people read: the description's title ("BBVA CIE"), not the code ("bbva-cie")
        that the command line and the API use."""
        title = self.description.split(":")[0].split("(")[0].strip() if self.description else ""
        return title or self.name


class BankAgreement(models.Model):
    """A collection contract with a bank (convenio): its number and reference algorithm."""

    code = models.SlugField(_("clave"), max_length=30, unique=True)
    bank = models.CharField(_("banco"), max_length=60)
    agreement_number = models.CharField(_("número de convenio"), max_length=20, blank=True,
                                        db_index=True)
    reference_algorithm = models.CharField(_("algoritmo de la referencia"), max_length=8,
                                           choices=ReferenceAlgorithm.choices,
                                           default=ReferenceAlgorithm.LUHN)
    active = models.BooleanField(_("vigente"), default=True)

    class Meta:
        verbose_name = _("convenio bancario")
        verbose_name_plural = _("convenios bancarios")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.bank} · {self.agreement_number or self.code}"


class PaymentReference(models.Model):
    """The number a credit's borrower gives the bank (referencia bancaria), one per algorithm.

    Generated once and kept: a printed reference never changes."""

    credit = models.ForeignKey("credits.Credit", on_delete=models.CASCADE,
                               related_name="payment_references")
    algorithm = models.CharField(_("algoritmo"), max_length=8, choices=ReferenceAlgorithm.choices)
    reference = models.CharField(_("referencia"), max_length=20)
    created_at = models.DateTimeField(_("alta"), auto_now_add=True)

    class Meta:
        verbose_name = _("referencia bancaria")
        verbose_name_plural = _("referencias bancarias")
        constraints = [
            models.UniqueConstraint(fields=["algorithm", "reference"], name="payref_unique_reference"),
            models.UniqueConstraint(fields=["credit", "algorithm"], name="payref_one_per_algorithm"),
        ]

    def __str__(self) -> str:
        return self.reference


class PaymentImport(models.Model):
    """One payments file as received: kept with its hash and its result, row by row."""

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "todo_o_nada", _("Todo o nada: si hay un renglón con error no se aplica nada")
        VALID_ROWS = "solo_validos", _("Aplicar los renglones válidos y reportar los demás")

    class Status(models.TextChoices):
        PENDING = "pendiente", _("En espera")
        RUNNING = "procesando", _("Procesando")
        DONE = "terminada", _("Terminada")
        REJECTED = "rechazada", _("Rechazada (no se aplicó nada)")
        FAILED = "fallida", _("Falló; puede reanudarse")

    layout = models.ForeignKey(FileLayout, verbose_name=_("formato"), on_delete=models.PROTECT,
                               related_name="imports")
    mode = models.CharField(_("modo"), max_length=12, choices=Mode.choices, default=Mode.VALID_ROWS)
    status = models.CharField(_("estado"), max_length=12, choices=Status.choices,
                              default=Status.PENDING, db_index=True)
    original_name = models.CharField(_("archivo"), max_length=200)
    file = models.FileField(_("archivo guardado"), upload_to="pagos/%Y/%m/", max_length=300)
    sha256 = models.CharField(_("huella SHA-256"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("tamaño (bytes)"), default=0)
    business_date = models.DateField(_("fecha de operación"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("cargado por"),
                                    null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("cargado"), auto_now_add=True)
    started_at = models.DateTimeField(_("inicio"), null=True, blank=True)
    finished_at = models.DateTimeField(_("fin"), null=True, blank=True)
    same_file_as = models.ForeignKey("self", verbose_name=_("mismo archivo que"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    total_lines = models.PositiveIntegerField(_("renglones"), default=0)
    processed_lines = models.PositiveIntegerField(_("renglones procesados"), default=0)
    applied_count = models.PositiveIntegerField(_("pagos aplicados"), default=0)
    applied_amount = models.DecimalField(_("importe aplicado"), default=Decimal("0"), **MONEY)
    duplicate_count = models.PositiveIntegerField(_("duplicados"), default=0)
    unidentified_count = models.PositiveIntegerField(_("no identificados"), default=0)
    unidentified_amount = models.DecimalField(_("importe no identificado"), default=Decimal("0"),
                                              **MONEY)
    error_count = models.PositiveIntegerField(_("renglones con error"), default=0)
    # Written by the process running the import at its start and after every chunk: a running
    # import whose heartbeat is older than STALE_AFTER was killed (services.payment_import_stale).
    heartbeat_at = models.DateTimeField(_("última señal"), null=True, blank=True)
    # "host:pid:start ticks" of the process running it: on the same host a dead process is
    # seen at once (services.payment_import_stale), elsewhere the heartbeat's age tells.
    runner = models.CharField(_("proceso"), max_length=120, blank=True)
    resubmission_of = models.ForeignKey("self", verbose_name=_("corrige a"), null=True,
                                        blank=True, on_delete=models.PROTECT, related_name="+")
    # [{"row": 3, "column": "importe", "message": "...", "severity": "error"|"aviso"|"duplicado"}]
    problems = models.JSONField(_("reporte"), default=list, blank=True)
    failure = models.TextField(_("falla"), blank=True)

    class Meta:
        verbose_name = _("importación de pagos")
        verbose_name_plural = _("importaciones de pagos")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.created_at:%d/%m/%Y %H:%M})" if self.created_at else self.original_name

    @property
    def progress_percent(self) -> int:
        if self.status in (self.Status.DONE, self.Status.REJECTED):
            return 100
        if not self.total_lines:
            return 0
        return min(100, int(self.processed_lines * 100 / self.total_lines))

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.REJECTED, self.Status.FAILED)

    @property
    def stale(self) -> bool:
        """Running, but its process is gone (killed, the server restarted): resumable."""
        from recupera.payments.services import payment_import_stale

        return payment_import_stale(self)

    @property
    def resumable(self) -> bool:
        return self.status == self.Status.FAILED or self.stale


class BankOperation(models.Model):
    """One operation a bank (or payroll) reported. Unique per (agreement, operation_key): it is
    inserted before its money is posted, so the same operation in two files — or in two imports
    running at once — is applied once."""

    class Status(models.TextChoices):
        APPLIED = "aplicado", _("Aplicado")
        UNIDENTIFIED = "no_identificado", _("No identificado")
        REVERSED = "reversado", _("Reversado")

    class Match(models.TextChoices):
        REFERENCE = "referencia", _("Referencia bancaria")
        FOLIO = "folio", _("Folio en el concepto")
        CURP = "curp", _("CURP en el concepto")
        EMPLOYEE = "empleado", _("Número de empleado (nómina)")
        MANUAL = "manual", _("Asignación manual")

    # No index of its own: bankop_unique_key (agreement, operation_key) starts with it.
    agreement = models.ForeignKey(BankAgreement, verbose_name=_("convenio"), on_delete=models.PROTECT,
                                  related_name="operations", db_index=False)
    operation_key = models.CharField(_("clave de operación"), max_length=200)
    payment_import = models.ForeignKey(PaymentImport, verbose_name=_("importación"), null=True,
                                       blank=True, on_delete=models.PROTECT, related_name="operations")
    line_number = models.PositiveIntegerField(_("renglón"), null=True, blank=True)
    value_date = models.DateField(_("fecha valor"))
    amount = models.DecimalField(_("importe"), **MONEY)
    reference = models.CharField(_("referencia"), max_length=40, blank=True)
    concept = models.CharField(_("concepto"), max_length=120, blank=True)
    payment_type = models.CharField(_("tipo de pago"), max_length=10, blank=True)
    branch = models.CharField(_("sucursal"), max_length=10, blank=True)
    raw = models.CharField(_("renglón original"), max_length=400, blank=True)
    channel = models.CharField(_("canal"), max_length=20, default="banco")
    status = models.CharField(_("estado"), max_length=16, choices=Status.choices)
    unidentified_reason = models.CharField(_("motivo"), max_length=200, blank=True)
    credit = models.ForeignKey("credits.Credit", verbose_name=_("crédito"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="bank_operations")
    match = models.CharField(_("identificado por"), max_length=12, choices=Match.choices, blank=True)
    ledger_entry = models.OneToOneField("credits.LedgerEntry", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="bank_operation")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(_("asignado"), null=True, blank=True)
    created_at = models.DateTimeField(_("registrado"), auto_now_add=True)

    class Meta:
        verbose_name = _("operación bancaria")
        verbose_name_plural = _("operaciones bancarias")
        ordering = ["-value_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "operation_key"], name="bankop_unique_key"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="bankop_amount_positive"),
            models.CheckConstraint(condition=~Q(status="aplicado") | Q(credit__isnull=False),
                                   name="bankop_applied_has_credit"),
        ]
        # Plain btrees (exact matches; the queue's search is icontains, which no btree serves).
        indexes = [models.Index(fields=["reference"], name="bankop_reference"),
                   models.Index(fields=["status"], name="bankop_status")]

    def __str__(self) -> str:
        return f"{self.agreement_id}:{self.operation_key}"

    @property
    def natural_key(self) -> str:
        """The ledger entry's natural key for this operation."""
        return f"banco:{self.pk}"


class Receipt(models.Model):
    """A payment taken at the counter (caja). The folio is the receipt's number."""

    class Method(models.TextChoices):
        CASH = "efectivo", _("Efectivo")
        CARD = "tarjeta", _("Tarjeta")
        CHECK = "cheque", _("Cheque")

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("Pago")
        PREPAYMENT = "prepayment", _("Pago anticipado a capital")

    credit = models.ForeignKey("credits.Credit", verbose_name=_("crédito"), on_delete=models.PROTECT,
                               related_name="receipts")
    kind = models.CharField(_("tipo"), max_length=12, choices=Kind.choices, default=Kind.PAYMENT)
    amount = models.DecimalField(_("importe"), **MONEY)
    method = models.CharField(_("forma de pago"), max_length=10, choices=Method.choices,
                              default=Method.CASH)
    cashier = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("cajero"),
                                on_delete=models.PROTECT, related_name="+")
    business_date = models.DateField(_("fecha de operación"), db_index=True)
    request_id = models.CharField(_("identificador de la solicitud"), max_length=64, unique=True)
    ledger_entry = models.OneToOneField("credits.LedgerEntry", on_delete=models.PROTECT,
                                        related_name="receipt")
    created_at = models.DateTimeField(_("registrado"), auto_now_add=True)

    class Meta:
        verbose_name = _("recibo de caja")
        verbose_name_plural = _("recibos de caja")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="receipt_amount_positive")]

    def __str__(self) -> str:
        return self.folio

    @property
    def folio(self) -> str:
        return f"CAJA-{self.pk:07d}" if self.pk else "CAJA-"


class PayrollEnrollment(models.Model):
    """A debtor who is a state employee: the credit is paid by payroll deduction (descuento vía
    nómina). Edited with services.payroll_enrollment_save (audited), also from the admin.

    `amount`: the most the agency deducts per pay period; empty = what is owed (overdue plus the
    period's installment)."""

    credit = models.OneToOneField("credits.Credit", verbose_name=_("crédito"),
                                  on_delete=models.PROTECT, related_name="payroll_enrollment")
    employee_number = models.CharField(_("número de empleado"), max_length=30, db_index=True)
    agency = models.CharField(_("dependencia"), max_length=120, db_index=True)
    active = models.BooleanField(_("vigente"), default=True)
    since = models.DateField(_("desde"))
    amount = models.DecimalField(_("importe máximo por periodo"), null=True, blank=True,
                                 help_text=_("Vacío: lo vencido más la mensualidad del periodo."),
                                 **MONEY)
    created_at = models.DateTimeField(_("alta"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modificado"), auto_now=True)

    class Meta:
        verbose_name = _("descuento vía nómina")
        verbose_name_plural = _("descuentos vía nómina")
        ordering = ["agency", "employee_number"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gt=0),
                                   name="payroll_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} · {self.employee_number}"
