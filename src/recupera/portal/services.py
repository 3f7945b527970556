"""Every write of the portal: sign-in codes (with the rate limits and the lockout), sign-in and
sign-out, and the requests a debtor sends (a plan for review, a call back, a question) and their
answers. Debtors are not users: the person signed in is passed as `person=`; what the portal
writes in other apps (recados) is taken by the inactive system account `portal_actor()`."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from recupera.core.audit import audit_record
from recupera.core.roles import Role
from recupera.credits.models import Credit, CreditParty
from recupera.people.models import ContactPoint, Person
from recupera.portal.models import PortalRequest, SignInCode, SignInEvent

DEFAULT_LIMITS = {
    "code_minutes": 10,  # a code's life
    "code_attempts": 5,  # wrong tries on one code before it dies
    "ip_requests_per_hour": 20,  # code requests from one IP
    "ip_failures_per_hour": 20,  # wrong codes from one IP
    "person_codes_per_hour": 5,  # codes sent to one person
    "person_failures_to_lock": 10,  # wrong codes for one person within lockout_minutes
    "lockout_minutes": 30,
    "idle_minutes": 15,  # a portal session ends after this long without a request
    "session_minutes": 120,  # and at most this long after sign-in
    "question_chars": 1500,
    "requests_per_day": 5,  # requests of each kind per person and business date
    "callback_days": 14,  # how far ahead a call back may be asked for
}
PORTAL_USERNAME = "portal"
Kind = SignInEvent.Kind


class PortalError(Exception):
    """A refusal to show the debtor (Spanish)."""


class RateLimited(PortalError):
    pass


def limit(name: str) -> int:
    return int(getattr(settings, "PORTAL_LIMITS", {}).get(name, DEFAULT_LIMITS[name]))


def portal_actor() -> Any:
    """The inactive account that takes the recados the portal leaves (Message.taken_by)."""
    user, created = get_user_model().objects.get_or_create(
        username=PORTAL_USERNAME, defaults={"first_name": "Portal de deudores", "is_active": False})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


# ------------------------------------------------------------------------------ sign-in

def _digest(person_id: int, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"portal:{person_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _count(since: dt.datetime, kind: str, **where: Any) -> int:
    return SignInEvent.objects.filter(at__gte=since, kind=kind, **where).count()


def _event(now: dt.datetime, ip: str | None, kind: str, person: Person | None = None,
           detail: str = "") -> None:
    SignInEvent.objects.create(at=now, ip=ip, person=person, kind=kind, detail=detail[:120])


def person_for_identifier(identifier: str) -> Person | None:
    """The person a folio (the borrower) or a CURP (a borrower or guarantor of some credit)
    names; None when nobody may sign in with it."""
    text = (identifier or "").strip().upper()
    if not text or len(text) > 20:
        return None
    if len(text) == 18 and text[:4].isalpha():
        person = Person.objects.filter(curp=text).first()
        if person is None:
            return None
        debtor = Q(borrower=person) | Q(parties__person=person,
                                         parties__role__in=[CreditParty.Role.BORROWER,
                                                            CreditParty.Role.GUARANTOR])
        return person if Credit.objects.filter(debtor).exists() else None
    credit = Credit.objects.select_related("borrower").filter(folio__iexact=text).first()
    return credit.borrower if credit is not None else None


def code_destination(person: Person) -> ContactPoint | None:
    """Where the code goes: the primary active mobile phone, else any active mobile, else the
    primary active e-mail, else any active e-mail. Never a number or address typed by the visitor."""
    points = [c for c in ContactPoint.objects.filter(person=person, active=True)]
    mobiles = [c for c in points if c.kind == ContactPoint.Kind.PHONE
               and c.label == ContactPoint.Label.MOBILE]
    emails = [c for c in points if c.kind == ContactPoint.Kind.EMAIL]
    for group in (mobiles, emails):
        if group:
            return sorted(group, key=lambda c: (not c.is_primary, c.pk))[0]
    return None


def person_locked(person: Person, now: dt.datetime) -> bool:
    since = now - dt.timedelta(minutes=limit("lockout_minutes"))
    return _count(since, Kind.CODE_FAILED, person=person) >= limit("person_failures_to_lock")


def mask(contact: ContactPoint) -> str:
    """«celular terminación 4567» / «correo a•••@dominio.mx»: enough to recognise, not to copy."""
    if contact.kind == ContactPoint.Kind.EMAIL:
        user, _at, domain = contact.value.partition("@")
        return _("correo {u}•••@{d}").format(u=user[:1], d=domain)
    return _("celular terminación {d}").format(d=contact.value[-4:])


def signin_code_request(*, identifier: str, ip: str | None, now: dt.datetime) -> int | None:
    """Send a code to the person the identifier names, if any. Returns the code's id (None when
    nothing was sent); the visitor gets the same answer either way. Raises RateLimited only for
    the IP's limit, which says nothing about the person."""
    hour_ago = now - dt.timedelta(hours=1)
    if ip and _count(hour_ago, Kind.CODE_REQUESTED, ip=ip) >= limit("ip_requests_per_hour"):
        _event(now, ip, Kind.REFUSED, detail="límite de solicitudes por IP")
        raise RateLimited(_("Demasiadas solicitudes desde esta conexión. Intente de nuevo en una hora."))
    person = person_for_identifier(identifier)
    _event(now, ip, Kind.CODE_REQUESTED, person)
    if person is None:
        return None
    if person_locked(person, now):
        _event(now, ip, Kind.REFUSED, person, "bloqueo por códigos incorrectos")
        return None
    if _count(hour_ago, Kind.CODE_SENT, person=person) >= limit("person_codes_per_hour"):
        _event(now, ip, Kind.REFUSED, person, "límite de códigos por persona")
        return None
    contact = code_destination(person)
    if contact is None:
        _event(now, ip, Kind.REFUSED, person, "sin celular ni correo en el expediente")
        return None
    code = f"{secrets.randbelow(10**6):06d}"
    minutes = limit("code_minutes")
    with transaction.atomic():
        row = SignInCode.objects.create(person=person, contact_point=contact,
                                        code_hash=_digest(person.pk, code), created_at=now,
                                        expires_at=now + dt.timedelta(minutes=minutes))
        _event(now, ip, Kind.CODE_SENT, person, mask(contact))
    from recupera.portal.senders import send_code

    send_code(kind=contact.kind, to=contact.value, code=code, minutes=minutes)
    return row.pk


