"""Every write about persons: keyword-only arguments, `actor` first, one transaction, an audit row.

Invalid input raises django.core.exceptions.ValidationError with a dict
{field: [Spanish message]}. The field names are those of the import layout (personas.csv):
curp, nombre, primer_apellido, segundo_apellido, rfc, fecha_nacimiento, telefono, correo,
calle, numero, colonia, municipio, estado, codigo_postal (plus tipo/etiqueta for a contact
point). FIELD_NAMES maps them to the English attribute names forms and the API use.
Nothing is saved when an error is raised.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recupera.core.audit import audit_record, snapshot
from recupera.core.identifiers import (
    GENERIC_RFC,
    format_phone,
    normalize_email,
    normalize_phone,
    normalize_rfc,
    rfc_warning,
    validate_curp,
)
from recupera.core.predicates import may_block_data
from recupera.people.models import (
    MEXICAN_STATES,
    SONORA,
    Address,
    ContactPoint,
    Municipality,
    Person,
)
from recupera.people.names import clean_name, curp_birth_date, curp_sex, fold, search_name

# Service/import field name -> attribute name in models, forms and the API.
FIELD_NAMES: dict[str, str] = {
    "curp": "curp",
    "nombre": "first_name",
    "primer_apellido": "last_name",
    "segundo_apellido": "second_last_name",
    "rfc": "rfc",
    "fecha_nacimiento": "birth_date",
    "telefono": "phone",
    "correo": "email",
    "calle": "street",
    "numero": "number",
    "colonia": "neighborhood",
    "municipio": "municipality",
    "estado": "state",
    "codigo_postal": "postal_code",
    "tipo": "kind",
    "etiqueta": "label",
}
PERSON_AUDIT_FIELDS = ["curp", "rfc", "first_name", "last_name", "second_last_name", "birth_date",
                       "sex", "data_blocked"]
UPDATABLE_FIELDS = frozenset({"curp", "rfc", "first_name", "last_name", "second_last_name",
                              "birth_date", "data_blocked"})
ADDRESS_AUDIT_FIELDS = ["person_id", "street", "number", "neighborhood", "municipality_id",
                        "municipality_name", "state", "postal_code", "is_current"]
NAME_MAX = 80
BLOCK_REFUSED = gettext_lazy("Solo el responsable de protección de datos personales puede bloquear o "
                  "desbloquear los datos de una persona.")
BULK_BATCH = 1000
CHUNK = 500

_STATE_BY_KEY: dict[str, str] = {}
for _name, _code in MEXICAN_STATES:
    _STATE_BY_KEY[fold(_name)] = _name
    _STATE_BY_KEY[_code] = _name
_STATE_BY_KEY.update({
    "SON": SONORA, "CDMX": "Ciudad de México", "DISTRITO FEDERAL": "Ciudad de México",
    "MEXICO": "Estado de México", "EDO MEX": "Estado de México", "EDOMEX": "Estado de México",
    "EDO DE MEXICO": "Estado de México", "COAHUILA DE ZARAGOZA": "Coahuila",
    "MICHOACAN DE OCAMPO": "Michoacán", "VERACRUZ DE IGNACIO DE LA LLAVE": "Veracruz",
    "BCS": "Baja California Sur", "SIN": "Sinaloa", "CHIH": "Chihuahua", "JAL": "Jalisco",
})


# --------------------------------------------------------------------------- validation helpers

class _Errors:
    """Collects Spanish messages per field; raises them all at once."""

    def __init__(self, prefix: str = "") -> None:
        self.by_field: dict[str, list[str]] = {}
        self.prefix = prefix

    def add(self, field: str, message: str) -> None:
        self.by_field.setdefault(field, []).append(f"{self.prefix}{message}")

    def add_exc(self, field: str, exc: ValidationError) -> None:
        for message in exc.messages:
            self.add(field, message)

    def __contains__(self, field: str) -> bool:
        return field in self.by_field

    def merge_into(self, other: dict[str, list[str]]) -> None:
        for field, messages in self.by_field.items():
            other.setdefault(field, []).extend(messages)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


class _Municipalities:
    """The 72 catalog rows, loaded once per service call (one query) when a name must be resolved."""

    def __init__(self) -> None:
        self._by_key: dict[str, Municipality] | None = None

    def resolve(self, value: Any) -> Municipality | None:
        if isinstance(value, Municipality):
            return value
        if self._by_key is None:
            self._by_key = {}
            for m in Municipality.objects.all():
                self._by_key[fold(m.name)] = m
                self._by_key[m.inegi_code] = m
                self._by_key[f"pk:{m.pk}"] = m
        if isinstance(value, int):
            return self._by_key.get(f"pk:{value}")
        text = str(value or "").strip()
        if text.isdigit() and len(text) <= 3:
            return self._by_key.get(text.zfill(3))
        return self._by_key.get(fold(text))


def _text(errors: _Errors, field: str, value: Any, *, label: str, max_length: int,
          required: bool = False) -> str:
    text = clean_name(str(value if value is not None else ""))
    if required and not text:
        errors.add(field, _("Escriba %(label)s.") % {"label": label})
    elif len(text) > max_length:
        errors.add(field, _("%(label)s es demasiado largo (máximo %(n)s caracteres).")
                   % {"label": label[0].upper() + label[1:], "n": max_length})
    return text


def _as_date(errors: _Errors, value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        errors.add("fecha_nacimiento", _("La fecha de nacimiento «%(value)s» no es una fecha válida "
                                         "(aaaa-mm-dd).") % {"value": value})
        return None


def _clean_identity(errors: _Errors, warnings: list[str], *, curp: str, first_name: str,
                    last_name: str, second_last_name: str, rfc: str,
                    birth_date: Any) -> dict[str, Any]:
    """Validated person fields (with sex and search_name derived)."""
    data: dict[str, Any] = {}
    try:
        data["curp"] = validate_curp(curp)
    except ValidationError as exc:
        errors.add_exc("curp", exc)
        data["curp"] = None
    data["first_name"] = _text(errors, "nombre", first_name, label=_("el nombre"),
                               max_length=NAME_MAX, required=True)
    data["last_name"] = _text(errors, "primer_apellido", last_name, label=_("el primer apellido"),
                              max_length=NAME_MAX, required=True)
    data["second_last_name"] = _text(errors, "segundo_apellido", second_last_name,
                                     label=_("el segundo apellido"), max_length=NAME_MAX)
    data["rfc"] = normalize_rfc(rfc)
    if data["rfc"]:
        try:
            warning = rfc_warning(data["rfc"])
        except ValidationError as exc:
            errors.add_exc("rfc", exc)
        else:
            if warning:
                warnings.append(warning)
            elif (data["curp"] and data["rfc"] != GENERIC_RFC
                  and data["rfc"][:10] != data["curp"][:10]):
                warnings.append(_("El RFC %(rfc)s no corresponde a la CURP %(curp)s (los primeros "
                                  "10 caracteres difieren); revíselo (se guardó de todos modos).")
                                % {"rfc": data["rfc"], "curp": data["curp"]})
    date = _as_date(errors, birth_date)
    if data["curp"]:
        from_curp = curp_birth_date(data["curp"])
        if date is not None and date != from_curp:
            errors.add("fecha_nacimiento", _(
                "La fecha de nacimiento %(date)s no coincide con la de la CURP (%(curp_date)s).")
                % {"date": f"{date:%d/%m/%Y}", "curp_date": f"{from_curp:%d/%m/%Y}"})
        data["birth_date"] = from_curp
        data["sex"] = curp_sex(data["curp"])
    else:
        data["birth_date"] = date
        data["sex"] = ""
    data["search_name"] = search_name(data["first_name"], data["last_name"], data["second_last_name"])
    return data


def _phone_digits(e164: str) -> str:
    return re.sub(r"\D", "", e164)[-10:]


def _contact_items(values: Iterable[Any], default_label: str) -> list[tuple[str, str]]:
    items = []
    for value in values or ():
        if isinstance(value, Mapping):
            items.append((str(value.get("value") or ""), str(value.get("label") or default_label)))
        else:
            items.append((str(value or ""), default_label))
    return items


def _clean_contacts(errors: _Errors, *, phones: Iterable[Any], emails: Iterable[Any]
                    ) -> list[dict[str, Any]]:
    """Normalized, de-duplicated contact points; the first of each kind is primary."""
    rows: list[dict[str, Any]] = []
    labels = set(ContactPoint.Label.values)
    for kind, field, items, normalize in (
        (ContactPoint.Kind.PHONE, "telefono", _contact_items(phones, ContactPoint.Label.MOBILE),
         normalize_phone),
        (ContactPoint.Kind.EMAIL, "correo", _contact_items(emails, ContactPoint.Label.OTHER),
         normalize_email),
    ):
        seen: set[str] = set()
        for raw, label in items:
            if not raw.strip():
                continue
            try:
                value = normalize(raw)
            except ValidationError as exc:
                errors.add_exc(field, exc)
                continue
            if label not in labels:
                errors.add("etiqueta", _("La etiqueta «%(label)s» no es válida (celular, casa, "
                                         "trabajo u otro).") % {"label": label})
                continue
            if value in seen:
                continue
            seen.add(value)
            rows.append({"kind": kind, "value": value, "label": label, "is_primary": not any(
                r["kind"] == kind for r in rows),
                "digits": _phone_digits(value) if kind == ContactPoint.Kind.PHONE else ""})
    return rows


def _resolve_state(value: Any) -> str | None:
    key = fold(str(value or ""))
    return _STATE_BY_KEY.get(key) if key else SONORA


def _clean_address(errors: _Errors, data: Mapping[str, Any] | None,
                   municipalities: _Municipalities) -> dict[str, Any] | None:
    """Validated address fields, or None when nothing was given."""
    if not data:
        return None

    def get(*keys: str) -> Any:
        for key in keys:
            value = data.get(key)
            if value not in (None, ""):
                return value
        return ""

    raw_municipality = get("municipality", "municipio")
    raw_name = get("municipality_name")
    raw_state = get("state", "estado")
    postal_code = str(get("postal_code", "codigo_postal")).strip()
    street = _text(errors, "calle", get("street", "calle"), label=_("la calle"), max_length=120)
    number = _text(errors, "numero", get("number", "numero"), label=_("el número"), max_length=20)
    neighborhood = _text(errors, "colonia", get("neighborhood", "colonia"), label=_("la colonia"),
                         max_length=120)
    if not any((street, number, neighborhood, raw_municipality, raw_name, raw_state, postal_code)):
        return None
    state = _resolve_state(raw_state)
    municipality: Municipality | None = None
    municipality_name = ""
    if state is None:
        errors.add("estado", _("«%(value)s» no es una entidad federativa de México.")
                   % {"value": raw_state})
    elif state == SONORA:
        wanted = raw_municipality or raw_name
        if not wanted:
            errors.add("municipio", _("Elija el municipio de Sonora del catálogo."))
        else:
            municipality = municipalities.resolve(wanted)
            if municipality is None:
                errors.add("municipio", _("«%(value)s» no es un municipio de Sonora del catálogo; "
                                          "revise la ortografía.") % {"value": wanted})
            else:
                municipality_name = municipality.name
    else:
        if isinstance(raw_municipality, Municipality):
            errors.add("municipio", _("%(name)s es un municipio de Sonora; el estado debe ser "
                                      "Sonora.") % {"name": raw_municipality.name})
        municipality_name = _text(errors, "municipio", raw_name or raw_municipality,
                                  label=_("el municipio"), max_length=80)
        if not municipality_name and "municipio" not in errors:
            errors.add("municipio", _("Escriba el municipio (el domicilio está fuera de Sonora)."))
    if postal_code and not re.fullmatch(r"\d{5}", postal_code):
        errors.add("codigo_postal", _("El código postal «%(value)s» debe tener 5 dígitos.")
                   % {"value": postal_code})
    return {"street": street, "number": number, "neighborhood": neighborhood,
            "municipality": municipality, "municipality_name": municipality_name,
            "state": state or "", "postal_code": postal_code}


def _curp_taken_message(curp: str) -> str:
    return _("Ya existe una persona con la CURP %(curp)s.") % {"curp": curp}


def _contact_audit(rows: list[dict[str, Any]], kind: str) -> list[str]:
    return [r["value"] for r in rows if r["kind"] == kind]


def _id_ranges(ids: list[int]) -> list[list[int]]:
    """[1,2,3,7,8] -> [[1,3],[7,8]]: a batch's ids in a small audit row."""
    ranges: list[list[int]] = []
    for pk in sorted(ids):
        if ranges and pk == ranges[-1][1] + 1:
            ranges[-1][1] = pk
        else:
            ranges.append([pk, pk])
    return ranges


