"""Spanish labels for what the engine says in English, and the person-page credits fragment.

    {% load credit_ui %}
    {{ installment.status|installment_status }}   -> "pagada con atraso"
    {{ allocation.component|component_label }}     -> "interés moratorio"
    {{ state.bucket|bucket_label }}                -> "31–60 días"
    {{ terms.base_rate|percent }}                  -> "6.00 %"
    {{ installment|schedule_row }}                 -> the installment's <tr> in the schedule
    {% movement_row movement %}                    -> the movement's <tr> in credits/_movements.html
    {% disbursement_row disbursement note %}       -> a <tr> of credits/_disbursements.html
    {% person_credits person %}                    -> credits/_person_credits.html
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from recupera.core.templatetags.recupera import dmy, money
from recupera.credits.models import Credit

register = template.Library()

INSTALLMENT_STATUS = {
    "pending": (_("pendiente"), ""),
    "partial": (_("parcial"), "warn"),
    "paid": (_("pagada"), "ok"),
    "paid_late": (_("pagada con atraso"), "ok late"),
    "overdue": (_("vencida"), "bad"),
    "cancelled": (_("cancelada"), "off"),
}

# Badge colour of a credit's displayed status (Credit.Status values).
STATUS_BADGE = {
    "vencido": "bad", "juridico": "bad", "castigado": "bad",
    "amortizacion": "ok", "liquidado": "ok",
    "convenio": "warn", "reestructurado": "warn",
}

COMPONENTS = {
    "fees": _("gastos de cobranza"),
    "late_interest": _("interés moratorio"),
    "interest": _("interés ordinario"),
    "principal": _("capital"),
    "rebate": _("bonificación"),
    "credit_balance": _("saldo a favor"),
    "prepaid_principal": _("pago anticipado a capital"),
    "restructured_principal": _("capital reestructurado"),
    "discount_principal": _("quita de capital"),
    "discount_interest": _("quita de interés ordinario"),
    "discount_late_interest": _("condonación de interés moratorio"),
    "discount_fees": _("condonación de gastos de cobranza"),
    "capitalized_interest": _("interés ordinario capitalizado"),
    "capitalized_late_interest": _("interés moratorio capitalizado"),
    "capitalized_fees": _("gastos de cobranza capitalizados"),
    "waived_interest": _("interés ordinario condonado"),
    "waived_late_interest": _("interés moratorio condonado"),
    "waived_fees": _("gastos de cobranza condonados"),
    "waived_principal": _("capital condonado"),
    "writeoff_principal": _("capital castigado"),
    "writeoff_interest": _("interés ordinario castigado"),
    "writeoff_late_interest": _("interés moratorio castigado"),
    "writeoff_fees": _("gastos de cobranza castigados"),
    "recovered_principal": _("recuperación de capital castigado"),
    "recovered_interest": _("recuperación de interés ordinario castigado"),
    "recovered_late_interest": _("recuperación de interés moratorio castigado"),
    "recovered_fees": _("recuperación de gastos de cobranza castigados"),
    "cancelled_capitalized_interest": _("interés capitalizado no devengado, cancelado"),
}

POSTING_KINDS = {
    "payment": _("Pago"),
    "reversal": _("Reversa"),
    "prepayment": _("Pago anticipado a capital"),
    "payoff": _("Liquidación anticipada"),
    "fee": _("Gastos de cobranza"),
    "discount": _("Quita / condonación"),
    "restructure": _("Reestructura"),
    "write_off": _("Castigo"),
    "waiver": _("Condonación"),
    "rebate": _("Bonificación por pago puntual"),
}

BUCKETS = {
    "al_corriente": _("Al corriente"),
    "1-30": _("1–30 días"),
    "31-60": _("31–60 días"),
    "61-90": _("61–90 días"),
    "91-180": _("91–180 días"),
    "181-365": _("181–365 días"),
    "mas_de_365": _("Más de 365 días"),
}

CHANNELS = {
    "caja": _("Caja"),
    "banco": _("Banco"),
    "spei": _("SPEI"),
    "nomina": _("Nómina"),
    "importacion": _("Importación"),
    "importación": _("Importación"),
}

SCHEDULE_REASONS = {
    "original": _("original"),
    "prepayment": _("pago anticipado a capital"),
    "restructure": _("reestructura"),
}


# Resolved labels of the tables above, per active language: a credit page shows some 120 of
# them (schedule rows, allocations, postings), and each str() of a lazy label walks gettext's
# whole fallback chain (about 7 catalogs) again. Resolving a table once per language keeps the
# translation machinery (a catalog can still translate them) at a dict lookup per label.
_RESOLVED: dict[tuple[str | None, int], dict[str, str]] = {}


def _label(table: dict[str, Any], key: str, default: str) -> str:
    cache_key = (get_language(), id(table))
    resolved = _RESOLVED.get(cache_key)
    if resolved is None:
        resolved = _RESOLVED[cache_key] = {
            k: str(v[0] if isinstance(v, tuple) else v) for k, v in table.items()}
    return resolved.get(key, default)


@register.filter
def installment_status(value: str) -> str:
    return _label(INSTALLMENT_STATUS, value, value)


@register.filter
def installment_status_class(value: str) -> str:
    return INSTALLMENT_STATUS.get(value, ("", ""))[1]


@register.filter
def schedule_row(i: Any) -> str:
    """One installment of credits/_schedule.html as its <tr>: a long schedule is 60 rows of ten
    cells, and one f-string per row costs a fraction of ten template lookups and filters per
    cell (same text: dd/mm/aaaa dates, $1,234.50 amounts, Spanish status badge). Dates and
    amounts are digits and "$,./-" only (dmy, money); the status and its label are escaped."""
    css = INSTALLMENT_STATUS.get(i.status, ("", ""))[1]
    label = _label(INSTALLMENT_STATUS, i.status, i.status)
    effective = dmy(i.effective_due_date)
    if i.effective_due_date != i.due_date:
        effective = f"<strong>{effective}</strong>"
    rebate = money(i.rebate) if i.rebate else '<span class="muted">—</span>'
    return mark_safe(
        f'<tr class="st-{escape(i.status)}"><td class="num">{int(i.number)}</td><td>{dmy(i.due_date)}</td>'
        f'<td>{effective}</td><td class="num">{money(i.principal)}</td><td class="num">{money(i.interest)}</td>'
        f'<td class="num">{rebate}</td><td class="num">{money(i.paid_principal)}</td>'
        f'<td class="num">{money(i.paid_interest)}</td><td class="num">{money(i.paid_late_interest)}</td>'
        f'<td><span class="badge {css}">{escape(label)}</span></td></tr>')


# Kinds of movement a user with the permission may reverse from the credit page.
REVERSIBLE_KINDS = frozenset({"payment", "prepayment", "payoff"})


def _struck(text: Any, struck: bool) -> SafeString:
    return format_html("<s>{}</s>", text) if struck else conditional_escape(text)


def _allocation_item(a: Any) -> SafeString:
    if a.installment:
        who = conditional_escape(gettext("Mens. %(n)s") % {"n": a.installment})
        if a.schedule_version != 1:
            who = format_html('{} <small class="muted">v{}</small>', who, a.schedule_version)
    else:
        who = "—"
    return format_html('<li><span class="who">{}</span> <span class="what">{}</span> <span class="num">{}</span></li>',
                       who, component_label(a.component), money(a.amount))


@register.simple_tag(takes_context=True)
def movement_row(context: template.Context, m: dict[str, Any]) -> SafeString:
    """One movement of credits/_movements.html (the credit page and the statement PDF) as its
    <tr>: a page shows 20 movements with their allocations (often 60 and more <li>), and one
    format_html per row and allocation costs a fraction of the template's tags and lookups.
    `m` is a movement of credits.views._statement_context; the context's `can_reverse` (and no
    `generated_at`, i.e. not the PDF) adds the «Reversar» link of payments."""
    p, entry, reversed_ = m["posting"], m["entry"], m["reversed"]
    kind_cell = _struck(posting_kind(p.kind), reversed_)
    if entry is not None and entry.reason:
        kind_cell = format_html('{}<br><small class="muted">{}</small>', kind_cell, entry.reason)
    if (not context.get("generated_at") and not reversed_ and entry is not None and p.kind in REVERSIBLE_KINDS
            and context.get("can_reverse")):
        kind_cell = format_html('{}<br><a href="{}">{}</a>', kind_cell, reverse("payments:reverse", args=[entry.pk]),
                                gettext("Reversar"))
    note: SafeString | str = ""
    if reversed_:
        note = format_html('<span class="badge bad">{}</span>', gettext("reversado"))
        by = m.get("reversed_by")
        if by is not None:
            text = conditional_escape(gettext("por la reversa del %(d)s") % {"d": dmy(by.value_date)})
            if by.reason:
                text = format_html("{}: {}", text, by.reason)
            note = format_html("{} <small>{}</small>", note, text)
    elif p.kind == "reversal" and m.get("reverses") is not None:
        note = conditional_escape(gettext("Reversa del movimiento del %(d)s por %(a)s") % {
            "d": dmy(m["reverses"].value_date), "a": money(m["reverses"].amount)})
    elif m.get("rejected"):
        note = format_html('<span class="warning">{}</span>', m["rejected"])
    if p.allocations:
        note = format_html('{}<ul class="allocs">{}</ul>', note,
                           mark_safe("".join(_allocation_item(a) for a in p.allocations)))
    css = f"move move-{p.kind}{' reversed' if reversed_ else ''}{' rejected' if m.get('rejected') else ''}"
    return format_html('<tr class="{}"><td>{}</td><td>{}</td><td>{}</td><td class="num">{}</td><td>{}</td></tr>',
                       css, _struck(dmy(p.value_date), reversed_), kind_cell, channel_label(p.channel),
                       _struck(money(p.amount), reversed_), note)


@register.simple_tag
def disbursement_row(disbursement: Any, note: Any) -> SafeString:
    """A row of credits/_disbursements.html: the disbursement (None: a pagaré of no disbursement,
    from a restructure) and its pagaré (None: none on file). Same text as the template's cells
    (a missing date as «—»), one format_html instead of some 25 lookups and filters."""
    if disbursement is None:
        head = format_html('<td class="num">—</td><td colspan="2" class="muted">{}</td><td class="nopdf"></td>',
                           gettext("Sin ministración (reestructura)"))
    else:
        head = format_html('<td class="num">{}</td><td>{}</td><td class="num">{}</td><td class="nopdf">{}</td>',
                           disbursement.number, dmy(disbursement.date), money(disbursement.amount),
                           disbursement.get_destination_display())
    if note is None:
        cells = format_html('<td colspan="6" class="muted">{}</td>', gettext("Sin pagaré registrado"))
    else:
        cells = format_html(
            '<td class="mono">{}</td><td class="num">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>',
            note.number, money(note.amount), dmy(note.signed_on), dmy(note.due_date) or "—",
            note.get_status_display(), getattr(note, "prescription_text", "")
            or dmy(getattr(note, "prescription_date", None)) or "—")
    return format_html("<tr>{}{}</tr>", head, cells)


@register.filter
def credit_status_class(value: str) -> str:
    return STATUS_BADGE.get(str(value), "")


@register.filter
def component_label(value: str) -> str:
    return _label(COMPONENTS, value, value.replace("_", " "))


@register.filter
def posting_kind(value: str) -> str:
    return _label(POSTING_KINDS, value, value)


@register.filter
def bucket_label(value: str) -> str:
    return _label(BUCKETS, value, value)


@register.filter
def credit_status_label(value: str) -> str:
    """A credit status code ("amortizacion") as its label ("Amortización")."""
    return str(dict(Credit.Status.choices).get(value, value))


@register.filter
def bucket_class(value: str) -> str:
    if value in ("al_corriente", "", None):
        return "ok"
    return "warn" if value in ("1-30", "31-60", "61-90") else "bad"


@register.filter
def channel_label(value: str) -> str:
    if not value:
        return ""
    return _label(CHANNELS, value.lower(), value)


@register.filter
def schedule_reason(value: str) -> str:
    return _label(SCHEDULE_REASONS, value, value)


@register.filter
def percent(rate: Decimal | str | None) -> str:
    """An annual rate fraction as the institute writes it: Decimal("0.06") -> "6.00 %"."""
    if rate is None or rate == "":
        return ""
    value = (Decimal(str(rate)) * 100).quantize(Decimal("0.01"))
    return f"{value} %"


@register.inclusion_tag("credits/_person_credits.html", takes_context=True)
def person_credits(context: template.Context, person: Any) -> dict[str, Any]:
    """The credits a person is party to (borrower, guarantor, reference), for the person page.
    Same context as the people app's panel (views.person_credits_context)."""
    from recupera.credits.views import person_credits_context

    request = context.get("request")
    return {**person_credits_context(request, person), "person": person, "request": request}
