"""Issue #21 item 9: an object the user may not see answers 404, exactly as a missing one does
(no enumeration of folios or ids); a collector reads no other credit's payment references; the
case list filters by collector username without a server error."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def others_case(make_case, make_user):
    from recupera.core.roles import Role

    return make_case(collector=make_user(Role.COLLECTOR, username="gestor2"))


def test_api_credit_of_another_collector_is_404_like_a_missing_one(others_case, make_case, collector,
                                                                   api_client_for):
    mine = make_case()
    api = api_client_for(collector)
    assert api.get(f"/api/v1/credits/{mine.credit.folio}/").status_code == 200
    hidden = api.get(f"/api/v1/credits/{others_case.credit.folio}/")
    missing = api.get("/api/v1/credits/NO-EXISTE/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"] == f"No existe el crédito con folio {others_case.credit.folio}."


def test_payment_references_only_of_visible_credits(others_case, make_case, collector, supervisor,
                                                    api_client_for):
    from recupera.payments.references import payment_reference_for

    mine = make_case()
    api = api_client_for(collector)
    body = api.get(f"/api/v1/payments/references/{mine.credit.folio}/").json()
    assert body["payment_reference"] == payment_reference_for(mine.credit)
    hidden = api.get(f"/api/v1/payments/references/{others_case.credit.folio}/")
    assert hidden.status_code == 404 and "payment_reference" not in hidden.json()
    assert "No existe el crédito" in hidden.json()["detail"]
    assert api_client_for(supervisor).get(
        f"/api/v1/payments/references/{others_case.credit.folio}/").status_code == 200


def test_pages_of_what_a_collector_may_not_see_are_404(others_case, collector, client_for):
    client = client_for(collector)
    credit = others_case.credit
    urls = [
        reverse("credits:detail", args=[credit.folio]),
        reverse("credits:statement_pdf", args=[credit.folio]),
        reverse("people:detail", args=[credit.borrower_id]),
        reverse("people:edit", args=[credit.borrower_id]),
        reverse("collections:case", args=[others_case.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url


def test_seen_but_not_allowed_is_still_403(make_case, auditor, client_for):
    """The auditor sees the person (so 404 would lie) but may not change them."""
    person = make_case().credit.borrower
    client = client_for(auditor)
    assert client.get(reverse("people:detail", args=[person.pk])).status_code == 200
    assert client.get(reverse("people:edit", args=[person.pk])).status_code == 403


def test_case_list_filters_by_collector_username(others_case, make_case, supervisor, api_client_for):
    mine = make_case()
    api = api_client_for(supervisor)
    by_name = api.get("/api/v1/cases/", {"collector": "gestor2"})
    assert by_name.status_code == 200
    assert [c["id"] for c in by_name.json()["results"]] == [others_case.pk]
    by_id = api.get("/api/v1/cases/", {"collector": str(mine.collector_id)}).json()["results"]
    assert [c["id"] for c in by_id] == [mine.pk]
    for odd in ("nadie", "9" * 40, "-1"):
        response = api.get("/api/v1/cases/", {"collector": odd})
        assert response.status_code == 200 and response.json()["results"] == [], odd
