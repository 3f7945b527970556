from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from recupera.core.navigation import menu_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Menu, roles, business date and unread messages for the base layout. Computed once per
    request: fragments rendered with the request (person-page panels) reuse it."""
    cached = getattr(request, "_recupera_navigation", None)
    if cached is not None:
        return cached
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    from recupera.core import extensions
    from recupera.core.predicates import roles_of
    from recupera.core.services import business_date_of_request

    result = {
        "nav_items": menu_for(user),
        "unread_messages": extensions.unread_messages(user=user),  # collections
        "user_roles": sorted(roles_of(user)),
        "business_date": business_date_of_request(request),
        "can_search": user.has_perm("core.use_search"),
    }
    request._recupera_navigation = result  # type: ignore[attr-defined]
    return result
