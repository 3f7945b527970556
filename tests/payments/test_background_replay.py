"""A big file's credits are replayed by a background process while the next chunks are posted
(credits.services.BackgroundRefresh), with the same result as replaying in each chunk's
transaction; if that process fails, the import replays what it left."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.db import connection

from tests.payments.conftest import TODAY, cie_file, cie_line

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the background replay needs PostgreSQL (a second connection that sees the "
                    "committed chunks; SQLite tests run inside one transaction)")


def _import(layouts, ref, credits, tag: str, replay: str):
    from recupera.payments.services import payment_file_import

    # every credit paid twice, in different chunks (chunk_size=3 < number of credits)
    lines = [cie_line(date=dt.date(2025, 3, 1 + i), reference=ref(c), amount=f"{150 + i}.25",
                      guide=f"{tag}{i:06d}") for i, c in enumerate(credits * 2)]
    return payment_file_import(actor=None, layout=layouts["bbva-cie"], name=f"{tag}.txt",
                               content=cie_file(lines), business_date=TODAY, chunk_size=3,
                               replay=replay)


def _projection(credit):
    from recupera.credits.models import Allocation

    credit.refresh_from_db()
    return ((credit.status, credit.days_past_due, credit.total_overdue, credit.payoff_amount,
             credit.principal_outstanding, credit.credit_balance, credit.next_due_date,
             credit.has_new_events),
            list(Allocation.objects.filter(credit=credit).order_by("id").values_list(
                "posting_kind", "value_date", "installment", "component", "amount")))


def test_background_replay_matches_replay_in_each_chunk(postgres_only, make_credit, ref, layouts,
                                                        monkeypatch):
    from recupera.credits import services

    submitted: list[list[int]] = []
    real_submit = services.BackgroundRefresh.submit
    monkeypatch.setattr(services.BackgroundRefresh, "submit",
                        lambda self, ids: (submitted.append(sorted(ids)), real_submit(self, ids)))
    now, background = [make_credit() for _ in range(5)], [make_credit() for _ in range(5)]
    imp_now = _import(layouts, ref, now, "n", "now")
    assert submitted == []
    imp_bg = _import(layouts, ref, background, "b", "deferred")
    assert imp_bg.status == "terminada" and imp_bg.applied_count == imp_now.applied_count == 10
    assert len(submitted) == 4  # 10 lines in chunks of 3: every chunk's credits were handed over
    assert sorted({pk for ids in submitted for pk in ids}) == sorted(c.pk for c in background)
    for a, b in zip(now, background, strict=True):
        state_a, allocations_a = _projection(a)
        state_b, allocations_b = _projection(b)
        assert state_b == state_a and not state_b[-1]
        assert allocations_b == allocations_a
    # the engine, asked live, agrees with what the background process stored
    from recupera.credits import engine_io

    for c in background:
        live = engine_io.credit_state(c, as_of=TODAY)
        c.refresh_from_db()
        assert (c.payoff_amount, c.total_overdue, c.days_past_due) == (
            live.payoff_amount, live.total_overdue, live.days_past_due)


def test_a_failed_background_replay_is_finished_by_the_import(postgres_only, make_credit, ref,
                                                              layouts, monkeypatch, caplog):
    from recupera.credits import services

    parent = os.getpid()
    real = services.credits_bulk_refresh

    def failing_in_the_child(**kwargs):
        if os.getpid() != parent:
            raise RuntimeError("sin conexión")
        return real(**kwargs)

    monkeypatch.setattr(services, "credits_bulk_refresh", failing_in_the_child)
    credits = [make_credit() for _ in range(4)]
    imp = _import(layouts, ref, credits, "f", "deferred")
    assert imp.status == "terminada" and imp.applied_count == 8
    assert "background replay failed (RuntimeError: sin conexión)" in caplog.text
    for c in credits:
        c.refresh_from_db()
        assert not c.has_new_events
        assert c.payoff_amount == services.engine_io.credit_state(c, as_of=TODAY).payoff_amount
