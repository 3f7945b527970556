"""No raw codes on screen: where a choice has a label («Al corriente»), its code
(`al_corriente`) never appears in the text a user reads, nor Django's empty choice `---------`.
Renders the staff pages of the daily work with real data, as a supervisor and as a collector."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.urls import reverse

from recupera.collections.conduct import RULE_LABELS
from recupera.credits.templatetags.credit_ui import BUCKETS

pytestmark = pytest.mark.django_db


class _VisibleText(HTMLParser):
    """The text a user reads: text nodes and <option> labels; no attributes, scripts or styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        if tag in ("script", "style"):
            self._hidden += 1

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def labelled_codes() -> set[str]:
    """Every choice code of every model field that has a different label and looks like a code
    (a separator inside: `al_corriente`, `mas_de_365`, `llamada_saliente`), and the conduct
    rules' and the aging buckets' codes."""
    codes = set(RULE_LABELS) | {code for code in BUCKETS if "_" in code}
    for model in apps.get_models():
        if not model.__module__.startswith("recupera."):
            continue
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or []:
                if isinstance(value, str) and value != str(label) and re.search(r"[a-z]_[a-z0-9]", value):
                    codes.add(value)
    return codes


def raw_codes_in(html: str, codes: set[str]) -> list[str]:
    text = visible_text(html)
    found = [code for code in codes if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text)]
    if "---------" in text:
        found.append("---------")
    return sorted(found)


def test_the_code_finder_finds_codes():
    codes = labelled_codes()
    assert {"al_corriente", "mas_de_365", "llamada_saliente", "horario"} <= codes
    assert raw_codes_in("<p>Tramo: al_corriente</p><option>---------</option>", codes) == [
        "---------", "al_corriente"]
    assert raw_codes_in('<p class="al_corriente" data-x="mas_de_365">Al corriente</p>', codes) == []


def test_staff_pages_show_labels_not_codes(make_case, outcome, client_for, collector, supervisor,
                                          portfolio_officer):
    from recupera.collections import services
    from recupera.collections.models import ConductOverride

    from .conftest import AS_OF, MONDAY_10AM, party_person, phone_of

    case = make_case()
    borrower = party_person(case, "acreditado")
    services.action_log(actor=collector, case=case, now=MONDAY_10AM, business_date=AS_OF,
                        channel="llamada_saliente", party="acreditado", person=borrower,
                        contact_point=phone_of(borrower), outcome=outcome("contacto_efectivo"))
    ConductOverride.objects.create(case=case, granted_by=supervisor, rules=["horario", "frecuencia"],
                                   reason="Lo pidió el deudor", valid_on=AS_OF)
    client_for(supervisor).post(reverse("collections:messages"), {
        "for_user": collector.pk, "caller": "Sra. López", "phone": "6621234567", "text": "Devolver llamada"})
    codes = labelled_codes()
    folio = case.credit.folio
    pages = {
        supervisor: [reverse("home"), reverse("collections:queue"), reverse("collections:team"),
                     reverse("collections:case", args=[case.pk]), reverse("credits:list"),
                     reverse("credits:detail", args=[folio]), reverse("people:detail", args=[borrower.pk]),
                     reverse("collections:inbound_call") + f"?q={folio}", reverse("collections:messages"),
                     reverse("collections:inquiries")],
        portfolio_officer: [reverse("collections:rules"), reverse("cob:runs"), reverse("payments:imports"),
                            reverse("audit:list")],
        collector: [reverse("home"), reverse("collections:queue"), reverse("collections:case", args=[case.pk]),
                    reverse("collections:inbound_call") + f"?q={folio}", reverse("collections:messages")],
    }
    problems = {}
    for user, urls in pages.items():
        client = client_for(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            found = raw_codes_in(response.content.decode(), codes)
            if found:
                problems[f"{user.username} {url}"] = found
    assert problems == {}
