"""Documents of the archive: the label sheet (QR code per item) and the acknowledgment (acuse)
of each movement, rendered by credits.pdf (child process, time limit, outside transactions).

Label sheets follow the two standard sizes sold in Mexico: 30 labels of 2⅝ × 1 in on a letter
sheet (Avery 5160 layout) and 21 labels of 63.5 × 38.1 mm on an A4 sheet (Avery L7160 layout).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import segno
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from recupera.credits.pdf import html_documents_to_pdf
from recupera.custody import classification
from recupera.custody.models import Item, Movement

LABELS_MAX = 600  # labels in one PDF (20 letter sheets); a larger archive prints by location


@dataclass(frozen=True)
class Sheet:
    code: str
    label: Any
    page: str  # CSS page size
    columns: int
    rows: int
    width_mm: float
    height_mm: float
    top_mm: float
    left_mm: float
    gap_x_mm: float
    gap_y_mm: float

    @property
    def per_page(self) -> int:
        return self.columns * self.rows


SHEETS = {
    "carta-30": Sheet("carta-30", _("Carta, 30 etiquetas de 6.67 × 2.54 cm (tipo 5160)"), "letter",
                      3, 10, 66.675, 25.4, 12.7, 4.7625, 3.175, 0.0),
    "a4-21": Sheet("a4-21", _("A4, 21 etiquetas de 6.35 × 3.81 cm (tipo L7160)"), "A4",
                   3, 7, 63.5, 38.1, 15.15, 7.2, 2.5, 0.0),
}
DEFAULT_SHEET = "carta-30"


def qr_data_uri(text: str) -> str:
    """The QR code of `text` as a PNG data URI: 8 pixels a module (about 280 dpi at 21 mm),
    drawn without smoothing (`image-rendering: pixelated`). A PNG of a few hundred bytes renders
    far faster in WeasyPrint than the same code as SVG."""
    return segno.make(text, error="m", micro=False).png_data_uri(scale=8, border=2)


def _person_name(item: Item) -> str:
    if getattr(item.person, "data_blocked", False):
        return str(_("Datos bloqueados"))
    return item.person.full_name


def label_of(item: Item) -> dict[str, Any]:
    if item.kind == Item.Kind.NOTE:
        title = f"{_('Pagaré')} {item.note.number}"
    else:
        title = f"{_('Expediente')} · {item.get_program_display()}"
    return {"code": item.code, "qr": qr_data_uri(item.code), "title": title,
            "folio": item.credit.folio if item.credit_id else "", "person": _person_name(item),
            "place": item.location.code}


def labels_html(items: Sequence[Item], *, sheet: str = DEFAULT_SHEET, skip: int = 0) -> str:
    """The label sheet's HTML; `skip` leaves the first labels of the first sheet blank (a
    half-used sheet goes back into the printer)."""
    spec = SHEETS[sheet]
    cells: list[dict[str, Any] | None] = [None] * max(0, min(skip, spec.per_page - 1))
    cells += [label_of(item) for item in items]
    pages = []
    for start in range(0, len(cells), spec.per_page):
        chunk = cells[start:start + spec.per_page]
        placed = []
        for i, cell in enumerate(chunk):
            row, col = divmod(i, spec.columns)
            placed.append({"cell": cell,
                           "left": round(spec.left_mm + col * (spec.width_mm + spec.gap_x_mm), 3),
                           "top": round(spec.top_mm + row * (spec.height_mm + spec.gap_y_mm), 3)})
        pages.append(placed)
    return render_to_string("custody/pdf/labels.html", {"sheet": spec, "pages": pages,
                                                         "document_title": _("Etiquetas del archivo")})


def labels_pdf(items: Sequence[Item], *, sheet: str = DEFAULT_SHEET, skip: int = 0) -> bytes:
    return html_documents_to_pdf([labels_html(items, sheet=sheet, skip=skip)])


TITLES = {
    Movement.Kind.REGISTER: _("Acuse de ingreso al archivo"),
    Movement.Kind.CHECK_OUT: _("Acuse de préstamo"),
    Movement.Kind.CHECK_IN: _("Acuse de devolución al archivo"),
    Movement.Kind.TRANSFER: _("Acuse de traslado"),
    Movement.Kind.RETURN_TO_DEBTOR: _("Acuse de devolución de pagaré"),
    Movement.Kind.CANCEL: _("Acta de cancelación de pagaré"),
    Movement.Kind.LOSS: _("Acta de extravío"),
}


def settlement_letter_agreement(item: Item) -> Any:
    """The fulfilled settlement (liquidación) of the item's credit, whose letter goes with the
    returned pagaré; None when the credit was paid off without one."""
    from recupera.agreements.models import Agreement

    if not item.credit_id:
        return None
    return (Agreement.objects.filter(credit_id=item.credit_id, kind=Agreement.Kind.SETTLEMENT,
                                     status=Agreement.Status.FULFILLED)
            .select_related("credit", "credit__borrower").order_by("-closed_on", "-pk").first())


def movement_context(movement: Movement) -> dict[str, Any]:
    from recupera.core.words import amount_in_figures_and_words

    item = (Item.objects.select_related("credit", "note", "person", "location")
            .get(pk=movement.item_id))
    klass = classification.of_item(item)
    return {
        "movement": movement, "item": item, "person_name": _person_name(item),
        "classification": classification.label(klass),
        "note_amount_words": amount_in_figures_and_words(item.note.amount) if item.note_id else "",
        "qr": qr_data_uri(item.code), "document_title": TITLES[movement.kind],
        "generated_at": timezone.localtime(),
        "from_location": movement.from_location, "to_location": movement.to_location,
    }


def movement_pdf(movement: Movement) -> bytes:
    """The acuse of a movement; a pagaré returned to the debtor carries the settlement letter
    (carta de finiquito) after it when the credit was settled through a liquidación."""
    context = movement_context(movement)
    htmls = [render_to_string("custody/pdf/acuse.html", context)]
    if movement.kind == Movement.Kind.RETURN_TO_DEBTOR:
        agreement = settlement_letter_agreement(context["item"])
        if agreement is not None:
            from recupera.agreements.documents import document_context

            letter = document_context(agreement)
            htmls.append(render_to_string(letter.pop("template"), letter))
    return html_documents_to_pdf(htmls)
