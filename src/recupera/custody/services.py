"""Every write of the custody app: keyword-only arguments, `actor=` first, one transaction, an
audit row in it. A movement locks its item, checks the item's status against what the movement
needs, appends the Movement and writes the item's current status, place and holder.

Rules (docs/custody.md):

- check-out (préstamo): only from «en resguardo»; to a collector (a user), the legal area, an
  external agency or a court, with a purpose and a due-back date after the business date and at
  most LOAN_MAX_DAYS later (COURT_MAX_DAYS for a court);
- check-in (devolución al archivo): only of an item out; back to its place or to another drawer;
- transfer (traslado): only in custody, to another drawer or box;
- return to the debtor (devolución al acreditado): only a pagaré, in custody, whose
  classification is finiquitado; the pagaré is marked «devuelto»;
- cancellation: only a pagaré in custody that a restructure replaced or whose credit is settled;
- loss (extravío): of any item not already returned, cancelled or lost. Nothing leaves
  «extraviado», «devuelto» or «cancelado».
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from recupera.core.audit import audit_record
from recupera.core.models import actor_names
from recupera.custody import classification
from recupera.custody.models import (
    FINAL_STATUSES,
    OUT_STATUSES,
    STATUS_FOR_HOLDER,
    DigitalCopy,
    HolderKind,
    InventoryCampaign,
    InventoryScan,
    Item,
    ItemStatus,
    Location,
    Movement,
    item_code,
    item_pk_from_code,
)
from recupera.custody.selectors import campaign_report, subtree_ids

LOAN_MAX_DAYS = 365
COURT_MAX_DAYS = 3 * 365
TEXT_MAX = 300
COPY_MAX_BYTES = 15 * 1024 * 1024
COPIES_PER_ITEM_MAX = 50
# Accepted scans: extension -> (content type, leading bytes).
COPY_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".tif": ("image/tiff", (b"II*\x00", b"MM\x00*")),
    ".tiff": ("image/tiff", (b"II*\x00", b"MM\x00*")),
}


class CustodyError(ValidationError):
    """A refused custody operation; its message is Spanish and says what to do."""


def _d(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


def _text(value: str, field: str, *, required: bool = False, limit: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if required and not value:
        raise CustodyError(_("Escriba {field}.").format(field=field))
    if len(value) > limit:
        raise CustodyError(_("{field} admite a lo más {n} caracteres.").format(field=field.capitalize(), n=limit))
    return value


# --- locations --------------------------------------------------------------------------------
@transaction.atomic
def location_create(*, actor: Any, code: str, name: str, kind: str,
                    parent: Location | None = None) -> Location:
    code = _text(code, _("la clave"), required=True, limit=30).upper()
    name = _text(name, _("el nombre"), required=True, limit=120)
    if kind not in Location.Kind.values:
        raise CustodyError(_("Tipo de ubicación desconocido."))
    allowed = Location.PARENT_KINDS[kind]
    if (parent is None) != (not allowed) or (parent is not None and parent.kind not in allowed):
        if not allowed:
            raise CustodyError(_("Un archivo no va dentro de otra ubicación."))
        names = ", ".join(str(Location.Kind(k).label).lower() for k in allowed)
        raise CustodyError(_("Un(a) {kind} va dentro de: {names}.").format(
            kind=str(Location.Kind(kind).label).lower(), names=names))
    if Location.objects.filter(code=code).exists():
        raise CustodyError(_("Ya existe una ubicación con la clave {code}.").format(code=code))
    location = Location.objects.create(code=code, name=name, kind=kind, parent=parent)
    audit_record(actor=actor, action="resguardo.ubicacion.alta", obj=location,
                 after={"code": code, "name": name, "kind": kind,
                        "parent": parent.code if parent else None})
    return location


def _shelf(location: Location | None) -> Location:
    if location is None:
        raise CustodyError(_("Elija el cajón o la caja donde se guarda el documento."))
    if not location.holds_items or not location.active:
        raise CustodyError(_("Los documentos se guardan en un cajón o una caja en uso; {loc} es "
                             "{kind}.").format(loc=location.code,
                                               kind=str(location.get_kind_display()).lower()))
    return location


# --- items ------------------------------------------------------------------------------------
def _movement(*, actor: Any, item: Item, kind: str, as_of: dt.date, status_before: str,
              from_location: Location | None = None, to_location: Location | None = None,
              holder_kind: str = "", holder_name: str = "", holder_user: Any = None,
              purpose: str = "", due_back: dt.date | None = None) -> Movement:
    _username, full_name = actor_names(actor)
    movement = Movement.objects.create(
        item=item, kind=kind, business_date=as_of, actor=actor if getattr(actor, "pk", None) else None,
        actor_name=full_name or _username, status_before=status_before, status_after=item.status,
        from_location=from_location, to_location=to_location, holder_kind=holder_kind,
        holder_name=holder_name, holder_user=holder_user, purpose=purpose, due_back=due_back)
    audit_record(actor=actor, action=f"resguardo.{kind}", obj=item,
                 before={"status": status_before}, after={
                     "status": item.status, "movement": movement.folio,
                     "location": item.location.code, "holder": holder_name or None,
                     "due_back": due_back, "purpose": purpose or None})
    return movement


@transaction.atomic
def item_register(*, actor: Any, kind: str, location: Location, as_of: dt.date,
                  note: Any = None, credit: Any = None, person: Any = None,
                  program: str = Item.Program.CREDIT, description: str = "") -> Item:
    """A pagaré or a file enters the archive (movement «Ingreso al archivo»)."""
    _shelf(location)
    description = _text(description, _("la descripción"), limit=200)
    if kind == Item.Kind.NOTE:
        if note is None:
            raise CustodyError(_("Indique el pagaré que ingresa al archivo."))
        credit, program = note.credit, Item.Program.CREDIT
        if Item.objects.filter(note=note).exists():
            raise CustodyError(_("El pagaré {n} ya está registrado en el archivo.").format(n=note.number))
    elif kind == Item.Kind.DOSSIER:
        if program not in Item.Program.values:
            raise CustodyError(_("Programa desconocido."))
        if program == Item.Program.CREDIT and credit is None:
            raise CustodyError(_("Indique el crédito del expediente."))
        if program != Item.Program.CREDIT:
            credit = None
            if person is None:
                raise CustodyError(_("Indique el beneficiario de la beca o el estímulo."))
    else:
        raise CustodyError(_("Tipo de documento desconocido."))
    if credit is not None:
        person = credit.borrower
    item = Item.objects.create(kind=kind, program=program, note=note, credit=credit, person=person,
                               description=description, location=location, registered_on=as_of,
                               status=ItemStatus.IN_CUSTODY)
    item.code = item_code(item.pk)
    Item.objects.filter(pk=item.pk).update(code=item.code)
    _movement(actor=actor, item=item, kind=Movement.Kind.REGISTER, as_of=as_of, status_before="",
              to_location=location, purpose=description)
    return item


def _locked(item: Item) -> Item:
    return (Item.objects.select_for_update(of=("self",))
            .select_related("location", "credit", "note", "person").get(pk=item.pk))


def _status_refusal(item: Item) -> str:
    if item.status == ItemStatus.LOST:
        return _("El documento {code} está extraviado.").format(code=item.code)
    if item.status == ItemStatus.RETURNED:
        return _("El documento {code} ya se devolvió al acreditado.").format(code=item.code)
    if item.status == ItemStatus.CANCELLED:
        return _("El documento {code} está cancelado.").format(code=item.code)
    if item.status in OUT_STATUSES:
        since = _d(item.out_since) if item.out_since else "—"
        return _("El documento {code} está fuera del archivo ({status}, en poder de {holder} desde "
                 "el {since}).").format(code=item.code, status=str(item.get_status_display()).lower(),
                                        holder=item.holder_name, since=since)
    return ""


def _require_in_custody(item: Item, what: str) -> None:
    if item.status != ItemStatus.IN_CUSTODY:
        raise CustodyError(f"{_status_refusal(item)} {what}")


def _clear_holder(item: Item) -> None:
    item.holder_kind, item.holder_name, item.holder_user = "", "", None
    item.out_since = item.due_back = None


def _save(item: Item) -> None:
    item.save(update_fields=["status", "location", "holder_kind", "holder_name", "holder_user",
                             "out_since", "due_back"])


@transaction.atomic
def item_check_out(*, actor: Any, item: Item, as_of: dt.date, holder_kind: str,
                   holder_name: str = "", holder_user: Any = None, purpose: str,
                   due_back: dt.date) -> Movement:
    """Lend an item in custody to a collector, the legal area, an agency or a court."""
    item = _locked(item)
    _require_in_custody(item, _("Regístrelo de vuelta en el archivo antes de prestarlo otra vez."))
    if holder_kind not in HolderKind.values:
        raise CustodyError(_("Indique a quién se entrega: gestor, área jurídica, despacho o juzgado."))
    if holder_kind == HolderKind.COLLECTOR:
        if holder_user is None:
            raise CustodyError(_("Elija el gestor que recibe el documento."))
        username, full_name = actor_names(holder_user)
        holder_name = full_name or username
    holder_name = _text(holder_name, _("quién recibe"), required=True, limit=160)
    purpose = _text(purpose, _("el motivo del préstamo"), required=True)
    limit = COURT_MAX_DAYS if holder_kind == HolderKind.COURT else LOAN_MAX_DAYS
    if due_back is None or due_back <= as_of:
        raise CustodyError(_("La fecha de devolución debe ser posterior a la fecha de operación ({d}).")
                           .format(d=_d(as_of)))
    if (due_back - as_of).days > limit:
        raise CustodyError(_("La fecha de devolución no puede pasar de {n} días ({d}).").format(
            n=limit, d=_d(as_of + dt.timedelta(days=limit))))
    before = item.status
    item.status = STATUS_FOR_HOLDER[HolderKind(holder_kind)]
    item.holder_kind, item.holder_name, item.holder_user = holder_kind, holder_name, holder_user
    item.out_since, item.due_back = as_of, due_back
    _save(item)
    return _movement(actor=actor, item=item, kind=Movement.Kind.CHECK_OUT, as_of=as_of,
                     status_before=before, from_location=item.location, holder_kind=holder_kind,
                     holder_name=holder_name, holder_user=holder_user, purpose=purpose,
                     due_back=due_back)


@transaction.atomic
def item_check_in(*, actor: Any, item: Item, as_of: dt.date, location: Location | None = None,
                  remark: str = "") -> Movement:
    """An item out comes back to the archive: to its place, or to another drawer or box."""
    item = _locked(item)
    if item.status not in OUT_STATUSES:
        raise CustodyError(_status_refusal(item) or _(
            "El documento {code} está en el archivo: no hay préstamo que cerrar.").format(code=item.code))
    target = _shelf(location or item.location)
    before, holder_kind, holder_name, holder_user = (item.status, item.holder_kind, item.holder_name,
                                                     item.holder_user)
    previous = item.location
    item.status, item.location = ItemStatus.IN_CUSTODY, target
    _clear_holder(item)
    _save(item)
    return _movement(actor=actor, item=item, kind=Movement.Kind.CHECK_IN, as_of=as_of,
                     status_before=before, from_location=previous, to_location=target,
                     holder_kind=holder_kind, holder_name=holder_name, holder_user=holder_user,
                     purpose=_text(remark, _("la observación")))


@transaction.atomic
def item_transfer(*, actor: Any, item: Item, as_of: dt.date, location: Location,
                  reason: str = "") -> Movement:
    item = _locked(item)
    _require_in_custody(item, _("Solo se traslada un documento que está en el archivo."))
    target = _shelf(location)
    if target.pk == item.location_id:
        raise CustodyError(_("El documento ya está en {loc}.").format(loc=target.code))
    previous = item.location
    item.location = target
    _save(item)
    return _movement(actor=actor, item=item, kind=Movement.Kind.TRANSFER, as_of=as_of,
                     status_before=item.status, from_location=previous, to_location=target,
                     purpose=_text(reason, _("el motivo")))


def _settled(item: Item) -> bool:
    return classification.of_item(item) == classification.SETTLED


@transaction.atomic
def item_return_to_debtor(*, actor: Any, item: Item, as_of: dt.date, received_by: str,
                          remark: str = "") -> Movement:
    """A settled credit's pagaré is handed back to the debtor (acuse de devolución)."""
    from recupera.credits.models import PromissoryNote

    item = _locked(item)
    if item.kind != Item.Kind.NOTE:
        raise CustodyError(_("Solo los pagarés se devuelven al acreditado; el expediente se queda en "
                             "el archivo."))
    if item.status == ItemStatus.LOST:
        raise CustodyError(_("El pagaré {code} está extraviado: no puede devolverse al acreditado. "
                             "Si aparece, regístrelo de nuevo en el archivo.").format(code=item.code))
    _require_in_custody(item, _("Debe estar en el archivo para devolverlo al acreditado."))
    if not _settled(item):
        raise CustodyError(_("El pagaré {code} no está finiquitado (el crédito {folio} aún tiene "
                             "adeudo): no se devuelve.").format(code=item.code, folio=item.credit.folio))
    received_by = _text(received_by, _("quién recibe el pagaré"), required=True, limit=160)
    before = item.status
    item.status = ItemStatus.RETURNED
    _save(item)
    note_before = item.note.status
    PromissoryNote.objects.filter(pk=item.note_id).update(status=PromissoryNote.Status.RETURNED)
    item.note.status = PromissoryNote.Status.RETURNED
    audit_record(actor=actor, action="pagare.devuelto", obj=item.note,
                 before={"status": note_before}, after={"status": PromissoryNote.Status.RETURNED})
    return _movement(actor=actor, item=item, kind=Movement.Kind.RETURN_TO_DEBTOR, as_of=as_of,
                     status_before=before, from_location=item.location, holder_name=received_by,
                     purpose=_text(remark, _("la observación")))


