import pytest
from django.urls import reverse
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient


def test_openapi_schema_validates(make_user, api_client_for):
    from recupera.core.roles import Role

    response = api_client_for(make_user(Role.AUDITOR)).get(reverse("api-v1:schema"), {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)
    assert "/api/v1/persons/" in schema["paths"]
    assert "/api/v1/credits/{folio}/" in schema["paths"]


def test_interactive_docs_are_served_without_a_cdn(client_for, make_user):
    from recupera.core.roles import Role

    html = client_for(make_user(Role.AUDITOR)).get(reverse("api-v1:docs")).content.decode()
    assert "swagger-ui" in html
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html


@pytest.mark.parametrize("url", ["/api/v1/persons/", "/api/v1/credits/"])
def test_unauthenticated_api_calls_are_refused(db, url):
    assert APIClient().get(url).status_code in (401, 403)


def test_token_authentication_works(db, make_user):
    from rest_framework.authtoken.models import Token

    from recupera.core.roles import Role

    user = make_user(Role.AUDITOR)
    token = Token.objects.create(user=user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/persons/").status_code == 200
