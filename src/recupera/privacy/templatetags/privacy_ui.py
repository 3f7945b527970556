"""Template tags that hide a blocked person's personal fields (core/personal.py): everyone but
the data-protection officer and the auditors sees «Datos bloqueados».

    {% load privacy_ui %}{% person_name credit.borrower %} · {% person_curp credit.borrower %}
"""

from __future__ import annotations

from typing import Any

from django import template

from recupera.core import personal

register = template.Library()

BLOCKED = personal.BLOCKED


def _user(context: Any) -> Any:
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")


@register.simple_tag(takes_context=True)
def person_name(context: Any, person: Any) -> str:
    return personal.name_for(_user(context), person)


@register.simple_tag(takes_context=True)
def person_curp(context: Any, person: Any) -> str:
    return personal.curp_for(_user(context), person)


@register.simple_tag(takes_context=True)
def person_hidden(context: Any, person: Any) -> bool:
    return personal.hides(_user(context), person)


@register.simple_tag(takes_context=True)
def person_text(context: Any, person: Any, value: str, hidden: str = BLOCKED) -> str:
    """A value typed about `person` (a recado's caller or phone), hidden when blocked."""
    return personal.text_for(_user(context), person, value, hidden)
