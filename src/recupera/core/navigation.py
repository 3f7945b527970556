"""The staff menu. Each item shows only to users holding its permission (core/predicates.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    perm: str


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem(_("Inicio"), "home", "core.use_search"),
    NavItem(_("Personas"), "people:list", "people.view_person"),
    NavItem(_("Créditos"), "credits:list", "credits.view_credit"),
    NavItem(_("Importar cartera"), "credits:import", "credits.import_portfolio"),
    # collections
    NavItem(_("Mi cartera de hoy"), "collections:queue", "collections.use_workbench"),
    NavItem(_("Equipo"), "collections:team", "collections.view_team"),
    NavItem(_("Llamada entrante"), "collections:inbound_call", "collections.take_calls"),
    NavItem(_("Recados"), "collections:messages", "collections.take_calls"),
    NavItem(_("Reglas y plazos"), "collections:rules", "collections.manage_rules"),
    # goals
    NavItem(_("Metas del equipo"), "goals:team", "goals.view_team"),
    NavItem(_("Recuperación del instituto"), "goals:institute", "goals.view_institute"),
    # agreements
    NavItem(_("Autorizaciones"), "agreements:inbox", "agreements.decide"),
    NavItem(_("Campañas"), "agreements:campaigns", "agreements.manage_policy"),
    NavItem(_("Pagos"), "payments:imports", "payments.view_payment"),
    NavItem(_("Caja"), "payments:cashier", "payments.capture_cash"),
    NavItem(_("Cierre diario"), "cob:runs", "cob.view_close"),
    NavItem(_("Bitácora de auditoría"), "audit:list", "core.view_audit"),
    NavItem(_("Consultas de datos personales"), "audit:data_views", "core.view_data_log"),
    NavItem(_("Solicitudes de rol"), "role_grants", "core.decide_role_grant"),
    # custody
    NavItem(_("Archivo"), "custody:dashboard", "custody.view"),
    NavItem(_("Documentos en mi poder"), "custody:my_loans", "custody.view_own_loans"),
    # privacy
    NavItem(_("Derechos ARCO"), "privacy:list", "privacy.view_requests"),
    NavItem(_("Aviso de privacidad"), "privacy:notices", "privacy.manage_notice"),
    NavItem(_("Administración"), "admin:index", "core.administer"),
)


# The menu of each combination of roles, for users who are not staff: the items' permissions are
# rules without an object, which depend only on the user's roles, is_superuser and is_active
# (core/predicates.py). Staff users also hold the admin's model permissions, which change in the
# admin, so their menu is computed every time. 17 permission checks a page otherwise.
_MENUS: dict[tuple[frozenset[str], bool, bool], list[NavItem]] = {}


def menu_for(user) -> list[NavItem]:  # type: ignore[no-untyped-def]
    from recupera.core.predicates import roles_of

    if getattr(user, "is_staff", False):
        return [item for item in NAV_ITEMS if user.has_perm(item.perm)]
    key = (roles_of(user), bool(user.is_superuser), bool(user.is_active))
    menu = _MENUS.get(key)
    if menu is None:
        menu = _MENUS[key] = [item for item in NAV_ITEMS if user.has_perm(item.perm)]
    return list(menu)