@transaction.atomic
def item_cancel(*, actor: Any, item: Item, as_of: dt.date, reason: str) -> Movement:
    """A replaced (restructured) or settled pagaré kept by the archive is stamped cancelled."""
    item = _locked(item)
    if item.kind != Item.Kind.NOTE:
        raise CustodyError(_("Solo se cancela un pagaré."))
    _require_in_custody(item, _("Debe estar en el archivo para cancelarlo."))
    if item.note.status != "sustituido" and not _settled(item):
        raise CustodyError(_("El pagaré {code} sigue vigente: solo se cancela un pagaré sustituido "
                             "por una reestructura o de un crédito finiquitado.").format(code=item.code))
    reason = _text(reason, _("el motivo de la cancelación"), required=True)
    before = item.status
    item.status = ItemStatus.CANCELLED
    _save(item)
    return _movement(actor=actor, item=item, kind=Movement.Kind.CANCEL, as_of=as_of,
                     status_before=before, from_location=item.location, purpose=reason)


@transaction.atomic
def item_report_lost(*, actor: Any, item: Item, as_of: dt.date, reason: str) -> Movement:
    item = _locked(item)
    if item.status in FINAL_STATUSES:
        raise CustodyError(_status_refusal(item))
    reason = _text(reason, _("las circunstancias del extravío"), required=True)
    before, holder_name = item.status, item.holder_name
    item.status = ItemStatus.LOST
    _clear_holder(item)
    _save(item)
    return _movement(actor=actor, item=item, kind=Movement.Kind.LOSS, as_of=as_of,
                     status_before=before, from_location=item.location, holder_name=holder_name,
                     purpose=reason)