# --------------------------------------------------------------------------- persons

def person_create(
    *,
    actor: Any,
    curp: str,
    first_name: str,
    last_name: str,
    second_last_name: str = "",
    rfc: str = "",
    birth_date: dt.date | str | None = None,
    phones: Iterable[Any] = (),
    emails: Iterable[Any] = (),
    address: Mapping[str, Any] | None = None,
    source: str = "captura",
) -> tuple[Person, list[str]]:
    """Register a person with contact points and a current address. Returns (person, warnings).

    phones/emails: strings or {"value", "label"} dicts. address: {street, number, neighborhood
    (or colonia), municipality (catalog row, pk, INEGI code or name), municipality_name (outside
    Sonora), state (default Sonora), postal_code}.
    """
    errors = _Errors()
    warnings: list[str] = []
    identity = _clean_identity(errors, warnings, curp=curp, first_name=first_name,
                               last_name=last_name, second_last_name=second_last_name, rfc=rfc,
                               birth_date=birth_date)
    contacts = _clean_contacts(errors, phones=phones, emails=emails)
    address_data = _clean_address(errors, address, _Municipalities())
    if identity["curp"] and Person.objects.filter(curp=identity["curp"]).exists():
        errors.add("curp", _curp_taken_message(identity["curp"]))
    errors.raise_if_any()
    try:
        with transaction.atomic():
            person = Person.objects.create(**identity)
            ContactPoint.objects.bulk_create(
                [ContactPoint(person=person, source=source, **row) for row in contacts])
            created_address = (Address.objects.create(person=person, **address_data)
                               if address_data else None)
            after = snapshot(person, PERSON_AUDIT_FIELDS)
            after.update(telefonos=_contact_audit(contacts, ContactPoint.Kind.PHONE),
                         correos=_contact_audit(contacts, ContactPoint.Kind.EMAIL),
                         domicilio=str(created_address) if created_address else None)
            audit_record(actor=actor, action="persona.alta", obj=person, after=after)
    except IntegrityError:
        if Person.objects.filter(curp=identity["curp"]).exists():
            raise ValidationError({"curp": [_curp_taken_message(identity["curp"])]}) from None
        raise
    return person, warnings


