"""Audit rows, written by services inside their own transaction.

Each row keeps the actor's username and full name as they are when it is written (renaming an
account later does not change what the log shows), and the log only grows: the model, its
queryset and, on PostgreSQL, triggers refuse updates and deletes (core/models.py, core/0006)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models

from recupera.core.models import AuditEntry, actor_names


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of `obj`, JSON-ready (foreign keys as ids)."""
    names = fields or [f.attname for f in obj._meta.concrete_fields]
    return {name: _jsonable(getattr(obj, name)) for name in names}


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit row. Call inside the service's transaction."""
    if before is not None and after is not None:
        changed = {k for k in after if before.get(k) != after.get(k)}
        before = {k: v for k, v in before.items() if k in changed}
        after = {k: v for k, v in after.items() if k in changed}
    username, full_name = actor_names(actor)  # as they are now: renaming does not rewrite it
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_username=username,
        actor_name=full_name,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        before=_jsonable(before),
        after=_jsonable(after),
    )


# Deleting a person's data (ARCO cancellation) ---------------------------------------------------
PSEUDONYM = "SUPRIMIDO"


def _fold(text: str) -> str:
    """Lower case without accents, for matching a value wherever it was written."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _scrub(value: Any, needles: list[str], keys: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {k: (PSEUDONYM if k in keys and v not in (None, "", [], {}) else _scrub(v, needles, keys))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, needles, keys) for v in value]
    if isinstance(value, str):
        folded = _fold(value)
        return PSEUDONYM if any(n in folded for n in needles) else value
    return value


def audit_pseudonymise(*, entry_ids: list[int], values: list[str],
                       keys: frozenset[str] | set[str] = frozenset()) -> int:
    """Rewrite, in the audit rows `entry_ids`, every text that contains one of `values` (a
    person's name, CURP, phones, e-mails, address: compared without case or accents) and every
    value under a key in `keys` (the personal fields: "curp", "first_name", …) with «SUPRIMIDO».
    Dates, amounts, actors, actions and objects stay. The only way an audit row changes: the
    rows get a permit (core/0007 triggers let a row with a permit change only those columns), are
    rewritten, and the permits go, in the caller's transaction. Returns how many rows changed;
    the caller writes its own audit row (naming the count, never the values)."""
    from django.db import connection, transaction

    from recupera.core.models import AuditPseudonymPermit

    if not connection.in_atomic_block:
        raise RuntimeError("audit_pseudonymise() runs inside the caller's transaction")
    needles = sorted({_fold(v.strip()) for v in values if v and len(v.strip()) >= 4}, key=len,
                     reverse=True)
    keys = frozenset(keys)
    changed: list[AuditEntry] = []
    for entry in AuditEntry.objects.filter(pk__in=entry_ids).order_by("pk").iterator(chunk_size=500):
        new = {"object_repr": _scrub(entry.object_repr, needles, frozenset()),
               "before": _scrub(entry.before, needles, keys),
               "after": _scrub(entry.after, needles, keys)}
        if any(new[name] != getattr(entry, name) for name in new):
            for name, value in new.items():
                setattr(entry, name, value)
            changed.append(entry)
    if not changed:
        return 0
    with transaction.atomic():
        AuditPseudonymPermit.objects.bulk_create(
            [AuditPseudonymPermit(entry_id=e.pk) for e in changed])
        # models.QuerySet, not AuditEntryQuerySet: the database's triggers are the guard here.
        models.QuerySet(model=AuditEntry).bulk_update(changed, ["object_repr", "before", "after"],
                                                      batch_size=500)
        AuditPseudonymPermit.objects.filter(entry_id__in=[e.pk for e in changed]).delete()
    return len(changed)
