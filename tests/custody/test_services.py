"""Custody services: every movement kind, the refusals (Spanish, specific), append-only history,
and the classification following the credit through payoff and restructure."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from recupera.agreements import services as agreements
from recupera.core.models import AuditEntry
from recupera.credits.models import PromissoryNote
from recupera.custody import classification, selectors, services
from recupera.custody.models import Item, Movement

from .conftest import AS_OF

pytestmark = pytest.mark.django_db


def _kinds(item: Item) -> list[tuple[str, str, str]]:
    return list(Movement.objects.filter(item=item).order_by("id")
                .values_list("kind", "status_before", "status_after"))


def test_register_gives_the_label_code_and_an_entry_movement(note_item, archive):
    assert note_item.code == f"RES-{note_item.pk:07d}"
    assert note_item.person_id == note_item.credit.borrower_id
    assert note_item.status == "en_resguardo" and note_item.location == archive["C1"]
    assert _kinds(note_item) == [("alta", "", "en_resguardo")]
    assert AuditEntry.objects.filter(action="resguardo.alta", object_id=str(note_item.pk)).count() == 1


def test_a_pagare_is_registered_once(note_item, archive, archivist):
    with pytest.raises(ValidationError, match="ya está registrado en el archivo"):
        services.item_register(actor=archivist, kind="pagare", note=note_item.note, location=archive["C2"],
                               as_of=AS_OF)


def test_items_go_into_drawers_or_boxes_only(overdue_credit, archive, archivist):
    with pytest.raises(ValidationError, match="se guardan en un cajón o una caja"):
        services.item_register(actor=archivist, kind="expediente", credit=overdue_credit,
                               location=archive["G1"], as_of=AS_OF)


def test_check_out_and_check_in(note_item, archive, archivist, collector):
    out = services.item_check_out(actor=archivist, item=note_item, as_of=AS_OF, holder_kind="gestor",
                                  holder_user=collector, purpose="Visita al aval",
                                  due_back=AS_OF + dt.timedelta(days=10))
    note_item.refresh_from_db()
    assert note_item.status == "prestado" and note_item.holder_user == collector
    assert note_item.holder_name == "Lucía" and note_item.out_since == AS_OF
    assert out.folio == f"MOV-{out.pk:07d}" and out.from_location == archive["C1"]
    back = services.item_check_in(actor=archivist, item=note_item, as_of=AS_OF + dt.timedelta(days=3))
    note_item.refresh_from_db()
    assert note_item.status == "en_resguardo" and note_item.holder_name == "" and note_item.due_back is None
    assert back.to_location == archive["C1"] and back.holder_name == "Lucía"
    assert _kinds(note_item) == [("alta", "", "en_resguardo"), ("prestamo", "en_resguardo", "prestado"),
                                 ("reintegro", "prestado", "en_resguardo")]


@pytest.mark.parametrize(("holder_kind", "status"), [("juridico", "prestado"), ("despacho", "con_despacho"),
                                                     ("juzgado", "en_juzgado")])
def test_check_out_to_legal_agency_or_court(note_item, archivist, holder_kind, status):
    services.item_check_out(actor=archivist, item=note_item, as_of=AS_OF, holder_kind=holder_kind,
                            holder_name="Lic. Karla Ibarra", purpose="Demanda",
                            due_back=AS_OF + dt.timedelta(days=300))
    note_item.refresh_from_db()
    assert note_item.status == status and note_item.holder_name == "Lic. Karla Ibarra"


def test_an_item_cannot_be_checked_out_twice(note_item, archivist, collector):
    services.item_check_out(actor=archivist, item=note_item, as_of=AS_OF, holder_kind="gestor",
                            holder_user=collector, purpose="Visita", due_back=AS_OF + dt.timedelta(days=5))
    with pytest.raises(ValidationError) as refused:
        services.item_check_out(actor=archivist, item=note_item, as_of=AS_OF, holder_kind="juridico",
                                holder_name="Lic. Ruiz", purpose="Demanda",
                                due_back=AS_OF + dt.timedelta(days=5))
    assert refused.value.messages == [
        f"El documento {note_item.code} está fuera del archivo (prestado, en poder de Lucía desde el "
        "20/06/2024). Regístrelo de vuelta en el archivo antes de prestarlo otra vez."]
    assert Movement.objects.filter(item=note_item, kind="prestamo").count() == 1


def test_check_out_limits(note_item, archivist):
    base = {"actor": archivist, "item": note_item, "as_of": AS_OF, "holder_kind": "despacho",
            "holder_name": "Despacho Ruiz", "purpose": "Cobranza"}
    with pytest.raises(ValidationError, match="posterior a la fecha de operación \\(20/06/2024\\)"):
        services.item_check_out(**base, due_back=AS_OF)
    with pytest.raises(ValidationError, match="no puede pasar de 365 días \\(20/06/2025\\)"):
        services.item_check_out(**base, due_back=AS_OF + dt.timedelta(days=366))
    with pytest.raises(ValidationError, match="Escriba el motivo del préstamo"):
        services.item_check_out(**{**base, "purpose": " "}, due_back=AS_OF + dt.timedelta(days=3))
    with pytest.raises(ValidationError, match="Elija el gestor"):
        services.item_check_out(**{**base, "holder_kind": "gestor"}, due_back=AS_OF + dt.timedelta(days=3))
    assert Movement.objects.filter(item=note_item).count() == 1


def test_transfer_moves_within_the_archive(note_item, archive, archivist):
    moved = services.item_transfer(actor=archivist, item=note_item, as_of=AS_OF, location=archive["C2"],
                                   reason="Reacomodo")
    note_item.refresh_from_db()
    assert note_item.location == archive["C2"]
    assert (moved.from_location, moved.to_location) == (archive["C1"], archive["C2"])
    with pytest.raises(ValidationError, match="ya está en AC-S1-G1-C2"):
        services.item_transfer(actor=archivist, item=note_item, as_of=AS_OF, location=archive["C2"])


def test_check_in_to_another_drawer(note_item, archive, archivist):
    services.item_check_out(actor=archivist, item=note_item, as_of=AS_OF, holder_kind="juridico",
                            holder_name="Lic. Ruiz", purpose="Revisión", due_back=AS_OF + dt.timedelta(days=5))
    services.item_check_in(actor=archivist, item=note_item, as_of=AS_OF, location=archive["X1"])
    note_item.refresh_from_db()
    assert note_item.location == archive["X1"] and note_item.status == "en_resguardo"
    with pytest.raises(ValidationError, match="no hay préstamo que cerrar"):
        services.item_check_in(actor=archivist, item=note_item, as_of=AS_OF)


def _settle(credit, actor):
    agreement = agreements.agreement_propose(actor=actor, credit=credit, kind="liquidacion", as_of=AS_OF,
                                             late_interest_pct=100, interest_pct=25)
    agreements.settlement_pay(actor=actor, agreement=agreement, value_date=AS_OF, channel="caja",
                              natural_key="caja:custody", as_of=AS_OF)
    return agreement


def test_return_to_debtor_only_when_settled(note_item, archivist, supervisor):
    with pytest.raises(ValidationError, match="no está finiquitado \\(el crédito T-00001 aún tiene adeudo\\)"):
        services.item_return_to_debtor(actor=archivist, item=note_item, as_of=AS_OF, received_by="Ana López")
    _settle(note_item.credit, supervisor)
    assert [i.pk for i in selectors.to_return()] == [note_item.pk]
    returned = services.item_return_to_debtor(actor=archivist, item=note_item, as_of=AS_OF,
                                              received_by="Ana López", remark="INE 123")
    note_item.refresh_from_db()
    assert note_item.status == "devuelto" and returned.holder_name == "Ana López"
    assert PromissoryNote.objects.get(pk=note_item.note_id).status == "devuelto"
    assert list(selectors.to_return()) == []
    with pytest.raises(ValidationError, match="ya se devolvió al acreditado"):
        services.item_report_lost(actor=archivist, item=note_item, as_of=AS_OF, reason="No aparece")


def test_a_lost_item_cannot_be_returned_to_the_debtor(note_item, archivist, supervisor):
    _settle(note_item.credit, supervisor)
    services.item_report_lost(actor=archivist, item=note_item, as_of=AS_OF, reason="No está en el cajón")
    note_item.refresh_from_db()
    assert note_item.status == "extraviado"
    with pytest.raises(ValidationError) as refused:
        services.item_return_to_debtor(actor=archivist, item=note_item, as_of=AS_OF, received_by="Ana López")
    assert refused.value.messages == [
        f"El pagaré {note_item.code} está extraviado: no puede devolverse al acreditado. Si aparece, "
        "regístrelo de nuevo en el archivo."]
    with pytest.raises(ValidationError, match="está extraviado"):
        services.item_check_out(actor=archivist, item=note_item, as_of=AS_OF, holder_kind="juridico",
                                holder_name="Lic. Ruiz", purpose="x", due_back=AS_OF + dt.timedelta(days=2))
    assert PromissoryNote.objects.get(pk=note_item.note_id).status == "por_devolver"


def test_loss_while_lent_keeps_who_had_it(note_item, archivist, collector):
    services.item_check_out(actor=archivist, item=note_item, as_of=AS_OF, holder_kind="gestor",
                            holder_user=collector, purpose="Visita", due_back=AS_OF + dt.timedelta(days=5))
    lost = services.item_report_lost(actor=archivist, item=note_item, as_of=AS_OF, reason="Robo del vehículo")
    assert (lost.status_before, lost.status_after, lost.holder_name) == ("prestado", "extraviado", "Lucía")


def test_cancel_only_a_replaced_or_settled_pagare(note_item, archivist, portfolio_officer):
    with pytest.raises(ValidationError, match="sigue vigente"):
        services.item_cancel(actor=archivist, item=note_item, as_of=AS_OF, reason="x")
    agreements.agreement_propose(actor=portfolio_officer, credit=note_item.credit, kind="reestructura",
                                 as_of=AS_OF, new_rate=D("0.06"), new_term_months=24,
                                 first_due_date=dt.date(2024, 7, 15))
    assert [i.pk for i in selectors.replaced_in_custody()] == [note_item.pk]
    services.item_cancel(actor=archivist, item=note_item, as_of=AS_OF, reason="Sustituido por reestructura")
    note_item.refresh_from_db()
    assert note_item.status == "cancelado"
    assert list(selectors.replaced_in_custody()) == []


def test_movements_are_append_only(note_item):
    movement = Movement.objects.get(item=note_item)
    movement.purpose = "otro"
    with pytest.raises(ValidationError):
        movement.save()
    with pytest.raises(ValidationError):
        movement.delete()
    with pytest.raises(ValidationError):
        Movement.objects.filter(item=note_item).update(purpose="x")
    with pytest.raises(ValidationError):
        Movement.objects.filter(item=note_item).delete()


def _klass(item: Item) -> str | None:
    return classification.of_item(selectors.items().get(pk=item.pk))


def test_classification_follows_the_credit_through_payoff(note_item, supervisor):
    assert _klass(note_item) == "vencido"
    assert dict(selectors.classification_counts()) == {"vencido": 1}
    _settle(note_item.credit, supervisor)
    assert _klass(note_item) == "finiquitado"
    assert dict(selectors.classification_counts()) == {"finiquitado": 1}
    assert list(selectors.items_filter(klass="finiquitado")) == [note_item]
    assert list(selectors.items_filter(klass="vencido")) == []


def test_classification_follows_the_credit_through_restructure(note_item, archive, archivist, portfolio_officer):
    agreement = agreements.agreement_propose(
        actor=portfolio_officer, credit=note_item.credit, kind="reestructura", as_of=AS_OF,
        new_rate=D("0.06"), new_term_months=24, first_due_date=dt.date(2024, 7, 15))
    assert _klass(note_item) == "reestructurado"  # the replaced pagaré
    # the restructure's new pagaré waits to be registered, then is classified the same
    assert [n.pk for n in selectors.unregistered_notes()] == [agreement.note.pk]
    (new,) = services.notes_register(actor=archivist, notes=[agreement.note], location=archive["C1"], as_of=AS_OF)
    assert _klass(new) == "reestructurado"
    assert selectors.unregistered_notes() == []
    assert dict(selectors.classification_counts()) == {"reestructurado": 2}


def test_classification_rules():
    c = classification.classify
    assert c(credit_status=None) is None
    assert c(credit_status="amortizacion") == "vigente"
    assert c(credit_status="amortizacion", has_prepayment=True) == "pago_anticipado"
    assert c(credit_status="vencido", has_prepayment=True) == "vencido"
    assert c(credit_status="juridico") == "vencido"
    assert c(credit_status="amortizacion", note_status="sustituido") == "reestructurado"
    assert c(credit_status="reestructurado", nothing_owed=True) == "finiquitado"
    assert c(credit_status="liquidado") == "finiquitado"
    assert c(credit_status="vencido", note_status="por_devolver") == "finiquitado"


def test_overdue_loans_and_legal_list(note_item, archivist, collector):
    from recupera.credits.models import Credit

    services.item_check_out(actor=archivist, item=note_item, as_of=AS_OF, holder_kind="gestor",
                            holder_user=collector, purpose="Visita", due_back=AS_OF + dt.timedelta(days=5))
    assert list(selectors.overdue_loans(AS_OF + dt.timedelta(days=5))) == []
    assert list(selectors.overdue_loans(AS_OF + dt.timedelta(days=6))) == [note_item]
    assert list(selectors.overdue_loans(AS_OF + dt.timedelta(days=6), holder=collector)) == [note_item]
    services.item_check_in(actor=archivist, item=note_item, as_of=AS_OF)
    assert list(selectors.legal_to_check_out()) == []
    Credit.objects.filter(pk=note_item.credit_id).update(administrative_status="juridico", status="juridico")
    assert list(selectors.legal_to_check_out()) == [note_item]


def test_near_prescription_uses_the_legal_clock(note_item):
    """The pagaré's date is the legal clock (docs/legal.md), not its own due date: the credit's
    first unpaid installment fell due 15/01/2024, so it prescribes 15/01/2027 (180 days after
    19/07/2026), not 15/12/2027 (3 years after the pagaré's final due date)."""
    from recupera.legal import prescription

    clock = next(c for c in prescription.note_clocks([note_item.credit_id]) if c.note_id == note_item.note_id)
    assert clock.date == dt.date(2027, 1, 15)
    assert selectors.near_prescription(dt.date(2026, 7, 18)) == []
    assert selectors.near_prescription(dt.date(2026, 7, 19)) == [(note_item, dt.date(2027, 1, 15))]