def person_update(*, actor: Any, person: Person, **fields: Any) -> tuple[Person, list[str]]:
    """Change identity fields (curp, names, rfc, birth_date, data_blocked). Returns (person, warnings).

    Changing data_blocked raises PermissionDenied unless the actor is the data-protection
    officer (core/predicates.py may_block_data); sending the current value changes nothing."""
    unknown = set(fields) - UPDATABLE_FIELDS
    if unknown:
        raise TypeError(f"person_update() cannot change {sorted(unknown)}")
    errors = _Errors()
    warnings: list[str] = []
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        if ("data_blocked" in fields and bool(fields["data_blocked"]) != locked.data_blocked
                and not may_block_data(actor)):
            raise PermissionDenied(str(BLOCK_REFUSED))
        before = snapshot(locked, PERSON_AUDIT_FIELDS)
        current = {name: getattr(locked, name) for name in
                   ("curp", "first_name", "last_name", "second_last_name", "rfc", "birth_date")}
        if "curp" in fields and "birth_date" not in fields:
            current["birth_date"] = None  # derived again from the new CURP
        current.update({k: v for k, v in fields.items() if k != "data_blocked"})
        identity = _clean_identity(errors, warnings, **current)
        if (identity["curp"] and identity["curp"] != locked.curp
                and Person.objects.filter(curp=identity["curp"]).exclude(pk=locked.pk).exists()):
            errors.add("curp", _curp_taken_message(identity["curp"]))
        errors.raise_if_any()
        if "rfc" not in fields:
            warnings.clear()  # only warn about what the user touched
        for name, value in identity.items():
            setattr(locked, name, value)
        if "data_blocked" in fields:
            locked.data_blocked = bool(fields["data_blocked"])
        locked.save()
        after = snapshot(locked, PERSON_AUDIT_FIELDS)
        if after != before:
            audit_record(actor=actor, action="persona.modificar", obj=locked, before=before,
                         after=after)
    for name in [*PERSON_AUDIT_FIELDS, "search_name", "updated_at"]:
        setattr(person, name, getattr(locked, name))
    return person, warnings