MOVEMENTS = {
    Movement.Kind.CHECK_OUT: item_check_out,
    Movement.Kind.CHECK_IN: item_check_in,
    Movement.Kind.TRANSFER: item_transfer,
    Movement.Kind.RETURN_TO_DEBTOR: item_return_to_debtor,
    Movement.Kind.CANCEL: item_cancel,
    Movement.Kind.LOSS: item_report_lost,
}


@transaction.atomic
def notes_register(*, actor: Any, notes: list[Any], location: Location, as_of: dt.date) -> list[Item]:
    """Register pagarés that have no item yet (a restructure's new pagaré, new disbursements)."""
    return [item_register(actor=actor, kind=Item.Kind.NOTE, note=note, location=location, as_of=as_of)
            for note in notes]


# --- inventory --------------------------------------------------------------------------------
@transaction.atomic
def campaign_open(*, actor: Any, location: Location, as_of: dt.date) -> InventoryCampaign:
    if InventoryCampaign.objects.filter(location=location, status=InventoryCampaign.Status.OPEN).exists():
        raise CustodyError(_("Ya hay un inventario en curso en {loc}.").format(loc=location.code))
    try:
        with transaction.atomic():
            campaign = InventoryCampaign.objects.create(location=location, opened_on=as_of,
                                                        opened_by=actor)
    except IntegrityError as exc:  # two clicks at once
        raise CustodyError(_("Ya hay un inventario en curso en {loc}.").format(loc=location.code)) from exc
    audit_record(actor=actor, action="resguardo.inventario.abrir", obj=campaign,
                 after={"location": location.code, "opened_on": as_of})
    return campaign


