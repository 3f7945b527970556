"""Documents about a person whose data is blocked (ARCO cancellation) are produced only for the
officer and the auditors; everyone else sees why on screen."""

from __future__ import annotations

import pytest

from recupera.core.roles import Role
from recupera.people.models import Person

pytestmark = pytest.mark.django_db


def test_the_statement_of_a_blocked_borrower_is_refused_with_the_reason(make_case, collector,
                                                                          make_user, client_for):
    case = make_case(collector=collector)
    url = f"/creditos/{case.credit.folio}/estado-de-cuenta.pdf"
    assert client_for(collector).get(url).status_code == 200  # before the block
    Person.objects.filter(pk=case.credit.borrower_id).update(data_blocked=True)
    refused = client_for(collector).get(url)
    assert refused.status_code == 503
    assert "Los datos personales del acreditado están bloqueados" in refused.content.decode()
    for role in (Role.DATA_PROTECTION, Role.AUDITOR):
        answer = client_for(make_user(role)).get(url)
        assert answer.status_code == 200
        assert answer.content[:4] == b"%PDF"