def person_view_log(*, actor: Any, person: Person, what: str = "persona.ficha") -> None:
    """Record that `actor` was shown `person`'s full record (core/dataaccess.py: batched per
    request, one insert; docs/data-access.md)."""
    from recupera.core.dataaccess import ALL_FIELDS, record_view

    record_view(user=actor, person_ids=[person.pk], what=what, fields=ALL_FIELDS)


def person_bulk_create(*, actor: Any, rows: Iterable[Mapping[str, Any]],
                       source: str = "importación") -> list[Person]:
    """Create many persons (with contact points and addresses) in a few queries.

    Each row has person_create's keyword arguments. All rows are valid or nothing is saved:
    errors name the row ("Fila 3: …") under the field's key. One audit row for the batch.
    """
    rows = list(rows)
    if not rows:
        return []
    municipalities = _Municipalities()
    all_errors: dict[str, list[str]] = {}
    prepared: list[tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any] | None]] = []
    first_row_of: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        errors = _Errors(prefix=_("Fila %(n)s: ") % {"n": number})
        identity = _clean_identity(
            errors, [], curp=row.get("curp", ""), first_name=row.get("first_name", ""),
            last_name=row.get("last_name", ""), second_last_name=row.get("second_last_name", ""),
            rfc=row.get("rfc", ""), birth_date=row.get("birth_date"))
        contacts = _clean_contacts(errors, phones=row.get("phones", ()), emails=row.get("emails", ()))
        address_data = _clean_address(errors, row.get("address"), municipalities)
        curp = identity["curp"]
        if curp:
            if curp in first_row_of:
                errors.add("curp", _("la CURP %(curp)s se repite (fila %(row)s).")
                           % {"curp": curp, "row": first_row_of[curp]})
            else:
                first_row_of[curp] = number
        errors.merge_into(all_errors)
        prepared.append((identity, contacts, address_data))
    curps = list(first_row_of)
    for i in range(0, len(curps), CHUNK):
        for curp in Person.objects.filter(curp__in=curps[i:i + CHUNK]).values_list("curp", flat=True):
            all_errors.setdefault("curp", []).append(
                _("Fila %(n)s: ") % {"n": first_row_of[curp]} + _curp_taken_message(curp))
    if all_errors:
        raise ValidationError(all_errors)

    with transaction.atomic():
        persons = Person.objects.bulk_create([Person(**identity) for identity, _c, _a in prepared],
                                             batch_size=BULK_BATCH)
        if any(p.pk is None for p in persons):  # a backend that cannot return ids
            by_curp = dict(Person.objects.filter(curp__in=curps).values_list("curp", "pk"))
            for p in persons:
                p.pk = by_curp[p.curp]
        contact_points = [ContactPoint(person=person, source=source, **row)
                          for person, (_i, contacts, _a) in zip(persons, prepared, strict=True)
                          for row in contacts]
        ContactPoint.objects.bulk_create(contact_points, batch_size=BULK_BATCH)
        addresses = [Address(person=person, **address_data)
                     for person, (_i, _c, address_data) in zip(persons, prepared, strict=True)
                     if address_data]
        Address.objects.bulk_create(addresses, batch_size=BULK_BATCH)
        audit_record(actor=actor, action="persona.alta_masiva", obj=persons[0], after={
            "personas": len(persons), "ids": _id_ranges([p.pk for p in persons]),
            "medios_de_contacto": len(contact_points), "domicilios": len(addresses),
            "origen": source})
    return persons


