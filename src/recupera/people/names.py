"""Name normalization and what a CURP says about its holder (pure Python, no database)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

_NOT_WORD = re.compile(r"[^A-Z0-9 ]+")
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Upper case without accents or punctuation, single spaces: "Núñez-López" -> "NUNEZ LOPEZ"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).upper()
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", plain)).strip()


def clean_name(text: str) -> str:
    """A name as it is stored: trimmed, single spaces, accents kept."""
    return _SPACES.sub(" ", (text or "").strip())


def search_name(first_name: str, last_name: str, second_last_name: str = "") -> str:
    """ "NOMBRE APELLIDO1 APELLIDO2", the indexed column the name search reads."""
    return fold(" ".join(p for p in (first_name, last_name, second_last_name) if p))


def curp_birth_date(curp: str) -> dt.date:
    """Birth date in a (valid) CURP: YYMMDD, century from the 17th character."""
    year = int(curp[4:6]) + (1900 if curp[16].isdigit() else 2000)
    return dt.date(year, int(curp[6:8]), int(curp[8:10]))


def curp_sex(curp: str) -> str:
    """H (hombre) or M (mujer), the CURP's 11th character."""
    return curp[10]
