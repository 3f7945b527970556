"""The public ARCO form /portal/arco/: no login, the same answer whatever is typed, a rate
limit per IP, Spanish messages by field, the notice shown and recorded."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache

from recupera.people.synthetic import build_curp
from recupera.privacy.models import ArcoRequest, NoticeShown

pytestmark = pytest.mark.django_db

UNKNOWN_CURP = build_curp(first_name="Rosa", last_name="Ibarra", second_last_name="Leyva",
                          birth_date=dt.date(2001, 7, 9), sex="M", state_code="SR")


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def _post(client, curp, **extra):
    data = {"right": "acceso", "first_name": "Rosa", "last_name": "Ibarra", "curp": curp,
            "email": "rosa@example.com", "description": "Quiero saber qué datos tienen de mí.",
            "accept_notice": "on"}
    data.update(extra)
    return client.post("/portal/arco/", data, REMOTE_ADDR=extra.pop("ip", "10.0.0.1"))


def _neutral(html: str) -> str:
    return re.sub(r"ARCO-\d{4}-\d{5}", "FOLIO", html)


def test_the_form_shows_the_notice_in_force_without_login(client, notice, business_date):
    page = client.get("/portal/arco/").content.decode()
    assert "Aviso de privacidad integral" in page and "versión 2026-1" in page
    assert "Leí el aviso de privacidad" in page
    assert "Menú principal" not in page  # its own public layout, not the staff one


def test_known_and_unknown_curp_get_the_same_answer(client, borrower, notice, business_date):
    known = _post(client, borrower.curp)
    unknown = _post(client, UNKNOWN_CURP)
    assert known.status_code == unknown.status_code == 200
    assert _neutral(known.content.decode()) == _neutral(unknown.content.decode())
    assert "le responderemos a más tardar el 14/12/2026" in known.content.decode().lower()
    assert borrower.first_name not in known.content.decode()  # her name is never echoed
    matched, unmatched = ArcoRequest.objects.order_by("id")
    assert (matched.person, unmatched.person) == (borrower, None)
    assert matched.channel == unmatched.channel == "portal"
    shown = NoticeShown.objects.get()
    assert (shown.person, shown.notice, shown.context) == (borrower, notice, "arco_portal")


def test_bad_input_is_refused_by_field_in_spanish_and_nothing_is_saved(client, notice, business_date):
    response = _post(client, "BADC800101HSRXXX0")
    assert response.status_code == 200
    assert "La CURP debe tener 18 caracteres (tiene 17)" in response.content.decode()
    response = _post(client, UNKNOWN_CURP, accept_notice="")
    assert "Confirme que leyó el aviso de privacidad." in response.content.decode()
    assert not ArcoRequest.objects.exists()
    response = _post(client, UNKNOWN_CURP, email="", phone="")
    assert "Escriba un correo electrónico o un teléfono" in response.content.decode()
    assert not ArcoRequest.objects.exists()


def test_the_form_is_rate_limited_per_ip(client, notice, business_date, settings):
    settings.PRIVACY_PUBLIC_MAX_PER_HOUR = 2
    assert _post(client, UNKNOWN_CURP).status_code == 200
    assert _post(client, UNKNOWN_CURP).status_code == 200
    limited = _post(client, UNKNOWN_CURP)
    assert limited.status_code == 429
    assert "Se recibieron demasiadas solicitudes desde su conexión" in limited.content.decode()
    assert ArcoRequest.objects.count() == 2
    # Another address is not affected.
    other = client.post("/portal/arco/", {"right": "acceso", "first_name": "Rosa",
                                          "last_name": "Ibarra", "curp": UNKNOWN_CURP,
                                          "email": "rosa@example.com", "accept_notice": "on",
                                          "description": "Quiero saber qué datos tienen."},
                        REMOTE_ADDR="10.0.0.2")
    assert other.status_code == 200
    assert ArcoRequest.objects.count() == 3


def test_without_a_notice_in_force_the_form_refuses(client, business_date):
    response = _post(client, UNKNOWN_CURP)
    assert "no hay un aviso de privacidad vigente" in response.content.decode()
    assert not ArcoRequest.objects.exists()