# --------------------------------------------------------------------------- contact points

def contact_point_add(*, actor: Any, person: Person, kind: str, value: str, label: str,
                      is_primary: bool = False, source: str = "captura") -> ContactPoint:
    """Add a phone or e-mail. The first active one of its kind becomes primary."""
    errors = _Errors()
    field = "telefono" if kind == ContactPoint.Kind.PHONE else "correo"
    normalized = ""
    if kind not in ContactPoint.Kind.values:
        errors.add("tipo", _("Elija teléfono o correo electrónico."))
    else:
        try:
            normalized = (normalize_phone(value) if kind == ContactPoint.Kind.PHONE
                          else normalize_email(value))
        except ValidationError as exc:
            errors.add_exc(field, exc)
    if label not in ContactPoint.Label.values:
        errors.add("etiqueta", _("La etiqueta «%(label)s» no es válida (celular, casa, trabajo u "
                                 "otro).") % {"label": label})
    errors.raise_if_any()
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).values_list("pk").first()
        active = ContactPoint.objects.filter(person=person, kind=kind, active=True)
        if active.filter(value=normalized).exists():
            shown = format_phone(normalized) if kind == ContactPoint.Kind.PHONE else normalized
            message = (_("El teléfono %(value)s ya está registrado para esta persona.")
                       if kind == ContactPoint.Kind.PHONE
                       else _("El correo %(value)s ya está registrado para esta persona."))
            raise ValidationError({field: [message % {"value": shown}]})
        primary = is_primary or not active.filter(is_primary=True).exists()
        if primary:
            active.filter(is_primary=True).update(is_primary=False)
        contact_point = ContactPoint.objects.create(
            person=person, kind=kind, value=normalized, label=label, is_primary=primary,
            source=source,
            digits=_phone_digits(normalized) if kind == ContactPoint.Kind.PHONE else "")
        audit_record(actor=actor, action="contacto.alta", obj=contact_point,
                     after=snapshot(contact_point, ["person_id", "kind", "value", "label",
                                                    "is_primary", "source"]))
    return contact_point


