"""Fixtures of the daily close tests: a small synthetic portfolio and the engine's answer."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

AS_OF = dt.date(2026, 11, 26)


@pytest.fixture
def portfolio(db):
    """120 synthetic credits of every profile, computed by the engine at AS_OF."""
    call_command("demo_data", credits=120, seed=7, as_of=AS_OF, stdout=io.StringIO())
    from recupera.credits.models import Credit

    return list(Credit.objects.order_by("pk"))


def engine_view(d: dt.date) -> dict[str, dict]:
    """{folio: the date-dependent cached columns as the engine computes them at d}."""
    from recupera.credits import engine_io
    from recupera.credits.models import Credit

    calendar = engine_io.business_calendar()
    out = {}
    for credit in Credit.objects.select_related("product").prefetch_related(
            "disbursements", "ledger_entries").order_by("pk"):
        state = engine_io.credit_state(credit, as_of=d, calendar=calendar)
        out[credit.folio] = {"status": str(engine_io.status_for(credit, state)),
                             "days_past_due": state.days_past_due, "bucket": state.bucket,
                             "next_due_date": state.next_due_date}
    return out


def cached_view() -> dict[str, dict]:
    from recupera.credits.models import Credit

    return {c["folio"]: {k: c[k] for k in ("status", "days_past_due", "bucket", "next_due_date")}
            for c in Credit.objects.order_by("pk").values(
                "folio", "status", "days_past_due", "bucket", "next_due_date")}
