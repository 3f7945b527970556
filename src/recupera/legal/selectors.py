"""What the legal screens read."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery


def prescription_alerts(*, user: Any) -> QuerySet[Any]:
    """The close's alerts of pagarés near prescription (cob.PrescriptionAlert) that `user` may
    see: a collector those of the credits of their open cases, a supervisor or the office all
    the open cases' (collections.selectors.visible_cases), earliest first, each with its open
    case's id and collector."""
    from recupera.cob.models import PrescriptionAlert
    from recupera.collections.models import Case
    from recupera.collections.selectors import visible_cases

    cases = visible_cases(user=user).filter(status=Case.Status.OPEN, credit_id=OuterRef("credit_id"))
    return (PrescriptionAlert.objects
            .annotate(case_id=Subquery(cases.order_by("pk").values("pk")[:1]),
                      collector_id=Subquery(cases.order_by("pk").values("collector_id")[:1]))
            .filter(case_id__isnull=False)
            .select_related("note", "credit", "credit__borrower")
            .order_by("prescription_date", "note_id"))
