"""Issue #21 item 6: only the data-protection officer blocks or unblocks a person's data."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from recupera.core.models import AuditEntry
from recupera.people.models import Person
from recupera.people.services import person_update

pytestmark = pytest.mark.django_db
URL = "/api/v1/persons/{}/"


@pytest.fixture
def blocked_case(make_case):
    case = make_case()
    Person.objects.filter(pk=case.credit.borrower_id).update(data_blocked=True)
    return case


def test_collector_cannot_unblock_through_the_api(blocked_case, collector, api_client_for):
    person = blocked_case.credit.borrower
    api = api_client_for(collector)
    # A blocked person is hidden from the collector (privacy: only the officer and auditors see
    # blocked data), so the API answers as for a missing person and the block stays.
    response = api.patch(URL.format(person.pk), {"data_blocked": False}, format="json")
    assert response.status_code == 404
    assert Person.objects.get(pk=person.pk).data_blocked is True
    response = api.patch(URL.format(person.pk), {"second_last_name": "Quiroz"}, format="json")
    assert response.status_code == 404
    assert Person.objects.get(pk=person.pk).second_last_name != "Quiroz"


def test_collector_may_not_block_but_still_edits_an_unblocked_debtor(make_case, collector,
                                                                      api_client_for):
    person = make_case(collector=collector).credit.borrower
    api = api_client_for(collector)
    response = api.patch(URL.format(person.pk), {"data_blocked": True}, format="json")
    assert response.status_code == 403
    assert "protección de datos personales" in response.json()["detail"]
    assert Person.objects.get(pk=person.pk).data_blocked is False
    response = api.patch(URL.format(person.pk), {"second_last_name": "Quiroz"}, format="json")
    assert response.status_code == 200, response.json()


@pytest.mark.parametrize("who", ["supervisor", "portfolio_officer", "superuser"])
def test_nobody_else_blocks_not_even_a_superuser(make_case, who, request, make_user, api_client_for):
    user = (make_user(None, username="root", is_superuser=True, is_staff=True) if who == "superuser"
            else request.getfixturevalue(who))
    person = make_case().credit.borrower
    response = api_client_for(user).patch(URL.format(person.pk), {"data_blocked": True}, format="json")
    assert response.status_code == 403
    assert Person.objects.get(pk=person.pk).data_blocked is False
    with pytest.raises(PermissionDenied):
        person_update(actor=user, person=person, data_blocked=True)
    with pytest.raises(PermissionDenied):
        person_update(actor=None, person=person, data_blocked=True)
    assert not AuditEntry.objects.filter(action="persona.modificar").exists()


def test_the_officer_blocks_and_unblocks_and_only_that(blocked_case, officer, api_client_for):
    person = blocked_case.credit.borrower
    api = api_client_for(officer)
    response = api.patch(URL.format(person.pk), {"data_blocked": False}, format="json")
    assert response.status_code == 200 and response.json()["data_blocked"] is False
    entry = AuditEntry.objects.get(action="persona.modificar", object_id=str(person.pk))
    assert entry.actor == officer and entry.after == {"data_blocked": False}
    assert api.patch(URL.format(person.pk), {"data_blocked": True}, format="json").status_code == 200
    assert Person.objects.get(pk=person.pk).data_blocked is True
    response = api.patch(URL.format(person.pk), {"first_name": "Otra"}, format="json")
    assert response.status_code == 403 and "bloquear" in response.json()["detail"]
    assert Person.objects.get(pk=person.pk).first_name == "Ana"


def test_sending_the_current_value_is_not_a_change(make_case, collector, api_client_for):
    person = make_case().credit.borrower
    response = api_client_for(collector).patch(URL.format(person.pk),
                                               {"data_blocked": False, "second_last_name": "Ríos"},
                                               format="json")
    assert response.status_code == 200 and response.json()["second_last_name"] == "Ríos"
