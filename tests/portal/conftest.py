"""Two debtors with overdue credits (12,000 disbursed 15/01/2023, 12 installments from
15/01/2024, six months overdue at 20/06/2024), each with a guarantor and a mobile phone on file;
the first credit's case assigned to a collector. `portal_signin(client, identifier)` signs in
through the real pages with the code the file SMS sender wrote."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest

from recupera.core.roles import Role
from tests.credits import conftest as _credits

product_ce = _credits.product_ce

AS_OF = dt.date(2024, 6, 20)


@pytest.fixture(autouse=True)
def _sms_file(settings, tmp_path):
    settings.PORTAL_SMS_FILE = tmp_path / "sms.log"


@dataclass
class World:
    credit: Any
    borrower: Any
    guarantor: Any
    other_credit: Any
    other_borrower: Any
    collector: Any


def _phone(person, number):
    from recupera.people.services import contact_point_add

    return contact_point_add(actor=None, person=person, kind="phone", value=number, label="celular",
                             is_primary=True)


def _overdue(folio, borrower, guarantor):
    from recupera.credits.services import credit_create, credit_refresh, disbursement_add

    credit = credit_create(actor=None, folio=folio, product=product_ce_obj(), borrower=borrower,
                           guarantors=[guarantor], first_due_date=dt.date(2024, 1, 15), term_months=12)
    disbursement_add(actor=None, credit=credit, number=1, date=dt.date(2023, 1, 15), amount="12000.00")
    credit_refresh(credit=credit, as_of=AS_OF)
    credit.refresh_from_db()
    return credit


def product_ce_obj():
    from recupera.credits.models import Product

    return Product.objects.get(code="CE")


@pytest.fixture
def world(db, make_person, make_user):
    from recupera.collections.services import case_open, cases_reassign
    from recupera.core.models import OperatingDate

    OperatingDate.objects.update_or_create(pk=1, defaults={"business_date": AS_OF})
    ana = make_person(first_name="Ana", last_name="López", curp="LOPA950505MSRPTN01")
    jorge = make_person(first_name="Jorge", last_name="Ruiz", curp="RUIJ900101HSRZRR02")
    beto = make_person(first_name="Alberto", last_name="Soto", curp="SOTA960606HSRTTL03")
    eva = make_person(first_name="Eva", last_name="Mora", curp="MORE910202MSRRVV04")
    for person, number in ((ana, "6621000001"), (jorge, "6621000002"), (beto, "6621000003"), (eva, "6621000004")):
        _phone(person, number)
    credit = _overdue("PTL-0001", ana, jorge)
    other = _overdue("PTL-0002", beto, eva)
    collector = make_user(Role.COLLECTOR, username="gestora", first_name="Lucía", last_name="Paz")
    case = case_open(actor=None, credit=credit, as_of=AS_OF, origin="automatico")
    cases_reassign(actor=None, cases=[case], collector=collector, reason="prueba", as_of=AS_OF)
    return World(credit, ana, jorge, other, beto, collector)


def last_code(settings, phone_e164: str) -> str:
    from recupera.portal.senders import last_sms_to

    text = last_sms_to(phone_e164)
    assert text, f"no se envió SMS a {phone_e164}"
    return re.search(r"\b(\d{6})\b", text).group(1)


@pytest.fixture
def portal_signin(settings):
    def _signin(client, identifier: str, phone: str):
        response = client.post("/portal/entrar/", {"identifier": identifier})
        assert response.status_code == 302, response.content[:500]
        response = client.post("/portal/entrar/codigo/", {"code": last_code(settings, phone)})
        assert response.status_code == 302 and response["Location"].endswith("/portal/cuenta/"), response.content[:800]
        return client

    return _signin
