"""Fixtures for the data-access tests (issue #21 items 4-7, 9, 12): the workbench's overdue
credits and cases (tests/collections), a data-protection officer."""

from __future__ import annotations

import pytest

from recupera.core.roles import Role
from tests.collections import conftest as _collections

AS_OF = _collections.AS_OF
_tasks_run_now = _collections._tasks_run_now
make_credit = _collections.make_credit
make_case = _collections.make_case


@pytest.fixture
def make_person(db):
    """Like tests/collections' make_person, with valid CURPs (the people services check them)."""
    import datetime as dt
    import itertools

    from recupera.people.synthetic import build_curp

    counter = itertools.count(1)

    def _make(first_name="Ana", last_name="López", second_last_name="Soto",
              birth_date=dt.date(1995, 5, 5), phone: str | None = None):
        from recupera.people.models import ContactPoint, Person

        n = next(counter)
        birth_date = birth_date + dt.timedelta(days=n)
        curp = build_curp(first_name=first_name, last_name=last_name,
                          second_last_name=second_last_name, birth_date=birth_date, sex="M",
                          state_code="SR", differentiator=str(n % 10))
        person = Person.objects.create(
            curp=curp, first_name=first_name, last_name=last_name,
            second_last_name=second_last_name, sex="M", birth_date=birth_date,
            search_name=f"{first_name} {last_name} {second_last_name}".upper())
        phone = phone or f"+52662{n:07d}"
        ContactPoint.objects.create(person=person, kind="phone", value=phone, digits=phone[-10:],
                                    is_primary=True)
        return person

    return _make


@pytest.fixture
def officer(make_user):
    """The data-protection officer (Protección de Datos Personales)."""
    return make_user(Role.DATA_PROTECTION, username="datos1", first_name="Elena",
                     last_name="Córdova Lugo")


@pytest.fixture(autouse=True)
def _business_date(db):
    from recupera.core.models import OperatingDate

    OperatingDate.objects.update_or_create(pk=1, defaults={"business_date": AS_OF})
