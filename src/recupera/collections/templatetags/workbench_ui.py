"""The work queue's rows, written in Python.

    {% load workbench_ui %}
    {% queue_row case number sees_team %}   -> the case's <tr> in collections/queue.html

A page of the queue is 50 rows of eight cells and a few reason badges each; one f-string per
row costs a fraction of the template's lookups and tags per cell (some 40 per row). The view sets
`case.url` and `case.stage_label` once per page (collections.views.queue).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from recupera.collections.conduct import RULE_LABELS
from recupera.core.templatetags.recupera import money

register = template.Library()

# The columns queue_row reads: the view loads only these (`.only(*QUEUE_ROW_FIELDS)`), a page of
# 50 cases with their credits, borrowers and collector instead of every column of the four tables.
QUEUE_ROW_FIELDS = (
    "id", "stage", "priority", "priority_reasons", "credit_id", "collector_id",
    "credit__folio", "credit__days_past_due", "credit__payoff_amount", "credit__borrower_id",
    "credit__borrower__first_name", "credit__borrower__last_name", "credit__borrower__second_last_name",
    "credit__borrower__data_blocked",
    "collector__first_name", "collector__last_name", "collector__username",
)

# Badge colour of each priority reason (collections.services priority reasons' codes).
REASON_CLASS = {
    "promesa_incumplida": " bad", "plazo_primer_contacto": " bad", "plazo_gestion": " bad",
    "promesa_hoy": " warn", "prescripcion": " warn",
}


@register.simple_tag
def queue_row(case: Any, number: int, sees_team: bool) -> SafeString:
    """One f-string of escaped parts: the numbers are integers, the amount is money's digits and
    "$,.-" (core.money.format_mxn); every text (folio, name, labels, reasons) is escaped."""
    credit = case.credit
    reasons = "".join(
        f'<span class="badge{REASON_CLASS.get(r.get("code"), "")}" title="+{escape(r.get("points"))}">'
        f'{escape(r.get("label"))} (+{escape(r.get("points"))})</span> '
        for r in case.priority_reasons or ())
    collector = ""
    if sees_team:
        person = case.collector
        collector = (f"<td>{escape(person.get_full_name() or person.username)}</td>" if person else
                     f'<td><span class="badge warn">{escape(_("Sin asignar"))}</span></td>')
    url = escape(case.url)
    # A blocked borrower (ARCO cancellation) shows no name: the queue is for collectors and their
    # bosses, who do not see blocked data (core.predicates.sees_person_data).
    borrower = (_("Datos bloqueados") if credit.borrower.data_blocked else credit.borrower.full_name)
    return mark_safe(
        f'<tr data-href="{url}" tabindex="-1"><td class="num">{int(number)}</td>'
        f'<td><a class="mono case-link" href="{url}">{escape(credit.folio)}</a></td>'
        f'<td>{escape(borrower)}</td><td>{escape(case.stage_label)}</td>'
        f'<td class="num">{escape(credit.days_past_due)}</td><td class="num">{money(credit.payoff_amount)}</td>'
        f'<td class="num"><strong>{escape(case.priority)}</strong></td>'
        f'<td class="reasons">{reasons}</td>{collector}</tr>')


@register.filter
def conduct_rule_labels(codes: list[str]) -> str:
    """The conduct rules of an override, by name («Horario y días de contacto»), not by code."""
    return ", ".join(RULE_LABELS.get(code, code) for code in codes or [])
