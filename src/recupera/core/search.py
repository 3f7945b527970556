"""The global search box: folio, CURP, name or phone → the person's or the credit's page.

One rule for every search box that finds a debtor (this one and the inbound-call box,
collections.selectors.call_search); the credits app states the folio part
(credits.selectors.folio_condition), the people app the rest (people.selectors.search_condition):

- a folio: the folio itself, or from 3 characters every folio that starts with it, any case;
- a CURP: the whole CURP, or its first 4 or more characters;
- a phone: 7 or more digits (spaces, dashes, dots, parentheses ignored), matched on the end of
  the number;
- a name: every word typed must appear in the person's name (first name and both surnames), in
  any order, without regard to case or accents ("adan jaquez" finds «Adán Jáquez Ruiz»).

Accents and case: people's names are stored a second time folded (upper case, no accents,
`Person.search_name`, written by the people services) and the words typed are folded the same
way (people.names.fold) before comparing, so the rule is the same on SQLite and PostgreSQL and
the PostgreSQL trigram index on that column serves it.
"""

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
    # more than `name_sort_max` people match the name: the list is the first in name order
    # among that many of them
    people_capped: bool = False
    name_sort_max: int = 0
    landing_url: str | None = None


def global_search(query: str, *, user: Any) -> SearchResult:
    """What `user` may see: a collector finds only the people and credits of their own cases
    (the inbound-call screen is where any caller is found). The searches themselves belong to
    the people and credits apps (core/extensions.py)."""
    from recupera.core import extensions

    credits = list(extensions.search_credits(query=query, limit=SEARCH_LIMIT, user=user))
    people, capped, cap = extensions.search_people(query=query, limit=SEARCH_LIMIT + 1, user=user)
    result = SearchResult(
        people=people[:SEARCH_LIMIT], credits=credits, people_truncated=len(people) > SEARCH_LIMIT,
        people_capped=capped, name_sort_max=cap,
    )
    if len(credits) == 1 and not people:
        result.landing_url = reverse("credits:detail", args=[credits[0].folio])
    elif len(people) == 1 and not credits:
        result.landing_url = reverse("people:detail", args=[people[0].pk])
    return result
