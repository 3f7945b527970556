"""The global search box: folio, CURP, name or phone → the person's or the credit's page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

SEARCH_LIMIT = 50


@dataclass
class SearchResult:
    people: list[Any] = field(default_factory=list)
    credits: list[Any] = field(default_factory=list)
    people_truncated: bool = False
    landing_url: str | None = None


def global_search(query: str) -> SearchResult:
    from recupera.credits.selectors import credit_search
    from recupera.people.selectors import person_search

    credits = list(credit_search(query=query, limit=SEARCH_LIMIT))
    people = list(person_search(query=query, limit=SEARCH_LIMIT + 1))
    result = SearchResult(
        people=people[:SEARCH_LIMIT], credits=credits, people_truncated=len(people) > SEARCH_LIMIT
    )
    if len(credits) == 1 and not people:
        result.landing_url = reverse("credits:detail", args=[credits[0].folio])
    elif len(people) == 1 and not credits:
        result.landing_url = reverse("people:detail", args=[people[0].pk])
    return result
