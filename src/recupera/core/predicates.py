"""Every authorization rule of Recupera, as django-rules predicates.

Views, the API and templates ask these (through `user.has_perm(...)` or the predicates
directly); nothing else decides who may do what. Tested in tests/core/test_predicates.py.
"""

from __future__ import annotations

import rules
from django.contrib.auth.backends import ModelBackend

from recupera.core import extensions
from recupera.core.roles import Role


class AdminModelBackend(ModelBackend):
    """Signs users in as Django's ModelBackend does; its model permissions (the "change_…"
    permissions the Django admin asks for, held by the IT group) count only for staff users,
    the only ones the admin lets in. Everything the application itself checks is a rule of
    this module, so for everyone else this backend answers no at once, where ModelBackend read
    the user's and the groups' model permissions (two queries a page, whenever a rule said no
    and the check fell through to it)."""

    def get_all_permissions(self, user_obj, obj=None):  # type: ignore[no-untyped-def]
        if not getattr(user_obj, "is_staff", False):
            return set()
        return super().get_all_permissions(user_obj, obj)

    def get_user_permissions(self, user_obj, obj=None):  # type: ignore[no-untyped-def]
        if not getattr(user_obj, "is_staff", False):
            return set()
        return super().get_user_permissions(user_obj, obj)

    def get_group_permissions(self, user_obj, obj=None):  # type: ignore[no-untyped-def]
        if not getattr(user_obj, "is_staff", False):
            return set()
        return super().get_group_permissions(user_obj, obj)