@dataclass(frozen=True)
class SignedIn:
    person: Person
    contact: str  # masked


WRONG_CODE = "El código no es correcto o ya venció. Revise el mensaje más reciente o pida otro código."


def signin_verify(*, code_id: int | None, code: str, ip: str | None, now: dt.datetime) -> SignedIn:
    """Check a code typed by the visitor. A right code signs in (audited «portal.entrada»); a
    wrong, expired, used or unknown one raises PortalError with one message for all cases."""
    hour_ago = now - dt.timedelta(hours=1)
    if ip and _count(hour_ago, Kind.CODE_FAILED, ip=ip) >= limit("ip_failures_per_hour"):
        _event(now, ip, Kind.REFUSED, detail="límite de códigos incorrectos por IP")
        raise RateLimited(_("Demasiados intentos desde esta conexión. Intente de nuevo en una hora."))
    typed = "".join(ch for ch in (code or "") if ch.isdigit())
    row = (SignInCode.objects.select_related("person", "contact_point").filter(pk=code_id).first()
           if code_id else None)
    if row is None:
        _event(now, ip, Kind.CODE_FAILED, detail="sin código enviado")
        raise PortalError(_(WRONG_CODE))
    person = row.person
    usable = (row.used_at is None and now < row.expires_at
              and row.failed_attempts < limit("code_attempts") and not person_locked(person, now))
    right = usable and len(typed) == 6 and hmac.compare_digest(row.code_hash, _digest(person.pk, typed))
    # the failure is written outside any transaction: refusing must not undo the count
    if not right or not SignInCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now):
        SignInCode.objects.filter(pk=row.pk).update(failed_attempts=F("failed_attempts") + 1)
        _event(now, ip, Kind.CODE_FAILED, person)
        if person_locked(person, now):
            audit_record(actor=None, action="portal.bloqueo", obj=person,
                         after={"ip": ip, "minutos": limit("lockout_minutes")})
        raise PortalError(_(WRONG_CODE))
    contact = mask(row.contact_point)
    with transaction.atomic():
        _event(now, ip, Kind.SIGNED_IN, person, contact)
        audit_record(actor=None, action="portal.entrada", obj=person, after={"ip": ip, "codigo_a": contact})
    return SignedIn(person=person, contact=contact)


