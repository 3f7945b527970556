"""`recupera demo` shows the privacy app: a notice in force and one pending ARCO request."""

from __future__ import annotations

import pytest

from recupera.privacy.demo import load_demo_privacy
from recupera.privacy.models import ArcoRequest, NoticeShown, PrivacyNotice
from recupera.privacy.selectors import notice_in_force

from .conftest import AS_OF

pytestmark = pytest.mark.django_db


def test_demo_loads_a_notice_and_a_pending_request_once(borrower):
    folio = load_demo_privacy(as_of=AS_OF)
    arco = ArcoRequest.objects.get()
    assert (arco.folio, arco.status, arco.person, arco.channel) == (folio, "recibida", borrower, "portal")
    assert notice_in_force(AS_OF).version == "2026-1"
    assert NoticeShown.objects.filter(person=borrower, context="arco_portal").count() == 1
    assert load_demo_privacy(as_of=AS_OF) is None  # idempotent
    assert (ArcoRequest.objects.count(), PrivacyNotice.objects.count()) == (1, 1)
