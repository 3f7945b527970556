"""Every write of the privacy app: keyword-only arguments, `actor` first, one transaction, an
audit row in it. Invalid input raises ValidationError with Spanish messages, by field where a
field is at fault. The officer's steps check `privacy.manage_requests` themselves, so no caller
(view, API, command) can skip it.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from recupera.core.audit import audit_record, snapshot
from recupera.core.calendar import business_calendar
from recupera.core.identifiers import (
    normalize_curp,
    normalize_email,
    normalize_phone,
    validate_curp,
)
from recupera.people.models import Person
from recupera.privacy import deadlines, selectors
from recupera.privacy.models import (
    ArcoRequest,
    ContactOpposition,
    NoticeShown,
    PrivacyNotice,
)

NAME_MAX = 80
DESCRIPTION_MIN = 10
DESCRIPTION_MAX = 2000
ANSWER_MAX = 4000
NOTICE_TEXT_MAX = 20000
# A new notice version takes effect at most this far ahead of the business date.
NOTICE_MAX_DAYS_AHEAD = 366
# Retention after blocking (docs/privacy.md): 5 years, unless a legal duty keeps the data.
RETENTION_YEARS = 5

AUDIT_FIELDS = ["folio", "right", "channel", "status", "person_id", "received_on", "due_on",
                "extended", "answered_on", "effective_due_on", "concluded_on", "id_document",
                "verified_by_id", "granted", "delivery"]


def _require_officer(actor: Any) -> None:
    if not actor.has_perm("privacy.manage_requests"):
        raise PermissionDenied(_("Solo la persona responsable de Protección de Datos Personales "
                                 "atiende las solicitudes ARCO."))


def _lock(request: ArcoRequest) -> ArcoRequest:
    return ArcoRequest.objects.select_for_update().get(pk=request.pk)


def _sync(target: ArcoRequest, source: ArcoRequest) -> ArcoRequest:
    for f in source._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
    return target


# --------------------------------------------------------------------------- the privacy notice

@transaction.atomic
def notice_publish(*, actor: Any, version: str, text: str, effective_date: dt.date,
                   as_of: dt.date, title: str = "Aviso de privacidad integral") -> PrivacyNotice:
    """A new version of the notice. It cannot take effect before the business date (a notice
    already shown is never rewritten) nor more than a year ahead."""
    if not actor.has_perm("privacy.manage_notice"):
        raise PermissionDenied(_("Solo Protección de Datos Personales publica el aviso."))
    errors: dict[str, list[str]] = {}
    version = (version or "").strip()
    text = (text or "").strip()
    title = (title or "").strip()
    if not version or len(version) > 20:
        errors["version"] = [_("Escriba la versión (hasta 20 caracteres), por ejemplo «2026-2».")]
    elif PrivacyNotice.objects.filter(version=version).exists():
        errors["version"] = [_("Ya existe la versión «%(v)s» del aviso.") % {"v": version}]
    if len(text) < 100 or len(text) > NOTICE_TEXT_MAX:
        errors["text"] = [_("El texto del aviso debe tener entre 100 y %(n)s caracteres.")
                          % {"n": NOTICE_TEXT_MAX}]
    if not title or len(title) > 120:
        errors["title"] = [_("Escriba el título (hasta 120 caracteres).")]
    if effective_date is None:
        errors["effective_date"] = [_("Escriba la fecha en que entra en vigor.")]
    elif effective_date < as_of:
        errors["effective_date"] = [_("La fecha de vigencia no puede ser anterior a la fecha de "
                                      "operación (%(d)s).") % {"d": f"{as_of:%d/%m/%Y}"}]
    elif effective_date > as_of + dt.timedelta(days=NOTICE_MAX_DAYS_AHEAD):
        errors["effective_date"] = [_("La fecha de vigencia no puede estar a más de un año.")]
    elif PrivacyNotice.objects.filter(effective_date=effective_date).exists():
        errors["effective_date"] = [_("Ya hay una versión que entra en vigor el %(d)s.")
                                    % {"d": f"{effective_date:%d/%m/%Y}"}]
    if errors:
        raise ValidationError(errors)
    notice = PrivacyNotice.objects.create(version=version, title=title, text=text,
                                          effective_date=effective_date, created_by=actor)
    audit_record(actor=actor, action="aviso_privacidad.publicar", obj=notice,
                 after=snapshot(notice, ["version", "title", "effective_date"]))
    return notice


@transaction.atomic
def notice_shown_record(*, actor: Any, person: Person, notice: PrivacyNotice, context: str,
                        as_of: dt.date) -> NoticeShown:
    """Record that `person` was shown `notice` when their data was captured."""
    if context not in NoticeShown.Context.values:
        raise ValueError(f"unknown context {context!r}")
    shown = NoticeShown.objects.create(person=person, notice=notice, context=context,
                                       business_date=as_of,
                                       recorded_by=actor if getattr(actor, "pk", None) else None)
    audit_record(actor=actor, action="aviso_privacidad.mostrado", obj=person,
                 after={"version": notice.version, "context": context})
    return shown


@transaction.atomic
def person_create_with_notice(*, actor: Any, notice: PrivacyNotice | None, as_of: dt.date,
                              **fields: Any) -> tuple[Person, list[str]]:
    """people.services.person_create plus, in the same transaction, the notice version the
    person was shown on the form (none is recorded while no notice is in force)."""
    from recupera.people import services as people_services

    person, warnings = people_services.person_create(actor=actor, **fields)
    if notice is not None:
        notice_shown_record(actor=actor, person=person, notice=notice, as_of=as_of,
                            context=NoticeShown.Context.PERSON_FORM)
    return person, warnings


# --------------------------------------------------------------------------- registering

def _clean_request(*, right: str, first_name: str, last_name: str, second_last_name: str,
                   curp: str, email: str, phone: str, representative: str, description: str,
                   opposed_channel: str) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}

    def text(field: str, value: str, label: str, required: bool, max_length: int) -> str:
        value = re.sub(r"\s+", " ", (value or "")).strip()
        if required and not value:
            errors[field] = [_("Escriba %(label)s.") % {"label": label}]
        elif len(value) > max_length:
            errors[field] = [_("%(label)s es demasiado largo (máximo %(n)s caracteres).")
                             % {"label": label[0].upper() + label[1:], "n": max_length}]
        return value

    data: dict[str, Any] = {}
    if right not in ArcoRequest.Right.values:
        errors["right"] = [_("Elija el derecho que desea ejercer (acceso, rectificación, "
                             "cancelación u oposición).")]
    data["right"] = right
    data["first_name"] = text("first_name", first_name, _("el nombre"), True, NAME_MAX)
    data["last_name"] = text("last_name", last_name, _("el primer apellido"), True, NAME_MAX)
    data["second_last_name"] = text("second_last_name", second_last_name,
                                    _("el segundo apellido"), False, NAME_MAX)
    data["representative"] = text("representative", representative,
                                  _("el nombre del representante"), False, 160)
    try:
        data["curp"] = validate_curp(curp or "")
    except ValidationError as exc:
        errors["curp"] = list(exc.messages)
        data["curp"] = normalize_curp(curp or "")[:18]
    data["email"] = ""
    data["phone"] = ""
    if (email or "").strip():
        try:
            data["email"] = normalize_email(email)
        except ValidationError as exc:
            errors["email"] = list(exc.messages)
    if (phone or "").strip():
        try:
            data["phone"] = normalize_phone(phone)
        except ValidationError as exc:
            errors["phone"] = list(exc.messages)
    if not data["email"] and not data["phone"] and "email" not in errors and "phone" not in errors:
        errors["email"] = [_("Escriba un correo electrónico o un teléfono para darle la respuesta.")]
    description = (description or "").strip()
    if len(description) < DESCRIPTION_MIN:
        errors["description"] = [_("Describa su solicitud (al menos %(n)s caracteres).")
                                 % {"n": DESCRIPTION_MIN}]
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = [_("La descripción es demasiado larga (máximo %(n)s caracteres).")
                                 % {"n": DESCRIPTION_MAX}]
    data["description"] = description
    opposed_channel = (opposed_channel or "").strip()
    if opposed_channel and opposed_channel not in ContactOpposition.Channel.values:
        errors["opposed_channel"] = [_("Elija un medio de contacto de la lista.")]
    data["opposed_channel"] = opposed_channel if right == ArcoRequest.Right.OPPOSITION else ""
    if errors:
        raise ValidationError(errors)
    return data


@transaction.atomic
def arco_register(*, actor: Any, channel: str, as_of: dt.date, right: str, first_name: str,
                  last_name: str, curp: str, description: str, second_last_name: str = "",
                  email: str = "", phone: str = "", representative: str = "",
                  opposed_channel: str = "", notice: PrivacyNotice | None = None) -> ArcoRequest:
    """Register a request (from the public form: `actor` is anonymous; at the counter: the
    officer). The person is matched by CURP; the requester is never told whether it matched."""
    if channel not in ArcoRequest.Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    if channel == ArcoRequest.Channel.STAFF:
        _require_officer(actor)
    data = _clean_request(right=right, first_name=first_name, last_name=last_name,
                          second_last_name=second_last_name, curp=curp, email=email, phone=phone,
                          representative=representative, description=description,
                          opposed_channel=opposed_channel)
    calendar = business_calendar()
    person = Person.objects.filter(curp=data["curp"]).first()
    request = ArcoRequest.objects.create(
        folio=f"tmp-{uuid.uuid4().hex[:16]}", channel=channel, status=ArcoRequest.Status.RECEIVED,
        person=person, notice=notice, received_on=as_of,
        due_on=deadlines.answer_due(as_of, calendar),
        created_by=actor if getattr(actor, "pk", None) else None, **data)
    request.folio = f"ARCO-{as_of.year}-{request.pk:05d}"
    request.save(update_fields=["folio"])
    if person is not None and notice is not None:
        notice_shown_record(actor=actor, person=person, notice=notice, as_of=as_of,
                            context=(NoticeShown.Context.ARCO_PUBLIC
                                     if channel == ArcoRequest.Channel.PORTAL
                                     else NoticeShown.Context.ARCO_STAFF))
    audit_record(actor=actor, action="arco.registrar", obj=request,
                 after=snapshot(request, AUDIT_FIELDS))
    return request


# --------------------------------------------------------------------------- the officer's steps

@transaction.atomic
def arco_verify_identity(*, actor: Any, request: ArcoRequest, id_document: str,
                         id_document_number: str = "", notes: str = "",
                         as_of: dt.date) -> ArcoRequest:
    """The officer saw the titular's (or representative's) official identification."""
    _require_officer(actor)
    locked = _lock(request)
    if locked.status != ArcoRequest.Status.RECEIVED:
        raise ValidationError(_("La identidad de esta solicitud ya se verificó o la solicitud "
                                "ya no está en trámite."))
    errors: dict[str, list[str]] = {}
    if id_document not in ArcoRequest.IdDocument.values:
        errors["id_document"] = [_("Elija el documento de identidad que presentó.")]
    number = (id_document_number or "").strip()
    if len(number) > 40:
        errors["id_document_number"] = [_("El número del documento es demasiado largo "
                                          "(máximo 40 caracteres).")]
    notes = (notes or "").strip()
    if len(notes) > 300:
        errors["id_notes"] = [_("Las observaciones son demasiado largas (máximo 300 caracteres).")]
    if id_document == ArcoRequest.IdDocument.OTHER and not notes:
        errors["id_notes"] = [_("Anote qué documento presentó.")]
    if errors:
        raise ValidationError(errors)
    before = snapshot(locked, AUDIT_FIELDS)
    locked.id_document = id_document
    locked.id_document_number = number
    locked.id_notes = notes
    locked.verified_by = actor
    locked.verified_at = timezone.now()
    locked.status = ArcoRequest.Status.VERIFIED
    if locked.person_id is None:
        locked.person = Person.objects.filter(curp=locked.curp).first()
    locked.save()
    audit_record(actor=actor, action="arco.verificar_identidad", obj=locked, before=before,
                 after=snapshot(locked, AUDIT_FIELDS))
    return _sync(request, locked)


@transaction.atomic
def arco_extend(*, actor: Any, request: ArcoRequest, reason: str, as_of: dt.date) -> ArcoRequest:
    """Extend the answer deadline once by 10 business days, with the reason, before it expires."""
    _require_officer(actor)
    locked = _lock(request)
    if locked.status not in (ArcoRequest.Status.RECEIVED, ArcoRequest.Status.VERIFIED):
        raise ValidationError(_("Solo se amplía el plazo de una solicitud que aún no se responde."))
    if locked.extended:
        raise ValidationError(_("El plazo ya se amplió una vez; la ley no permite otra ampliación."))
    if as_of > locked.due_on:
        raise ValidationError(_("El plazo venció el %(d)s: ya no se puede ampliar.")
                              % {"d": f"{locked.due_on:%d/%m/%Y}"})
    reason = (reason or "").strip()
    if len(reason) < 10 or len(reason) > 1000:
        raise ValidationError({"reason": [_("Escriba el motivo de la ampliación (entre 10 y 1000 "
                                            "caracteres).")]})
    before = snapshot(locked, AUDIT_FIELDS)
    locked.extended = True
    locked.extension_reason = reason
    locked.due_on = deadlines.answer_due(locked.received_on, business_calendar(), extended=True)
    locked.save()
    audit_record(actor=actor, action="arco.ampliar_plazo", obj=locked, before=before,
                 after=snapshot(locked, AUDIT_FIELDS))
    return _sync(request, locked)


def _require_verified(locked: ArcoRequest, right: str) -> None:
    if locked.right != right:
        raise ValidationError(_("Esta solicitud es de %(r)s.") % {"r": locked.get_right_display().lower()})
    if locked.status != ArcoRequest.Status.VERIFIED:
        if locked.status == ArcoRequest.Status.RECEIVED:
            raise ValidationError(_("Primero verifique la identidad del titular."))
        raise ValidationError(_("La solicitud ya se respondió."))


@transaction.atomic
def arco_generate_export(*, actor: Any, request: ArcoRequest, as_of: dt.date) -> ArcoRequest:
    """Access: freeze everything Recupera holds about the titular into the request."""
    _require_officer(actor)
    locked = _lock(request)
    _require_verified(locked, ArcoRequest.Right.ACCESS)
    if locked.person_id is not None:
        data = selectors.person_export(locked.person, as_of=as_of)
    else:
        data = {"documento": "Exportación de datos personales (derecho de acceso)",
                "fecha_de_operacion": as_of.isoformat(), "curp": locked.curp,
                "nota": selectors.EMPTY_EXPORT_NOTE}
    locked.export_data = data
    locked.export_generated_at = timezone.now()
    locked.save(update_fields=["export_data", "export_generated_at"])
    audit_record(actor=actor, action="arco.generar_exportacion", obj=locked,
                 after={"person_id": locked.person_id,
                        "credits": len(data.get("creditos", [])),
                        "audit_rows": len(data.get("bitacora_de_cambios", []))})
    return _sync(request, locked)


@transaction.atomic
def arco_rectify(*, actor: Any, request: ArcoRequest, changes: dict[str, Any],
                 as_of: dt.date) -> tuple[ArcoRequest, list[str]]:
    """Rectification through the people services (validated and audited there): identity fields
    («persona.modificar»), contact data — phones or e-mails no longer valid are deactivated
    (kept as history, «contacto.baja»), new ones added («contacto.alta») — and a new current
    address («domicilio.cambiar»); plus an ARCO audit row naming the request and what changed.

    `changes` may hold the identity fields, `remove_contacts` (ids of the person's active
    contact points), `phone`, `email` and `address` (a dict for people.services.address_set)."""
    from recupera.people import services as people_services
    from recupera.people.models import ContactPoint

    _require_officer(actor)
    locked = _lock(request)
    _require_verified(locked, ArcoRequest.Right.RECTIFICATION)
    if locked.person_id is None:
        raise ValidationError(_("No hay una persona registrada con la CURP de la solicitud: "
                                "no hay datos que rectificar."))
    identity_fields = {"curp", "rfc", "first_name", "last_name", "second_last_name", "birth_date"}
    identity = {k: v for k, v in changes.items() if k in identity_fields}
    remove = [int(pk) for pk in changes.get("remove_contacts") or []]
    phone = (changes.get("phone") or "").strip()
    email = (changes.get("email") or "").strip()
    address = {k: v for k, v in (changes.get("address") or {}).items() if v not in ("", None)}
    if not (identity or remove or phone or email or address):
        raise ValidationError(_("Indique al menos un dato a rectificar."))
    person = Person.objects.get(pk=locked.person_id)
    warnings: list[str] = []
    changed: list[str] = sorted(identity)
    if identity:
        _person, warnings = people_services.person_update(actor=actor, person=person, **identity)
    if remove:
        points = list(ContactPoint.objects.filter(person=person, pk__in=remove, active=True))
        if len(points) != len(set(remove)):
            raise ValidationError({"remove_contacts": [_(
                "Alguno de los medios de contacto elegidos no es de esta persona o ya estaba "
                "dado de baja.")]})
        for point in points:
            people_services.contact_point_deactivate(
                actor=actor, contact_point=point,
                reason=_("Rectificación ARCO %(folio)s") % {"folio": locked.folio})
        changed.append("medios de contacto dados de baja")
    if phone:
        people_services.contact_point_add(actor=actor, person=person, kind=ContactPoint.Kind.PHONE,
                                          value=phone, label=ContactPoint.Label.OTHER,
                                          is_primary=True)
        changed.append("teléfono")
    if email:
        people_services.contact_point_add(actor=actor, person=person, kind=ContactPoint.Kind.EMAIL,
                                          value=email, label=ContactPoint.Label.OTHER,
                                          is_primary=True)
        changed.append("correo")
    if address:
        people_services.address_set(actor=actor, person=person, **address)
        changed.append("domicilio")
    audit_record(actor=actor, action="arco.rectificar", obj=locked,
                 after={"person_id": person.pk, "fields": changed})
    return _sync(request, locked), warnings


@transaction.atomic
def arco_block(*, actor: Any, request: ArcoRequest, as_of: dt.date) -> ArcoRequest:
    """Cancellation: the titular's data is blocked (kept, hidden from everyone but the officer
    and the auditors, no longer used for collection) until it can be deleted (purge_blocked)."""
    from recupera.people import services as people_services

    _require_officer(actor)
    locked = _lock(request)
    _require_verified(locked, ArcoRequest.Right.CANCELLATION)
    if locked.person_id is None:
        raise ValidationError(_("No hay una persona registrada con la CURP de la solicitud: "
                                "no hay datos que bloquear."))
    person = Person.objects.get(pk=locked.person_id)
    if not person.data_blocked:
        people_services.person_update(actor=actor, person=person, data_blocked=True)
    audit_record(actor=actor, action="arco.bloquear", obj=locked,
                 after={"person_id": person.pk, "blocked_on": as_of.isoformat()})
    return _sync(request, locked)


@transaction.atomic
def arco_oppose(*, actor: Any, request: ArcoRequest, channel: str, as_of: dt.date) -> ContactOpposition:
    """Opposition to a contact channel: from now on the conduct rules refuse that channel."""
    _require_officer(actor)
    locked = _lock(request)
    _require_verified(locked, ArcoRequest.Right.OPPOSITION)
    if channel not in ContactOpposition.Channel.values:
        raise ValidationError({"channel": [_("Elija el medio de contacto al que se opone.")]})
    if locked.person_id is None:
        raise ValidationError(_("No hay una persona registrada con la CURP de la solicitud: "
                                "no hay tratamiento al cual oponerse."))
    opposition, created = ContactOpposition.objects.get_or_create(
        person_id=locked.person_id, channel=channel,
        defaults={"since": as_of, "request": locked, "created_by": actor})
    if created:
        audit_record(actor=actor, action="arco.oposicion", obj=locked,
                     after={"person_id": locked.person_id, "channel": channel})
    return opposition


def _granted_precondition(locked: ArcoRequest) -> None:
    right = locked.right
    if right == ArcoRequest.Right.ACCESS and locked.export_data is None:
        raise ValidationError(_("Genere primero la exportación de los datos."))
    if locked.person_id is None:
        return  # nothing held: the answer says so
    from recupera.core.models import AuditEntry

    done = set(AuditEntry.objects.filter(object_type="privacy.arcorequest",
                                         object_id=str(locked.pk))
               .values_list("action", flat=True))
    if right == ArcoRequest.Right.RECTIFICATION and "arco.rectificar" not in done:
        raise ValidationError(_("Aplique primero la rectificación de los datos."))
    if right == ArcoRequest.Right.CANCELLATION and "arco.bloquear" not in done:
        raise ValidationError(_("Bloquee primero los datos del titular."))
    if right == ArcoRequest.Right.OPPOSITION and not locked.oppositions.exists():
        raise ValidationError(_("Registre primero el medio de contacto al que se opone."))


@transaction.atomic
def arco_answer(*, actor: Any, request: ArcoRequest, granted: bool, text: str,
                as_of: dt.date) -> ArcoRequest:
    """The answer to the titular. Granted: the right was made effective (or is, within 15
    business days); not granted: the request ends as «Improcedente» with the reasons."""
    _require_officer(actor)
    locked = _lock(request)
    text = (text or "").strip()
    if len(text) < 20 or len(text) > ANSWER_MAX:
        raise ValidationError({"answer_text": [_("Escriba la respuesta al titular (entre 20 y "
                                                 "%(n)s caracteres).") % {"n": ANSWER_MAX}]})
    before = snapshot(locked, AUDIT_FIELDS)
    if granted:
        if locked.status == ArcoRequest.Status.RECEIVED:
            raise ValidationError(_("Primero verifique la identidad del titular."))
        if locked.status != ArcoRequest.Status.VERIFIED:
            raise ValidationError(_("La solicitud ya se respondió."))
        _granted_precondition(locked)
        locked.status = ArcoRequest.Status.ANSWERED
        locked.effective_due_on = deadlines.effective_due(as_of, business_calendar())
    else:
        if locked.status not in (ArcoRequest.Status.RECEIVED, ArcoRequest.Status.VERIFIED):
            raise ValidationError(_("La solicitud ya se respondió."))
        locked.status = ArcoRequest.Status.DENIED
        locked.concluded_on = as_of
    locked.granted = bool(granted)
    locked.answer_text = text
    locked.answered_on = as_of
    locked.answered_by = actor
    locked.save()
    audit_record(actor=actor, action="arco.responder", obj=locked, before=before,
                 after=snapshot(locked, AUDIT_FIELDS))
    return _sync(request, locked)


DEFAULT_ACCESS_ANSWER = ("Se atiende su solicitud de acceso: se le entrega la exportación completa "
                         "de los datos personales que el Instituto tiene registrados sobre usted.")


@transaction.atomic
def arco_deliver(*, actor: Any, request: ArcoRequest, delivery: str, as_of: dt.date) -> ArcoRequest:
    """The answer (and for access, the export) was delivered: the request concludes. An access
    request with its export may be answered and delivered in one step."""
    _require_officer(actor)
    if delivery not in ArcoRequest.Delivery.values:
        raise ValidationError({"delivery": [_("Elija cómo se entregó la respuesta.")]})
    locked = _lock(request)
    if locked.status == ArcoRequest.Status.VERIFIED and locked.right == ArcoRequest.Right.ACCESS:
        if locked.export_data is None:
            raise ValidationError(_("Genere primero la exportación de los datos."))
        arco_answer(actor=actor, request=locked, granted=True, text=DEFAULT_ACCESS_ANSWER,
                    as_of=as_of)
        locked = _lock(request)
    if locked.status != ArcoRequest.Status.ANSWERED:
        raise ValidationError(_("Solo se entrega una solicitud respondida como procedente."))
    before = snapshot(locked, AUDIT_FIELDS)
    locked.status = ArcoRequest.Status.DONE
    locked.delivery = delivery
    locked.delivered_by = actor
    locked.concluded_on = as_of
    locked.save()
    audit_record(actor=actor, action="arco.entregar", obj=locked, before=before,
                 after=snapshot(locked, AUDIT_FIELDS))
    return _sync(request, locked)


# --------------------------------------------------------------------------- deletion

def _retention_ends(blocked_on: dt.date) -> dt.date:
    try:
        return blocked_on.replace(year=blocked_on.year + RETENTION_YEARS)
    except ValueError:  # 29 February
        return blocked_on.replace(year=blocked_on.year + RETENTION_YEARS, day=28)


def purge_candidates(*, as_of: dt.date) -> list[tuple[Person, str]]:
    """Blocked persons and whether they may be deleted on `as_of`: (person, reason it is kept
    or "" when it may go). Kept: an open credit (borrower or guarantor), or the retention
    period since the block has not ended."""
    from recupera.core.models import AuditEntry
    from recupera.credits.models import Credit

    closed = [Credit.Status.PAID_OFF, Credit.Status.WRITTEN_OFF, Credit.Status.WAIVED]
    out: list[tuple[Person, str]] = []
    blocked = list(Person.objects.filter(data_blocked=True).order_by("id"))
    blocked_on = {}
    for req in ArcoRequest.objects.filter(person__in=blocked, right=ArcoRequest.Right.CANCELLATION):
        entry = (AuditEntry.objects.filter(object_type="privacy.arcorequest", object_id=str(req.pk),
                                           action="arco.bloquear").order_by("at").first())
        if entry is not None:
            on = dt.date.fromisoformat(entry.after["blocked_on"])
            blocked_on[req.person_id] = min(on, blocked_on.get(req.person_id, on))
    for person in blocked:
        open_credit = (Credit.objects.filter(borrower=person).exclude(status__in=closed).exists()
                       or Credit.objects.filter(parties__person=person, parties__role="aval")
                       .exclude(status__in=closed).exists())
        since = blocked_on.get(person.pk)
        if open_credit:
            out.append((person, _("tiene un crédito vigente (obligación legal de conservarlos)")))
        elif since is None:
            out.append((person, _("bloqueo sin solicitud de cancelación registrada")))
        elif as_of < _retention_ends(since):
            out.append((person, _("en periodo de conservación hasta el %(d)s")
                        % {"d": f"{_retention_ends(since):%d/%m/%Y}"}))
        else:
            out.append((person, ""))
    return out


# The keys under which the rows about a person, their contact points, addresses, ARCO requests
# and recados keep personal values (people/services.py, privacy, collections audit rows).
PERSONAL_KEYS = frozenset({
    "curp", "rfc", "first_name", "last_name", "second_last_name", "birth_date", "search_name",
    "value", "digits", "street", "number", "neighborhood", "municipality_name", "postal_code",
    "domicilio", "email", "phone", "representative", "id_document_number", "caller", "nombre",
})


def _forget_in_records(person: Person) -> dict[str, int]:
    """Before a person's data are deleted: their personal values leave the records that keep
    copies of them. The audit rows (core.audit.audit_pseudonymise, the log's one rewrite path)
    about the person, their contact points and addresses, their ARCO requests and the recados of
    their cases lose every personal value, and so does any other row whose text holds their
    CURP, a phone or an e-mail; dates, amounts, actors and actions stay. Their ARCO requests
    keep folio, right, dates and answer, without the titular's identity, contact and the frozen
    access export; recados about their cases lose caller and phone. Returns the counts."""
    from django.db.models import Q, TextField
    from django.db.models.functions import Cast

    from recupera.collections.models import Message
    from recupera.core.audit import PSEUDONYM, audit_pseudonymise
    from recupera.core.models import AuditEntry

    contacts = list(person.contact_points.all())
    addresses = list(person.addresses.all())
    requests = list(ArcoRequest.objects.select_for_update().filter(person=person))
    messages = list(Message.objects.select_for_update().filter(case__credit__borrower=person))
    values = [person.full_name, person.first_name, person.last_name, person.second_last_name,
              person.curp, person.rfc, f"{person.last_name} {person.second_last_name}"]
    values += [v for c in contacts for v in (c.value, c.digits)]
    values += [v for a in addresses for v in (str(a), a.street)]
    values += [v for r in requests for v in (f"{r.first_name} {r.last_name} {r.second_last_name}",
                                                r.curp, r.email, r.phone, r.representative,
                                                r.id_document_number)]
    values += [v for m in messages for v in (m.caller, m.phone)]
    values = [v for v in values if v and v != PSEUDONYM]
    own = Q(object_type="people.person", object_id=str(person.pk))
    for object_type, rows in (("people.contactpoint", contacts), ("people.address", addresses),
                              ("privacy.arcorequest", requests), ("collections.message", messages)):
        if rows:
            own |= Q(object_type=object_type, object_id__in=[str(r.pk) for r in rows])
    own_ids = list(AuditEntry.objects.filter(own).values_list("pk", flat=True))
    # Rows about other objects that copied an identifier (ASCII values: found in the stored text
    # of the JSON on both databases). One scan of the log per deleted person.
    needles = {person.curp, *(c.value for c in contacts if c.kind == "email"),
               *(c.digits for c in contacts if c.digits)} - {""}
    text = Q()
    for needle in needles:
        text |= (Q(object_repr__icontains=needle) | Q(before_text__icontains=needle)
                 | Q(after_text__icontains=needle))
    other_ids = list(AuditEntry.objects.annotate(
        before_text=Cast("before", TextField()), after_text=Cast("after", TextField()))
        .filter(text).exclude(pk__in=own_ids).values_list("pk", flat=True)) if needles else []
    rows = audit_pseudonymise(entry_ids=own_ids, values=values, keys=PERSONAL_KEYS)
    rows += audit_pseudonymise(entry_ids=other_ids, values=values)
    for request in requests:
        request.first_name = request.last_name = PSEUDONYM
        request.second_last_name = request.email = request.phone = ""
        request.representative = request.id_document_number = request.id_notes = ""
        request.curp = f"SUPR{person.pk:014d}"[:18]
        request.description = PSEUDONYM
        request.export_data = None
        request.save(update_fields=["first_name", "last_name", "second_last_name", "email",
                                    "phone", "representative", "id_document_number", "id_notes",
                                    "curp", "description", "export_data"])
    for message in messages:
        message.caller, message.phone = PSEUDONYM, ""
        message.save(update_fields=["caller", "phone"])
    return {"registros_de_auditoria": rows, "solicitudes_arco": len(requests),
            "recados": len(messages)}


@transaction.atomic
def purge_blocked(*, actor: Any, as_of: dt.date) -> list[int]:
    """Delete the personal data of blocked persons whose retention ended and who owe nothing:
    contact points, addresses and notices shown are deleted; the person row stays (credits and
    the ledger point at it) with its identity replaced by «SUPRIMIDO». Returns their ids."""
    purged = []
    for person, reason in purge_candidates(as_of=as_of):
        if reason:
            continue
        locked = Person.objects.select_for_update().get(pk=person.pk)
        before = snapshot(locked, ["curp", "rfc", "first_name", "last_name", "second_last_name",
                                   "birth_date"])
        rewritten = _forget_in_records(locked)
        locked.contact_points.all().delete()
        locked.addresses.all().delete()
        locked.notices_shown.all().delete()
        locked.curp = f"SUPR{locked.pk:014d}"[:18]
        locked.rfc = ""
        locked.first_name = "SUPRIMIDO"
        locked.last_name = "SUPRIMIDO"
        locked.second_last_name = ""
        locked.birth_date = None
        locked.search_name = "SUPRIMIDO"
        locked.save()
        audit_record(actor=actor, action="persona.suprimir", obj=locked,
                     before={"fields": sorted(before)},
                     after={"as_of": as_of.isoformat(), **rewritten})
        purged.append(locked.pk)
    return purged
