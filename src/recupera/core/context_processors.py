from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from recupera.core.navigation import menu_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    from recupera.core.services import business_date_get

    roles = sorted(user.groups.values_list("name", flat=True))
    return {
        "nav_items": menu_for(user),
        "user_roles": roles,
        "business_date": business_date_get(),
        "can_search": user.has_perm("core.use_search"),
    }
