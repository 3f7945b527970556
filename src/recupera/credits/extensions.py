"""Credits' answer to core's extension points (core/extensions.py), registered in
CreditsConfig.ready: the global search's credits."""

from __future__ import annotations

from typing import Any

from recupera.core.predicates import scope_credits
from recupera.credits.models import Credit
from recupera.credits.selectors import credit_search


def search_credits(*, query: str, limit: int, user: Any) -> list[Credit]:
    """The credits whose folio matches `query` that `user` may see (the collector's scope in
    one query)."""
    credits = list(credit_search(query=query, limit=limit))
    if not credits:
        return credits
    allowed = set(scope_credits(user, Credit.objects.filter(pk__in=[c.pk for c in credits]))
                  .values_list("pk", flat=True))
    return [c for c in credits if c.pk in allowed]
