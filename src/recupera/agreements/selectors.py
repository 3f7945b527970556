"""Reads of negotiation (the approvals inbox), shared by the page and the API."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from recupera.agreements.models import Agreement
from recupera.core.predicates import authority_level


def pending_for(user: Any) -> QuerySet[Agreement]:
    """Offers waiting for authorization that the user's level may decide, oldest first; their
    own offers are left out (nobody approves their own offer)."""
    return (Agreement.objects.filter(status=Agreement.Status.PENDING, required_level__lte=authority_level(user))
            .exclude(proposed_by=user)
            .select_related("credit", "credit__borrower", "proposed_by").order_by("created_at", "id"))
