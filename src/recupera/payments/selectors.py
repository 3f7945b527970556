"""Reads of the payments app (query counts known)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from recupera.payments.models import BankOperation, PaymentImport, Receipt


def imports_list() -> QuerySet[PaymentImport]:
    return PaymentImport.objects.select_related("layout", "uploaded_by").order_by("-created_at", "-id")


AMOUNT_RE = re.compile(r"^\d{1,12}(\.\d{1,2})?$")


def unidentified_list(*, q: str = "", date_from: dt.date | None = None,
                      date_to: dt.date | None = None) -> QuerySet[BankOperation]:
    qs = (BankOperation.objects.filter(status=BankOperation.Status.UNIDENTIFIED)
          .select_related("agreement", "payment_import").order_by("-value_date", "-id"))
    q = (q or "").strip()[:60]  # the search box's limit, on the API too
    if q:
        cond = Q(reference__icontains=q) | Q(concept__icontains=q) | Q(operation_key__icontains=q)
        amount = q.replace("$", "").replace(",", "")
        # Only a plain amount: «NaN», «Infinity» or «1e999999» reached the query and failed there.
        if AMOUNT_RE.match(amount):
            cond |= Q(amount=Decimal(amount))
        qs = qs.filter(cond)
    if date_from:
        qs = qs.filter(value_date__gte=date_from)
    if date_to:
        qs = qs.filter(value_date__lte=date_to)
    return qs


def cash_cut(*, business_date: dt.date, cashier_id: int | None) -> dict[str, Any]:
    """The day's receipts of one cashier (or all), with totals by method; reversed receipts are
    listed and left out of the totals."""
    qs = (Receipt.objects.filter(business_date=business_date)
          .select_related("credit", "cashier", "ledger_entry")
          .annotate(reversals=Count("ledger_entry__reversed_by")).order_by("created_at", "id"))
    if cashier_id:
        qs = qs.filter(cashier_id=cashier_id)
    receipts = list(qs)
    totals: dict[str, Decimal] = {}
    count = 0
    reversed_total = Decimal("0")
    for r in receipts:
        r.is_reversed = bool(r.reversals)
        if r.is_reversed:
            reversed_total += r.amount
            continue
        count += 1
        totals[r.get_method_display()] = totals.get(r.get_method_display(), Decimal("0")) + r.amount
    return {"receipts": receipts, "totals": sorted(totals.items()), "count": count,
            "total": sum(totals.values(), Decimal("0")), "reversed_total": reversed_total}


def import_summary_by_status() -> dict[str, int]:
    return dict(BankOperation.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))


def unidentified_total() -> tuple[int, Decimal]:
    agg = BankOperation.objects.filter(status=BankOperation.Status.UNIDENTIFIED).aggregate(
        n=Count("id"), total=Sum("amount"))
    return agg["n"] or 0, agg["total"] or Decimal("0")