def roles_of(user) -> frozenset[str]:  # type: ignore[no-untyped-def]
    """The names of the user's role groups, read once per user object (one query)."""
    cached = getattr(user, "_recupera_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._recupera_roles = cached
    return cached


def _has_role(role: Role) -> rules.Predicate:
    @rules.predicate(name=f"has_role[{role.name}]")
    def predicate(user) -> bool:  # type: ignore[no-untyped-def]
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        return role.value in roles_of(user)

    return predicate


is_collector = _has_role(Role.COLLECTOR)
is_supervisor = _has_role(Role.SUPERVISOR)
is_portfolio_office = _has_role(Role.PORTFOLIO_OFFICE)
is_custody = _has_role(Role.CUSTODY)
is_cashier = _has_role(Role.CASHIER)
is_auditor = _has_role(Role.AUDITOR)
is_it_admin = _has_role(Role.IT_ADMIN)
is_committee = _has_role(Role.COMMITTEE)
is_data_protection = _has_role(Role.DATA_PROTECTION)


@rules.predicate
def is_superuser(user) -> bool:  # type: ignore[no-untyped-def]
    return bool(getattr(user, "is_superuser", False)) and user.is_active


is_staff_member = (
    is_collector | is_supervisor | is_portfolio_office | is_custody | is_cashier | is_auditor
    | is_it_admin | is_committee | is_data_protection | is_superuser
)
# Who works the portfolio (sees debtors and credits). The data-protection officer reads them
# too: answering an ARCO request means seeing everything Recupera holds about a person.
works_portfolio = (
    is_collector | is_supervisor | is_portfolio_office | is_custody | is_cashier | is_auditor
    | is_committee | is_data_protection | is_superuser
)
# Who may change debtors' personal and contact data.
edits_people = is_collector | is_supervisor | is_portfolio_office | is_superuser
# Who loads portfolios and sets products.
manages_portfolio = is_portfolio_office | is_it_admin | is_superuser
reads_audit = is_auditor | is_it_admin | is_portfolio_office | is_data_protection | is_superuser
administers = is_it_admin | is_superuser

# Collectors will be restricted to the people and credits of their own cases when the
# workbench (cases) lands; until then every portfolio role reads the whole portfolio.
rules.add_perm("core.use_search", works_portfolio)
rules.add_perm("core.view_audit", reads_audit)
# The personal-data view log (who saw whose data): Auditoría and the data-protection officer.
rules.add_perm("core.view_data_log", is_auditor | is_data_protection | is_superuser)
rules.add_perm("core.administer", administers)
rules.add_perm("people.view_person", works_portfolio)
rules.add_perm("people.add_person", edits_people)
rules.add_perm("people.change_person", edits_people)
rules.add_perm("credits.view_credit", works_portfolio)
rules.add_perm("credits.import_portfolio", manages_portfolio)

# collections ---------------------------------------------------------------------------------
# A collector sees and changes only their own open cases and those credits' people; the
# supervisor (Jefe de Departamento) sees the whole team. With no object (`has_perm(perm)`) the
# object predicates answer True, so role-level answers (menus, list pages) stay as they were.


@rules.predicate
def owns_case(user, case) -> bool:  # type: ignore[no-untyped-def]
    if case is None:
        return True
    return getattr(case, "collector_id", None) == user.pk


@rules.predicate
def works_credit(user, credit) -> bool:  # type: ignore[no-untyped-def]
    if credit is None:
        return True
    return extensions.works_credit(user=user, credit=credit)  # collections.selectors


@rules.predicate
def works_person(user, person) -> bool:  # type: ignore[no-untyped-def]
    if person is None:
        return True
    return extensions.works_person(user=user, person=person)  # collections.selectors


@rules.predicate
def is_message_party(user, message) -> bool:  # type: ignore[no-untyped-def]
    if message is None:
        return True
    return user.pk in (message.for_user_id, message.taken_by_id)


# Portfolio roles that read every credit (everyone but the collector, who reads their cases).
reads_whole_portfolio = (
    is_supervisor | is_portfolio_office | is_custody | is_cashier | is_auditor | is_committee
    | is_data_protection | is_superuser
)
oversees_collections = is_supervisor | is_portfolio_office | is_superuser
works_cases = is_collector | is_supervisor | is_superuser

rules.set_perm("credits.view_credit", reads_whole_portfolio | (is_collector & works_credit))
rules.set_perm("people.view_person", reads_whole_portfolio | (is_collector & works_person))
rules.set_perm("people.change_person",
               (is_supervisor | is_portfolio_office | is_superuser) | (is_collector & works_person))
# Blocking or unblocking a person's data (data_blocked: the ARCO cancellation's first step) is
# the data-protection officer's alone, everywhere (services, API, forms, admin). A rule, not a
# permission: Django's `has_perm` says yes to every active superuser before asking the rules,
# and a superuser is not the officer.
rules.add_rule("people.block_data", is_data_protection)


def may_block_data(user) -> bool:  # type: ignore[no-untyped-def]
    return bool(user is not None and rules.test_rule("people.block_data", user))


rules.add_perm("collections.use_workbench", works_cases)  # "Mi cartera de hoy"
rules.add_perm("collections.view_case", oversees_collections | is_auditor | (is_collector & owns_case))
rules.add_perm("collections.work_case", is_supervisor | is_superuser | (is_collector & owns_case))
rules.add_perm("collections.open_case", is_supervisor | is_portfolio_office | is_superuser)
rules.add_perm("collections.assign_case", is_supervisor | is_superuser)
rules.add_perm("collections.override_conduct", is_supervisor | is_superuser)
rules.add_perm("collections.view_team", oversees_collections | is_auditor)
rules.add_perm("collections.manage_rules", is_portfolio_office | is_superuser)
rules.add_perm("collections.take_calls", works_cases | is_portfolio_office)
rules.add_perm("collections.view_message", is_supervisor | is_superuser | (works_cases & is_message_party))
rules.add_perm("collections.generate_letters", oversees_collections)


# payments
# Who reads payments, imports and the unidentified queue (not collectors: money, not cases).
reads_payments = (
    is_supervisor | is_portfolio_office | is_cashier | is_auditor | is_it_admin | is_superuser
)
rules.add_perm("payments.view_payment", reads_payments)
rules.add_perm("payments.import_payments", is_portfolio_office | is_cashier | is_it_admin | is_superuser)
rules.add_perm("payments.capture_cash", is_cashier | is_superuser)
rules.add_perm("payments.view_cash_cut", is_cashier | is_supervisor | is_portfolio_office | is_auditor
               | is_superuser)
rules.add_perm("payments.reverse_payment", is_supervisor | is_portfolio_office | is_superuser)
rules.add_perm("payments.assign_unidentified", is_portfolio_office | is_supervisor | is_superuser)
rules.add_perm("payments.export_payroll", is_portfolio_office | is_superuser)


# agreements
# Authority levels (agreements.models.Level): 1 gestor, 2 jefe, 3 subdirección, 4 dirección/comité
# (the «Dirección / Comité» role records the committee's decisions; a superuser holds it too).
def authority_level(user) -> int:  # type: ignore[no-untyped-def]
    if is_superuser(user) or is_committee(user):
        return 4
    if is_portfolio_office(user):
        return 3
    if is_supervisor(user):
        return 2
    if is_collector(user):
        return 1
    return 0


@rules.predicate
def can_decide_agreement(user, agreement) -> bool:  # type: ignore[no-untyped-def]
    """Nobody approves their own offer; the approver's level must reach the required one."""
    if agreement is None:
        return authority_level(user) >= 2
    return agreement.proposed_by_id != user.pk and authority_level(user) >= agreement.required_level


rules.add_perm("agreements.view_agreement", reads_whole_portfolio | is_collector)
rules.add_perm("agreements.propose", works_cases | is_portfolio_office)
rules.add_perm("agreements.decide", (is_supervisor | is_portfolio_office | is_committee | is_superuser)
               & can_decide_agreement)
rules.add_perm("agreements.manage_policy", is_portfolio_office | is_superuser)
rules.add_perm("agreements.settle", is_cashier | is_supervisor | is_portfolio_office | is_superuser)


# scoping of lists ----------------------------------------------------------------------------
# The list-shaped twin of the object rules above: pages and APIs that list credits or people
# narrow their querysets here, so a collector's lists show exactly what the object rules allow.
# The cases live in collections, above core: collections registers the narrowing functions
# (core/extensions.py).
def scope_credits(user, qs):  # type: ignore[no-untyped-def]
    return extensions.restrict_credits(user=user, qs=qs)


def scope_people(user, qs):  # type: ignore[no-untyped-def]
    return extensions.restrict_people(user=user, qs=qs)


# cob (the daily close)
rules.add_perm("cob.run_close", is_portfolio_office | is_it_admin | is_superuser)
rules.add_perm("cob.view_close", is_portfolio_office | is_it_admin | is_auditor | is_superuser)


# accounts (issue 21, item 1) -----------------------------------------------------------------
# Administración TI manages accounts and catalogs, never authority: it cannot set superuser,
# staff, groups or model permissions (only a superuser can), cannot touch a superuser's account,
# and gives roles only by requesting them; a second person decides (role_grant_decide).
# Roles the Subdirección de Cartera may approve; the committee's own role needs the committee
# (Dirección) or a superuser.
@rules.predicate
def can_decide_role_grant(user, grant) -> bool:  # type: ignore[no-untyped-def]
    """Nobody decides their own request or a grant to themselves; «Dirección / Comité» is
    granted only by the committee or a superuser."""
    if grant is None:
        return True
    if user.pk in (grant.requested_by_id, grant.user_id):
        return False
    if grant.role.name == Role.COMMITTEE.value:
        return is_committee(user) or is_superuser(user)
    return True


@rules.predicate
def is_superuser_account(user, account) -> bool:  # type: ignore[no-untyped-def]
    return bool(account is not None and getattr(account, "is_superuser", False))


rules.add_perm("core.set_authority_flags", is_superuser)  # superuser, staff, groups, permissions
rules.add_perm("core.change_account", is_superuser | (is_it_admin & ~is_superuser_account))
rules.add_perm("core.request_role_grant", is_it_admin | is_superuser)
rules.add_perm("core.decide_role_grant",
               (is_portfolio_office | is_committee | is_superuser) & can_decide_role_grant)
rules.add_perm("core.view_security_alerts", is_supervisor | is_it_admin | is_superuser)


# privacy (ARCO requests, the privacy notice, blocked data)
# The data-protection officer answers ARCO requests and publishes the notice; the auditors read
# the requests. Blocked personal data (a cancellation in course) is shown only to those two roles:
# everyone else sees «Datos bloqueados» (people views, search, credit and case pages).
rules.add_perm("privacy.manage_requests", is_data_protection)
rules.add_perm("privacy.view_requests", is_data_protection | is_auditor)
rules.add_perm("privacy.manage_notice", is_data_protection)
rules.add_perm("privacy.view_blocked_data", is_data_protection | is_auditor)


def sees_person_data(user, person) -> bool:  # type: ignore[no-untyped-def]
    """May `user` see `person`'s personal fields? Not when they are blocked, unless the user is
    the officer or an auditor."""
    if person is None or not getattr(person, "data_blocked", False):
        return True
    return bool(user.has_perm("privacy.view_blocked_data"))


# custody (the archive of pagarés and files)
# The archive (Resguardo y Archivo) keeps and moves the paper; supervisors, the Subdirección,
# the committee and the auditors read it. A collector sees the documents lent to them.
# A scanned copy shows personal data: blocked people's copies only to those who see blocked data.
reads_custody = (is_custody | is_supervisor | is_portfolio_office | is_committee | is_auditor
                 | is_superuser)
manages_custody = is_custody | is_superuser


@rules.predicate
def may_see_copy_of(user, item) -> bool:  # type: ignore[no-untyped-def]
    return item is None or sees_person_data(user, item.person)


rules.add_perm("custody.view", reads_custody)
rules.add_perm("custody.manage", manages_custody)
rules.add_perm("custody.view_copy", reads_custody & may_see_copy_of)
rules.add_perm("custody.view_own_loans", is_collector | is_superuser)


# goals (docs/goals.md): the Jefe and the Subdirección set goals; a collector sees their own meters
rules.add_perm("goals.set_goals", is_supervisor | is_portfolio_office | is_superuser)
rules.add_perm("goals.view_own", is_collector)
rules.add_perm("goals.view_team", oversees_collections | is_auditor)
rules.add_perm("goals.view_institute", is_portfolio_office | is_auditor | is_committee | is_superuser)

# --- the debtors' portal (recupera.portal) ------------------------------------------------------
# Debtors are people, not users: the portal asks these with the person signed in. A person sees
# a credit only as its borrower or as a guarantor (a personal reference sees nothing). What each
# may see or do (docs/portal.md): the guarantor, jointly liable for the debt, sees what is owed
# and how to pay it, and may ask a question or a call; the borrower's payment history, statement
# (with the borrower's address and CURP), agreements and negotiation are the borrower's alone.
PORTAL_BORROWER_MAY = frozenset({"summary", "pay", "history", "statement", "agreement", "simulate",
                                 "callback", "question"})
PORTAL_GUARANTOR_MAY = frozenset({"summary", "pay", "callback", "question"})


def portal_role(person, credit) -> str | None:  # type: ignore[no-untyped-def]
    """"acreditado", "aval" or None: the person's role on the credit (reads credit.parties,
    which the portal's selectors prefetch)."""
    if person is None or credit is None:
        return None
    if credit.borrower_id == person.pk:
        return "acreditado"
    roles = {p.role for p in credit.parties.all() if p.person_id == person.pk}
    if "acreditado" in roles:
        return "acreditado"
    return "aval" if "aval" in roles else None


def portal_may(person, credit, what: str) -> bool:  # type: ignore[no-untyped-def]
    role = portal_role(person, credit)
    allowed = {"acreditado": PORTAL_BORROWER_MAY, "aval": PORTAL_GUARANTOR_MAY}.get(role or "", frozenset())
    return what in allowed


@rules.predicate
def attends_portal_request(user, portal_request) -> bool:  # type: ignore[no-untyped-def]
    if portal_request is None:
        return True
    return portal_request.collector_id == user.pk


# Requests from the portal: the assigned collector attends theirs; the supervisor all (and those
# of credits without a collector).
rules.add_perm("portal.view_requests", works_cases)
rules.add_perm("portal.attend_request", is_supervisor | is_superuser | (is_collector & attends_portal_request))
