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
    # more than people.selectors.NAME_SORT_MAX people match the name: the list is the first
    # in name order among that many of them
    people_capped: bool = False
    landing_url: str | None = None


def global_search(query: str, *, user: Any) -> SearchResult:
    """What `user` may see: a collector finds only the people and credits of their own cases
    (the inbound-call screen is where any caller is found)."""
    from recupera.core.predicates import scope_credits, scope_people
    from recupera.credits.models import Credit
    from recupera.credits.selectors import credit_search
    from recupera.people.models import Person
    from recupera.people.selectors import person_search

    credits = list(credit_search(query=query, limit=SEARCH_LIMIT))
    found = person_search(query=query, limit=SEARCH_LIMIT + 1)
    people = list(found)
    allowed_credits = set(scope_credits(user, Credit.objects.filter(pk__in=[c.pk for c in credits]))
                          .values_list("pk", flat=True)) if credits else set()
    allowed_people = set(scope_people(user, Person.objects.filter(pk__in=[p.pk for p in people]))
                         .values_list("pk", flat=True)) if people else set()
    credits = [c for c in credits if c.pk in allowed_credits]
    people = [p for p in people if p.pk in allowed_people]
    result = SearchResult(
        people=people[:SEARCH_LIMIT], credits=credits, people_truncated=len(people) > SEARCH_LIMIT,
        people_capped=found.capped,
    )
    if len(credits) == 1 and not people:
        result.landing_url = reverse("credits:detail", args=[credits[0].folio])
    elif len(people) == 1 and not credits:
        result.landing_url = reverse("people:detail", args=[people[0].pk])
    return result
