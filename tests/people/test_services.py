import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from recupera.core.models import AuditEntry
from recupera.people import services
from recupera.people.models import Address, ContactPoint, Municipality, Person
from recupera.people.synthetic import build_curp, rfc_check_digit

CURP = build_curp(first_name="Juan", last_name="Pérez", second_last_name="López",
                  birth_date=dt.date(1995, 4, 12), sex="H", state_code="SR")


def _rfc(curp: str, valid: bool = True) -> str:
    first12 = curp[:10] + "A1"
    check = rfc_check_digit(first12)
    return first12 + (check if valid else ("0" if check != "0" else "1"))


def _create(actor, **kw):
    data = {"curp": CURP, "first_name": "Juan", "last_name": "Pérez", "second_last_name": "López"}
    data.update(kw)
    return services.person_create(actor=actor, **data)


@pytest.mark.parametrize(("field", "kwargs", "fragment"), [
    ("curp", {"curp": CURP[:-1] + str((int(CURP[-1]) + 1) % 10)}, "dígito verificador"),
    ("curp", {"curp": "ABC"}, "18 caracteres"),
    ("telefono", {"phones": ["12345"]}, "teléfono"),
    ("correo", {"emails": ["juan@@correo"]}, "correo"),
    ("nombre", {"first_name": "  "}, "nombre"),
    ("fecha_nacimiento", {"birth_date": dt.date(1995, 4, 13)}, "no coincide"),
    ("municipio", {"address": {"municipality": "Hermosiyo"}}, "no es un municipio de Sonora"),
    ("codigo_postal", {"address": {"municipality": "Hermosillo", "postal_code": "8300"}}, "5 dígitos"),
    ("municipio", {"address": {"state": "Sinaloa", "street": "Obregón"}}, "fuera de Sonora"),
])
def test_invalid_input_is_refused_in_spanish_naming_the_field_and_nothing_is_saved(
        collector, field, kwargs, fragment):
    with pytest.raises(ValidationError) as caught:
        _create(collector, **{"phones": ["662 123 4567"], **kwargs})
    messages = caught.value.message_dict
    assert field in messages
    assert any(fragment in m for m in messages[field]), messages
    assert not Person.objects.exists()
    assert not ContactPoint.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="persona").exists()


def test_create_normalizes_contacts_derives_identity_and_audits(collector):
    person, warnings = _create(
        collector, rfc=_rfc(CURP), phones=["(662) 123-4567", "6621234567", "644 555 0101"],
        emails=["Juan.Perez@Example.COM"],
        address={"street": "Calle Rosales", "number": "12", "colonia": "Centro",
                 "municipality": "hermosillo", "postal_code": "83000"})
    assert warnings == []
    assert person.sex == "H" and person.birth_date == dt.date(1995, 4, 12)
    assert person.search_name == "JUAN PEREZ LOPEZ"
    assert person.full_name == "Juan Pérez López"
    phones = list(person.contact_points.filter(kind="phone").order_by("id"))
    assert [p.value for p in phones] == ["+526621234567", "+526445550101"]
    assert [p.is_primary for p in phones] == [True, False]
    assert phones[0].digits == "6621234567"
    assert person.contact_points.get(kind="email").value == "juan.perez@example.com"
    address = person.addresses.get()
    assert address.municipality.name == "Hermosillo" and address.municipality_name == "Hermosillo"
    assert address.latitude == Municipality.objects.get(name="Hermosillo").latitude
    entry = AuditEntry.objects.get(action="persona.alta")
    assert entry.actor == collector and entry.object_id == str(person.pk)
    assert entry.after["curp"] == CURP
    assert entry.after["telefonos"] == ["+526621234567", "+526445550101"]


def test_rfc_with_a_bad_check_digit_is_saved_with_a_warning(collector):
    person, warnings = _create(collector, rfc=_rfc(CURP, valid=False))
    assert Person.objects.filter(pk=person.pk, rfc=_rfc(CURP, valid=False)).exists()
    assert len(warnings) == 1 and "dígito" in warnings[0]


def test_malformed_rfc_is_an_error(collector):
    with pytest.raises(ValidationError) as caught:
        _create(collector, rfc="12345")
    assert "rfc" in caught.value.message_dict


def test_duplicate_curp_is_refused(collector):
    _create(collector)
    with pytest.raises(ValidationError) as caught:
        _create(collector, first_name="Otro")
    assert "Ya existe una persona con la CURP" in caught.value.message_dict["curp"][0]
    assert Person.objects.count() == 1