@dataclass(frozen=True)
class ScanOutcome:
    scan: InventoryScan
    item: Item | None
    message: str


@transaction.atomic
def campaign_scan(*, actor: Any, campaign: InventoryCampaign, code: str,
                  found_at: Location) -> ScanOutcome:
    """Record one code read at `found_at` (a drawer or box inside the campaign's location)."""
    campaign = InventoryCampaign.objects.select_for_update().select_related("location").get(pk=campaign.pk)
    if campaign.status != InventoryCampaign.Status.OPEN:
        raise CustodyError(_("El inventario {c} ya se cerró.").format(c=campaign))
    if found_at.pk not in subtree_ids(campaign.location) or not found_at.holds_items:
        raise CustodyError(_("Elija un cajón o una caja dentro de {loc}.").format(loc=campaign.location.code))
    code = (code or "").strip()
    if not code:
        raise CustodyError(_("Escanee o escriba el código de la etiqueta."))
    if len(code) > 40:
        raise CustodyError(_("El código leído es demasiado largo: revise el lector."))
    pk = item_pk_from_code(code)
    item = Item.objects.select_related("location").filter(pk=pk).first() if pk else None
    result = InventoryScan.Result
    if item is None:
        outcome, message = result.UNKNOWN, _("Código desconocido: {code} no es una etiqueta del archivo.").format(code=code)
    elif InventoryScan.objects.filter(campaign=campaign, item=item).exists():
        outcome, message = result.REPEATED, _("{code} ya se había contado en este inventario.").format(code=item.code)
    elif item.status != ItemStatus.IN_CUSTODY:
        outcome = result.UNEXPECTED
        message = _("{code} no debería estar aquí: según el sistema está {status}.").format(
            code=item.code, status=str(item.get_status_display()).lower())
    elif item.location_id != found_at.pk:
        outcome = result.MISPLACED
        message = _("{code} está fuera de lugar: su lugar es {loc}.").format(code=item.code, loc=item.location.code)
    else:
        outcome, message = result.FOUND, _("{code} en su lugar.").format(code=item.code)
    scan = InventoryScan.objects.create(campaign=campaign, code=item.code if item else code, item=item,
                                        found_at=found_at, result=outcome, scanned_by=actor)
    return ScanOutcome(scan=scan, item=item, message=message)


