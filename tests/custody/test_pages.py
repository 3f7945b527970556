"""The archive's screens: what the archive and the others see, movement forms with their Spanish
refusals, scanned copies (limits, checksum, logged viewing), the Excel export, and pinned query
counts for the list pages."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from recupera.core.services import business_date_set
from recupera.custody import services
from recupera.custody.models import DigitalCopy, InventoryCampaign, Item, Movement

from .conftest import AS_OF

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
QUERIES_DASHBOARD = 20  # the near-prescription list reads the legal clock: candidates, then their pagarés
QUERIES_LIST = 8
QUERIES_ITEM = 10  # + the pagaré's legal clock


@pytest.fixture(autouse=True)
def _business_date(db):
    business_date_set(actor=None, business_date=AS_OF)


def _more_items(credit_factory, archive, archivist, n=3):
    for i in range(n):
        credit = credit_factory(amounts=("5000.00",), disbursed_on=dt.date(2024, 1, 15), as_of=AS_OF)
        for note in credit.notes.all():
            services.item_register(actor=archivist, kind="pagare", note=note, location=archive["C2"], as_of=AS_OF)
        services.item_register(actor=archivist, kind="expediente", credit=credit, location=archive["X1"],
                               as_of=AS_OF, description=f"Expediente {i}")


def test_dashboard_counts_and_lists_in_fixed_queries(client_for, archivist, note_item, archive, collector,
                                                     make_credit, django_assert_num_queries):
    services.item_check_out(actor=archivist, item=note_item, as_of=AS_OF - dt.timedelta(days=20),
                            holder_kind="gestor", holder_user=collector, purpose="Visita",
                            due_back=AS_OF - dt.timedelta(days=4))
    client = client_for(archivist)
    url = reverse("custody:dashboard")
    client.get(url)
    with django_assert_num_queries(QUERIES_DASHBOARD):
        page = client.get(url).content.decode()
    assert "1 documento en el archivo" in page
    assert "Préstamos vencidos" in page and note_item.code in page and "Lucía" in page
    assert "<td>16/06/2024</td><td class=\"num\">4</td>" in page
    _more_items(make_credit, archive, archivist)
    with django_assert_num_queries(QUERIES_DASHBOARD):
        page = client.get(url).content.decode()
    assert "7 documentos en el archivo" in page


def test_item_list_filters_and_query_count(client_for, archivist, note_item, archive, make_credit,
                                           django_assert_num_queries):
    _more_items(make_credit, archive, archivist, n=2)
    client = client_for(archivist)
    url = reverse("custody:items") + "?clase=vencido"
    client.get(url)
    with django_assert_num_queries(QUERIES_LIST):
        page = client.get(url).content.decode()
    assert note_item.code in page and "1 documento" in page
    all_page = client.get(reverse("custody:items")).content.decode()
    assert "5 documentos" in all_page
    _more_items(make_credit, archive, archivist, n=2)
    with django_assert_num_queries(QUERIES_LIST):
        client.get(url)


def test_item_page_history_and_query_count(client_for, archivist, note_item, collector,
                                           django_assert_num_queries):
    services.item_check_out(actor=archivist, item=note_item, as_of=AS_OF, holder_kind="gestor",
                            holder_user=collector, purpose="Visita al aval", due_back=AS_OF + dt.timedelta(days=7))
    client = client_for(archivist)
    url = reverse("custody:item", args=[note_item.code])
    client.get(url)
    with django_assert_num_queries(QUERIES_ITEM):
        page = client.get(url).content.decode()
    assert "Fuera del archivo: en poder de Lucía (gestor de cobranza) desde el 20/06/2024; debe volver el 27/06/2024." in page
    assert "Ingreso al archivo" in page and "Préstamo" in page and "Visita al aval" in page
    assert "Recibir de vuelta" in page and "Clasificación" in page and "Vencido" in page


def test_check_out_form_then_double_check_out_refused_on_screen(client_for, archivist, note_item, collector):
    client = client_for(archivist)
    url = reverse("custody:movement", args=[note_item.code, "prestamo"])
    data = {"holder_kind": "gestor", "holder_user": collector.pk, "purpose": "Visita",
            "due_back": "2024-06-30"}
    response = client.post(url, data, follow=True)
    assert "Préstamo registrado con el folio MOV-" in response.content.decode()
    again = client.post(url, {**data, "holder_kind": "juridico", "holder_name": "Lic. Ruiz"}).content.decode()
    assert ("está fuera del archivo (prestado, en poder de Lucía desde el 20/06/2024). Regístrelo de "
            "vuelta en el archivo antes de prestarlo otra vez.") in again
    assert Movement.objects.filter(item=note_item, kind="prestamo").count() == 1


def test_movement_forms_are_for_the_archive_only(client_for, note_item, collector, auditor):
    url = reverse("custody:movement", args=[note_item.code, "prestamo"])
    assert client_for(collector).get(url).status_code == 403
    assert client_for(auditor).get(url).status_code == 403
    assert client_for(auditor).get(reverse("custody:item", args=[note_item.code])).status_code == 200
    assert client_for(collector).get(reverse("custody:dashboard")).status_code == 403


def test_collector_sees_the_documents_lent_to_them(client_for, archivist, note_item, collector):
    services.item_check_out(actor=archivist, item=note_item, as_of=AS_OF - dt.timedelta(days=9),
                            holder_kind="gestor", holder_user=collector, purpose="Visita",
                            due_back=AS_OF - dt.timedelta(days=1))
    page = client_for(collector).get(reverse("custody:my_loans")).content.decode()
    assert note_item.code in page and "19/06/2024" in page and "Vencido: devuélvalo al archivo" in page
    assert "Documentos en mi poder" in client_for(collector).get(reverse("home")).content.decode()


def test_transfer_and_lost_forms(client_for, archivist, note_item, archive):
    client = client_for(archivist)
    client.post(reverse("custody:movement", args=[note_item.code, "traslado"]),
                {"location": archive["X1"].pk, "reason": "Reacomodo"})
    note_item.refresh_from_db()
    assert note_item.location == archive["X1"]
    client.post(reverse("custody:movement", args=[note_item.code, "extravio"]), {"reason": "No aparece"})
    note_item.refresh_from_db()
    assert note_item.status == "extraviado"
    page = client.get(reverse("custody:item", args=[note_item.code])).content.decode()
    assert "Extraviado" in page and "Prestar" not in page


def test_export_xlsx_neutralises_formulas(client_for, archivist, note_item):
    from openpyxl import load_workbook

    from recupera.people.models import Person

    Person.objects.filter(pk=note_item.person_id).update(first_name="=HYPERLINK(\"x\")")
    response = client_for(archivist).get(reverse("custody:items") + "?formato=xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="inventario-archivo-20240620.xlsx"'
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "Inventario del archivo al 20/06/2024"
    assert rows[1][:4] == ("Código", "Tipo", "Programa", "Folio")
    code, kind, program, folio, number, amount, person, klass, status, place = rows[2][:10]
    assert (code, kind, folio, amount, klass, status, place) == (
        note_item.code, "Pagaré", "T-00001", 12000, "Vencido", "En resguardo", "AC-S1-G1-C1")
    assert person.startswith("'=HYPERLINK")


def test_scanned_copy_checksum_limits_and_logged_view(client_for, archivist, note_item, auditor, settings, tmp_path):
    import hashlib

    from recupera.people.models import PersonViewLog

    settings.MEDIA_ROOT = tmp_path
    client = client_for(archivist)
    url = reverse("custody:copy_upload", args=[note_item.code])
    page = client.post(url, {"file": SimpleUploadedFile("pagare.pdf", PDF_BYTES, "application/pdf"),
                             "description": "Anverso y reverso"}, follow=True).content.decode()
    assert "Copia digital «pagare.pdf» guardada." in page
    copy = DigitalCopy.objects.get(item=note_item)
    assert copy.sha256 == hashlib.sha256(PDF_BYTES).hexdigest() and copy.size == len(PDF_BYTES)
    again = client.post(url, {"file": SimpleUploadedFile("otra.pdf", PDF_BYTES)}, follow=True).content.decode()
    assert "«otra.pdf» ya se había adjuntado a este documento." in again
    fake = client.post(url, {"file": SimpleUploadedFile("foto.pdf", b"\x89PNG\r\n\x1a\nxxxx")}, follow=True)
    assert "«foto.pdf» no es un archivo PDF válido (su contenido no corresponde a la extensión)." in fake.content.decode()
    exe = client.post(url, {"file": SimpleUploadedFile("virus.exe", b"MZ")}, follow=True)
    assert "«virus.exe»: solo se aceptan PDF, JPG, PNG o TIFF." in exe.content.decode()
    assert DigitalCopy.objects.count() == 1
    view = client_for(auditor).get(reverse("custody:copy", args=[copy.pk]))
    assert view.status_code == 200 and view.content == PDF_BYTES and view["Content-Type"] == "application/pdf"
    log = PersonViewLog.objects.get(what="resguardo.copia")
    assert (log.person_id, log.username, log.fields) == (note_item.person_id, "auditor1", f"{note_item.code}: pagare.pdf")


def test_copy_size_limit(archivist, note_item, monkeypatch):
    from django.core.exceptions import ValidationError

    monkeypatch.setattr(services, "COPY_MAX_BYTES", 1024 * 1024)
    big = SimpleUploadedFile("grande.pdf", b"%PDF-" + b"0" * (1024 * 1024 + 10))
    with pytest.raises(ValidationError, match="«grande.pdf» pesa 1.0 MB; el límite es 1 MB."):
        services.copy_attach(actor=archivist, item=note_item, upload=big)


def test_copy_of_a_blocked_person_is_not_shown(client_for, archivist, note_item, settings, tmp_path):
    from recupera.people.models import Person

    settings.MEDIA_ROOT = tmp_path
    copy = services.copy_attach(actor=archivist, item=note_item, upload=SimpleUploadedFile("p.pdf", PDF_BYTES))
    Person.objects.filter(pk=note_item.person_id).update(data_blocked=True)
    assert client_for(archivist).get(reverse("custody:copy", args=[copy.pk])).status_code == 403
    page = client_for(archivist).get(reverse("custody:item", args=[note_item.code])).content.decode()
    assert "Datos bloqueados" in page


def test_location_browser_and_new_location(client_for, archivist, note_item, archive):
    client = client_for(archivist)
    page = client.get(reverse("custody:locations")).content.decode()
    assert "Cajón 1" in page and "AC-S1-G1-C1" in page
    bad = client.post(reverse("custody:locations"), {"code": "AC-S1-G1-C9", "name": "Cajón 9", "kind": "cajon",
                                                     "parent": archive["S1"].pk}).content.decode()
    assert "Un(a) cajón va dentro de: gabinete." in bad
    client.post(reverse("custody:locations"), {"code": "ac-s1-g1-c3", "name": "Cajón 3", "kind": "cajon",
                                               "parent": archive["G1"].pk})
    detail = client.get(reverse("custody:location", args=["AC-S1-G1-C3"])).content.decode()
    assert "Cajón 3" in detail and "Archivo central" in detail
    g1 = client.get(reverse("custody:location", args=["AC-S1-G1"])).content.decode()
    assert "1 documento en resguardo aquí y dentro" in g1


def test_scan_page_report_through_the_form(client_for, archivist, note_item, archive, make_credit):
    _more_items(make_credit, archive, archivist, n=1)
    client = client_for(archivist)
    client.post(reverse("custody:campaigns"), {"location": archive["G1"].pk})
    campaign = InventoryCampaign.objects.get()
    url = reverse("custody:campaign", args=[campaign.pk])
    other = Item.objects.filter(location=archive["C2"]).first()
    page = client.post(url, {"code": other.code.lower(), "found_at": archive["C1"].pk}).content.decode()
    assert f"{other.code} está fuera de lugar: su lugar es AC-S1-G1-C2." in page
    page = client.post(url, {"code": note_item.code, "found_at": archive["C1"].pk}).content.decode()
    assert f"{note_item.code} en su lugar." in page
    page = client.post(url, {"code": "ABC-123", "found_at": archive["C1"].pk}).content.decode()
    assert "Código desconocido: ABC-123 no es una etiqueta del archivo." in page
    client.post(reverse("custody:campaign_close", args=[campaign.pk]))
    campaign.refresh_from_db()
    assert campaign.status == "cerrada"
    assert {k: campaign.result[k] for k in ("expected", "found", "misplaced", "unexpected", "unknown", "missing")} == {
        "expected": 2, "found": 1, "misplaced": 1, "unexpected": 0, "unknown": 1, "missing": 0}
    closed = client.post(url, {"code": note_item.code, "found_at": archive["C1"].pk})
    assert closed.status_code == 200 and "Escanee la etiqueta" not in closed.content.decode()


def test_register_new_pagares_from_the_dashboard(client_for, archivist, overdue_credit, archive):
    client = client_for(archivist)
    notes = list(overdue_credit.notes.order_by("pk"))
    page = client.get(reverse("custody:dashboard")).content.decode()
    assert "2 pagarés de ministraciones o reestructuras aún no tienen lugar en el archivo" in page
    page = client.post(reverse("custody:notes_register"), {"note": [notes[0].pk], "location": archive["C1"].pk},
                       follow=True).content.decode()
    assert "1 pagaré(s) ingresados al archivo: RES-" in page
    assert Item.objects.get().note == notes[0]


@pytest.mark.parametrize(("name", "queries"), [("custody:locations", 8), ("custody:campaigns", 7),
                                               ("custody:my_loans", 6)])
def test_other_list_pages_query_counts(client_for, archivist, collector, note_item, archive, make_credit,
                                       django_assert_num_queries, name, queries):
    user = collector if name == "custody:my_loans" else archivist
    services.campaign_open(actor=archivist, location=archive["C1"], as_of=AS_OF)
    services.item_check_out(actor=archivist, item=note_item, as_of=AS_OF, holder_kind="gestor",
                            holder_user=collector, purpose="Visita", due_back=AS_OF + dt.timedelta(days=3))
    client = client_for(user)
    client.get(reverse(name))
    with django_assert_num_queries(queries):
        assert client.get(reverse(name)).status_code == 200
    _more_items(make_credit, archive, archivist, n=2)
    services.campaign_open(actor=archivist, location=archive["C2"], as_of=AS_OF)
    for item in Item.objects.filter(status="en_resguardo"):
        services.item_check_out(actor=archivist, item=item, as_of=AS_OF, holder_kind="gestor",
                                holder_user=collector, purpose="Visita", due_back=AS_OF + dt.timedelta(days=3))
    with django_assert_num_queries(queries):
        assert client.get(reverse(name)).status_code == 200
