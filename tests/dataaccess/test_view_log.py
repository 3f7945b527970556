"""Issue #21 item 5: every view of personal data is logged (who, whose, what, when) in one
insert per request, and API lists carry summary fields only."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recupera.credits.models import CreditParty
from recupera.people.models import PersonViewLog

pytestmark = pytest.mark.django_db
PERSONAL = {"curp", "rfc", "birth_date", "contact_points", "addresses", "phones", "emails",
            "address", "sex"}


def _inserts(queries) -> int:
    return sum(1 for q in queries if q["sql"].startswith('INSERT INTO "people_personviewlog"'))


def _logged():
    return sorted(PersonViewLog.objects.values_list("username", "person_id", "what"))


def test_api_list_is_a_summary_and_the_detail_is_logged(make_case, supervisor, api_client_for):
    case = make_case()
    borrower = case.credit.borrower
    api = api_client_for(supervisor)
    results = api.get("/api/v1/persons/", {"q": borrower.curp}).json()["results"]
    assert [r["id"] for r in results] == [borrower.pk]
    assert not PERSONAL & set(results[0]) and results[0]["full_name"] == borrower.full_name
    assert not PersonViewLog.objects.exists()
    with CaptureQueriesContext(connection) as ctx:
        body = api.get(f"/api/v1/persons/{borrower.pk}/").json()
    assert body["curp"] == borrower.curp and _inserts(ctx.captured_queries) == 1
    (log,) = PersonViewLog.objects.all()
    assert (log.user, log.username, log.person_id, log.what) == (supervisor, "jefe1", borrower.pk, "api.persona")
    assert log.fields == "CURP, RFC, nacimiento, teléfonos, correos, domicilios"
    assert log.what_label == "API: una persona"


def test_credit_page_logs_every_party_in_one_insert(make_case, supervisor, client_for):
    case = make_case()
    credit = case.credit
    parties = set(CreditParty.objects.filter(credit=credit).values_list("person_id", flat=True))
    with CaptureQueriesContext(connection) as ctx:
        assert client_for(supervisor).get(reverse("credits:detail", args=[credit.folio])).status_code == 200
    assert _inserts(ctx.captured_queries) == 1
    assert _logged() == sorted(("jefe1", pk, "credito.ficha") for pk in {credit.borrower_id, *parties})
    assert len(_logged()) == 3  # borrower, guarantor, reference


def test_case_person_and_list_pages_are_logged(make_case, collector, client_for):
    case = make_case()
    client = client_for(collector)
    borrower_id = case.credit.borrower_id
    client.get(reverse("collections:case", args=[case.pk]))
    assert ("gestor1", borrower_id, "caso.ficha") in _logged()
    client.get(reverse("people:detail", args=[borrower_id]))
    assert ("gestor1", borrower_id, "persona.ficha") in _logged()
    client.get(reverse("people:list"))
    assert ("gestor1", borrower_id, "persona.lista") in _logged()
    client.get(reverse("collections:inbound_call"), {"q": case.credit.borrower.curp})
    assert ("gestor1", borrower_id, "llamada.busqueda") in _logged()


def test_statement_pdf_and_api_credit_are_logged(make_case, supervisor, client_for, api_client_for):
    credit = make_case().credit
    response = client_for(supervisor).get(reverse("credits:statement_pdf", args=[credit.folio]))
    assert response.status_code == 200
    api_client_for(supervisor).get(f"/api/v1/credits/{credit.folio}/")
    assert _logged() == [("jefe1", credit.borrower_id, "api.credito"),
                         ("jefe1", credit.borrower_id, "credito.estado_pdf")]


def test_refused_requests_log_nothing(make_case, make_user, client_for):
    from recupera.core.roles import Role

    case = make_case()
    other = make_user(Role.COLLECTOR, username="gestor9")
    client = client_for(other)
    assert client.get(reverse("credits:detail", args=[case.credit.folio])).status_code == 404
    assert client.get(reverse("people:detail", args=[case.credit.borrower_id])).status_code == 404
    assert not PersonViewLog.objects.exists()


def test_renaming_the_viewer_keeps_the_name_in_the_log(make_case, supervisor, client_for):
    borrower_id = make_case().credit.borrower_id
    client_for(supervisor).get(reverse("people:detail", args=[borrower_id]))
    supervisor.username = "otro"
    supervisor.save()
    assert PersonViewLog.objects.get().username == "jefe1"


def test_outside_a_request_the_view_is_written_at_once(make_case):
    from recupera.core.dataaccess import record_view

    borrower_id = make_case().credit.borrower_id
    record_view(user=None, person_ids=[borrower_id, borrower_id, None], what="nomina.exportacion",
                fields="CURP")
    assert _logged() == [("", borrower_id, "nomina.exportacion")]
    with pytest.raises(ValueError):
        record_view(user=None, person_ids=[borrower_id], what="otra.cosa", fields="")
