"""Object-level rules: a collector sees and changes only their own cases and those credits'
people; the supervisor sees the team."""

import pytest

from recupera.core.roles import Role

from .conftest import party_person

pytestmark = pytest.mark.django_db


def test_collector_sees_only_credits_and_people_of_own_open_cases(make_case, make_user, collector):
    other = make_user(Role.COLLECTOR)
    case = make_case()
    borrower, reference = party_person(case, "acreditado"), party_person(case, "referencia")
    assert collector.has_perm("collections.view_case", case)
    assert collector.has_perm("collections.work_case", case)
    assert collector.has_perm("credits.view_credit", case.credit)
    assert collector.has_perm("people.view_person", borrower)
    assert collector.has_perm("people.view_person", reference)
    assert collector.has_perm("people.change_person", borrower)
    for perm, obj in (("collections.view_case", case), ("collections.work_case", case),
                      ("credits.view_credit", case.credit), ("people.view_person", borrower),
                      ("people.change_person", borrower)):
        assert not other.has_perm(perm, obj), perm
    # Role level (no object) is unchanged: the menu and list pages still answer.
    assert other.has_perm("credits.view_credit") and other.has_perm("people.view_person")


def test_closing_the_case_ends_the_collectors_access_to_the_credit(make_case, collector):
    from recupera.collections.services import case_close

    from .conftest import AS_OF

    case = make_case()
    case_close(actor=None, case=case, as_of=AS_OF)
    assert not collector.has_perm("credits.view_credit", case.credit)


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.PORTFOLIO_OFFICE, Role.AUDITOR, Role.CUSTODY,
                                  Role.CASHIER])
def test_other_portfolio_roles_read_every_credit(make_case, make_user, role):
    case = make_case()
    user = make_user(role)
    assert user.has_perm("credits.view_credit", case.credit)
    assert user.has_perm("people.view_person", case.credit.borrower)


def test_only_the_supervisor_assigns_and_overrides(make_case, make_user, collector, supervisor):
    case = make_case()
    for perm in ("collections.assign_case", "collections.override_conduct"):
        assert supervisor.has_perm(perm, case)
        assert not collector.has_perm(perm, case)
    assert supervisor.has_perm("collections.work_case", case)
    assert not make_user(Role.AUDITOR).has_perm("collections.work_case", case)


def test_restrict_helpers_for_list_pages(make_case, make_user, collector, supervisor):
    from recupera.collections.selectors import restrict_credits, restrict_people
    from recupera.credits.models import Credit
    from recupera.people.models import Person

    mine = make_case()
    other = make_case(collector=make_user(Role.COLLECTOR))
    assert list(restrict_credits(user=collector, qs=Credit.objects.all())) == [mine.credit]
    people = set(restrict_people(user=collector, qs=Person.objects.all()))
    assert mine.credit.borrower in people and party_person(mine, "referencia") in people
    assert other.credit.borrower not in people
    assert restrict_credits(user=supervisor, qs=Credit.objects.all()).count() == 2
