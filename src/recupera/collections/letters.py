"""Courteous collection letters (PDF, WeasyPrint) from an editable template.

The envelope side — the address block and every running header and footer — says nothing about
a debt (docs/domain.md §5): the document title is a neutral "Comunicado personal" and the debt is
mentioned only inside the letter's body.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import timezone

from recupera.collections.conduct import LETTER
from recupera.collections.models import Case, LetterBatch, LetterTemplate
from recupera.core.audit import audit_record
from recupera.core.money import format_mxn
from recupera.core.words import amount_in_words

MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
          "octubre", "noviembre", "diciembre")
NEUTRAL_TITLE = "Comunicado personal"


def long_date(d: dt.date) -> str:
    return f"{d.day} de {MONTHS[d.month - 1]} de {d.year}"


def _address_lines(person: Any) -> tuple[str, str]:
    """(address lines, city) of the person's current address."""
    address = None
    for candidate in getattr(person, "current_addresses", None) or []:
        address = candidate
        break
    if address is None:
        address = person.addresses.filter(is_current=True).select_related("municipality").first()
    if address is None:
        return "", "Hermosillo"
    city = address.municipality.name if address.municipality_id else address.municipality_name
    first = " ".join(p for p in (address.street, address.number) if p)
    lines = [first, f"Col. {address.neighborhood}" if address.neighborhood else "",
             " ".join(p for p in (f"C.P. {address.postal_code}" if address.postal_code else "",
                                  city, "Sonora") if p)]
    return "\n".join(line for line in lines if line), city or "Hermosillo"


def letter_context(case: Case, *, as_of: dt.date) -> dict[str, str]:
    """The variables a letter template may use (all plain strings)."""
    credit = case.credit
    borrower = credit.borrower
    address, city = _address_lines(borrower)
    try:
        from recupera.payments.references import payment_reference_for

        reference = payment_reference_for(credit)
    except Exception:  # noqa: BLE001 - the reference is helpful, not essential to the letter
        reference = credit.folio
    collector = case.collector
    return {
        "borrower_name": borrower.full_name, "address_lines": address, "city": city,
        "folio": credit.folio, "today_long": long_date(as_of), "as_of_long": long_date(as_of),
        "total_overdue": format_mxn(credit.total_overdue),
        "total_overdue_words": amount_in_words(credit.total_overdue),
        "payoff_amount": format_mxn(credit.payoff_amount),
        "payment_reference": reference,
        "collector_name": (collector.get_full_name() or collector.username) if collector else "",
    }


def letter_html(case: Case, template: LetterTemplate, *, as_of: dt.date) -> str:
    values = letter_context(case, as_of=as_of)
    body = Template(template.body).render(Context(values, autoescape=True))
    return render_to_string("collections/pdf/letter.html", {
        "document_title": NEUTRAL_TITLE, "generated_at": timezone.now(), "body": body,
        "values": values})


def letter_refusal(case: Case) -> str:
    """Why the case's borrower may not be sent a letter ("" when they may)."""
    borrower = case.credit.borrower
    if borrower.data_blocked:
        return ("Los datos del acreditado están bloqueados (solicitud de cancelación): no se le "
                "envían cartas.")
    if borrower.contact_oppositions.filter(channel=LETTER).exists():
        return ("El acreditado ejerció su derecho de oposición al contacto por cartas (lo registró "
                "Protección de Datos Personales): no se le envía esta carta.")
    return ""


def _default_template() -> LetterTemplate:
    template = LetterTemplate.objects.filter(active=True).order_by("pk").first()
    if template is None:
        raise LetterTemplate.DoesNotExist("No hay plantilla de carta vigente.")
    return template


def case_letter_pdf(*, actor: Any, case: Case, as_of: dt.date,
                    template: LetterTemplate | None = None) -> bytes:
    """The letter as PDF, rendered outside any transaction (credits/pdf.py: time limit, no
    locks held); the audit row is written after, in its own transaction."""
    from recupera.credits.pdf import html_to_pdf

    refusal = letter_refusal(case)
    if refusal:
        from recupera.credits.pdf import PdfError

        raise PdfError(refusal)
    template = template or _default_template()
    pdf = html_to_pdf(letter_html(case, template, as_of=as_of))
    with transaction.atomic():
        audit_record(actor=actor, action="carta.generar", obj=case, after={"template": template.pk})
    return pdf


def letter_cases(filters: dict[str, Any]) -> Any:
    """Open cases matching the filters whose borrower may get a letter: not one whose data is
    blocked (ARCO cancellation) nor one who objected to letters (ARCO opposition)."""
    qs = (Case.objects.filter(status=Case.Status.OPEN)
          .exclude(credit__borrower__data_blocked=True)
          .exclude(credit__borrower__contact_oppositions__channel=LETTER))
    if filters.get("stage"):
        qs = qs.filter(stage=filters["stage"])
    if filters.get("collector"):
        qs = qs.filter(collector=filters["collector"])
    if filters.get("dpd_min") is not None:
        qs = qs.filter(credit__days_past_due__gte=filters["dpd_min"])
    return qs.order_by("credit__folio")


@transaction.atomic
def letter_batch_start(*, actor: Any, filters: dict[str, Any]) -> LetterBatch:
    """Store the filtered set and queue the background task (the page polls its progress)."""
    from recupera.collections.tasks import generate_letters

    ids = list(letter_cases(filters).values_list("pk", flat=True))
    batch = LetterBatch.objects.create(template=filters["template"], case_ids=ids, total=len(ids),
                                       created_by=actor)
    audit_record(actor=actor, action="cartas.lote", obj=batch, after={"total": len(ids)})
    transaction.on_commit(lambda: generate_letters.enqueue(batch.pk))
    return batch


def batch_path(batch: LetterBatch) -> Path:
    return Path(settings.MEDIA_ROOT) / "cartas" / f"lote-{batch.pk}.pdf"


def letter_batch_generate(*, batch_id: int, as_of: dt.date) -> LetterBatch:
    """Render every letter of the batch (progress saved every few letters) into one PDF, in a
    child process with a time limit per letter (credits/pdf.py), outside any transaction."""
    from recupera.credits.pdf import html_documents_to_pdf

    batch = LetterBatch.objects.select_related("template").get(pk=batch_id)
    LetterBatch.objects.filter(pk=batch.pk).update(status=LetterBatch.Status.RUNNING, done=0)
    try:
        cases = Case.objects.filter(pk__in=batch.case_ids).select_related(
            "credit", "credit__borrower", "collector").order_by("credit__folio")
        htmls = [letter_html(case, batch.template, as_of=as_of) for case in cases]

        def progress(n: int) -> None:
            if n % 10 == 0:
                LetterBatch.objects.filter(pk=batch.pk).update(done=n)

        pdf = html_documents_to_pdf(htmls, progress=progress) if htmls else b""
        path = batch_path(batch)
        path.parent.mkdir(parents=True, exist_ok=True)
        if htmls:
            path.write_bytes(pdf)
        LetterBatch.objects.filter(pk=batch.pk).update(
            done=len(htmls), status=LetterBatch.Status.DONE, file=str(path))
    except Exception as exc:  # noqa: BLE001 - the page shows the failure instead of a spinner
        LetterBatch.objects.filter(pk=batch.pk).update(status=LetterBatch.Status.FAILED, error=str(exc)[:2000])
        raise
    batch.refresh_from_db()
    return batch


def batch_pdf_bytes(batch: LetterBatch) -> bytes:
    return Path(batch.file).read_bytes()
