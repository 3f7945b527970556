"""The one authorization module, tested directly: every role against every permission."""

import pytest
from django.contrib.auth.models import AnonymousUser

from recupera.core.roles import Role

PERMS = [
    "core.use_search", "core.view_audit", "core.administer", "people.view_person",
    "people.add_person", "people.change_person", "credits.view_credit", "credits.import_portfolio",
]

# role -> the permissions it holds; everything else must be refused.
EXPECTED = {
    Role.COLLECTOR: {"core.use_search", "people.view_person", "people.add_person",
                     "people.change_person", "credits.view_credit"},
    Role.SUPERVISOR: {"core.use_search", "people.view_person", "people.add_person",
                      "people.change_person", "credits.view_credit"},
    Role.PORTFOLIO_OFFICE: {"core.use_search", "core.view_audit", "people.view_person",
                            "people.add_person", "people.change_person", "credits.view_credit",
                            "credits.import_portfolio"},
    Role.CUSTODY: {"core.use_search", "people.view_person", "credits.view_credit"},
    Role.CASHIER: {"core.use_search", "people.view_person", "credits.view_credit"},
    Role.AUDITOR: {"core.use_search", "core.view_audit", "people.view_person", "credits.view_credit"},
    Role.IT_ADMIN: {"core.view_audit", "core.administer", "credits.import_portfolio"},
    Role.COMMITTEE: {"core.use_search", "people.view_person", "credits.view_credit"},
    Role.DATA_PROTECTION: {"core.use_search", "core.view_audit", "people.view_person",
                           "credits.view_credit"},
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_holds_exactly_its_permissions(make_user, role):
    user = make_user(role)
    held = {perm for perm in PERMS if user.has_perm(perm)}
    assert held == EXPECTED[role]


def test_user_without_role_holds_nothing(make_user):
    user = make_user(None)
    assert not any(user.has_perm(p) for p in PERMS)


def test_anonymous_holds_nothing(db):
    assert not any(AnonymousUser().has_perm(p) for p in PERMS)


def test_inactive_user_holds_nothing(make_user):
    user = make_user(Role.PORTFOLIO_OFFICE)
    user.is_active = False
    user.save()
    assert not any(user.has_perm(p) for p in PERMS)


@pytest.mark.parametrize("role", list(Role))
def test_only_the_data_protection_officer_blocks_data(make_user, role):
    from recupera.core.predicates import may_block_data

    assert may_block_data(make_user(role)) is (role == Role.DATA_PROTECTION)


def test_a_superuser_does_not_block_data(make_user, db):
    from recupera.core.predicates import may_block_data

    root = make_user(None, is_superuser=True)
    assert root.has_perm("people.change_person") and not may_block_data(root)
    assert not may_block_data(AnonymousUser()) and not may_block_data(None)


ACCOUNT_PERMS = ["core.set_authority_flags", "core.change_account", "core.request_role_grant",
                 "core.decide_role_grant", "core.view_security_alerts"]
ACCOUNT_EXPECTED = {
    Role.IT_ADMIN: {"core.change_account", "core.request_role_grant", "core.view_security_alerts"},
    Role.PORTFOLIO_OFFICE: {"core.decide_role_grant"},
    Role.COMMITTEE: {"core.decide_role_grant"},
    Role.SUPERVISOR: {"core.view_security_alerts"},
}


@pytest.mark.parametrize("role", list(Role))
def test_account_rules_per_role(make_user, role):
    """IT manages accounts but never sets authority; a second person decides role grants."""
    user = make_user(role)
    assert {p for p in ACCOUNT_PERMS if user.has_perm(p)} == ACCOUNT_EXPECTED.get(role, set())


def test_it_cannot_change_a_superuser_account(make_user):
    it = make_user(Role.IT_ADMIN, is_staff=True)
    assert it.has_perm("core.change_account", make_user(Role.COLLECTOR))
    assert not it.has_perm("core.change_account", make_user(None, is_superuser=True))


@pytest.mark.parametrize("role", list(Role))
def test_the_personal_data_view_log_is_for_audit_and_the_officer(make_user, role):
    allowed = role in (Role.AUDITOR, Role.DATA_PROTECTION)
    assert make_user(role).has_perm("core.view_data_log") is allowed
