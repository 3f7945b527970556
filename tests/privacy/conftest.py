"""Privacy fixtures: the officer, a notice in force, a borrower with a valid CURP and a credit."""

from __future__ import annotations

import datetime as dt

import pytest

from recupera.core.roles import Role
from tests.collections.conftest import (  # noqa: F401  (fixtures)
    _tasks_run_now,
    make_case,
    make_credit,
    make_person,
    outcome,
)

AS_OF = dt.date(2026, 11, 13)  # a Friday; Monday 16/11/2026 is a holiday (Revolución)
NOTICE_TEXT = ("El Instituto de Becas y Crédito Educativo del Estado de Sonora es responsable del "
               "tratamiento de sus datos personales, que se usan para administrar y recuperar los "
               "créditos educativos. Puede ejercer sus derechos ARCO en la Unidad de Protección "
               "de Datos Personales o en el formulario público.")


@pytest.fixture
def officer(make_user):
    return make_user(Role.DATA_PROTECTION, username="datos1", first_name="Elena",
                     last_name="Córdova Lugo")


@pytest.fixture
def business_date(db):
    from recupera.core.services import business_date_set

    business_date_set(actor=None, business_date=AS_OF)
    return AS_OF


@pytest.fixture
def notice(db, officer):
    from recupera.privacy.models import PrivacyNotice

    return PrivacyNotice.objects.create(version="2026-1", text=NOTICE_TEXT,
                                        effective_date=dt.date(2026, 1, 1), created_by=officer)


@pytest.fixture
def borrower(db):
    """A person with a valid CURP, a phone and an e-mail, through the people services."""
    from recupera.people.services import person_create
    from recupera.people.synthetic import build_curp

    curp = build_curp(first_name="María", last_name="Valenzuela", second_last_name="Ochoa",
                      birth_date=dt.date(1998, 4, 3), sex="M", state_code="SR")
    person, _warnings = person_create(actor=None, curp=curp, first_name="María",
                                      last_name="Valenzuela", second_last_name="Ochoa",
                                      phones=["6621234567"], emails=["maria@example.com"])
    return person
