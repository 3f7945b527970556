"""Reads of credits, with their query counts known (tests pin them)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from recupera.credits.models import (
    Credit,
    CreditParty,
    Disbursement,
    LedgerEntry,
)

SEARCH_MIN_PREFIX = 3


def folio_condition(query: str, *, field: str = "folio") -> Q | None:
    """What a search box query means for folios: the folio itself, or (from SEARCH_MIN_PREFIX
    characters) every folio that starts with it; any case. `field` is the folio's path from the
    model queried ("credit__folio" from a case). None: the query cannot be a folio."""
    query = (query or "").strip()
    if not query or " " in query:
        return None
    if len(query) < SEARCH_MIN_PREFIX:
        return Q(**{f"{field}__iexact": query})
    return Q(**{f"{field}__istartswith": query})


def credit_search(*, query: str, limit: int = 50) -> list[Credit]:
    """Credits whose folio is `query` or starts with it (folio_condition; exact match first);
    two queries at most."""
    query = (query or "").strip()
    condition = folio_condition(query)
    if condition is None:
        return []
    qs = Credit.objects.select_related("borrower")
    exact = list(qs.filter(folio__iexact=query)[:1])
    if len(query) < SEARCH_MIN_PREFIX:
        return exact
    rest = qs.filter(condition).exclude(pk__in=[c.pk for c in exact])
    return exact + list(rest.order_by("folio")[: max(limit - len(exact), 0)])


def credit_detail(*, folio: str) -> Credit:
    """The credit with everything its page, its statement, `credit show` and the API show, in
    6 queries whatever its size: the credit with borrower, product and program; parties with
    their persons; their contact points; disbursements; pagarés (matched to their disbursements
    by `disbursement_id` where shown: a join of them to the disbursements would load them twice);
    ledger entries. The schedule and the allocations are not loaded: the page shows the engine's
    replay of these entries (the cached rows are for the SQL reports and the daily close).
    Raises Credit.DoesNotExist."""
    parties = CreditParty.objects.select_related("person").order_by("role", "pk")
    return (
        Credit.objects.select_related("borrower", "product", "program")
        .prefetch_related(
            Prefetch("parties", queryset=parties),
            "parties__person__contact_points",
            Prefetch("disbursements", queryset=Disbursement.objects.order_by("number")),
            "notes",
            Prefetch("ledger_entries", queryset=LedgerEntry.objects.order_by("value_date", "id")),
        )
        .get(folio=folio)
    )


def credit_list(*, filters: dict[str, Any] | None = None) -> QuerySet[Credit]:
    """The portfolio list from the cached columns. filters: status, bucket, dpd_min, dpd_max,
    q (folio prefix, borrower CURP or name)."""
    filters = filters or {}
    qs = Credit.objects.select_related("borrower", "product")
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("bucket"):
        qs = qs.filter(bucket=filters["bucket"])
    if filters.get("dpd_min") is not None:
        qs = qs.filter(days_past_due__gte=filters["dpd_min"])
    if filters.get("dpd_max") is not None:
        qs = qs.filter(days_past_due__lte=filters["dpd_max"])
    query = (filters.get("q") or filters.get("search") or "").strip()
    if query:
        from recupera.people.names import fold

        condition = Q(folio__istartswith=query) | Q(borrower__curp__iexact=query)
        words = fold(query).split()
        if words:
            name_q = Q()
            for word in words:  # search_name is upper case without accents
                name_q &= Q(borrower__search_name__contains=word)
            condition |= name_q
        qs = qs.filter(condition)
    return qs.order_by("folio")


def credits_of_person(*, person: Any) -> QuerySet[Credit]:
    """Every credit where the person has a role (borrower, guarantor, reference), with the
    person's roles on each as `roles_of_person` (a list of role codes) via one prefetch."""
    return (
        Credit.objects.filter(Q(borrower=person) | Q(parties__person=person))
        .distinct()
        .select_related("borrower", "product")
        .prefetch_related(Prefetch("parties", queryset=CreditParty.objects.filter(person=person),
                                   to_attr="roles_of_person"))
        .order_by("folio")
    )
