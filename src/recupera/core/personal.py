"""What a reader is shown of a person whose data the data-protection officer blocked.

One rule (`core.predicates.sees_person_data`: blocked data only for the officer and the
auditors) applied in one place for every way a person reaches a reader:

- templates: `{% person_name p %}`, `{% person_curp p %}`, `{% person_hidden p %}`
  (privacy/templatetags/privacy_ui.py call `name_for`, `curp_for`, `hides`);
- serializers: `PersonNameField` (a person's full name, or «Datos bloqueados»);
- JSON built by hand: `borrower_for` (the credit JSON's `borrower`);
- free text typed about a person (a recado's caller and phone): `text_for`;
- the audit log: `audit_entries_for_reader` hides the rows about a blocked person. Which rows
  are about whom is told by the apps that own the objects (`register_audit_subject`), so this
  module needs none of their models.

Nothing here writes: the data stay as they are, only what is shown changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from recupera.core.predicates import sees_person_data

BLOCKED = "Datos bloqueados"


def hides(user: Any, person: Any) -> bool:
    """True when `person`'s personal fields must not be shown to `user` (no user: hidden)."""
    if person is None or not getattr(person, "data_blocked", False):
        return False
    return user is None or not sees_person_data(user, person)


def name_for(user: Any, person: Any) -> str:
    if person is None:
        return ""
    return BLOCKED if hides(user, person) else person.full_name


def curp_for(user: Any, person: Any, hidden: str = "—") -> str:
    if person is None:
        return ""
    return hidden if hides(user, person) else person.curp


def text_for(user: Any, person: Any, value: str, hidden: str = BLOCKED) -> str:
    """A value typed about `person` (a caller's name, a phone): `hidden` when blocked."""
    return hidden if hides(user, person) else value


def borrower_for(user: Any, person: Any) -> dict[str, str]:
    """The `borrower` object of the credit JSON (curp, name) as `user` may see it."""
    if hides(user, person):
        return {"curp": "", "name": BLOCKED}
    return {"curp": person.curp, "name": person.full_name}


@extend_schema_field(OpenApiTypes.STR)
class PersonNameField(serializers.Field):
    """Read-only: the full name of the person at `source`, or «Datos bloqueados» for a reader
    who may not see a blocked person (the request's user, from the serializer's context)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, person: Any) -> str:
        request = self.context.get("request")
        return name_for(getattr(request, "user", None), person)


def _reader_sees_blocked(user: Any) -> bool:
    return bool(user is not None and user.has_perm("privacy.view_blocked_data"))


# The audit log ---------------------------------------------------------------------------------
# object_type (e.g. "people.person") -> function(object ids) -> the ids among them whose rows
# are about a blocked person. One query per object type present on the page.
_AUDIT_SUBJECTS: dict[str, Callable[[list[str]], set[str]]] = {}
# object_type -> the permission a reader needs to see those rows at all (the ARCO requests are
# the officer's and the auditors' whatever the person's state).
_AUDIT_RESTRICTED: dict[str, str] = {}


def register_audit_subject(object_type: str, blocked_ids: Callable[[list[str]], set[str]]) -> None:
    _AUDIT_SUBJECTS[object_type] = blocked_ids


def register_audit_restricted(object_type: str, perm: str) -> None:
    _AUDIT_RESTRICTED[object_type] = perm


def _hide_entry(entry: Any) -> None:
    # In memory only: the row itself is append-only and never saved again.
    entry.object_repr = BLOCKED
    entry.before = {"datos": BLOCKED} if entry.before is not None else None
    entry.after = {"datos": BLOCKED} if entry.after is not None else None


def audit_entries_for_reader(user: Any, entries: Iterable[Any]) -> list[Any]:
    """The audit rows as `user` may read them: a row about a blocked person (or one the reader
    may not read at all) keeps its date, user, action and object id, and shows «Datos
    bloqueados» instead of the object's description and the values before and after."""
    entries = list(entries)
    restricted = {t for t, perm in _AUDIT_RESTRICTED.items() if not user.has_perm(perm)}
    if _reader_sees_blocked(user) and not restricted:
        return entries
    by_type: dict[str, list[Any]] = {}
    for entry in entries:
        if entry.object_type in restricted:
            _hide_entry(entry)
        elif entry.object_type in _AUDIT_SUBJECTS and not _reader_sees_blocked(user):
            by_type.setdefault(entry.object_type, []).append(entry)
    for object_type, rows in by_type.items():
        blocked = _AUDIT_SUBJECTS[object_type](sorted({e.object_id for e in rows}))
        for entry in rows:
            if entry.object_id in blocked:
                _hide_entry(entry)
    return entries