def test_address_outside_sonora_takes_a_free_text_municipality(collector):
    person, _ = _create(collector, address={"state": "Sin.", "municipality_name": "Culiacán",
                                            "postal_code": "80000"})
    address = person.addresses.get()
    assert address.state == "Sinaloa" and address.municipality is None
    assert address.municipality_name == "Culiacán" and address.latitude is None


def test_update_records_before_and_after(collector):
    person, _ = _create(collector)
    _p, warnings = services.person_update(actor=collector, person=person, first_name="Juan Carlos",
                                          rfc=_rfc(CURP, valid=False))
    person.refresh_from_db()
    assert person.first_name == "Juan Carlos" and person.search_name == "JUAN CARLOS PEREZ LOPEZ"
    assert warnings and "dígito" in warnings[0]
    entry = AuditEntry.objects.get(action="persona.modificar")
    assert entry.actor == collector
    assert entry.before == {"first_name": "Juan", "rfc": ""}
    assert entry.after == {"first_name": "Juan Carlos", "rfc": _rfc(CURP, valid=False)}


def test_update_refuses_a_bad_curp_and_changes_nothing(collector):
    person, _ = _create(collector)
    with pytest.raises(ValidationError) as caught:
        services.person_update(actor=collector, person=person, curp="XXXX", first_name="Otro")
    assert "curp" in caught.value.message_dict
    person.refresh_from_db()
    assert person.first_name == "Juan"
    assert not AuditEntry.objects.filter(action="persona.modificar").exists()


def test_contact_points_primary_and_deactivation(collector):
    person, _ = _create(collector, phones=["6621234567"])
    second = services.contact_point_add(actor=collector, person=person, kind="phone",
                                        value="644 555 0101", label="casa", is_primary=True)
    first = person.contact_points.get(value="+526621234567")
    assert second.is_primary and not first.is_primary
    with pytest.raises(ValidationError) as caught:
        services.contact_point_add(actor=collector, person=person, kind="phone",
                                   value="6445550101", label="casa")
    assert "ya está registrado" in caught.value.message_dict["telefono"][0]
    with pytest.raises(ValidationError) as caught:
        services.contact_point_add(actor=collector, person=person, kind="email", value="no-es",
                                   label="otro")
    assert "correo" in caught.value.message_dict
    services.contact_point_deactivate(actor=collector, contact_point=second, reason="No existe")
    second.refresh_from_db()
    first.refresh_from_db()
    assert not second.active and first.is_primary
    entry = AuditEntry.objects.get(action="contacto.baja")
    assert entry.before == {"active": True, "is_primary": True}
    assert entry.after["active"] is False and entry.after["motivo"] == "No existe"


def test_address_set_keeps_the_previous_one_as_history(collector):
    person, _ = _create(collector, address={"municipality": "Cajeme"})
    new = services.address_set(actor=collector, person=person, street="Blvd. Kino", number="5",
                               municipality=Municipality.objects.get(inegi_code="030"))
    assert new.is_current
    assert list(person.addresses.values_list("municipality_name", "is_current").order_by("id")) == [
        ("Cajeme", False), ("Hermosillo", True)]
    assert AuditEntry.objects.filter(action="domicilio.cambiar").count() == 1
    with pytest.raises(ValidationError) as caught:
        services.address_set(actor=collector, person=person, street="X")
    assert "municipio" in caught.value.message_dict
    assert Address.objects.filter(person=person).count() == 2


def test_bulk_create_stores_everything_with_one_audit_row(collector, django_assert_max_num_queries):
    from recupera.people.synthetic import make_people

    rows = make_people(count=300, seed=11)
    # SQLite splits inserts at 999 parameters (~90 persons); PostgreSQL needs fewer.
    with django_assert_max_num_queries(25):
        persons = services.person_bulk_create(actor=collector, rows=rows)
    assert len(persons) == 300 and all(p.pk for p in persons)
    assert Person.objects.count() == 300
    assert ContactPoint.objects.count() == sum(len(r["phones"]) + len(r["emails"]) for r in rows)
    assert Address.objects.count() == 300
    entry = AuditEntry.objects.get(action="persona.alta_masiva")
    assert entry.after["personas"] == 300 and entry.actor == collector


def test_bulk_create_reports_rows_and_saves_nothing_when_one_is_bad(collector):
    from recupera.people.synthetic import make_people

    rows = make_people(count=5, seed=3)
    rows[3] = {**rows[3], "phones": ["123"]}
    rows[4] = {**rows[4], "curp": rows[0]["curp"]}
    with pytest.raises(ValidationError) as caught:
        services.person_bulk_create(actor=collector, rows=rows)
    messages = caught.value.message_dict
    assert messages["telefono"][0].startswith("Fila 4:")
    assert "se repite (fila 1)" in messages["curp"][0]
    assert not Person.objects.exists()