def signout_record(*, person: Person, ip: str | None, now: dt.datetime, reason: str) -> None:
    _event(now, ip, Kind.SIGNED_OUT, person, reason)


# ------------------------------------------------------------------------------ requests

def _refuse_unless(actor: Person, credit: Credit, what: str) -> None:
    from recupera.core.predicates import portal_may

    if not portal_may(actor, credit, what):
        raise PortalError(_("Esta opción es solo para la persona acreditada del crédito."))


def _case_of(credit: Credit) -> Any:
    from recupera.agreements.services import open_case

    return open_case(credit)


def _daily_limit(actor: Person, kind: str, as_of: dt.date) -> None:
    sent = PortalRequest.objects.filter(person=actor, kind=kind, business_date=as_of).count()
    if sent >= limit("requests_per_day"):
        raise PortalError(_("Ya envió {n} solicitudes de este tipo hoy; le responderemos pronto. "
                            "Puede enviar más mañana.").format(n=sent))


def _request_audit(req: PortalRequest, after: dict[str, Any]) -> None:
    audit_record(actor=None, action=f"portal.{req.kind}", obj=req,
                 after={"persona": req.person_id, "credito": req.credit.folio, **after})


PLAN_FIELDS = ("kind", "label", "pays", "forgiven", "down_payment", "installments",
               "installment_amount", "new_term_months", "new_principal", "percents")


@transaction.atomic
def plan_request(*, actor: Person, credit: Credit, kind: str, as_of: dt.date, now: dt.datetime,
                 installments: int | None = None) -> PortalRequest:
    """The borrower asks for one of the options the negotiation policy allows today. The figures
    are the staff simulator's (agreements.services.offers_simulate, the engine), computed again
    here, never taken from the visitor (who chooses only the option and, for a plan, the number
    of payments up to the policy's most). The request waits in the collector's workbench."""
    from recupera.agreements.services import offers_simulate

    _refuse_unless(actor, credit, "simulate")
    if PortalRequest.objects.filter(credit=credit, kind=PortalRequest.Kind.PLAN,
                                    status=PortalRequest.Status.PENDING).exists():
        raise PortalError(_("Ya hay una solicitud de convenio de este crédito en revisión. Le "
                            "avisaremos la respuesta aquí mismo."))
    _daily_limit(actor, PortalRequest.Kind.PLAN, as_of)
    simulation = offers_simulate(credit=credit, as_of=as_of, plan_installments=installments)
    option = next((o for o in simulation["options"] if o["kind"] == kind and o.get("required_level")), None)
    if option is None:
        raise PortalError(_("Esa opción no está disponible hoy para su crédito."))
    case = _case_of(credit)
    req = PortalRequest.objects.create(
        kind=PortalRequest.Kind.PLAN, person=actor, credit=credit, case=case,
        collector=case.collector if case else None, created_at=now, business_date=as_of,
        plan={**{k: option[k] for k in PLAN_FIELDS if k in option}, "as_of": as_of.isoformat(),
              "debt": simulation["debt"]})
    _request_audit(req, {"opcion": option["kind"], "paga": option["pays"]})
    return req


def callback_window(rules: Any) -> str:
    days = sorted(rules.weekdays)
    from recupera.collections.conduct import WEEKDAY_NAMES

    if days and days == list(range(days[0], days[-1] + 1)):
        span = _("de {a} a {b}").format(a=WEEKDAY_NAMES[days[0]], b=WEEKDAY_NAMES[days[-1]])
    else:
        span = ", ".join(WEEKDAY_NAMES[d] for d in days)
    return _("{span}, de {a} a {b} (hora de Sonora)").format(
        span=span, a=rules.window_start.strftime("%H:%M"), b=rules.window_end.strftime("%H:%M"))


