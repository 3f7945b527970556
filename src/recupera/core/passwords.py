"""The password rule Django's validators lack: a password may not contain the account's own
names (username, first name, surnames), compared without case or accents."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Name parts shorter than this ("de", "la", "Ana") would refuse too many good passwords.
MIN_NAME_PART = 4


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def name_parts(user: Any) -> set[str]:
    parts: set[str] = set()
    for value in (getattr(user, "username", ""), getattr(user, "first_name", ""),
                  getattr(user, "last_name", "")):
        for part in re.split(r"[^0-9a-z]+", _fold(value)):
            if len(part) >= MIN_NAME_PART:
                parts.add(part)
    return parts


class NamePartsValidator:
    """Refuses a password that contains the user's username or any of their names."""

    def validate(self, password: str, user: Any = None) -> None:
        if user is None:
            return
        folded = _fold(password)
        for part in sorted(name_parts(user)):
            if part in folded:
                raise ValidationError(
                    _("La contraseña no puede contener su nombre de usuario ni su nombre o "
                      "apellidos («%(part)s»).") % {"part": part},
                    code="password_contains_name",
                )

    def get_help_text(self) -> str:
        return _("Su contraseña no puede contener su nombre de usuario ni su nombre o apellidos.")
