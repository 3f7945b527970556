"""Roles of the institute's staff, kept as Django groups (created by a migration)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    COLLECTOR = "Gestor de Cobranza"
    SUPERVISOR = "Jefe de Departamento de Gestión de Cobranza"
    PORTFOLIO_OFFICE = "Subdirección de Cartera"
    CUSTODY = "Resguardo y Archivo"
    CASHIER = "Caja"
    AUDITOR = "Auditoría (solo lectura)"
    IT_ADMIN = "Administración TI"
    # The Dirección General and its committee: the top authority level of agreements
    # (write-offs, the largest discounts). Group created by core/0002_agr_committee_role.
    COMMITTEE = "Dirección / Comité"
    # The data-protection officer (responsable de protección de datos personales): the only role
    # that blocks or unblocks a person's data and answers ARCO requests. Group created by
    # core/0004_data_protection_role.
    DATA_PROTECTION = "Protección de Datos Personales"


# Demo usernames per role (recupera demo prints them with their passwords).
DEMO_USERS: dict[Role, tuple[str, str, str]] = {
    # role: (username, first name, last name)
    Role.COLLECTOR: ("gestor", "Lucía", "Valenzuela Romero"),
    Role.SUPERVISOR: ("jefe", "Ramón", "Encinas Duarte"),
    Role.PORTFOLIO_OFFICE: ("subdireccion", "Patricia", "Moreno Quiroz"),
    Role.CUSTODY: ("archivo", "Jesús", "Acosta Ibarra"),
    Role.CASHIER: ("caja", "Alma", "Félix Castro"),
    Role.AUDITOR: ("auditoria", "Héctor", "Durazo Leyva"),
    Role.IT_ADMIN: ("ti", "Sofía", "Galaz Ruiz"),
    Role.COMMITTEE: ("direccion", "Manuel", "Salazar Ochoa"),
    Role.DATA_PROTECTION: ("datos", "Elena", "Córdova Lugo"),
}

# Apps whose models Administración TI maintains in the Django admin (catalogs, settings).
OTP_APPS = ("otp_totp", "otp_static")
IT_ADMIN_APPS = ("core", "people", "credits", "collections", "payments", "agreements", "cob", "auth", "axes",
                 *OTP_APPS)


def grant_it_admin_catalog_perms(**kwargs) -> None:  # type: ignore[no-untyped-def]
    """After migrate: the IT group holds the model permissions the Django admin asks for."""
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.filter(name=Role.IT_ADMIN.value).first()
    if group is None:
        return
    perms = Permission.objects.filter(content_type__app_label__in=IT_ADMIN_APPS).exclude(
        content_type__model="auditentry", codename__in=["change_auditentry", "delete_auditentry"]
    ).exclude(  # IT resets a lost second factor (view, delete), never sets one (it would know it)
        content_type__app_label__in=OTP_APPS, codename__regex=r"^(add|change)_"
    )
    group.permissions.set(perms)
