import datetime as dt

import pytest

from recupera.core.models import AuditEntry
from recupera.core.roles import Role
from recupera.people.models import Person, PersonViewLog
from recupera.people.synthetic import build_curp

CURP = build_curp(first_name="Alma", last_name="Félix", second_last_name="Castro",
                  birth_date=dt.date(1988, 7, 3), sex="M", state_code="SR")
URL = "/api/v1/persons/"


def test_unauthenticated_calls_are_refused(db, api_client_for):
    assert api_client_for().get(URL).status_code in (401, 403)
    assert api_client_for().post(URL, {}, format="json").status_code in (401, 403)


def test_create_through_the_api_uses_the_service(collector, api_client_for):
    api = api_client_for(collector)
    response = api.post(URL, {
        "curp": CURP, "first_name": "Alma", "last_name": "Félix", "second_last_name": "Castro",
        "phones": ["662 123 4567"], "emails": ["alma@example.com"],
        "address": {"street": "Garmendia", "number": "10", "municipality": "030",
                    "postal_code": "83000"}}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["curp"] == CURP and body["full_name"] == "Alma Félix Castro"
    assert body["birth_date"] == "1988-07-03" and body["sex"] == "M" and body["warnings"] == []
    assert [c["value"] for c in body["contact_points"]] == ["alma@example.com", "+526621234567"]
    assert body["addresses"][0]["municipality_name"] == "Hermosillo"
    assert body["addresses"][0]["latitude"] == "29.0729"
    assert AuditEntry.objects.filter(action="persona.alta", actor=collector).exists()


def test_api_validation_errors_are_spanish_and_name_the_field(collector, api_client_for):
    api = api_client_for(collector)
    response = api.post(URL, {"curp": CURP[:-1] + "0" if CURP[-1] != "0" else CURP[:-1] + "1",
                              "first_name": "Alma", "last_name": "Félix",
                              "phones": ["123"], "emails": ["mal"]}, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert "dígito verificador" in errors["curp"][0]
    assert "teléfono" in errors["phones"][0]
    assert "correo" in errors["emails"][0]
    assert not Person.objects.exists()


def test_list_search_retrieve_and_patch(person_factory, supervisor, api_client_for):
    ana, _ = person_factory(first_name="Ana", phones=["6621234567"])
    person_factory(first_name="Berta")
    api = api_client_for(supervisor)
    results = api.get(URL, {"q": "6621234567"}).json()["results"]
    assert [r["id"] for r in results] == [ana.pk]
    assert api.get(f"{URL}{ana.pk}/").json()["contact_points"][0]["value"] == "+526621234567"
    assert PersonViewLog.objects.filter(person=ana, user=supervisor).exists()
    response = api.patch(f"{URL}{ana.pk}/", {"second_last_name": "Quiroz"}, format="json")
    assert response.status_code == 200 and response.json()["full_name"] == "Ana Valenzuela Quiroz"
    response = api.patch(f"{URL}{ana.pk}/", {"birth_date": "1970-01-01"}, format="json")
    assert response.status_code == 400 and "no coincide" in response.json()["birth_date"][0]


@pytest.mark.parametrize(("role", "read", "write"), [
    (Role.AUDITOR, 200, 403), (Role.CASHIER, 200, 403), (Role.SUPERVISOR, 200, 200),
    (Role.COLLECTOR, 404, 404),  # list is allowed but scoped: a person outside the collector's
                                 # cases does not exist for them (no hint that it does)
    (None, 403, 403),
])
def test_api_roles(person_factory, make_user, api_client_for, role, read, write):
    ana, _ = person_factory()
    api = api_client_for(make_user(role))
    assert api.get(URL).status_code == (200 if role == Role.COLLECTOR else read)
    assert api.get(f"{URL}{ana.pk}/").status_code == read
    assert api.patch(f"{URL}{ana.pk}/", {"first_name": "Anita"}, format="json").status_code == write
    assert api.delete(f"{URL}{ana.pk}/").status_code in (403, 405)


def test_schema_documents_the_persons_endpoint(api_client_for, make_user):
    from drf_spectacular.validation import validate_schema

    schema = api_client_for(make_user(Role.AUDITOR)).get("/api/v1/schema/", {"format": "json"}).json()
    validate_schema(schema)
    assert {"get", "post"} <= set(schema["paths"]["/api/v1/persons/"])
    assert "patch" in schema["paths"]["/api/v1/persons/{id}/"]


def test_api_shows_an_address_outside_sonora(person_factory, supervisor, api_client_for):
    ana, _ = person_factory(address={"state": "Chihuahua", "municipality_name": "Juárez"})
    (address,) = api_client_for(supervisor).get(f"{URL}{ana.pk}/").json()["addresses"]
    assert address["state"] == "Chihuahua" and address["municipality_name"] == "Juárez"
    assert address["municipality_code"] is None and address["latitude"] is None
