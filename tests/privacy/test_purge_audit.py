"""Deleting a person's data after the retention period also takes their personal values out of
the append-only audit log, through its one controlled rewrite path (core.audit.audit_pseudonymise
and the core/0007 triggers); every other update or delete of an audit row is still refused."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from recupera.core.models import AuditEntry, AuditPseudonymPermit
from recupera.privacy import services

from .conftest import AS_OF

pytestmark = pytest.mark.django_db
PURGE_DAY = dt.date(2031, 11, 13)  # five years after the block on AS_OF


@pytest.fixture
def former(officer, supervisor):
    """A person with no open credit, renamed, with a second phone, an e-mail and an address, a
    cancellation request verified and the data blocked on AS_OF."""
    from recupera.people.services import (
        address_set,
        contact_point_add,
        person_create,
        person_update,
    )
    from recupera.people.synthetic import build_curp

    curp = build_curp(first_name="Pedro", last_name="Sotelo", second_last_name="Ruiz",
                      birth_date=dt.date(1990, 1, 2), sex="H", state_code="SR")
    person, _w = person_create(actor=supervisor, curp=curp, first_name="Pedro", last_name="Sotelo",
                               second_last_name="Ruiz", phones=["6629876543"],
                               emails=["pedro.sotelo@example.com"])
    person_update(actor=supervisor, person=person, second_last_name="Ruíz Quijada")
    contact_point_add(actor=supervisor, person=person, kind="phone", value="6625550101",
                      label="casa")
    address_set(actor=supervisor, person=person, street="Calle Jacarandas", number="1217",
                neighborhood="Pitic", municipality_name="Hermosillo", postal_code="83150")
    person.refresh_from_db()
    access = services.arco_register(actor=officer, channel="ventanilla", as_of=AS_OF,
                                    right="acceso", first_name="Pedro", last_name="Sotelo",
                                    second_last_name="Ruíz Quijada", curp=curp,
                                    email="pedro.sotelo@example.com",
                                    description="Quiero saber qué datos tienen de mí.")
    access = services.arco_verify_identity(actor=officer, request=access, id_document="ine",
                                           id_document_number="IDMEX998877", as_of=AS_OF)
    services.arco_generate_export(actor=officer, request=access, as_of=AS_OF)
    arco = services.arco_register(actor=officer, channel="ventanilla", as_of=AS_OF,
                                  right="cancelacion", first_name="Pedro", last_name="Sotelo",
                                  second_last_name="Ruíz Quijada", curp=curp,
                                  email="pedro.sotelo@example.com", phone="6629876543",
                                  description="Cancelen mis datos personales, ya pagué.")
    arco = services.arco_verify_identity(actor=officer, request=arco, id_document="ine",
                                         id_document_number="IDMEX998877", as_of=AS_OF)
    services.arco_block(actor=officer, request=arco, as_of=AS_OF)
    # A row about another object that copied the CURP (a search, an import line).
    with transaction.atomic():
        from recupera.core.audit import audit_record

        audit_record(actor=supervisor, action="busqueda.prueba", obj=supervisor,
                     after={"consulta": f"curp {curp}", "importe": "1234.50"})
    return person, arco


def _secrets():
    return ["Pedro Sotelo", "Sotelo", "Quijada", "pedro.sotelo@example.com", "6629876543",
            "662 987 6543", "6625550101", "Jacarandas", "IDMEX998877"]


def _log_text() -> str:
    return "\n".join(json.dumps([e.object_repr, e.before, e.after], ensure_ascii=False)
                     for e in AuditEntry.objects.all())


def test_purge_removes_the_person_from_every_audit_row(former):
    person, arco = former
    curp = person.curp
    text = _log_text()
    for secret in ["Pedro Sotelo", "Quijada", "pedro.sotelo@example.com", "6629876543",
                   "6625550101", "Jacarandas", curp]:
        assert secret in text, secret  # the log holds them before
    kept = {e.pk: (e.at, e.actor_id, e.actor_username, e.action, e.object_type, e.object_id)
            for e in AuditEntry.objects.all()}

    assert services.purge_blocked(actor=None, as_of=PURGE_DAY) == [person.pk]

    text = _log_text()
    for secret in [*_secrets(), curp]:
        assert secret not in text, secret
    after = {e.pk: (e.at, e.actor_id, e.actor_username, e.action, e.object_type, e.object_id)
             for e in AuditEntry.objects.all()}
    assert {pk: after[pk] for pk in kept} == kept  # dates, actors, actions, objects stay
    search = AuditEntry.objects.get(action="busqueda.prueba")
    assert search.after == {"consulta": "SUPRIMIDO", "importe": "1234.50"}  # the amount stays
    purge = AuditEntry.objects.get(action="persona.suprimir")
    assert purge.after["registros_de_auditoria"] >= 5
    assert purge.after["solicitudes_arco"] == 2
    assert not AuditPseudonymPermit.objects.exists()  # the permits leave with the transaction
    arco.refresh_from_db()
    assert (arco.folio, arco.right, arco.first_name, arco.curp, arco.email, arco.export_data) == (
        arco.folio, "cancelacion", "SUPRIMIDO", f"SUPR{person.pk:014d}", "", None)


def test_purge_keeps_a_person_with_an_open_credit_in_the_log(officer, borrower, make_credit):
    make_credit(borrower=borrower)
    arco = services.arco_register(actor=officer, channel="ventanilla", as_of=AS_OF,
                                  right="cancelacion", first_name="María", last_name="Valenzuela",
                                  curp=borrower.curp, phone="6621234567",
                                  description="Cancelen mis datos personales.")
    arco = services.arco_verify_identity(actor=officer, request=arco, id_document="ine", as_of=AS_OF)
    services.arco_block(actor=officer, request=arco, as_of=AS_OF)
    assert services.purge_blocked(actor=None, as_of=PURGE_DAY) == []
    assert borrower.curp in _log_text()


def test_ordinary_updates_and_deletes_of_audit_rows_are_still_refused(former):
    entry = AuditEntry.objects.filter(object_type="people.person").first()
    with pytest.raises(ValidationError):
        AuditEntry.objects.filter(pk=entry.pk).update(object_repr="otro")
    with pytest.raises(ValidationError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    table = AuditEntry._meta.db_table
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"UPDATE {table} SET object_repr = 'otro' WHERE id = %s", [entry.pk])
    # A permit lets only the description and the values change, never what happened or who did it.
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditPseudonymPermit.objects.create(entry_id=entry.pk)
        with connection.cursor() as cur:
            cur.execute(f"UPDATE {table} SET action = 'otra' WHERE id = %s", [entry.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditPseudonymPermit.objects.create(entry_id=entry.pk)
        with connection.cursor() as cur:
            cur.execute(f"UPDATE {table} SET actor_username = 'otro' WHERE id = %s", [entry.pk])
    if connection.vendor == "postgresql":  # SQLite: the model and its queryset guard deletes
        with pytest.raises(IntegrityError), transaction.atomic():
            AuditPseudonymPermit.objects.create(entry_id=entry.pk)
            with connection.cursor() as cur:
                cur.execute(f"DELETE FROM {table} WHERE id = %s", [entry.pk])
    entry.refresh_from_db()
    assert entry.object_repr != "otro" and entry.action != "otra"


@pytest.mark.django_db(transaction=True)
def test_the_rewrite_path_runs_only_inside_the_callers_transaction():
    from recupera.core.audit import audit_pseudonymise

    with pytest.raises(RuntimeError):
        audit_pseudonymise(entry_ids=[1], values=["Pedro Sotelo"])
