"""Demo data of the archive for `recupera demo`: locations, every pagaré of the demo portfolio
and the files of some credits, scholarships and stimuli, with items in every custody status
(idempotent: nothing is added when the archive has locations). Everything goes through the
services, so each item has its full movement history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

DRAWERS = 6


def _user(username: str) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username=username).first()


@transaction.atomic
def _build(*, as_of: dt.date) -> dict[str, int]:
    from recupera.credits.models import Credit, PromissoryNote
    from recupera.custody import services
    from recupera.custody.models import Item, ItemStatus
    from recupera.people.models import Person

    archivist, collector = _user("archivo"), _user("gestor")
    loc = services.location_create
    ac = loc(actor=archivist, code="AC", name="Archivo central", kind="archivo")
    s1 = loc(actor=archivist, code="AC-S1", name="Sala de pagarés", kind="sala", parent=ac)
    ga = loc(actor=archivist, code="AC-S1-GA", name="Gabinete A", kind="gabinete", parent=s1)
    gb = loc(actor=archivist, code="AC-S1-GB", name="Gabinete B", kind="gabinete", parent=s1)
    drawers = [loc(actor=archivist, code=f"{g.code}-C{n}", name=f"{g.name}, cajón {n}", kind="cajon", parent=g)
               for g in (ga, gb) for n in (1, 2, 3)]
    settled_box = loc(actor=archivist, code="AC-S1-GB-X1", name="Caja de pagarés por devolver", kind="caja",
                      parent=gb)
    s2 = loc(actor=archivist, code="AC-S2", name="Sala de expedientes", kind="sala", parent=ac)
    gc = loc(actor=archivist, code="AC-S2-GC", name="Gabinete C", kind="gabinete", parent=s2)
    boxes = [loc(actor=archivist, code=f"AC-S2-GC-X{n}", name=f"Caja de expedientes {n}", kind="caja", parent=gc)
             for n in (1, 2)]

    # Every pagaré in force or settled; the settled credits' pagarés wait in their own box.
    registered_on = as_of - dt.timedelta(days=400)
    notes = list(PromissoryNote.objects.select_related("credit").order_by("credit__folio", "signed_on", "number"))
    for i, note in enumerate(notes):
        settled = note.credit.status in (Credit.Status.PAID_OFF, Credit.Status.WAIVED)
        place = settled_box if settled else drawers[i % DRAWERS]
        services.item_register(actor=archivist, kind=Item.Kind.NOTE, note=note, location=place,
                               as_of=min(note.signed_on + dt.timedelta(days=7), as_of))
    credits = list(Credit.objects.select_related("borrower").order_by("folio")[:40])
    for i, credit in enumerate(credits):
        services.item_register(actor=archivist, kind=Item.Kind.DOSSIER, credit=credit, location=boxes[i % 2],
                               as_of=registered_on, description="Solicitud, contrato y estudio socioeconómico")
    people = list(Person.objects.filter(data_blocked=False).order_by("-id")[:2])
    for person, program in zip(people, (Item.Program.SCHOLARSHIP, Item.Program.STIMULUS), strict=False):
        services.item_register(actor=archivist, kind=Item.Kind.DOSSIER, program=program, person=person,
                               location=boxes[1], as_of=registered_on,
                               description="Expediente de otorgamiento")

    _restructure_one(as_of=as_of)

    def first(**filters: Any) -> Item | None:
        return (Item.objects.filter(status=ItemStatus.IN_CUSTODY, **filters)
                .select_related("note", "credit").order_by("code").first())

    # Lent to the demo collector: one on time, one overdue.
    for days_ago, due_in in ((3, 12), (25, -6)):
        item = first(kind=Item.Kind.NOTE, credit__status=Credit.Status.OVERDUE)
        if item and collector:
            services.item_check_out(actor=archivist, item=item, as_of=as_of - dt.timedelta(days=days_ago),
                                    holder_kind="gestor", holder_user=collector,
                                    purpose="Visita domiciliaria al acreditado y al aval",
                                    due_back=as_of + dt.timedelta(days=due_in))
    legal = first(kind=Item.Kind.NOTE, credit__status=Credit.Status.LEGAL)
    if legal:
        services.item_check_out(actor=archivist, item=legal, as_of=as_of - dt.timedelta(days=40),
                                holder_kind="juzgado", holder_name="Juzgado Primero de lo Civil de Hermosillo, exp. 1234/2026",
                                purpose="Demanda ejecutiva mercantil", due_back=as_of + dt.timedelta(days=320))
    agency = first(kind=Item.Kind.DOSSIER, credit__status=Credit.Status.OVERDUE)
    if agency:
        services.item_check_out(actor=archivist, item=agency, as_of=as_of - dt.timedelta(days=10),
                                holder_kind="despacho", holder_name="Despacho Valenzuela y Asociados",
                                purpose="Gestión extrajudicial", due_back=as_of + dt.timedelta(days=80))
    settled = list(Item.objects.filter(kind=Item.Kind.NOTE, status=ItemStatus.IN_CUSTODY,
                                       location=settled_box).select_related("credit", "person").order_by("code")[:2])
    if settled:
        services.item_return_to_debtor(actor=archivist, item=settled[0], as_of=as_of - dt.timedelta(days=2),
                                       received_by=settled[0].person.full_name, remark="Identificación oficial (INE)")
    if len(settled) > 1:
        services.item_cancel(actor=archivist, item=settled[1], as_of=as_of - dt.timedelta(days=1),
                             reason="Crédito liquidado; el acreditado no se presentó en 90 días")
    lost = first(kind=Item.Kind.DOSSIER, credit__status=Credit.Status.REPAYING)
    if lost:
        services.item_report_lost(actor=archivist, item=lost, as_of=as_of - dt.timedelta(days=5),
                                  reason="No se encontró en el inventario de la caja 1")
    moved = first(kind=Item.Kind.NOTE, location=drawers[0])
    if moved:
        services.item_transfer(actor=archivist, item=moved, as_of=as_of - dt.timedelta(days=1),
                               location=drawers[1], reason="Reacomodo por folio")
    # A closed inventory of drawer A-1: every item read but its last one (missing), plus one of
    # drawer A-3 read there (misplaced).
    campaign = services.campaign_open(actor=archivist, location=drawers[0], as_of=as_of - dt.timedelta(days=1))
    in_drawer = list(Item.objects.filter(location=drawers[0], status=ItemStatus.IN_CUSTODY).order_by("code"))
    for item in in_drawer[:-1]:
        services.campaign_scan(actor=archivist, campaign=campaign, code=item.code, found_at=drawers[0])
    misplaced = Item.objects.filter(location=drawers[2], status=ItemStatus.IN_CUSTODY).order_by("code").first()
    if misplaced:
        services.campaign_scan(actor=archivist, campaign=campaign, code=misplaced.code, found_at=drawers[0])
    services.campaign_close(actor=archivist, campaign=campaign, as_of=as_of - dt.timedelta(days=1))
    return {"items": Item.objects.count()}


def _restructure_one(*, as_of: dt.date) -> None:
    """Restructure one overdue credit through the agreements service, as the Subdirección would:
    its pagarés become «sustituidos» (reestructurado, to cancel) and the new pagaré waits to be
    received in the archive. Skipped when the policy refuses it."""
    from decimal import Decimal

    from recupera.agreements.services import AgreementError, agreement_propose
    from recupera.credits.models import Credit
    from recupera.engine import add_months

    officer = _user("subdireccion")
    credit = Credit.objects.filter(status=Credit.Status.OVERDUE, administrative_status="").order_by("folio").last()
    if officer is None or credit is None:
        return
    try:
        with transaction.atomic():
            agreement_propose(actor=officer, credit=credit, kind="reestructura", as_of=as_of,
                              new_rate=Decimal("0.06"), new_term_months=36,
                              first_due_date=add_months(as_of, 1),
                              reason="Reestructura de demostración")
    except AgreementError:
        return


def load_demo_custody(*, as_of: dt.date) -> dict[str, int] | None:
    """Build the demo archive; None when there is one already."""
    from recupera.custody.models import Location

    if Location.objects.exists():
        return None
    return _build(as_of=as_of)
