"""An archive (AC › sala S1 › gabinete G1 › cajones C1, C2; gabinete G2 › caja X1) and the
12,000 credit six months overdue at 20/06/2024 of tests/agreements, with its pagaré."""

from __future__ import annotations

import datetime as dt

import pytest

from recupera.core.roles import Role
from tests.agreements import conftest as _agreements

product_ce = _agreements.product_ce
make_credit = _agreements.make_credit
overdue_credit = _agreements.overdue_credit
AS_OF = _agreements.AS_OF


@pytest.fixture
def archivist(make_user):
    return make_user(Role.CUSTODY, username="archivo1", first_name="Jesús", last_name="Acosta")


@pytest.fixture
def archive(db, archivist):
    from recupera.custody.services import location_create

    ac = location_create(actor=archivist, code="AC", name="Archivo central", kind="archivo")
    s1 = location_create(actor=archivist, code="AC-S1", name="Sala 1", kind="sala", parent=ac)
    g1 = location_create(actor=archivist, code="AC-S1-G1", name="Gabinete 1", kind="gabinete", parent=s1)
    c1 = location_create(actor=archivist, code="AC-S1-G1-C1", name="Cajón 1", kind="cajon", parent=g1)
    c2 = location_create(actor=archivist, code="AC-S1-G1-C2", name="Cajón 2", kind="cajon", parent=g1)
    g2 = location_create(actor=archivist, code="AC-S1-G2", name="Gabinete 2", kind="gabinete", parent=s1)
    x1 = location_create(actor=archivist, code="AC-S1-G2-X1", name="Caja de finiquitos", kind="caja", parent=g2)
    return {"AC": ac, "S1": s1, "G1": g1, "C1": c1, "C2": c2, "G2": g2, "X1": x1}


@pytest.fixture
def note_item(overdue_credit, archive, archivist):
    """The overdue credit's pagaré, in drawer C1."""
    from recupera.custody.services import item_register

    note = overdue_credit.notes.get(number=f"P-{overdue_credit.folio}-1")
    return item_register(actor=archivist, kind="pagare", note=note, location=archive["C1"],
                         as_of=dt.date(2023, 1, 20))