@transaction.atomic
def callback_request(*, actor: Person, credit: Credit, call_at: dt.datetime, phone: ContactPoint,
                     as_of: dt.date, now: dt.datetime) -> PortalRequest:
    """"Call me": a call back at `call_at` (aware) to a phone on file, inside the conduct hours
    (collections.conduct.check_hours with the configured rules) and within `callback_days`."""
    from recupera.collections.conduct import check_hours
    from recupera.collections.models import ConductSettings

    _refuse_unless(actor, credit, "callback")
    if phone.person_id != actor.pk or phone.kind != ContactPoint.Kind.PHONE or not phone.active:
        raise PortalError(_("Elija uno de sus teléfonos registrados."))
    rules = ConductSettings.load().rules()
    if call_at <= now:
        raise PortalError(_("La fecha y hora para llamarle ya pasó; elija una posterior."))
    # the call happens on the clock, not on the business date
    last_day = timezone.localtime(now).date() + dt.timedelta(days=limit("callback_days"))
    if timezone.localtime(call_at).date() > last_day:
        raise PortalError(_("Elija una fecha hasta el {d}.").format(d=last_day.strftime("%d/%m/%Y")))
    if check_hours(call_at, rules) is not None:
        raise PortalError(_("Solo llamamos {w}. Elija otro horario.").format(w=callback_window(rules)))
    _daily_limit(actor, PortalRequest.Kind.CALLBACK, as_of)
    case = _case_of(credit)
    req = PortalRequest.objects.create(
        kind=PortalRequest.Kind.CALLBACK, person=actor, credit=credit, case=case,
        collector=case.collector if case else None, created_at=now, business_date=as_of,
        call_at=call_at, phone=phone.value)
    _request_audit(req, {"llamar": timezone.localtime(call_at).strftime("%d/%m/%Y %H:%M")})
    return req


def _supervisors() -> list[Any]:
    return list(get_user_model().objects.filter(groups__name=Role.SUPERVISOR.value, is_active=True)
                .order_by("pk"))


@transaction.atomic
def question_ask(*, actor: Person, credit: Credit, text: str, as_of: dt.date, now: dt.datetime) -> PortalRequest:
    """A question becomes a recado (collections.Message) for the credit's collector, or for
    each supervisor when the credit has none; the answer is shown to the debtor in the portal."""
    from recupera.collections.services import message_take

    _refuse_unless(actor, credit, "question")
    text = (text or "").strip()
    if not text:
        raise PortalError(_("Escriba su pregunta."))
    if len(text) > limit("question_chars"):
        raise PortalError(_("Su pregunta tiene {n} caracteres; el máximo es {m}.").format(
            n=len(text), m=limit("question_chars")))
    _daily_limit(actor, PortalRequest.Kind.QUESTION, as_of)
    case = _case_of(credit)
    collector = case.collector if case else None
    phone = next((c.value for c in ContactPoint.objects.filter(person=actor, kind=ContactPoint.Kind.PHONE,
                                                                active=True)), "")
    taker = portal_actor()
    note = _("Pregunta desde el portal (crédito {folio}): {text}").format(folio=credit.folio, text=text)
    messages = [message_take(actor=taker, for_user=user, now=now, caller=actor.full_name[:120],
                             phone=phone[:20], text=note, case=case)
                for user in ([collector] if collector else _supervisors())]
    req = PortalRequest.objects.create(
        kind=PortalRequest.Kind.QUESTION, person=actor, credit=credit, case=case, collector=collector,
        created_at=now, business_date=as_of, text=text, message=messages[0] if messages else None)
    _request_audit(req, {"recados": [m.pk for m in messages]})
    return req


@transaction.atomic
def request_answer(*, actor: Any, portal_request: PortalRequest, answer: str, now: dt.datetime) -> PortalRequest:
    """A collector or supervisor answers (or closes) a request; the debtor sees the answer."""
    answer = (answer or "").strip()
    if not answer:
        raise PortalError(_("Escriba la respuesta que verá la persona en el portal."))
    if len(answer) > 3000:
        raise PortalError(_("La respuesta tiene {n} caracteres; el máximo es 3000.").format(n=len(answer)))
    req = PortalRequest.objects.select_for_update().get(pk=portal_request.pk)
    before = {"status": req.status, "answer": req.answer}
    req.status, req.answer = PortalRequest.Status.ANSWERED, answer
    req.answered_by, req.answered_at = actor, now
    req.save(update_fields=["status", "answer", "answered_by", "answered_at"])
    audit_record(actor=actor, action="portal.responder", obj=req, before=before,
                 after={"status": req.status, "answer": req.answer})
    return req
