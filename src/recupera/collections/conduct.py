"""Collection conduct rules (docs/domain.md §5) as pure checks on plain values.

No Django here: the service (`services.action_log`) gathers the facts of one contact —
when, by which channel, with whom, through which contact point, what came before — into a
`ContactAttempt`, and `check_contact` answers with the rules it breaks, each with the Spanish
reason the collector sees. An empty list means the contact may go ahead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

# Channels (the values stored on Action.channel).
CALL_OUT = "llamada_saliente"
CALL_IN = "llamada_entrante"
VISIT = "visita"
SMS = "sms"
EMAIL = "correo"
WHATSAPP = "whatsapp"
LETTER = "carta"
IN_PERSON = "presencial"

# Parties (the values stored on Action.party).
BORROWER = "acreditado"
GUARANTOR = "aval"
REPRESENTATIVE = "representante"
REFERENCE = "referencia"
OTHER = "otro"

# Contacts the institute starts at a moment it chooses: they must fall in the debtor's window.
TIMED_CHANNELS = frozenset({CALL_OUT, VISIT, SMS, WHATSAPP})
# Contacts that go to a phone number or an e-mail address, which must be on file.
POINT_CHANNELS = frozenset({CALL_OUT, SMS, WHATSAPP, EMAIL})
# Who may be asked to pay (the debtors and their legal representative).
MAY_BE_ASKED_TO_PAY = frozenset({BORROWER, GUARANTOR, REPRESENTATIVE})

# Rule codes (stable; an override names the codes it allows).
OUTSIDE_HOURS = "horario"
FREQUENCY_CAP = "frecuencia"
AFTER_CONVERSATION = "tras_conversacion"
THIRD_PARTY_ASKED_TO_PAY = "tercero_cobro"
NOT_ON_FILE = "fuera_de_expediente"
MINOR = "menor_de_edad"
OLDER_ADULT = "adulto_mayor"
# The person exercised the right of opposition (ARCO) to this channel (privacy app). A legal
# right, not a policy: no supervisor override lifts it.
OPPOSITION = "oposicion"
NOT_OVERRIDABLE = frozenset({OPPOSITION})

RULE_LABELS = {
    OUTSIDE_HOURS: "Horario y días de contacto",
    FREQUENCY_CAP: "Límite de intentos de llamada",
    AFTER_CONVERSATION: "Pausa después de una conversación",
    THIRD_PARTY_ASKED_TO_PAY: "Solo el deudor, su aval o su representante pagan",
    NOT_ON_FILE: "Solo medios de contacto del expediente",
    MINOR: "No se negocia con menores de edad",
    OLDER_ADULT: "No se negocia con adultos mayores que no son deudores",
    OPPOSITION: "Oposición del titular a este medio de contacto",
}

WEEKDAY_NAMES = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")


@dataclass(frozen=True)
class ConductRules:
    """The configurable limits (defaults: docs/domain.md §5)."""

    timezone: str = "America/Hermosillo"
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday = 0
    window_start: dt.time = dt.time(7, 0)
    window_end: dt.time = dt.time(22, 0)
    max_call_attempts: int = 7
    attempts_window_days: int = 7
    quiet_days_after_conversation: int = 7
    minor_age: int = 18
    older_adult_age: int = 60
    contact_points_on_file_only: bool = True


@dataclass(frozen=True)
class ContactAttempt:
    """The facts of one contact with a person about one debt."""

    at: dt.datetime  # aware
    channel: str
    party: str
    discusses_debt: bool  # the debt is mentioned, payment asked or negotiated (outcome says so)
    contact_on_file: bool = True  # the phone/e-mail used is an active contact point on file
    person_birth_date: dt.date | None = None
    person_is_debtor: bool = True  # borrower or guarantor of this credit
    debtor_requested: bool = False  # the debtor asked to be called (lifts the pause)
    prior_call_attempts: Sequence[dt.datetime] = field(default_factory=tuple)  # this debt's
    last_conversation_at: dt.datetime | None = None  # last conversation with a debtor
    # Channels the contacted person objects to (ARCO opposition, privacy.ContactOpposition).
    opposed_channels: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Violation:
    code: str
    message: str

    @property
    def label(self) -> str:
        return RULE_LABELS.get(self.code, self.code)


def age_on(birth_date: dt.date, on: dt.date) -> int:
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def _hhmm(t: dt.time) -> str:
    return f"{t.hour:02d}:{t.minute:02d}"


def check_hours(at: dt.datetime, rules: ConductRules) -> Violation | None:
    if at.tzinfo is None:
        raise ValueError("contact time must be timezone-aware")
    local = at.astimezone(ZoneInfo(rules.timezone))
    allowed_days = ", ".join(WEEKDAY_NAMES[d] for d in sorted(rules.weekdays)) or "ninguno"
    if local.weekday() not in rules.weekdays:
        return Violation(OUTSIDE_HOURS, (
            f"No se puede contactar al deudor en {WEEKDAY_NAMES[local.weekday()]} "
            f"({local:%d/%m/%Y %H:%M}, hora local de {rules.timezone}); "
            f"días permitidos: {allowed_days}."))
    if not (rules.window_start <= local.time() < rules.window_end):
        return Violation(OUTSIDE_HOURS, (
            f"Fuera del horario de contacto: son las {local:%H:%M} en la hora local del deudor "
            f"({rules.timezone}); solo se contacta de {_hhmm(rules.window_start)} a "
            f"{_hhmm(rules.window_end)}."))
    return None


def check_frequency(attempt: ContactAttempt, rules: ConductRules) -> list[Violation]:
    if attempt.channel != CALL_OUT:
        return []
    found: list[Violation] = []
    since = attempt.at - dt.timedelta(days=rules.attempts_window_days)
    recent = [t for t in attempt.prior_call_attempts if since < t <= attempt.at]
    if len(recent) >= rules.max_call_attempts:
        found.append(Violation(FREQUENCY_CAP, (
            f"Ya hay {len(recent)} intentos de llamada por este adeudo en los últimos "
            f"{rules.attempts_window_days} días; el máximo es {rules.max_call_attempts}. "
            f"Este sería el intento número {len(recent) + 1}.")))
    last = attempt.last_conversation_at
    if (last is not None and not attempt.debtor_requested
            and last <= attempt.at < last + dt.timedelta(days=rules.quiet_days_after_conversation)):
        local = last.astimezone(ZoneInfo(rules.timezone))
        found.append(Violation(AFTER_CONVERSATION, (
            f"Hubo una conversación con el deudor el {local:%d/%m/%Y %H:%M}; no se le llama "
            f"durante {rules.quiet_days_after_conversation} días después, salvo que él lo "
            f"haya pedido.")))
    return found


def check_party(attempt: ContactAttempt, rules: ConductRules) -> list[Violation]:
    found: list[Violation] = []
    if attempt.discusses_debt and attempt.party not in MAY_BE_ASKED_TO_PAY:
        if attempt.party == REFERENCE:
            text = ("A una referencia personal solo se le pide ayuda para localizar al deudor: "
                    "no se le informa del adeudo ni se le pide que pague.")
        else:
            text = ("Solo el acreditado, el aval o su representante legal pueden ser requeridos "
                    "de pago; con otras personas no se trata el adeudo.")
        found.append(Violation(THIRD_PARTY_ASKED_TO_PAY, text))
    if attempt.discusses_debt and not attempt.person_is_debtor and attempt.person_birth_date:
        age = age_on(attempt.person_birth_date, attempt.at.date())
        if age < rules.minor_age:
            found.append(Violation(MINOR, (
                f"La persona contactada es menor de edad ({age} años): no se negocia con ella.")))
        elif age >= rules.older_adult_age:
            found.append(Violation(OLDER_ADULT, (
                f"La persona contactada es adulta mayor ({age} años) y no es deudora: "
                f"no se negocia con ella.")))
    return found


def check_contact_point(attempt: ContactAttempt, rules: ConductRules) -> Violation | None:
    if (rules.contact_points_on_file_only and attempt.channel in POINT_CHANNELS
            and not attempt.contact_on_file):
        return Violation(NOT_ON_FILE, (
            "Solo se usan teléfonos y correos registrados en el expediente de la persona; "
            "registre primero el medio de contacto (con su origen) en su ficha."))
    return None


CHANNEL_NAMES = {CALL_OUT: "llamadas telefónicas", VISIT: "visitas", SMS: "mensajes SMS",
                 EMAIL: "correo electrónico", WHATSAPP: "WhatsApp", LETTER: "cartas"}


def check_opposition(attempt: ContactAttempt) -> Violation | None:
    if attempt.channel in attempt.opposed_channels:
        name = CHANNEL_NAMES.get(attempt.channel, attempt.channel)
        return Violation(OPPOSITION, (
            f"La persona ejerció su derecho de oposición al contacto por {name}: no se le "
            f"contacta por este medio (lo registró Protección de Datos Personales)."))
    return None


def check_contact(attempt: ContactAttempt, rules: ConductRules) -> list[Violation]:
    """Every rule the contact would break (empty: it may go ahead)."""
    found: list[Violation] = []
    opposition = check_opposition(attempt)
    if opposition:
        found.append(opposition)
    if attempt.channel in TIMED_CHANNELS:
        hours = check_hours(attempt.at, rules)
        if hours:
            found.append(hours)
    found.extend(check_frequency(attempt, rules))
    found.extend(check_party(attempt, rules))
    point = check_contact_point(attempt, rules)
    if point:
        found.append(point)
    return found
