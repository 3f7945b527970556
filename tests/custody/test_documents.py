"""The label sheet and the acknowledgments (acuses) as PDFs: rendered to PNG with pdftoppm and
their QR codes read back with zbarimg, which must give the item's code; the texts with pdftotext."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from recupera.agreements import services as agreements
from recupera.custody import documents, selectors, services

from .conftest import AS_OF

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(any(shutil.which(t) is None for t in ("pdftoppm", "zbarimg", "pdftotext")),
                       reason="pdftoppm, pdftotext (poppler-utils) o zbarimg (zbar-tools) no están instalados"),
]


def _codes(pdf: bytes, tmp_path: Path, name: str) -> list[str]:
    """The QR codes zbarimg reads on the PDF's pages rendered at 150 dpi."""
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(source), str(tmp_path / name)], check=True)
    found = []
    for png in sorted(tmp_path.glob(f"{name}-*.png")):
        out = subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True, text=True)
        found.extend(line for line in out.stdout.splitlines() if line)
    return found


def _text(pdf: bytes, tmp_path: Path, name: str) -> str:
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(source), "-"], capture_output=True, text=True,
                          check=True).stdout


def _pages(pdf: bytes, tmp_path: Path, name: str) -> int:
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(source)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.mark.parametrize("sheet", ["carta-30", "a4-21"])
def test_label_sheet_codes_decode_to_the_items(note_item, archive, archivist, make_credit, tmp_path, sheet):
    for _ in range(2):
        credit = make_credit(amounts=("5000.00", "5000.00"), disbursed_on=dt.date(2023, 1, 15), as_of=AS_OF)
        for note in credit.notes.all():
            services.item_register(actor=archivist, kind="pagare", note=note, location=archive["C2"], as_of=AS_OF)
    items = list(selectors.items_filter())
    pdf = documents.labels_pdf(items, sheet=sheet, skip=2)
    assert sorted(_codes(pdf, tmp_path, sheet)) == sorted(i.code for i in items)
    text = _text(pdf, tmp_path, sheet)
    assert f"Pagaré P-{note_item.credit.folio}-1" in text and "Ana López Mendoza" in text
    assert "Lugar AC-S1-G1-C1" in text


def test_label_sheet_of_more_than_a_page(note_item, tmp_path):
    pdf = documents.labels_pdf([note_item] * 31, sheet="carta-30")
    assert _pages(pdf, tmp_path, "two") == 2


def test_check_out_acuse_names_holder_and_date_and_its_code_decodes(note_item, archivist, collector, tmp_path):
    movement = services.item_check_out(actor=archivist, item=note_item, as_of=AS_OF, holder_kind="gestor",
                                       holder_user=collector, purpose="Visita al aval",
                                       due_back=AS_OF + dt.timedelta(days=10))
    pdf = documents.movement_pdf(movement)
    assert _codes(pdf, tmp_path, "acuse") == [note_item.code]
    text = " ".join(_text(pdf, tmp_path, "acuse").split())
    assert "ACUSE DE PRÉSTAMO" in text and movement.folio in text
    assert "Lucía (gestor de cobranza) recibe del Área de Resguardo y Archivo, en préstamo" in text
    assert "a más tardar el 30/06/2024" in text
    assert "$12,000.00 (DOCE MIL PESOS 00/100 M.N.)" in text and "Vencido" in text


def test_return_acuse_carries_the_settlement_letter(note_item, archivist, supervisor, tmp_path):
    agreement = agreements.agreement_propose(actor=supervisor, credit=note_item.credit, kind="liquidacion",
                                             as_of=AS_OF, late_interest_pct=100, interest_pct=25)
    agreements.settlement_pay(actor=supervisor, agreement=agreement, value_date=AS_OF, channel="caja",
                              natural_key="caja:acuse", as_of=AS_OF)
    movement = services.item_return_to_debtor(actor=archivist, item=note_item, as_of=AS_OF,
                                              received_by="Ana López García")
    pdf = documents.movement_pdf(movement)
    assert _pages(pdf, tmp_path, "devolucion") == 2
    text = " ".join(_text(pdf, tmp_path, "devolucion").split())
    assert "ACUSE DE DEVOLUCIÓN DE PAGARÉ" in text and "que quedó finiquitado" in text
    assert "Recibe: Ana López García" in text
    assert "CARTA DE FINIQUITO" in text and "quedó totalmente liquidado" in text
    assert _codes(pdf, tmp_path, "devolucion") == [note_item.code]


@pytest.mark.parametrize("kind", ["reintegro", "traslado", "extravio"])
def test_other_acuses(note_item, archive, archivist, tmp_path, kind):
    if kind == "reintegro":
        services.item_check_out(actor=archivist, item=note_item, as_of=AS_OF, holder_kind="juzgado",
                                holder_name="Juzgado Primero Civil", purpose="Demanda",
                                due_back=AS_OF + dt.timedelta(days=100))
        movement = services.item_check_in(actor=archivist, item=note_item, as_of=AS_OF)
        expected = "recibe de Juzgado Primero Civil el documento descrito"
    elif kind == "traslado":
        movement = services.item_transfer(actor=archivist, item=note_item, as_of=AS_OF, location=archive["X1"])
        expected = "A: AC-S1-G2-X1 · Caja de finiquitos"
    else:
        movement = services.item_report_lost(actor=archivist, item=note_item, as_of=AS_OF, reason="Inundación")
        expected = "se registra como extraviado"
    text = " ".join(_text(documents.movement_pdf(movement), tmp_path, kind).split())
    assert expected in text and movement.folio in text
