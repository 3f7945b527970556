"""The sign-in records of django-axes are evidence: nobody deletes them from the admin.

AccessLog (every sign-in and sign-out) and AccessFailureLog (every failed attempt) are
read-only there for everyone, superusers included. AccessAttempt (the running count that locks
an account) stays deletable: deleting it is how an account is unlocked, and the two logs above
keep the history of what happened. Installed from CoreConfig.ready()."""

from __future__ import annotations

from typing import Any


def install() -> None:
    from django.conf import settings
    from django.contrib import admin

    if not getattr(settings, "AXES_ENABLE_ADMIN", True):
        return
    from axes import admin as axes_admin  # registers axes' admin classes (once)
    from axes.models import AccessFailureLog, AccessLog

    for model, base in ((AccessLog, axes_admin.AccessLogAdmin),
                        (AccessFailureLog, axes_admin.AccessFailureLogAdmin)):
        if admin.site.is_registered(model):
            admin.site.unregister(model)
        admin.site.register(model, type(f"Kept{base.__name__}", (base,), {
            "has_delete_permission": _never, "has_change_permission": _never,
        }))


def _never(self: Any, request: Any, obj: Any = None) -> bool:
    return False
