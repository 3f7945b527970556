"""Custody of the institute's paper: pagarés and files (expedientes) as physical items, the places
that hold them, their append-only movements, inventory campaigns and scanned copies.

An item's `status`, `location` and current holder are the answer of its last movement, written
by `custody.services` in the same transaction as the movement; the movements are the history
and nothing edits them (model, queryset and, on PostgreSQL, a trigger refuse it).
The classification (vigente, vencido, …) is never stored: `custody.classification` derives it
from the credit and the pagaré.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

APPEND_ONLY = _("Los movimientos de resguardo no se modifican ni se borran: registre uno nuevo.")
CODE_PREFIX = "RES-"


def item_code(pk: int) -> str:
    """The code printed on an item's label (and typed by the barcode scanner)."""
    return f"{CODE_PREFIX}{pk:07d}"


def item_pk_from_code(code: str) -> int | None:
    """The item id a scanned code names, or None when it is not one of ours."""
    text = (code or "").strip().upper()
    if not text.startswith(CODE_PREFIX):
        return None
    digits = text[len(CODE_PREFIX):]
    if not digits.isdigit() or len(digits) > 12:
        return None
    return int(digits)


class Location(models.Model):
    """archivo → sala → gabinete → cajón/caja. Items are kept in drawers and boxes."""

    class Kind(models.TextChoices):
        ARCHIVE = "archivo", _("Archivo")
        ROOM = "sala", _("Sala")
        CABINET = "gabinete", _("Gabinete")
        DRAWER = "cajon", _("Cajón")
        BOX = "caja", _("Caja")

    # What each kind may hang from.
    PARENT_KINDS: dict[str, tuple[str, ...]] = {
        Kind.ARCHIVE: (),
        Kind.ROOM: (Kind.ARCHIVE,),
        Kind.CABINET: (Kind.ROOM,),
        Kind.DRAWER: (Kind.CABINET,),
        Kind.BOX: (Kind.CABINET, Kind.ROOM),
    }
    HOLDS_ITEMS = (Kind.DRAWER, Kind.BOX)

    code = models.CharField(_("clave"), max_length=30, unique=True)
    name = models.CharField(_("nombre"), max_length=120)
    kind = models.CharField(_("tipo"), max_length=10, choices=Kind.choices)
    parent = models.ForeignKey("self", verbose_name=_("dentro de"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    active = models.BooleanField(_("en uso"), default=True)

    class Meta:
        verbose_name = _("ubicación")
        verbose_name_plural = _("ubicaciones")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    @property
    def holds_items(self) -> bool:
        return self.kind in self.HOLDS_ITEMS


class ItemStatus(models.TextChoices):
    IN_CUSTODY = "en_resguardo", _("En resguardo")
    LENT = "prestado", _("Prestado")
    IN_COURT = "en_juzgado", _("En juzgado")
    WITH_AGENCY = "con_despacho", _("Con despacho")
    RETURNED = "devuelto", _("Devuelto al acreditado")
    CANCELLED = "cancelado", _("Cancelado")
    LOST = "extraviado", _("Extraviado")


OUT_STATUSES = (ItemStatus.LENT, ItemStatus.IN_COURT, ItemStatus.WITH_AGENCY)
FINAL_STATUSES = (ItemStatus.RETURNED, ItemStatus.CANCELLED, ItemStatus.LOST)


class HolderKind(models.TextChoices):
    COLLECTOR = "gestor", _("Gestor de cobranza")
    LEGAL = "juridico", _("Área jurídica")
    AGENCY = "despacho", _("Despacho externo")
    COURT = "juzgado", _("Juzgado")


# The status an item takes when it is checked out to each kind of holder.
STATUS_FOR_HOLDER = {
    HolderKind.COLLECTOR: ItemStatus.LENT,
    HolderKind.LEGAL: ItemStatus.LENT,
    HolderKind.AGENCY: ItemStatus.WITH_AGENCY,
    HolderKind.COURT: ItemStatus.IN_COURT,
}


class Item(models.Model):
    """A pagaré or a file (expediente) kept by the archive."""

    class Kind(models.TextChoices):
        NOTE = "pagare", _("Pagaré")
        DOSSIER = "expediente", _("Expediente")

    class Program(models.TextChoices):
        CREDIT = "credito", _("Crédito educativo")
        SCHOLARSHIP = "beca", _("Beca")
        STIMULUS = "estimulo", _("Estímulo")

    code = models.CharField(_("código"), max_length=20, unique=True, blank=True)
    kind = models.CharField(_("tipo"), max_length=10, choices=Kind.choices)
    program = models.CharField(_("programa"), max_length=10, choices=Program.choices,
                               default=Program.CREDIT)
    note = models.OneToOneField("credits.PromissoryNote", verbose_name=_("pagaré"), null=True,
                                blank=True, on_delete=models.PROTECT, related_name="custody_item")
    credit = models.ForeignKey("credits.Credit", verbose_name=_("crédito"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="custody_items")
    person = models.ForeignKey("people.Person", verbose_name=_("acreditado o beneficiario"),
                               on_delete=models.PROTECT, related_name="custody_items")
    description = models.CharField(_("descripción"), max_length=200, blank=True)
    status = models.CharField(_("estado de resguardo"), max_length=14, choices=ItemStatus.choices,
                              default=ItemStatus.IN_CUSTODY)
    location = models.ForeignKey(Location, verbose_name=_("ubicación"), on_delete=models.PROTECT,
                                 related_name="items")
    # The current loan (empty while in custody), copied from the check-out movement.
    holder_kind = models.CharField(_("en poder de (tipo)"), max_length=10, blank=True,
                                   choices=HolderKind.choices)
    holder_name = models.CharField(_("en poder de"), max_length=160, blank=True)
    holder_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="custody_loans")
    out_since = models.DateField(_("prestado desde"), null=True, blank=True)
    due_back = models.DateField(_("debe volver el"), null=True, blank=True)
    registered_on = models.DateField(_("ingresó el"))

    class Meta:
        verbose_name = _("documento en resguardo")
        verbose_name_plural = _("documentos en resguardo")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="pagare", note__isnull=False, credit__isnull=False)
                           | Q(kind="expediente", note__isnull=True)),
                name="custody_item_kind_note"),
            models.CheckConstraint(condition=Q(program="credito", credit__isnull=False)
                                   | ~Q(program="credito"), name="custody_item_credit_program"),
        ]
        indexes = [models.Index(fields=["status", "due_back"], name="custody_item_status_due")]

    def __str__(self) -> str:
        return self.code or f"{self.get_kind_display()} {self.pk}"

    @property
    def is_out(self) -> bool:
        return self.status in OUT_STATUSES


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise ValidationError(APPEND_ONLY)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValidationError(APPEND_ONLY)

    _raw_delete = delete  # type: ignore[assignment]


