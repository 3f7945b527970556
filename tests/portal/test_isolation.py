"""Acceptance: a debtor never sees another person's credit by changing a folio, an id or a URL.
Every URL of the portal (taken from its URLconf, so a new one is walked too) is requested with
another debtor's folio, by GET and by POST: nothing of theirs comes back and nothing is written."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

ANA_PHONE = "+526621000001"


def _portal_paths(folio: str) -> list[str]:
    from django.urls import reverse

    from recupera.portal import urls

    paths = []
    for pattern in urls.urlpatterns:
        kwargs = {"folio": folio} if "folio" in pattern.pattern.converters else {}
        paths.append(reverse(f"portal:{pattern.name}", kwargs=kwargs))
    return paths


def test_every_credit_url_with_another_debtors_folio_is_not_found(client, world, portal_signin):
    from recupera.collections.models import Message
    from recupera.core.models import AuditEntry
    from recupera.portal.models import PortalRequest

    portal_signin(client, "PTL-0001", ANA_PHONE)
    other = world.other_credit
    credit_paths = [p for p in _portal_paths(other.folio) if other.folio in p]
    assert len(credit_paths) == 6  # page, statement, slip, simulator, call back, questions
    audit_before = AuditEntry.objects.count()
    phone = world.borrower.contact_points.get().pk
    for path in credit_paths:
        for method, data in (("get", {}), ("post", {"kind": "convenio", "text": "hola", "day": "2030-01-07",
                                                     "time": "10:00", "phone": phone})):
            response = getattr(client, method)(path, data)
            assert response.status_code in (404, 405), (method, path, response.status_code)
            body = response.content
            for secret in (other.folio, world.other_borrower.first_name, world.other_borrower.curp):
                assert secret.encode() not in body, (path, secret)
    assert PortalRequest.objects.count() == 0 and Message.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before
    # the debtor's own list never names the other credit
    assert b"PTL-0002" not in client.get("/portal/cuenta/").content


def test_a_folio_that_does_not_exist_answers_like_anothers(client, world, portal_signin):
    portal_signin(client, "PTL-0001", ANA_PHONE)
    theirs = client.get("/portal/cuenta/PTL-0002/")
    nobody = client.get("/portal/cuenta/NO-EXISTE/")
    assert theirs.status_code == nobody.status_code == 404
    # the portal's own page, without the staff shell or menu
    page = theirs.content.decode()
    assert "No encontramos esta página" in page and "Portal de créditos educativos" in page
    assert "/cobranza/" not in page and "/creditos/" not in page and "/entrar/\"" not in page.replace("/portal/entrar/", "")


def test_guarantor_of_one_credit_sees_nothing_of_the_borrowers_other_credits(client, world, portal_signin,
                                                                             make_person):
    """Jorge guarantees PTL-0001; Eva guarantees PTL-0002: each only their own."""
    portal_signin(client, "MORE910202MSRRVV04", "+526621000004")
    assert client.get("/portal/cuenta/PTL-0002/").status_code == 200
    assert client.get("/portal/cuenta/PTL-0001/").status_code == 404


def test_personal_reference_cannot_sign_in(client, world, make_person, settings):
    from recupera.credits.models import CreditParty
    from recupera.people.services import contact_point_add

    ref = make_person(first_name="Rita", last_name="Vega", curp="VEGR880808MSRGTT05")
    contact_point_add(actor=None, person=ref, kind="phone", value="6621000005", label="celular", is_primary=True)
    CreditParty.objects.create(credit=world.credit, person=ref, role="referencia")
    client.post("/portal/entrar/", {"identifier": ref.curp})
    assert not settings.PORTAL_SMS_FILE.exists() or "+526621000005" not in settings.PORTAL_SMS_FILE.read_text()


def test_public_pages_need_no_sign_in_and_debtor_pages_do(client, world):
    for path in _portal_paths(world.credit.folio):
        response = client.get(path)
        if "/cuenta/" in path:
            assert response.status_code == 302 and response["Location"] == "/portal/entrar/", path
        elif path.endswith("/salir/"):
            assert response.status_code == 405
        elif path.endswith("/entrar/codigo/"):
            assert response.status_code == 302
        else:
            assert response.status_code == 200, path
    assert client.get("/portal/arco/").status_code == 200


def test_staff_cannot_attend_another_collectors_request(world, client_for, make_user):
    from django.utils import timezone

    from recupera.core.roles import Role
    from recupera.portal.models import PortalRequest
    from tests.portal.conftest import AS_OF

    req = PortalRequest.objects.create(kind="pregunta", person=world.borrower, credit=world.credit,
                                       collector=world.collector, created_at=timezone.now(),
                                       business_date=AS_OF, text="¿Cuánto debo?")
    other = client_for(make_user(Role.COLLECTOR, username="gestor2"))
    assert b"PTL-0001" not in other.get("/cobranza/portal/").content
    assert other.post(f"/cobranza/portal/{req.pk}/", {"answer": "x"}).status_code in (403, 404)
    req.refresh_from_db()
    assert req.answer == ""
