"""Validation of Mexican identifiers and contact data, with Spanish messages for users.

CURP: python-stdnum (rejects bad check digits). RFC: python-stdnum, but real data fails the
check digit about 1.5 % of the time, so a bad RFC is a warning, not an error (docs/domain.md §8).
CLABE: 18 digits, weights 3-7-1 mod 10. Phones: phonenumbers, region MX.
"""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email as django_validate_email
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.mx import curp as stdnum_curp
from stdnum.mx import rfc as stdnum_rfc

GENERIC_RFC = "XAXX010101000"


def normalize_curp(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def validate_curp(value: str) -> str:
    """Return the normalized CURP or raise a Spanish ValidationError."""
    curp = normalize_curp(value)
    if len(curp) != 18:
        raise ValidationError(
            "La CURP debe tener 18 caracteres (tiene %(n)s).", code="curp_length", params={"n": len(curp)}
        )
    try:
        stdnum_curp.validate(curp, validate_check_digits=True)
    except StdnumError as exc:
        reason = str(exc).lower()
        if "checksum" in reason or "check digit" in reason:
            raise ValidationError(
                "La CURP %(curp)s tiene un dígito verificador incorrecto.",
                code="curp_check", params={"curp": curp},
            ) from exc
        raise ValidationError(
            "La CURP %(curp)s no tiene un formato válido.", code="curp_format", params={"curp": curp}
        ) from exc
    return curp


def rfc_warning(value: str) -> str | None:
    """None if the RFC is valid; otherwise a Spanish warning. Raises only on a malformed RFC."""
    rfc = re.sub(r"\s+", "", value or "").upper()
    if not rfc or rfc == GENERIC_RFC:
        return None
    if not re.fullmatch(r"[A-ZÑ&]{3,4}\d{6}[A-Z0-9]{0,3}", rfc):
        raise ValidationError("El RFC %(rfc)s no tiene un formato válido.", code="rfc_format", params={"rfc": rfc})
    try:
        stdnum_rfc.validate(rfc, validate_check_digits=len(rfc) in (12, 13))
    except StdnumError:
        return f"El RFC {rfc} no pasa la verificación del dígito; revíselo (se guardó de todos modos)."
    return None


def normalize_rfc(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def clabe_check_digit(first17: str) -> int:
    weights = (3, 7, 1)
    total = sum((int(d) * weights[i % 3]) % 10 for i, d in enumerate(first17))
    return (10 - total % 10) % 10


def validate_clabe(value: str) -> str:
    clabe = re.sub(r"\s+", "", value or "")
    if not re.fullmatch(r"\d{18}", clabe):
        raise ValidationError("La CLABE debe tener 18 dígitos.", code="clabe_format")
    if clabe_check_digit(clabe[:17]) != int(clabe[17]):
        raise ValidationError("La CLABE %(clabe)s tiene un dígito verificador incorrecto.",
                              code="clabe_check", params={"clabe": clabe})
    return clabe


def normalize_phone(value: str) -> str:
    """Return the phone in E.164 (+526621234567) or raise a Spanish ValidationError."""
    raw = (value or "").strip()
    if not raw:
        raise ValidationError("Escriba el número de teléfono.", code="phone_empty")
    try:
        number = phonenumbers.parse(raw, "MX")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError("El teléfono %(phone)s no es un número válido.", code="phone_parse",
                              params={"phone": raw}) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            "El teléfono %(phone)s no es un número válido de México (10 dígitos).",
            code="phone_invalid", params={"phone": raw},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """Display form: 662 123 4567 for Mexican numbers."""
    try:
        number = phonenumbers.parse(e164, "MX")
    except phonenumbers.NumberParseException:
        return e164
    if number.country_code == 52:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalize_email(value: str) -> str:
    email = (value or "").strip().lower()
    try:
        django_validate_email(email)
    except ValidationError as exc:
        raise ValidationError("El correo %(email)s no es una dirección válida.", code="email_invalid",
                              params={"email": value}) from exc
    return email
