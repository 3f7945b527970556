"""Services for staff accounts: passwords, role grants, lockout alerts, second factor.

Every write here follows the project's rule: keyword-only arguments, `actor=` first, one
transaction, an audit row (core/audit.py) inside it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from recupera.core.audit import audit_record
from recupera.core.models import AuditEntry

PASSWORD_FAILED = "usuario.contrasena_fallida"
PASSWORD_CHANGED = "usuario.contrasena_cambiada"


# passwords ------------------------------------------------------------------------------------

@transaction.atomic
def user_password_set(*, actor: Any, user: Any, raw_password: str) -> None:
    """Set a new password (already validated by the form). The audit row never holds it."""
    user.set_password(raw_password)
    user.save(update_fields=["password"])
    audit_record(actor=actor, action=PASSWORD_CHANGED, obj=user)


@transaction.atomic
def password_change_failure_record(*, actor: Any, user: Any, ip: str | None) -> None:
    """A wrong current password on the password-change form (counted by the lock)."""
    audit_record(actor=actor, action=PASSWORD_FAILED, obj=user, after={"ip": ip})


def password_change_locked(*, user: Any, now: dt.datetime | None = None) -> bool:
    """True when the user typed a wrong current password PASSWORD_CHANGE_FAILURE_LIMIT times in
    the last PASSWORD_CHANGE_LOCK_MINUTES (one indexed count on the audit log)."""
    now = now or timezone.now()
    since = now - dt.timedelta(minutes=settings.PASSWORD_CHANGE_LOCK_MINUTES)
    failures = AuditEntry.objects.filter(
        object_type=user._meta.label_lower, object_id=str(user.pk), at__gte=since,
        action=PASSWORD_FAILED,
    ).count()
    return failures >= settings.PASSWORD_CHANGE_FAILURE_LIMIT
