"""A person with no mobile phone on file gets the code by e-mail (Django's mail backend)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def test_code_goes_by_email_when_there_is_no_mobile(client, world, mailoutbox, settings):
    from recupera.people.services import contact_point_add

    world.guarantor.contact_points.update(active=False)
    contact_point_add(actor=None, person=world.guarantor, kind="email", value="Jorge.Ruiz@Example.com",
                      label="otro", is_primary=True)
    client.post("/portal/entrar/", {"identifier": world.guarantor.curp})
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["jorge.ruiz@example.com"]
    assert not settings.PORTAL_SMS_FILE.exists()
    code = re.search(r"\b(\d{6})\b", mailoutbox[0].body).group(1)
    response = client.post("/portal/entrar/codigo/", {"code": code})
    assert response["Location"] == "/portal/cuenta/"
    from recupera.core.models import AuditEntry

    assert AuditEntry.objects.get(action="portal.entrada").after["codigo_a"] == "correo j•••@example.com"
