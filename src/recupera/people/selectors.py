"""Reads about persons, each in a known, fixed number of queries."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import (
    CharField,
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Concat

from recupera.people.models import Address, ContactPoint, Person
from recupera.people.names import fold

PERSON_ORDER = ("last_name", "second_last_name", "first_name", "id")
# A CURP or its beginning: 4 letters, then the date digits and the rest.
_CURP_START = re.compile(r"^[A-Z]{4}(\d{1,6}[A-Z0-9]{0,8})?$")
_PHONE_PUNCTUATION = re.compile(r"[\s\-.()+/]")
MIN_PHONE_DIGITS = 7
# The search box sorts at most this many people found by name (person_search).
NAME_SORT_MAX = 1000


def _current_municipality_name() -> Subquery:
    current = Address.objects.filter(person=OuterRef("pk"), is_current=True)
    return Subquery(current.values("municipality_name")[:1])


def search_condition(query: str) -> Q | None:
    """What a search box query means: CURP (exact or ≥ 4 chars prefix), phone (≥ 7 digits,
    matched on the end of the number), or name tokens that must all appear. None: nothing."""
    return _search_condition(query)[0]


def _search_condition(query: str) -> tuple[Q | None, bool]:
    """search_condition's Q, and whether name tokens are part of it (a name can match
    thousands of people; a CURP or a phone, a handful)."""
    text = (query or "").strip()
    if not text:
        return None, False
    digits = _PHONE_PUNCTUATION.sub("", text)
    if digits.isdigit():
        if len(digits) < MIN_PHONE_DIGITS:
            return None, False
        tail = digits[-10:]
        phones = ContactPoint.objects.filter(kind=ContactPoint.Kind.PHONE)
        phones = phones.filter(digits=tail) if len(tail) == 10 else phones.filter(digits__endswith=tail)
        return Q(pk__in=phones.values("person_id")), False
    tokens = fold(text).split()
    names = Q()
    for token in tokens:
        names &= Q(search_name__contains=token)
    compact = re.sub(r"\s+", "", text).upper()
    if _CURP_START.match(compact):
        curp = Q(curp=compact) if len(compact) == 18 else Q(curp__startswith=compact)
        # Four letters alone may be a CURP's start or a piece of a name.
        return (curp | names, True) if compact.isalpha() else (curp, False)
    return (names, True) if tokens else (None, False)


def person_list(*, filters: dict[str, Any]) -> QuerySet[Person]:
    """Persons with `municipality_name` (of the current address), ordered by name.

    filters: q (search text), municipality (id), region, data_blocked (bool).
    """
    qs = _listed()
    if filters.get("q"):
        condition = search_condition(filters["q"])
        qs = qs.filter(condition) if condition is not None else qs.none()
    if filters.get("municipality"):
        qs = qs.filter(pk__in=Address.objects.filter(
            is_current=True, municipality=filters["municipality"]).values("person_id"))
    if filters.get("region"):
        qs = qs.filter(pk__in=Address.objects.filter(
            is_current=True, municipality__region=filters["region"]).values("person_id"))
    if filters.get("data_blocked") is not None:
        qs = qs.filter(data_blocked=filters["data_blocked"])
    return qs.order_by(*PERSON_ORDER)


def _listed() -> QuerySet[Person]:
    return Person.objects.annotate(municipality_name=_current_municipality_name())


class PersonMatches(list):  # type: ignore[type-arg]
    """person_search's answer: the people found, and `capped`: more than NAME_SORT_MAX people
    match, so the list is the first in name order among NAME_SORT_MAX + 1 of them (the user
    is asked to write more of the name)."""

    capped: bool = False


def person_search(*, query: str, limit: int) -> PersonMatches:
    """The search box: the first `limit` matches in name order (PERSON_ORDER), each with .pk,
    .full_name, .curp, .municipality_name.

    One query. For a name: at most NAME_SORT_MAX + 1 matches found in no order, then sorted.
    When a name matches more people than NAME_SORT_MAX (a common name, or a few letters of a
    surname, among a million people) the answer is `capped`: the first `limit` in name order of
    NAME_SORT_MAX + 1 of them. Finding the first in name order of every match costs seconds at
    that size — sorting them all, or walking the name-order index, where the matches of one
    surname lie together and the walk reads half the table before the first one — and that
    many matches do not find anybody anyway."""
    condition, by_name = _search_condition(query)
    found = PersonMatches()
    if condition is None:
        return found
    if not by_name:
        found.extend(person_list(filters={"q": query})[:limit])
        return found
    # One query: the candidates (no order: the trigram index, or a scan that stops when it
    # has them) as a subquery, those rows sorted, and how many there were (a window count
    # over them, computed before the LIMIT).
    candidates = Person.objects.filter(condition).order_by().values("pk")[:NAME_SORT_MAX + 1]
    found.extend(_listed().filter(pk__in=Subquery(candidates))
                 .annotate(candidates=Window(Count("pk"))).order_by(*_FOUND_ORDER)[:limit])
    found.capped = bool(found) and found[0].candidates > NAME_SORT_MAX
    return found


# PERSON_ORDER as expressions that person_name_order cannot provide (each name column || ''; the
# columns are never NULL, so the order is the same): sorting the NAME_SORT_MAX + 1 rows found is
# cheap, but given the plain columns the planner walks that index instead, testing each row
# against the list of ids, and one surname's matches lie together in it (10 s at 2.3 M people).
_FOUND_ORDER = [*(Concat(F(name), Value(""), output_field=CharField())
                  for name in PERSON_ORDER[:-1]), PERSON_ORDER[-1]]


def _detail_prefetches() -> list[Prefetch]:
    return [
        Prefetch("contact_points",
                 queryset=ContactPoint.objects.order_by("kind", "-active", "-is_primary", "id")),
        Prefetch("addresses", queryset=Address.objects.select_related("municipality")
                 .order_by("-is_current", "-created_at", "-id")),
    ]


def person_detail(*, pk: int) -> Person:
    """The person with contact points and addresses (3 queries); sets .current_address.

    Raises Person.DoesNotExist."""
    person = Person.objects.prefetch_related(*_detail_prefetches()).get(pk=pk)
    person.current_address = next((a for a in person.addresses.all() if a.is_current), None)
    return person


def persons_with_details(queryset: QuerySet[Person]) -> QuerySet[Person]:
    """The same persons with contact points and addresses prefetched (for lists and the API)."""
    return queryset.prefetch_related(*_detail_prefetches())