@transaction.atomic
def campaign_close(*, actor: Any, campaign: InventoryCampaign, as_of: dt.date) -> InventoryCampaign:
    """Close the count: its report (found, missing, misplaced, unexpected, unknown) is frozen."""
    campaign = InventoryCampaign.objects.select_for_update().select_related("location").get(pk=campaign.pk)
    if campaign.status != InventoryCampaign.Status.OPEN:
        raise CustodyError(_("El inventario {c} ya se cerró.").format(c=campaign))
    report = campaign_report(campaign)
    campaign.result = report.as_json()
    campaign.status, campaign.closed_on, campaign.closed_by = InventoryCampaign.Status.CLOSED, as_of, actor
    campaign.save(update_fields=["result", "status", "closed_on", "closed_by"])
    audit_record(actor=actor, action="resguardo.inventario.cerrar", obj=campaign,
                 after={"closed_on": as_of, **report.counts()})
    return campaign


# --- digital copies ---------------------------------------------------------------------------
@transaction.atomic
def copy_attach(*, actor: Any, item: Item, upload: Any, description: str = "") -> DigitalCopy:
    """Store a scanned PDF or image of the item: type by contents and name, size limit,
    SHA-256 checksum (the same file twice is refused)."""
    from pathlib import PurePath

    from django.core.files.base import ContentFile

    if upload is None:
        raise CustodyError(_("Elija el archivo escaneado (PDF, JPG, PNG o TIFF)."))
    name = PurePath(upload.name or "").name[:200]
    extension = PurePath(name).suffix.lower()
    if extension not in COPY_TYPES:
        raise CustodyError(_("«{name}»: solo se aceptan PDF, JPG, PNG o TIFF.").format(name=name))
    size = upload.size or 0
    if size == 0:
        raise CustodyError(_("«{name}» está vacío.").format(name=name))
    if size > COPY_MAX_BYTES:
        raise CustodyError(_("«{name}» pesa {mb:.1f} MB; el límite es {limit} MB.").format(
            name=name, mb=size / 1024 / 1024, limit=COPY_MAX_BYTES // (1024 * 1024)))
    data = b"".join(upload.chunks())
    content_type, magics = COPY_TYPES[extension]
    if not data.startswith(magics):
        raise CustodyError(_("«{name}» no es un archivo {ext} válido (su contenido no corresponde a "
                             "la extensión).").format(name=name, ext=extension[1:].upper()))
    description = _text(description, _("la descripción"), limit=200)
    item = _locked(item)
    if item.copies.count() >= COPIES_PER_ITEM_MAX:
        raise CustodyError(_("El documento ya tiene {n} copias digitales, el máximo.").format(n=COPIES_PER_ITEM_MAX))
    digest = hashlib.sha256(data).hexdigest()
    if item.copies.filter(sha256=digest).exists():
        raise CustodyError(_("«{name}» ya se había adjuntado a este documento.").format(name=name))
    copy = DigitalCopy(item=item, original_name=name, content_type=content_type, extension=extension,
                       size=len(data), sha256=digest, description=description,
                       uploaded_by=actor if getattr(actor, "pk", None) else None)
    copy.file.save(name, ContentFile(data), save=False)
    copy.save()
    audit_record(actor=actor, action="resguardo.copia", obj=item,
                 after={"file": name, "sha256": digest, "size": len(data)})
    return copy


def copy_read(copy: DigitalCopy) -> bytes:
    """The stored bytes, checked against the checksum taken at upload."""
    with copy.file.open("rb") as fh:
        data = fh.read()
    if hashlib.sha256(data).hexdigest() != copy.sha256:
        raise CustodyError(_("La copia «{name}» no coincide con su huella: el archivo guardado cambió. "
                             "Avise a Administración TI.").format(name=copy.original_name))
    return data
