"""{% load payments_ui %}{% payment_references credit %}: the credit's bank references, for the
credit page and the estado de cuenta."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("payments/_credit_references.html")
def payment_references(credit: Any) -> dict[str, Any]:
    from recupera.payments.references import payment_references_for

    return {"references": payment_references_for(credit)}
