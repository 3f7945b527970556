"""The inbound-call box finds callers by the same rule as the global search box (core/search.py):
accents and case do not matter, every word of the name in any order, folio prefix, CURP, phone;
on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from django.urls import reverse

from recupera.collections.selectors import call_search
from recupera.core.search import global_search

from .conftest import party_person, phone_of


@pytest.fixture
def cases(make_case, make_person):
    rodriguez = make_case(folio="CE-2019-00417",
                          borrower=make_person(first_name="Adán", last_name="Jáquez", second_last_name="Rodríguez"))
    other = make_case(folio="CE-2020-00900",
                      borrower=make_person(first_name="María", last_name="Núñez", second_last_name="Peña"))
    return rodriguez, other


def folios(found):
    return [c.credit.folio for c in found]


@pytest.mark.parametrize("query", [
    "rodriguez", "RODRIGUEZ", "Rodríguez", "adan jaquez", "jaquez adan", "Adán  Jáquez rodriguez",
    "ce-2019", "CE-2019-004", "ce-2019-00417",
])
def test_call_search_finds_the_caller(cases, query):
    rodriguez, _ = cases
    assert folios(call_search(query=query)) == ["CE-2019-00417"]


def test_call_search_by_curp_prefix_phone_and_guarantor(cases):
    rodriguez, other = cases
    borrower = party_person(rodriguez, "acreditado")
    assert folios(call_search(query=borrower.curp)) == ["CE-2019-00417"]
    phone = phone_of(borrower).value  # +52662…
    assert folios(call_search(query=f"{phone[3:6]} {phone[6:9]} {phone[9:]}")) == ["CE-2019-00417"]
    # The guarantor calls: found by their own phone and name too.
    guarantor = party_person(rodriguez, "aval")
    assert "CE-2019-00417" in folios(call_search(query=phone_of(guarantor).value))
    assert set(folios(call_search(query="CE-20"))) == {"CE-2019-00417", "CE-2020-00900"}


@pytest.mark.parametrize("query", ["adan pena", "zzz", "ce-2021", "jaquez maria"])
def test_call_search_does_not_invent_matches(cases, query):
    assert call_search(query=query) == []


def test_same_rule_as_the_global_search(cases, supervisor):
    for query in ("rodriguez", "adan jaquez", "ce-2019-0", "nunez pena"):
        found = global_search(query, user=supervisor)
        from_global = {c.folio for c in found.credits} | {
            c.credit.folio for c in call_search(query=query)
            if c.credit.borrower_id in {p.pk for p in found.people}}
        assert set(folios(call_search(query=query))) == from_global, query


def test_inbound_call_page_shows_the_accentless_match(cases, client_for, collector):
    html = client_for(collector).get(reverse("collections:inbound_call"), {"q": "adan jaquez"}).content.decode()
    assert "CE-2019-00417" in html and "Adán Jáquez Rodríguez" in html
    assert "CE-2020-00900" not in html
