"""`recupera custody …` and the REST API of the archive."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command

from recupera.core.services import business_date_set
from recupera.custody import services
from recupera.custody.models import Movement

from .conftest import AS_OF

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _business_date(db):
    business_date_set(actor=None, business_date=AS_OF)


def test_cli_labels_pdf_and_refusals(note_item, tmp_path, capsys):
    out = tmp_path / "etiquetas.pdf"
    call_command("custody", "labels", "--pdf", str(out), "--location", "ac-s1-g1")
    assert out.read_bytes().startswith(b"%PDF-")
    assert "1 etiquetas en" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No hay una ubicación con la clave «ZZ»."):
        call_command("custody", "labels", "--pdf", str(out), "--location", "ZZ")
    with pytest.raises(CommandError, match="No hay documentos en resguardo en esa ubicación."):
        call_command("custody", "labels", "--pdf", str(out), "--location", "AC-S1-G2")


def test_cli_overdue_exits_one_with_the_loans(note_item, archivist, collector, capsys):
    services.item_check_out(actor=archivist, item=note_item, as_of=AS_OF, holder_kind="gestor",
                            holder_user=collector, purpose="Visita", due_back=AS_OF + dt.timedelta(days=3))
    call_command("custody", "overdue", "--date", "2024-06-23")
    assert "Ningún préstamo vencido." in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_:
        call_command("custody", "overdue", "--date", "2024-06-25", "--json")
    assert exit_.value.code == 1
    data = json.loads(capsys.readouterr().out)
    assert data["loans"] == [{"code": note_item.code, "folio": "T-00001", "status": "prestado", "holder_kind": "gestor",
                              "holder": "Lucía", "out_since": "2024-06-20", "due_back": "2024-06-23", "days_late": 2}]


def test_cli_export_xlsx(note_item, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "inventario.xlsx"
    call_command("custody", "export", "--xlsx", str(out))
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[2][0] == note_item.code and len(rows) == 3


def test_api_list_detail_and_movements(api_client_for, archivist, note_item, collector, auditor):
    api = api_client_for(archivist)
    rows = api.get("/api/v1/custody/items/?classification=vencido").json()
    assert rows == [{"code": note_item.code, "kind": "pagare", "program": "credito", "folio": "T-00001",
                     "note_number": "P-T-00001-1", "note_amount": "12000.00", "note_status": "vigente",
                     "person": "Ana López Mendoza", "classification": "vencido", "status": "en_resguardo",
                     "location": "AC-S1-G1-C1", "holder_kind": "", "holder_name": "", "out_since": None,
                     "due_back": None}]
    assert api.get("/api/v1/custody/items/?classification=finiquitado").json() == []
    url = f"/api/v1/custody/items/{note_item.code}/movements/"
    created = api.post(url, {"kind": "prestamo", "holder_kind": "gestor", "holder_username": collector.username,
                             "purpose": "Visita", "due_back": "2024-06-27"}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["status_after"] == "prestado" and created.json()["holder_name"] == "Lucía"
    twice = api.post(url, {"kind": "prestamo", "holder_kind": "juridico", "holder_name": "Lic. Ruiz",
                           "purpose": "Demanda", "due_back": "2024-06-27"}, format="json")
    assert twice.status_code == 400
    assert "antes de prestarlo otra vez" in twice.json()["detail"][0]
    detail = api.get(f"/api/v1/custody/items/{note_item.code.lower()}/").json()
    assert [m["kind"] for m in detail["movements"]] == ["alta", "prestamo"]
    assert api_client_for(auditor).post(url, {"kind": "reintegro"}, format="json").status_code == 403
    assert api_client_for(collector).get("/api/v1/custody/items/").status_code == 403
    assert api.post(url, {"kind": "reintegro", "location": "AC-S1-G2-X1"}, format="json").status_code == 201
    assert Movement.objects.filter(item=note_item).count() == 3
    locations = {r["code"]: r for r in api.get("/api/v1/custody/locations/").json()}
    assert locations["AC-S1-G2-X1"]["items_here"] == 1 and locations["AC"]["items_total"] == 1
    assert api.get("/api/v1/custody/items/RES-9999999/").status_code == 404