class Movement(models.Model):
    """One event in an item's life. Append-only; its pk is the folio of the acuse."""

    class Kind(models.TextChoices):
        REGISTER = "alta", _("Ingreso al archivo")
        CHECK_OUT = "prestamo", _("Préstamo")
        CHECK_IN = "reintegro", _("Devolución al archivo")
        TRANSFER = "traslado", _("Traslado")
        RETURN_TO_DEBTOR = "devolucion", _("Devolución al acreditado")
        CANCEL = "cancelacion", _("Cancelación")
        LOSS = "extravio", _("Extravío")

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("movimiento"), max_length=12, choices=Kind.choices)
    business_date = models.DateField(_("fecha"))
    recorded_at = models.DateTimeField(_("registrado"), auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(_("registró"), max_length=160, blank=True)
    status_before = models.CharField(_("estado anterior"), max_length=14, blank=True,
                                     choices=ItemStatus.choices)
    status_after = models.CharField(_("estado"), max_length=14, choices=ItemStatus.choices)
    from_location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    to_location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    holder_kind = models.CharField(_("tipo de receptor"), max_length=10, blank=True,
                                   choices=HolderKind.choices)
    holder_name = models.CharField(_("recibe o entrega"), max_length=160, blank=True)
    holder_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(_("motivo"), max_length=300, blank=True)
    due_back = models.DateField(_("debe volver el"), null=True, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("movimiento de resguardo")
        verbose_name_plural = _("movimientos de resguardo")
        ordering = ["item", "id"]
        indexes = [models.Index(fields=["item", "id"], name="custody_movement_item")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.folio}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError(APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValidationError(APPEND_ONLY)

    @property
    def folio(self) -> str:
        return f"MOV-{self.pk:07d}" if self.pk else ""


class InventoryCampaign(models.Model):
    """A count of what a location (and everything inside it) holds."""

    class Status(models.TextChoices):
        OPEN = "abierta", _("En curso")
        CLOSED = "cerrada", _("Cerrada")

    location = models.ForeignKey(Location, verbose_name=_("ubicación"), on_delete=models.PROTECT,
                                 related_name="campaigns")
    status = models.CharField(_("estado"), max_length=8, choices=Status.choices, default=Status.OPEN)
    opened_on = models.DateField(_("iniciada el"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                  related_name="+")
    closed_on = models.DateField(_("cerrada el"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    # Written when the campaign closes: the counts and the codes of each list, as they were.
    result = models.JSONField(_("resultado"), default=dict, blank=True)

    class Meta:
        verbose_name = _("inventario")
        verbose_name_plural = _("inventarios")
        ordering = ["-opened_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["location"], condition=Q(status="abierta"),
                                               name="custody_one_open_campaign_per_location")]

    def __str__(self) -> str:
        return f"INV-{self.pk:05d}"


class InventoryScan(models.Model):
    """A code typed (or scanned) during a campaign, with where it was found."""

    class Result(models.TextChoices):
        FOUND = "encontrado", _("En su lugar")
        MISPLACED = "fuera_de_lugar", _("Fuera de lugar")
        UNEXPECTED = "no_esperado", _("No esperado en esta ubicación")
        UNKNOWN = "desconocido", _("Código desconocido")
        REPEATED = "repetido", _("Ya contado")

    campaign = models.ForeignKey(InventoryCampaign, on_delete=models.CASCADE, related_name="scans")
    code = models.CharField(_("código"), max_length=40)
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    found_at = models.ForeignKey(Location, verbose_name=_("encontrado en"), on_delete=models.PROTECT,
                                 related_name="+")
    result = models.CharField(_("resultado"), max_length=16, choices=Result.choices)
    scanned_at = models.DateTimeField(auto_now_add=True)
    scanned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["campaign", "id"]

    def __str__(self) -> str:
        return f"{self.code} {self.result}"


def copy_path(instance: DigitalCopy, filename: str) -> str:
    return f"resguardo/{instance.item_id}/{instance.sha256}{instance.extension}"


class DigitalCopy(models.Model):
    """A scanned PDF or image of an item; viewing it is logged as a view of personal data."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="copies")
    file = models.FileField(_("archivo"), upload_to=copy_path, max_length=200)
    original_name = models.CharField(_("nombre del archivo"), max_length=200)
    content_type = models.CharField(_("tipo"), max_length=40)
    extension = models.CharField(max_length=6)
    size = models.PositiveIntegerField(_("tamaño en bytes"))
    sha256 = models.CharField(_("huella SHA-256"), max_length=64)
    description = models.CharField(_("descripción"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("copia digital")
        verbose_name_plural = _("copias digitales")
        ordering = ["item", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "sha256"], name="custody_copy_unique")]

    def __str__(self) -> str:
        return self.original_name
