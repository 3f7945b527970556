"""The Spanish labels of credit_ui, resolved once per active language (see credit_ui._label)."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from django.utils import translation

from recupera.credits.templatetags import credit_ui


def test_labels_are_the_spanish_text_and_unknown_keys_fall_back():
    assert credit_ui.component_label("late_interest") == "interés moratorio"
    assert credit_ui.component_label("some_new_part") == "some new part"
    assert credit_ui.installment_status("paid_late") == "pagada con atraso"
    assert credit_ui.installment_status("odd") == "odd"
    assert credit_ui.installment_status_class("overdue") == "bad"
    assert credit_ui.posting_kind("write_off") == "Castigo"
    assert credit_ui.bucket_label("31-60") == "31–60 días"
    assert credit_ui.channel_label("NOMINA") == "Nómina"
    assert credit_ui.channel_label("") == ""
    assert credit_ui.schedule_reason("restructure") == "reestructura"
    assert type(credit_ui.posting_kind("payment")) is str  # resolved, not a lazy proxy


def test_labels_are_cached_per_language(monkeypatch):
    """Another active language gets its own resolution: a catalog that translates the label is
    honoured, and the es-mx cache is not served to it."""
    credit_ui._RESOLVED.clear()
    assert credit_ui.posting_kind("payment") == "Pago"
    real_gettext = translation._trans.gettext
    with translation.override("en"):
        monkeypatch.setattr(translation._trans, "gettext", lambda m: "Payment" if m == "Pago" else real_gettext(m))
        assert credit_ui.posting_kind("payment") == "Payment"
    monkeypatch.setattr(translation._trans, "gettext", real_gettext)
    assert credit_ui.posting_kind("payment") == "Pago"
    assert {lang for lang, _table in credit_ui._RESOLVED} == {translation.get_language(), "en"}


def test_schedule_row_renders_dates_money_and_the_status_badge():
    row = credit_ui.schedule_row(SimpleNamespace(
        status="paid_late", number=3, due_date=date(2026, 11, 26), effective_due_date=date(2026, 11, 30),
        principal=Decimal("1234.50"), interest=Decimal("61.73"), rebate=Decimal("0"),
        paid_principal=Decimal("1234.50"), paid_interest=Decimal("61.73"), paid_late_interest=Decimal("4.10")))
    assert '<tr class="st-paid_late"><td class="num">3</td><td>26/11/2026</td>' in row
    assert "<strong>30/11/2026</strong>" in row
    assert "$1,234.50" in row and "$61.73" in row and "$4.10" in row
    assert '<span class="badge ok late">pagada con atraso</span>' in row


def _posting(**kw):
    base = dict(kind="payment", value_date=date(2026, 11, 16), channel="caja", amount=Decimal("1800.80"),
                allocations=[], event_id="7")
    return SimpleNamespace(**{**base, **kw})


def _entry(pk=7, reason="", **kw):
    return SimpleNamespace(pk=pk, reason=reason, **kw)


def test_movement_row_of_a_payment_with_its_allocations_and_the_reverse_link():
    allocations = [SimpleNamespace(installment=3, schedule_version=1, component="late_interest", amount=Decimal("4.10")),
                   SimpleNamespace(installment=4, schedule_version=2, component="principal", amount=Decimal("1234.50")),
                   SimpleNamespace(installment=None, schedule_version=1, component="credit_balance",
                                   amount=Decimal("562.20"))]
    move = {"posting": _posting(allocations=allocations), "entry": _entry(reason="Pago en <caja> 2"),
            "reversed": False, "rejected": None, "reversed_by": None, "reverses": None}
    row = credit_ui.movement_row({"can_reverse": True}, move)
    assert row.startswith('<tr class="move move-payment"><td>16/11/2026</td><td>Pago<br><small class="muted">'
                          'Pago en &lt;caja&gt; 2</small><br><a href="/pagos/movimientos/7/reversar/">Reversar</a></td>'
                          '<td>Caja</td><td class="num">$1,800.80</td>')
    assert ('<li><span class="who">Mens. 3</span> <span class="what">interés moratorio</span> '
            '<span class="num">$4.10</span></li>') in row
    assert '<span class="who">Mens. 4 <small class="muted">v2</small></span> <span class="what">capital</span>' in row
    assert '<span class="who">—</span> <span class="what">saldo a favor</span> <span class="num">$562.20</span>' in row
    # no permission, or the statement PDF (generated_at): no link
    assert "Reversar" not in credit_ui.movement_row({"can_reverse": False}, move)
    assert "Reversar" not in credit_ui.movement_row({"can_reverse": True, "generated_at": "x"}, move)
    # only payments are reversed from here
    fee = {**move, "posting": _posting(kind="fee")}
    assert "Reversar" not in credit_ui.movement_row({"can_reverse": True}, fee)


def test_movement_row_of_a_reversed_payment_its_reversal_and_a_rejected_one():
    reversal = _entry(pk=9, reason="Cheque devuelto", value_date=date(2026, 11, 25))
    original = _entry(pk=7, value_date=date(2026, 11, 16), amount=Decimal("1800.80"))
    reversed_row = credit_ui.movement_row({"can_reverse": True}, {
        "posting": _posting(), "entry": original, "reversed": True, "rejected": None,
        "reversed_by": reversal, "reverses": None})
    assert reversed_row.startswith('<tr class="move move-payment reversed"><td><s>16/11/2026</s></td><td><s>Pago</s></td>'
                                   '<td>Caja</td><td class="num"><s>$1,800.80</s></td>')
    assert ('<span class="badge bad">reversado</span> <small>por la reversa del 25/11/2026: Cheque devuelto</small>'
            in reversed_row)
    assert "Reversar" not in reversed_row
    reversal_row = credit_ui.movement_row({}, {
        "posting": _posting(kind="reversal", value_date=date(2026, 11, 25), amount=Decimal("-1800.80")),
        "entry": reversal, "reversed": False, "rejected": None, "reversed_by": None, "reverses": original})
    assert "<td>Reversa del movimiento del 16/11/2026 por $1,800.80</td></tr>" in reversal_row
    rejected = credit_ui.movement_row({}, {
        "posting": _posting(), "entry": None, "reversed": False, "rejected": "crédito liquidado",
        "reversed_by": None, "reverses": None})
    assert rejected.startswith('<tr class="move move-payment rejected">')
    assert '<span class="warning">crédito liquidado</span>' in rejected


def test_disbursement_row_with_its_pagare_without_one_and_a_restructure_pagare():
    disbursement = SimpleNamespace(number=2, date=date(2021, 8, 16), amount=Decimal("12500.00"),
                                   get_destination_display=lambda: "Estudiante")
    note = SimpleNamespace(number="P-2/2021", amount=Decimal("12500.00"), signed_on=date(2021, 8, 16),
                           due_date=None, prescription_date=None, get_status_display=lambda: "Vigente")
    assert credit_ui.disbursement_row(disbursement, note) == (
        '<tr><td class="num">2</td><td>16/08/2021</td><td class="num">$12,500.00</td><td class="nopdf">Estudiante</td>'
        '<td class="mono">P-2/2021</td><td class="num">$12,500.00</td><td>16/08/2021</td><td>—</td><td>Vigente</td>'
        '<td>—</td></tr>')
    assert credit_ui.disbursement_row(disbursement, None).endswith(
        '<td class="nopdf">Estudiante</td><td colspan="6" class="muted">Sin pagaré registrado</td></tr>')
    restructure = SimpleNamespace(number="R-1 <a>", amount=Decimal("30100.10"), signed_on=date(2026, 3, 2),
                                  due_date=date(2030, 3, 2), prescription_date=date(2033, 3, 2),
                                  get_status_display=lambda: "Vigente")
    assert credit_ui.disbursement_row(None, restructure) == (
        '<tr><td class="num">—</td><td colspan="2" class="muted">Sin ministración (reestructura)</td>'
        '<td class="nopdf"></td><td class="mono">R-1 &lt;a&gt;</td><td class="num">$30,100.10</td><td>02/03/2026</td>'
        '<td>02/03/2030</td><td>Vigente</td><td>02/03/2033</td></tr>')
