"""Reads of the privacy app: the notice in force, the officer's list with its deadline flags,
and the access export (everything Recupera holds about one person)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from recupera.privacy import deadlines
from recupera.privacy.models import ArcoRequest, ContactOpposition, NoticeShown, PrivacyNotice


def notice_in_force(as_of: dt.date) -> PrivacyNotice | None:
    """The version in force on `as_of`: the latest effective date on or before it (one query)."""
    return PrivacyNotice.objects.filter(effective_date__lte=as_of).order_by("-effective_date").first()


def opposed_channels(person_id: int | None) -> frozenset[str]:
    """The contact channels the person objects to (one query; empty for no person)."""
    if person_id is None:
        return frozenset()
    return frozenset(ContactOpposition.objects.filter(person_id=person_id)
                     .values_list("channel", flat=True))


# --------------------------------------------------------------------------- deadline flags

OVERDUE = "vencida"
NEAR_DUE = "por_vencer"
FLAG_LABELS = {OVERDUE: "Plazo vencido", NEAR_DUE: "Por vencer"}


@dataclass(frozen=True)
class DeadlineFlag:
    request: ArcoRequest
    deadline: dt.date  # the deadline that runs now (answer, or making it effective)
    kind: str  # OVERDUE / NEAR_DUE / ""
    days_left: int  # business days from as_of to the deadline (negative: overdue)

    @property
    def label(self) -> str:
        return FLAG_LABELS.get(self.kind, "")

    @property
    def stage(self) -> str:
        return ("Hacer efectiva" if self.request.status == ArcoRequest.Status.ANSWERED
                else "Responder")


def running_deadline(request: ArcoRequest) -> dt.date | None:
    if request.status in (ArcoRequest.Status.RECEIVED, ArcoRequest.Status.VERIFIED):
        return request.due_on
    if request.status == ArcoRequest.Status.ANSWERED:
        return request.effective_due_on
    return None


def flag_for(request: ArcoRequest, *, as_of: dt.date, calendar: Any) -> DeadlineFlag | None:
    deadline = running_deadline(request)
    if deadline is None:
        return None
    days_left = deadlines.business_days_between(as_of, deadline, calendar)
    if as_of > deadline:
        kind = OVERDUE
    elif days_left <= deadlines.NEAR_DUE_DAYS:
        kind = NEAR_DUE
    else:
        kind = ""
    return DeadlineFlag(request=request, deadline=deadline, kind=kind, days_left=days_left)


def open_requests() -> QuerySet[ArcoRequest]:
    return (ArcoRequest.objects.filter(status__in=ArcoRequest.OPEN_STATUSES)
            .select_related("person").order_by("due_on", "id"))


def request_list(*, status: str = "") -> QuerySet[ArcoRequest]:
    qs = ArcoRequest.objects.select_related("person")
    if status == "abiertas":
        qs = qs.filter(status__in=ArcoRequest.OPEN_STATUSES)
    elif status in ArcoRequest.Status.values:
        qs = qs.filter(status=status)
    return qs.order_by("-received_on", "-id")


def deadline_flags(*, as_of: dt.date, calendar: Any) -> list[DeadlineFlag]:
    """Every open request whose running deadline is past or near (two queries: the calendar's
    closure days and the open requests)."""
    flags = [flag_for(r, as_of=as_of, calendar=calendar) for r in open_requests()]
    return [f for f in flags if f is not None and f.kind]


# --------------------------------------------------------------------------- the access export

def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _date(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def _user(user: Any) -> str:
    if user is None:
        return "Sistema"
    return user.get_full_name() or user.get_username()


def person_export(person: Any, *, as_of: dt.date) -> dict[str, Any]:
    """Everything Recupera holds about `person`, JSON-ready (Spanish keys: the document is for
    the titular). Money as strings with two decimals, dates ISO. A fixed number of queries."""
    from recupera.agreements.models import Agreement
    from recupera.collections.models import Action, Case, Message, Promise
    from recupera.core.models import AuditEntry
    from recupera.credits.models import Credit, CreditParty, LedgerEntry
    from recupera.people.models import PersonViewLog

    roles: dict[int, list[str]] = {}
    for credit_id in Credit.objects.filter(borrower=person).values_list("pk", flat=True):
        roles.setdefault(credit_id, []).append("Acreditado")
    for credit_id, role in CreditParty.objects.filter(person=person).values_list("credit_id", "role"):
        label = CreditParty.Role(role).label
        if label not in roles.setdefault(credit_id, []):
            roles[credit_id].append(str(label))
    credits = list(Credit.objects.filter(pk__in=roles).select_related("product").order_by("folio"))
    entries: dict[int, list[dict[str, Any]]] = {}
    for e in LedgerEntry.objects.filter(credit_id__in=roles).order_by("credit_id", "value_date", "id"):
        entries.setdefault(e.credit_id, []).append({
            "fecha": _date(e.value_date), "tipo": str(e.get_kind_display()),
            "importe": _money(e.amount), "canal": e.channel})
    cases = list(Case.objects.filter(credit_id__in=roles).select_related("credit", "collector")
                 .order_by("opened_on", "id"))
    case_ids = [c.pk for c in cases]
    actions: dict[int, list[dict[str, Any]]] = {}
    for a in (Action.objects.filter(Q(case_id__in=case_ids) | Q(person=person))
              .select_related("outcome", "actor").order_by("at", "id")):
        actions.setdefault(a.case_id, []).append({
            "fecha": _date(a.at), "canal": str(a.get_channel_display()),
            "persona_contactada": str(a.get_party_display()), "resultado": a.outcome.name,
            "notas": a.notes, "gestor": _user(a.actor)})
    promises: dict[int, list[dict[str, Any]]] = {}
    for p in Promise.objects.filter(case_id__in=case_ids).order_by("made_on", "id"):
        promises.setdefault(p.case_id, []).append({
            "hecha_el": _date(p.made_on), "fecha_prometida": _date(p.due_on),
            "importe": _money(p.amount), "pagado": _money(p.paid_amount),
            "estado": str(p.get_status_display())})
    agreements = [{
        "credito": a.credit.folio, "tipo": str(a.get_kind_display()),
        "estado": str(a.get_status_display()), "fecha": _date(a.as_of),
        "adeudo": _money(a.debt), "paga": _money(a.pays), "condona": _money(a.forgiven),
    } for a in Agreement.objects.filter(credit_id__in=roles).select_related("credit")
        .order_by("as_of", "id")]
    messages = [{
        "fecha": _date(m.taken_at), "quien_llamo": m.caller, "telefono": m.phone, "recado": m.text,
    } for m in Message.objects.filter(case_id__in=case_ids).order_by("taken_at", "id")]
    contact_points = list(person.contact_points.all().order_by("kind", "id"))
    addresses = list(person.addresses.all().order_by("-is_current", "-created_at", "-id"))
    requests = list(ArcoRequest.objects.filter(person=person).order_by("received_on", "id"))
    audit_q = Q(object_type="people.person", object_id=str(person.pk))
    for label, objs in (("people.contactpoint", contact_points), ("people.address", addresses),
                        ("privacy.arcorequest", requests)):
        if objs:
            audit_q |= Q(object_type=label, object_id__in=[str(o.pk) for o in objs])
    audit = [{
        "fecha": _date(e.at), "usuario": _user(e.actor), "accion": e.action,
        "objeto": e.object_repr,
    } for e in AuditEntry.objects.filter(audit_q).select_related("actor").order_by("at", "id")]
    views = [{"fecha": _date(v.at), "usuario": _user(v.user)}
             for v in PersonViewLog.objects.filter(person=person).select_related("user")
             .order_by("at", "id")]
    return {
        "documento": "Exportación de datos personales (derecho de acceso)",
        "responsable": "Instituto de Becas y Crédito Educativo del Estado de Sonora",
        "fecha_de_operacion": _date(as_of),
        "generado_el": _date(timezone.now()),
        "persona": {
            "curp": person.curp, "rfc": person.rfc, "nombre": person.first_name,
            "primer_apellido": person.last_name, "segundo_apellido": person.second_last_name,
            "fecha_nacimiento": _date(person.birth_date), "sexo": str(person.get_sex_display()),
            "datos_bloqueados": person.data_blocked, "alta": _date(person.created_at),
        },
        "medios_de_contacto": [{
            "tipo": str(c.get_kind_display()), "valor": c.value,
            "etiqueta": str(c.get_label_display()), "principal": c.is_primary,
            "vigente": c.active, "origen": c.source, "alta": _date(c.created_at),
        } for c in contact_points],
        "domicilios": [{
            "domicilio": str(a), "vigente": a.is_current, "alta": _date(a.created_at),
        } for a in addresses],
        "creditos": [{
            "folio": c.folio, "papel": ", ".join(roles[c.pk]), "producto": str(c.product),
            "estado": str(c.get_status_display()), "saldos_al": _date(c.state_as_of),
            "capital_ministrado": _money(c.principal_disbursed),
            "saldo_de_capital": _money(c.principal_outstanding),
            "total_vencido": _money(c.total_overdue),
            "monto_para_liquidar": _money(c.payoff_amount),
            "dias_de_atraso": c.days_past_due,
            "movimientos": entries.get(c.pk, []),
        } for c in credits],
        "casos_de_cobranza": [{
            "credito": c.credit.folio, "estado": str(c.get_status_display()),
            "etapa": str(c.get_stage_display()), "abierto_el": _date(c.opened_on),
            "cerrado_el": _date(c.closed_on), "gestor": _user(c.collector) if c.collector else "",
            "gestiones": actions.get(c.pk, []), "promesas": promises.get(c.pk, []),
        } for c in cases],
        "convenios": agreements,
        "recados": messages,
        "avisos_de_privacidad": [{
            "version": n.notice.version, "donde": str(n.get_context_display()),
            "fecha": _date(n.business_date),
        } for n in NoticeShown.objects.filter(person=person).select_related("notice")
            .order_by("at", "id")],
        "oposiciones": [{"medio": str(o.get_channel_display()), "desde": _date(o.since)}
                        for o in ContactOpposition.objects.filter(person=person).order_by("id")],
        "solicitudes_arco": [{
            "folio": r.folio, "derecho": str(r.get_right_display()),
            "estado": str(r.get_status_display()), "recibida_el": _date(r.received_on),
        } for r in requests],
        "bitacora_de_cambios": audit,
        "consultas_de_sus_datos": views,
    }


EMPTY_EXPORT_NOTE = ("Recupera no tiene registrados datos personales de la persona con la CURP "
                     "indicada.")
