"""Post-migrate wiring of the payments app."""

from __future__ import annotations


def grant_it_admin_payment_perms(**kwargs) -> None:  # type: ignore[no-untyped-def]
    """Administración TI edits bank agreements, file layouts and payroll enrollments in the
    Django admin."""
    from django.contrib.auth.models import Group, Permission

    from recupera.core.roles import Role

    group = Group.objects.filter(name=Role.IT_ADMIN.value).first()
    if group is None:
        return
    perms = Permission.objects.filter(
        content_type__app_label="payments",
        content_type__model__in=["bankagreement", "filelayout", "payrollenrollment"],
    )
    group.permissions.add(*perms)
