"""Every authorization rule of Recupera, as django-rules predicates.

Views, the API and templates ask these (through `user.has_perm(...)` or the predicates
directly); nothing else decides who may do what. Tested in tests/core/test_predicates.py.
"""

from __future__ import annotations

import rules

from recupera.core.roles import Role


def _has_role(role: Role) -> rules.Predicate:
    @rules.predicate(name=f"has_role[{role.name}]")
    def predicate(user) -> bool:  # type: ignore[no-untyped-def]
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        cached = getattr(user, "_recupera_roles", None)
        if cached is None:
            cached = frozenset(user.groups.values_list("name", flat=True))
            user._recupera_roles = cached
        return role.value in cached

    return predicate


is_collector = _has_role(Role.COLLECTOR)
is_supervisor = _has_role(Role.SUPERVISOR)
is_portfolio_office = _has_role(Role.PORTFOLIO_OFFICE)
is_custody = _has_role(Role.CUSTODY)
is_cashier = _has_role(Role.CASHIER)
is_auditor = _has_role(Role.AUDITOR)
is_it_admin = _has_role(Role.IT_ADMIN)


@rules.predicate
def is_superuser(user) -> bool:  # type: ignore[no-untyped-def]
    return bool(getattr(user, "is_superuser", False)) and user.is_active


is_staff_member = (
    is_collector | is_supervisor | is_portfolio_office | is_custody | is_cashier | is_auditor
    | is_it_admin | is_superuser
)
# Who works the portfolio (sees debtors and credits).
works_portfolio = (
    is_collector | is_supervisor | is_portfolio_office | is_custody | is_cashier | is_auditor
    | is_superuser
)
# Who may change debtors' personal and contact data.
edits_people = is_collector | is_supervisor | is_portfolio_office | is_superuser
# Who loads portfolios and sets products.
manages_portfolio = is_portfolio_office | is_it_admin | is_superuser
reads_audit = is_auditor | is_it_admin | is_portfolio_office | is_superuser
administers = is_it_admin | is_superuser

# Collectors will be restricted to the people and credits of their own cases when the
# workbench (cases) lands; until then every portfolio role reads the whole portfolio.
rules.add_perm("core.use_search", works_portfolio)
rules.add_perm("core.view_audit", reads_audit)
rules.add_perm("core.administer", administers)
rules.add_perm("people.view_person", works_portfolio)
rules.add_perm("people.add_person", edits_people)
rules.add_perm("people.change_person", edits_people)
rules.add_perm("credits.view_credit", works_portfolio)
rules.add_perm("credits.import_portfolio", manages_portfolio)
