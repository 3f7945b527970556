from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from recupera.core.audit import audit_record
from recupera.core.models import OperatingDate


def business_date_get() -> dt.date:
    """The system's business date. Until the first daily close sets it, it is the local
    calendar date in Hermosillo (the edge of the system is the one place that reads a clock)."""
    row = OperatingDate.objects.filter(pk=1).only("business_date").first()
    return row.business_date if row else timezone.localdate()


def business_date_of_request(request: Any) -> dt.date:
    """business_date_get() read once per request (the page and its menu show the same date)."""
    cached = getattr(request, "_recupera_business_date", None)
    if cached is None:
        cached = business_date_get()
        request._recupera_business_date = cached
    return cached


@transaction.atomic
def business_date_set(*, actor: Any, business_date: dt.date) -> OperatingDate:
    row = OperatingDate.objects.select_for_update().filter(pk=1).first()
    before = {"business_date": row.business_date.isoformat()} if row else None
    if row is None:
        row = OperatingDate.objects.create(pk=1, business_date=business_date)
    else:
        row.business_date = business_date
        row.save(update_fields=["business_date"])
    audit_record(actor=actor, action="fecha_operacion.cambiar", obj=row, before=before,
                 after={"business_date": business_date.isoformat()})
    return row
