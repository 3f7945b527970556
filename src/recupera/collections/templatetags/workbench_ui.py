"""The work queue's rows, written in Python.

    {% load workbench_ui %}
    {% queue_row case number sees_team %}   -> the case's <tr> in collections/queue.html

A page of the queue is 50 rows of eight cells and a few reason badges each; one format_html per
row costs a fraction of the template's lookups and tags per cell (some 40 per row). The view sets
`case.url` and `case.stage_label` once per page (collections.views.queue).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from recupera.core.templatetags.recupera import money

register = template.Library()

# The columns queue_row reads: the view loads only these (`.only(*QUEUE_ROW_FIELDS)`), a page of
# 50 cases with their credits, borrowers and collector instead of every column of the four tables.
QUEUE_ROW_FIELDS = (
    "id", "stage", "priority", "priority_reasons", "credit_id", "collector_id",
    "credit__folio", "credit__days_past_due", "credit__payoff_amount", "credit__borrower_id",
    "credit__borrower__first_name", "credit__borrower__last_name", "credit__borrower__second_last_name",
    "collector__first_name", "collector__last_name", "collector__username",
)

# Badge colour of each priority reason (collections.services priority reasons' codes).
REASON_CLASS = {
    "promesa_incumplida": " bad", "plazo_primer_contacto": " bad", "plazo_gestion": " bad",
    "promesa_hoy": " warn", "prescripcion": " warn",
}


@register.simple_tag
def queue_row(case: Any, number: int, sees_team: bool) -> SafeString:
    credit = case.credit
    reasons = format_html_join(
        "", '<span class="badge{}" title="+{}">{} (+{})</span> ',
        ((REASON_CLASS.get(r.get("code"), ""), r.get("points"), r.get("label"), r.get("points"))
         for r in case.priority_reasons or ()))
    collector = ""
    if sees_team:
        person = case.collector
        collector = (format_html("<td>{}</td>", person.get_full_name() or person.username) if person else
                     format_html('<td><span class="badge warn">{}</span></td>', _("Sin asignar")))
    return format_html(
        '<tr data-href="{url}" tabindex="-1"><td class="num">{n}</td>'
        '<td><a class="mono case-link" href="{url}">{folio}</a></td><td>{name}</td><td>{stage}</td>'
        '<td class="num">{dpd}</td><td class="num">{payoff}</td><td class="num"><strong>{priority}</strong></td>'
        '<td class="reasons">{reasons}</td>{collector}</tr>',
        url=case.url, n=number, folio=credit.folio, name=credit.borrower.full_name, stage=case.stage_label,
        dpd=credit.days_past_due, payoff=money(credit.payoff_amount), priority=case.priority,
        reasons=reasons, collector=collector)
