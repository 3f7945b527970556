"""Sign-in by folio or CURP and a one-time code: same answer for unknown identifiers, rate
limits per IP and per person, lockout, expiry, audit, and separate staff/portal sessions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.portal.conftest import last_code

pytestmark = pytest.mark.django_db

ANA_PHONE = "+526621000001"


def test_folio_signin_sends_code_to_mobile_and_audits(client, world, settings):
    from recupera.core.models import AuditEntry
    from recupera.portal.models import SignInEvent

    response = client.post("/portal/entrar/", {"identifier": "ptl-0001"})
    assert response.status_code == 302
    page = client.get("/portal/entrar/codigo/")
    assert "enviamos un código de 6 dígitos" in page.content.decode()
    code = last_code(settings, ANA_PHONE)
    response = client.post("/portal/entrar/codigo/", {"code": code})
    assert response["Location"] == "/portal/cuenta/"
    account = client.get("/portal/cuenta/").content.decode()
    assert "Hola, Ana" in account and "PTL-0001" in account and "PTL-0002" not in account
    entry = AuditEntry.objects.get(action="portal.entrada")
    assert entry.object_id == str(world.borrower.pk) and entry.after["codigo_a"] == "celular terminación 0001"
    assert SignInEvent.objects.filter(kind="entrada", person=world.borrower).count() == 1
    # the code works once
    client.post("/portal/salir/")
    client.post("/portal/entrar/", {"identifier": "PTL-0001"})
    client.post("/portal/entrar/codigo/", {"code": code})  # the old one
    assert client.get("/portal/cuenta/").status_code == 302


def test_guarantor_signs_in_by_curp_and_sees_the_credit_as_aval(client, world, portal_signin):
    portal_signin(client, "RUIJ900101HSRZRR02", "+526621000002")
    page = client.get("/portal/cuenta/").content.decode()
    assert "Usted es aval de este crédito." in page and "PTL-0001" in page


def test_unknown_identifier_gets_the_same_answer_and_no_sms(client, world, settings):
    known = client.post("/portal/entrar/", {"identifier": "PTL-0001"})
    from django.test import Client

    other = Client()
    unknown = other.post("/portal/entrar/", {"identifier": "XXXX000000HSRXXX09"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert client.get("/portal/entrar/codigo/").content.decode().replace(client.cookies["csrftoken"].value, "") \
        .count("enviamos un código") == 1
    assert other.get("/portal/entrar/codigo/").content.decode().count("enviamos un código") == 1
    bad = other.post("/portal/entrar/codigo/", {"code": "123456"})
    assert bad.status_code == 422
    assert "El código no es correcto o ya venció." in bad.content.decode()
    sent = settings.PORTAL_SMS_FILE.read_text().splitlines()
    assert len(sent) == 1


def test_wrong_codes_lock_the_person_out(client, world, settings):
    settings.PORTAL_LIMITS = {"person_failures_to_lock": 3, "code_attempts": 10}
    client.post("/portal/entrar/", {"identifier": "PTL-0001"})
    code = last_code(settings, ANA_PHONE)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(3):
        assert client.post("/portal/entrar/codigo/", {"code": wrong}).status_code == 422
    # even the right code is refused now, with the same message
    response = client.post("/portal/entrar/codigo/", {"code": code})
    assert response.status_code == 422 and "El código no es correcto" in response.content.decode()
    from recupera.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="portal.bloqueo", object_id=str(world.borrower.pk)).exists()
    # and no new code is sent while locked
    lines = len(settings.PORTAL_SMS_FILE.read_text().splitlines())
    client.post("/portal/entrar/", {"identifier": "PTL-0001"})
    assert len(settings.PORTAL_SMS_FILE.read_text().splitlines()) == lines


def test_per_person_and_per_ip_limits(client, world, settings):
    settings.PORTAL_LIMITS = {"person_codes_per_hour": 2, "ip_requests_per_hour": 4}
    for _ in range(3):
        assert client.post("/portal/entrar/", {"identifier": "PTL-0001"}).status_code == 302
    assert len(settings.PORTAL_SMS_FILE.read_text().splitlines()) == 2  # the third was not sent
    assert client.post("/portal/entrar/", {"identifier": "PTL-0002"}).status_code == 302
    limited = client.post("/portal/entrar/", {"identifier": "PTL-0002"})
    assert limited.status_code == 429
    assert "Demasiadas solicitudes desde esta conexión" in limited.content.decode()


def test_expired_code_is_refused(client, world, settings):
    from recupera.portal.models import SignInCode

    client.post("/portal/entrar/", {"identifier": "PTL-0001"})
    code = last_code(settings, ANA_PHONE)
    SignInCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.post("/portal/entrar/codigo/", {"code": code}).status_code == 422


def test_session_expires_when_idle(client, world, portal_signin, settings):
    from django.contrib.sessions.backends.db import SessionStore

    portal_signin(client, "PTL-0001", ANA_PHONE)
    session = SessionStore(client.cookies[settings.PORTAL_SESSION_COOKIE_NAME].value)
    session["portal_seen"] -= 16 * 60
    session.save()
    response = client.get("/portal/cuenta/")
    assert response.status_code == 302 and response["Location"] == "/portal/entrar/"
    assert "Su sesión terminó por seguridad" in client.get("/portal/entrar/").content.decode()


def test_staff_session_is_not_valid_in_the_portal_and_vice_versa(world, portal_signin, client_for, settings):
    from django.test import Client

    staff = client_for(world.collector)
    client = Client()
    assert staff.get("/cobranza/").status_code == 200
    response = staff.get("/portal/cuenta/")
    assert response.status_code == 302 and response["Location"] == "/portal/entrar/"
    portal_signin(client, "PTL-0001", ANA_PHONE)
    assert client.get("/portal/cuenta/").status_code == 200
    assert client.get("/cobranza/").status_code == 302  # to the staff sign-in
    # the portal's cookie is its own, scoped to /portal/
    cookie = client.cookies[settings.PORTAL_SESSION_COOKIE_NAME]
    assert cookie["path"] == "/portal/" and cookie["httponly"]
    # and the staff session cookie sent to the portal is ignored, not overwritten
    assert staff.get("/cobranza/").status_code == 200


def test_csrf_is_enforced_on_portal_forms(world):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    refused = strict.post("/portal/entrar/", {"identifier": "PTL-0001"})
    assert refused.status_code == 403 and "El formulario venció" in refused.content.decode()


def test_pages_send_a_csp_without_inline_scripts(client, world):
    response = client.get("/portal/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
