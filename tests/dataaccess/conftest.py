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
make_person = _collections.make_person


@pytest.fixture
def officer(make_user):
    """The data-protection officer (Protección de Datos Personales)."""
    return make_user(Role.DATA_PROTECTION, username="datos1", first_name="Elena",
                     last_name="Córdova Lugo")


@pytest.fixture(autouse=True)
def _business_date(db):
    from recupera.core.models import OperatingDate

    OperatingDate.objects.update_or_create(pk=1, defaults={"business_date": AS_OF})
