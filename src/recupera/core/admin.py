"""The Django admin of accounts, groups and role requests.

Administración TI (staff, not superuser) manages accounts: names, e-mail, active, passwords.
It cannot set superuser, staff, groups or model permissions (those fields are read-only for
it, so a forged POST changes nothing), cannot open a superuser's account, and cannot edit
groups; it gives a role by requesting it («Solicitudes de rol»), which the Subdirección de
Cartera decides on /cuentas/roles/. Every account, group and request change writes an audit
row in the admin's own transaction (core/accounts.py).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group

from recupera.core import accounts
from recupera.core.models import RoleGrant, SecurityAlert

User = get_user_model()
AUTHORITY_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")


def _sets_authority(request: Any) -> bool:
    return request.user.has_perm("core.set_authority_flags")


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    def get_readonly_fields(self, request: Any, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if not _sets_authority(request):
            fields += [f for f in AUTHORITY_FIELDS if f not in fields]
            fields += ["last_login", "date_joined"]
        return fields

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or request.user.has_perm("core.change_account", obj))

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or request.user.has_perm("core.change_account", obj))

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        before = None
        if change and obj.pk:
            before = accounts.account_snapshot(User.objects.get(pk=obj.pk))
        request._recupera_account_before = before
        super().save_model(request, obj, form, change)

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        accounts.account_change_record(actor=request.user, user=form.instance,
                                       before=getattr(request, "_recupera_account_before", None))

    def log_change(self, request: Any, obj: Any, message: Any) -> Any:
        if request.path.rstrip("/").endswith("/password"):  # the admin's set-password form
            accounts.account_password_reset_record(actor=request.user, user=obj)
        return super().log_change(request, obj, message)

    def delete_model(self, request: Any, obj: Any) -> None:
        accounts.account_delete_record(actor=request.user, obj=obj,
                                       snapshot=accounts.account_snapshot(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for obj in queryset:
            accounts.account_delete_record(actor=request.user, obj=obj,
                                           snapshot=accounts.account_snapshot(obj))
        super().delete_queryset(request, queryset)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    """Roles are groups: renaming one or giving it permissions changes authority, so only a
    superuser edits them (audited); Administración TI sees them."""

    def has_add_permission(self, request: Any) -> bool:
        return _sets_authority(request) and super().has_add_permission(request)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return _sets_authority(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return _sets_authority(request) and super().has_delete_permission(request, obj)

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        request._recupera_group_before = (
            accounts.group_snapshot(Group.objects.get(pk=obj.pk)) if change and obj.pk else None)
        super().save_model(request, obj, form, change)

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        accounts.group_change_record(actor=request.user, group=form.instance,
                                     before=getattr(request, "_recupera_group_before", None))

    def delete_model(self, request: Any, obj: Any) -> None:
        accounts.account_delete_record(actor=request.user, obj=obj,
                                       snapshot=accounts.group_snapshot(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for obj in queryset:
            accounts.account_delete_record(actor=request.user, obj=obj,
                                           snapshot=accounts.group_snapshot(obj))
        super().delete_queryset(request, queryset)


class RoleGrantForm(forms.ModelForm):
    class Meta:
        model = RoleGrant
        fields = ["user", "role", "reason"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        user, role = data.get("user"), data.get("role")
        if user is not None and role is not None:
            if user.groups.filter(pk=role.pk).exists():
                raise forms.ValidationError(
                    f"La cuenta {user.get_username()} ya tiene el rol «{role.name}».")
            if RoleGrant.objects.filter(user=user, role=role,
                                        status=RoleGrant.Status.PENDING).exists():
                raise forms.ValidationError(
                    f"Ya hay una solicitud pendiente del rol «{role.name}» para "
                    f"{user.get_username()}.")
        return data


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    """Administración TI requests roles here; the decision is the Subdirección's, elsewhere."""

    form = RoleGrantForm
    list_display = ("requested_at", "user", "role", "status", "requested_by", "decided_by")
    list_filter = ("status", "role")
    search_fields = ("user__username",)

    def has_add_permission(self, request: Any) -> bool:
        return request.user.has_perm("core.request_role_grant")

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        grant = accounts.role_grant_request(actor=request.user, user=obj.user, role=obj.role,
                                            reason=obj.reason)
        obj.pk = grant.pk
        obj.requested_by = grant.requested_by
        obj.requested_at = grant.requested_at
        obj._state.adding = False

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        """Nothing related to save (the service wrote the row)."""


@admin.register(SecurityAlert)
class SecurityAlertAdmin(admin.ModelAdmin):
    list_display = ("at", "kind", "username", "ip", "detail", "acknowledged_by")
    list_filter = ("kind",)

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
