"""The portal's demo debtor for `recupera demo`: the borrower of the first overdue credit whose
case has a collector and who has a mobile phone on file (the synthetic people have one)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DemoDebtor:
    folio: str
    curp: str
    name: str
    phone: str


def demo_debtor() -> DemoDebtor | None:
    from recupera.collections.models import Case
    from recupera.people.models import ContactPoint
    from recupera.portal.services import code_destination

    cases: Any = (Case.objects.filter(status=Case.Status.OPEN, collector__isnull=False,
                                      credit__days_past_due__gt=0, credit__borrower__data_blocked=False)
                  .select_related("credit__borrower").order_by("credit__folio"))
    for case in cases[:50]:
        person = case.credit.borrower
        contact = code_destination(person)
        if contact is not None and contact.kind == ContactPoint.Kind.PHONE:
            return DemoDebtor(case.credit.folio, person.curp, person.full_name, contact.value)
    return None
