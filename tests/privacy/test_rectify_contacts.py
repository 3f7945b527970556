"""ARCO rectification of contact data: wrong phones or e-mails are deactivated (kept as history),
the right ones added and a new current address set, all through the people services and audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from recupera.core.models import AuditEntry
from recupera.people.models import Address, ContactPoint
from recupera.privacy import services

from .conftest import AS_OF
from .test_arco import _verified

pytestmark = pytest.mark.django_db


def test_contact_data_is_rectified_through_the_people_services(officer, borrower):
    arco = _verified(officer, borrower, right="rectificacion",
                     description="Mi teléfono ya no es ese; el correcto es 662 765 4321.")
    wrong = ContactPoint.objects.get(person=borrower, kind="phone", active=True)
    services.arco_rectify(actor=officer, request=arco, as_of=AS_OF, changes={
        "remove_contacts": [wrong.pk], "phone": "662 765 4321",
        "address": {"street": "Rosales", "number": "12", "municipality_name": "Hermosillo"}})
    wrong.refresh_from_db()
    assert wrong.active is False  # kept as history
    phones = list(ContactPoint.objects.filter(person=borrower, kind="phone", active=True))
    assert [p.value for p in phones] == ["+526627654321"]
    assert phones[0].is_primary is True
    current = Address.objects.get(person=borrower, is_current=True)
    assert (current.street, current.number) == ("Rosales", "12")
    assert {"contacto.baja", "contacto.alta", "domicilio.cambiar"} <= set(
        AuditEntry.objects.filter(actor=officer).values_list("action", flat=True))
    row = AuditEntry.objects.get(action="arco.rectificar", object_id=str(arco.pk))
    assert row.after["fields"] == ["medios de contacto dados de baja", "teléfono", "domicilio"]


def test_another_persons_contact_point_is_refused(officer, borrower, make_person):
    other = make_person()
    foreign = ContactPoint.objects.filter(person=other).first() or ContactPoint.objects.create(
        person=other, kind="phone", value="+526620000001", label="otro", digits="6620000001")
    arco = _verified(officer, borrower, right="rectificacion", description="Den de baja mi número.")
    with pytest.raises(ValidationError, match="no es de esta persona"):
        services.arco_rectify(actor=officer, request=arco, as_of=AS_OF,
                              changes={"remove_contacts": [foreign.pk]})
    foreign.refresh_from_db()
    assert foreign.active is True


def test_the_rectify_page_offers_the_contact_points_and_applies_them(officer, borrower,
                                                                     client_for):
    arco = _verified(officer, borrower, right="rectificacion", description="Cambié de correo.")
    email = ContactPoint.objects.get(person=borrower, kind="email", active=True)
    url = reverse("privacy:rectify", args=[arco.pk])
    client = client_for(officer)
    page = client.get(url).content.decode()
    assert "maria@example.com" in page and "Correo correcto (nuevo)" in page
    response = client.post(url, {
        "first_name": borrower.first_name, "last_name": borrower.last_name,
        "second_last_name": borrower.second_last_name, "rfc": borrower.rfc or "",
        "curp": borrower.curp, "remove_contacts": [str(email.pk)], "email": "maria.v@example.com"},
        follow=True)
    assert "Se rectificaron los datos del titular." in response.content.decode()
    email.refresh_from_db()
    assert email.active is False
    assert ContactPoint.objects.filter(person=borrower, kind="email", active=True,
                                       value="maria.v@example.com").exists()
    bad = client.post(url, {"curp": borrower.curp, "first_name": borrower.first_name,
                            "last_name": borrower.last_name, "phone": "12"})
    assert bad.status_code == 200
    assert "El teléfono 12 no es un número válido de México (10 dígitos)." in bad.content.decode()
    assert not ContactPoint.objects.filter(person=borrower, value__contains="12", active=True,
                                           kind="phone").exclude(value="+526621234567").exists()
