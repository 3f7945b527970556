"""Reads about persons, each in a known, fixed number of queries."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery

from recupera.people.models import Address, ContactPoint, Person
from recupera.people.names import fold

PERSON_ORDER = ("last_name", "second_last_name", "first_name", "id")
# A CURP or its beginning: 4 letters, then the date digits and the rest.
_CURP_START = re.compile(r"^[A-Z]{4}(\d{1,6}[A-Z0-9]{0,8})?$")
_PHONE_PUNCTUATION = re.compile(r"[\s\-.()+/]")
MIN_PHONE_DIGITS = 7


def _current_municipality_name() -> Subquery:
    current = Address.objects.filter(person=OuterRef("pk"), is_current=True)
    return Subquery(current.values("municipality_name")[:1])


def search_condition(query: str) -> Q | None:
    """What a search box query means: CURP (exact or ≥ 4 chars prefix), phone (≥ 7 digits,
    matched on the end of the number), or name tokens that must all appear. None: nothing."""
    text = (query or "").strip()
    if not text:
        return None
    digits = _PHONE_PUNCTUATION.sub("", text)
    if digits.isdigit():
        if len(digits) < MIN_PHONE_DIGITS:
            return None
        tail = digits[-10:]
        phones = ContactPoint.objects.filter(kind=ContactPoint.Kind.PHONE)
        phones = phones.filter(digits=tail) if len(tail) == 10 else phones.filter(digits__endswith=tail)
        return Q(pk__in=phones.values("person_id"))
    tokens = fold(text).split()
    names = Q()
    for token in tokens:
        names &= Q(search_name__contains=token)
    compact = re.sub(r"\s+", "", text).upper()
    if _CURP_START.match(compact):
        curp = Q(curp=compact) if len(compact) == 18 else Q(curp__startswith=compact)
        # Four letters alone may be a CURP's start or a piece of a name.
        return curp | names if compact.isalpha() else curp
    return names if tokens else None


def person_list(*, filters: dict[str, Any]) -> QuerySet[Person]:
    """Persons with `municipality_name` (of the current address), ordered by name.

    filters: q (search text), municipality (id), region, data_blocked (bool).
    """
    qs = Person.objects.annotate(municipality_name=_current_municipality_name())
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


def person_search(*, query: str, limit: int) -> list[Person]:
    """The search box: one query. Each result has .pk, .full_name, .curp, .municipality_name."""
    if search_condition(query) is None:
        return []
    return list(person_list(filters={"q": query})[:limit])


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