def contact_point_deactivate(*, actor: Any, contact_point: ContactPoint,
                             reason: str = "") -> ContactPoint:
    """Mark a contact point as no longer valid (kept for history). Idempotent."""
    fields = ["active", "is_primary"]
    with transaction.atomic():
        locked = ContactPoint.objects.select_for_update().get(pk=contact_point.pk)
        if not locked.active:
            return locked
        before = snapshot(locked, fields)
        was_primary = locked.is_primary
        locked.active = False
        locked.is_primary = False
        locked.save(update_fields=fields)
        if was_primary:
            successor = (ContactPoint.objects.filter(person_id=locked.person_id, kind=locked.kind,
                                                     active=True).order_by("-created_at", "-id")
                         .first())
            if successor is not None:
                successor.is_primary = True
                successor.save(update_fields=["is_primary"])
        after = snapshot(locked, fields)
        after["motivo"] = reason
        audit_record(actor=actor, action="contacto.baja", obj=locked, before=before, after=after)
    contact_point.active = False
    contact_point.is_primary = False
    return locked


# --------------------------------------------------------------------------- addresses

def address_set(*, actor: Any, person: Person, street: str = "", number: str = "",
                neighborhood: str = "", municipality: Any = None, municipality_name: str = "",
                state: str = SONORA, postal_code: str = "") -> Address:
    """Give the person a new current address; the previous one stays as history."""
    errors = _Errors()
    data = _clean_address(errors, {
        "street": street, "number": number, "neighborhood": neighborhood,
        "municipality": municipality, "municipality_name": municipality_name, "state": state,
        "postal_code": postal_code}, _Municipalities())
    if data is None:
        errors.add("municipio", _("Escriba el domicilio: al menos el municipio."))
    errors.raise_if_any()
    assert data is not None
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).values_list("pk").first()
        previous = Address.objects.filter(person=person, is_current=True).first()
        if previous is not None:
            previous.is_current = False
            previous.save(update_fields=["is_current"])
        address = Address.objects.create(person=person, is_current=True, **data)
        audit_record(actor=actor, action="domicilio.cambiar", obj=address,
                     before={"domicilio": str(previous)} if previous else None,
                     after={**snapshot(address, ADDRESS_AUDIT_FIELDS), "domicilio": str(address)})
    return address
