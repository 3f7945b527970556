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
