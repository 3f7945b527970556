"""Reads of the portal: a person's credits and one credit of theirs, with the person's role on
each; the requests a debtor sees; the requests a collector attends. Query counts are pinned in
tests/portal."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from recupera.core.predicates import portal_role
from recupera.credits.models import Credit, CreditParty, LedgerEntry
from recupera.portal.models import PortalRequest

DEBTOR_ROLES = [CreditParty.Role.BORROWER, CreditParty.Role.GUARANTOR]


def _debtor_of(person: Any) -> Q:
    return Q(borrower=person) | Q(parties__person=person, parties__role__in=DEBTOR_ROLES)


def person_credits(*, person: Any) -> list[Credit]:
    """The credits where the person is borrower or guarantor, each with `portal_role`; two
    queries (the credits with product, the parties)."""
    ids = Credit.objects.filter(_debtor_of(person)).values("pk")
    credits = list(Credit.objects.filter(pk__in=ids).select_related("product")
                   .prefetch_related(Prefetch("parties", queryset=CreditParty.objects.order_by("pk")))
                   .order_by("folio"))
    for credit in credits:
        credit.portal_role = portal_role(person, credit)
    return credits


def person_credit(*, person: Any, folio: str) -> Credit:
    """One credit of the person's, with what the engine needs (disbursements, ledger entries,
    parties); raises Credit.DoesNotExist for a folio that is not theirs, exactly as for one that
    does not exist."""
    ids = Credit.objects.filter(_debtor_of(person), folio=folio).values("pk")
    credit = (Credit.objects.filter(pk__in=ids).select_related("borrower", "product", "program")
              .prefetch_related(Prefetch("parties", queryset=CreditParty.objects.select_related("person")
                                         .order_by("role", "pk")),
                                "disbursements", "notes",
                                Prefetch("ledger_entries", queryset=LedgerEntry.objects.order_by("value_date", "id")))
              .get())
    credit.portal_role = portal_role(person, credit)
    return credit


def requests_of(*, person: Any, credit: Credit | None = None) -> QuerySet[PortalRequest]:
    qs = PortalRequest.objects.filter(person=person).select_related("credit", "answered_by")
    if credit is not None:
        qs = qs.filter(credit=credit)
    return qs.order_by("-created_at", "-pk")


def requests_to_attend(*, user: Any, status: str = PortalRequest.Status.PENDING) -> QuerySet[PortalRequest]:
    """The portal requests a staff user attends: a collector their own; a supervisor (or a
    superuser) all of them."""
    from recupera.core.predicates import is_superuser, is_supervisor

    qs = PortalRequest.objects.select_related("credit", "person", "collector", "answered_by")
    if status:
        qs = qs.filter(status=status)
    if not (is_supervisor(user) or is_superuser(user)):
        qs = qs.filter(collector=user)
    return qs.order_by("created_at", "pk")
