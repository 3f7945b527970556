"""The work queue's rows written in Python (collections.templatetags.workbench_ui.queue_row)."""

from decimal import Decimal
from types import SimpleNamespace

from recupera.collections.templatetags.workbench_ui import queue_row


def _case(collector=None, reasons=None):
    borrower = SimpleNamespace(full_name="María <Esparta> Macías", data_blocked=False)
    credit = SimpleNamespace(folio="CE-3-00244", borrower=borrower, days_past_due=1790,
                             payoff_amount=Decimal("220114.62"))
    return SimpleNamespace(url="/cobranza/caso/89/", credit=credit, stage_label="Extrajudicial", priority=360,
                           collector=collector, priority_reasons=reasons if reasons is not None else [
                               {"code": "promesa_incumplida", "label": "Promesa incumplida", "points": 200},
                               {"code": "prescripcion", "label": "Pagaré prescribe", "points": 40},
                               {"code": "atraso", "label": "Atraso de más de 330 días", "points": 120}])


def test_a_row_of_my_queue():
    row = queue_row(_case(), 2, False)
    assert row == (
        '<tr data-href="/cobranza/caso/89/" tabindex="-1"><td class="num">2</td>'
        '<td><a class="mono case-link" href="/cobranza/caso/89/">CE-3-00244</a></td>'
        '<td>María &lt;Esparta&gt; Macías</td><td>Extrajudicial</td><td class="num">1790</td>'
        '<td class="num">$220,114.62</td><td class="num"><strong>360</strong></td><td class="reasons">'
        '<span class="badge bad" title="+200">Promesa incumplida (+200)</span> '
        '<span class="badge warn" title="+40">Pagaré prescribe (+40)</span> '
        '<span class="badge" title="+120">Atraso de más de 330 días (+120)</span> </td></tr>')


def test_the_team_queue_adds_the_collector_or_unassigned():
    gestor = SimpleNamespace(get_full_name=lambda: "Ana Ruiz", username="aruiz")
    nameless = SimpleNamespace(get_full_name=lambda: "", username="gestor7")
    assert queue_row(_case(collector=gestor, reasons=[]), 1, True).endswith(
        '<td class="reasons"></td><td>Ana Ruiz</td></tr>')
    assert queue_row(_case(collector=nameless), 1, True).endswith("<td>gestor7</td></tr>")
    assert queue_row(_case(), 1, True).endswith('<td><span class="badge warn">Sin asignar</span></td></tr>')
    assert "Sin asignar" not in queue_row(_case(), 1, False)


def test_every_text_of_a_row_is_escaped():
    case = _case(reasons=[{"code": "x", "label": "<script>", "points": "1\"2"}])
    case.credit.folio, case.stage_label, case.url = "F<1>", "Etapa & <b>", '/c/"1"/'
    row = queue_row(case, 1, True)
    assert "<script>" not in row and "<b>" not in row and 'F&lt;1&gt;' in row
    assert 'href="/c/&quot;1&quot;/"' in row and 'title="+1&quot;2"' in row and "Etapa &amp; &lt;b&gt;" in row
