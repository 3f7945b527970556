"""GET /api/v1/credits/ and /api/v1/credits/{folio}/."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from drf_spectacular.validation import validate_schema

from recupera.core.roles import Role
from recupera.credits.services import credit_refresh, payment_post

FIRST_DUE = dt.date(2025, 1, 15)
URL = "/api/v1/credits/"


@pytest.fixture
def credit(make_credit):
    credit = make_credit(folio="CE-API-1", first_due_date=FIRST_DUE)
    payment_post(actor=None, credit=credit, amount="201.99", value_date=FIRST_DUE,
                 channel="banco", natural_key="bbva:1")
    credit_refresh(credit=credit, as_of=dt.date(2025, 3, 1))
    return credit


def test_unauthenticated_calls_are_refused(api_client_for, credit):
    assert api_client_for().get(f"{URL}{credit.folio}/").status_code in (401, 403)
    assert api_client_for().get(URL).status_code in (401, 403)


def test_a_user_without_a_portfolio_role_is_refused(api_client_for, make_user, credit):
    api = api_client_for(make_user(Role.IT_ADMIN))
    assert api.get(f"{URL}{credit.folio}/").status_code == 403
    assert api.get(URL).status_code == 403


def test_unknown_folio_is_404_in_spanish(api_client_for, collector, db):
    response = api_client_for(collector).get(f"{URL}NO-EXISTE/")
    assert response.status_code == 404
    assert response.json()["detail"] == "No existe el crédito con folio NO-EXISTE."


def test_bad_as_of_is_400_naming_the_field(api_client_for, collector, credit):
    response = api_client_for(collector).get(f"{URL}{credit.folio}/", {"as_of": "01/03/2025"})
    assert response.status_code == 400
    message = response.json()["as_of"][0]
    assert message.startswith("as_of: «01/03/2025» no es una fecha válida")
    assert "AAAA-MM-DD" in message


def test_detail_equals_the_cli_json(api_client_for, auditor, credit):
    response = api_client_for(auditor).get(f"{URL}{credit.folio}/", {"as_of": "2025-03-01"})
    assert response.status_code == 200
    out = io.StringIO()
    call_command("credit", "show", credit.folio, "--as-of", "2025-03-01", "--json", stdout=out)
    assert response.json() == json.loads(out.getvalue())
    assert response.json()["payoff_amount"] == "11914.87"
    assert response.json()["total_overdue"] == "232.51"


def test_list_shows_the_cached_columns_and_filters(api_client_for, supervisor, make_credit, credit):
    make_credit(folio="CE-API-2", first_due_date=dt.date(2026, 1, 15), as_of=dt.date(2025, 3, 1))
    api = api_client_for(supervisor)
    body = api.get(URL).json()
    assert body["count"] == 2
    row = next(r for r in body["results"] if r["folio"] == "CE-API-1")
    assert row == {
        "folio": "CE-API-1", "product": "CE", "borrower_curp": credit.borrower.curp,
        "borrower_name": "Ana López Mendoza", "status": "vencido", "status_display": "Vencido",
        "state_as_of": "2025-03-01", "days_past_due": 12, "bucket": "1-30",
        "principal_disbursed": "12000.00", "principal_outstanding": "11828.01",
        "total_overdue": "232.51", "payoff_amount": "11914.87", "credit_balance": "0.00",
        "next_due_date": "2025-03-15",
    }
    assert [r["folio"] for r in api.get(URL, {"status": "gracia"}).json()["results"]] == ["CE-API-2"]
    assert [r["folio"] for r in api.get(URL, {"bucket": "1-30"}).json()["results"]] == ["CE-API-1"]
    assert [r["folio"] for r in api.get(URL, {"q": "CE-API-1"}).json()["results"]] == ["CE-API-1"]
    assert api.get(URL, {"status": "nada"}).status_code == 400


def test_the_schema_documents_the_credit_endpoints(api_client_for, make_user):
    schema = api_client_for(make_user(Role.AUDITOR)).get("/api/v1/schema/", {"format": "json"}).json()
    validate_schema(schema)
    detail = schema["paths"]["/api/v1/credits/{folio}/"]["get"]
    assert {p["name"] for p in detail["parameters"]} >= {"folio", "as_of"}
    listing = schema["paths"]["/api/v1/credits/"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"q", "status", "bucket", "page"}
