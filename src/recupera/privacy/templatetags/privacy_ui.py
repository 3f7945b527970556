"""Template tags that hide a blocked person's personal fields (core.predicates.sees_person_data):
everyone but the data-protection officer and the auditors sees «Datos bloqueados».

    {% load privacy_ui %}{% person_name credit.borrower %} · {% person_curp credit.borrower %}
"""

from __future__ import annotations

from typing import Any

from django import template

from recupera.core.predicates import sees_person_data

register = template.Library()

BLOCKED = "Datos bloqueados"


def _user(context: Any) -> Any:
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")


@register.simple_tag(takes_context=True)
def person_name(context: Any, person: Any) -> str:
    if person is None:
        return ""
    return person.full_name if sees_person_data(_user(context), person) else BLOCKED


@register.simple_tag(takes_context=True)
def person_curp(context: Any, person: Any) -> str:
    if person is None:
        return ""
    return person.curp if sees_person_data(_user(context), person) else "—"


@register.simple_tag(takes_context=True)
def person_hidden(context: Any, person: Any) -> bool:
    return person is not None and not sees_person_data(_user(context), person)
