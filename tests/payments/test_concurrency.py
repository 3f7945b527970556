"""Two imports of overlapping files running at the same time apply each operation once."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from tests.payments.conftest import cie_file, cie_line


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_overlapping_imports_apply_each_operation_once(make_credit, ref, layouts):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serializes every writer (one database lock), so two imports cannot "
                    "overlap there; this race is proven on PostgreSQL (DATABASE_URL=postgres://…).")
    from recupera.credits.models import LedgerEntry
    from recupera.payments.models import BankOperation
    from recupera.payments.services import payment_file_import

    credits = [make_credit() for _ in range(6)]
    lines = [cie_line(date=dt.date(2025, 3, 1 + i % 20), reference=ref(credits[i % 6]),
                      amount=f"{10 + i}.00", guide=f"{i:07d}") for i in range(30)]
    file_a = cie_file(lines[:20])
    file_b = cie_file(list(reversed(lines[10:])))  # overlap 10..19, in the opposite order
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def run(name: str, content: bytes) -> None:
        try:
            barrier.wait()
            results[name] = payment_file_import(actor=None, layout=layouts["bbva-cie"], name=name,
                                                content=content, business_date=dt.date(2025, 3, 31),
                                                chunk_size=4)
        except Exception as exc:  # pragma: no cover - reported below
            results[name] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=("a.txt", file_a)),
               threading.Thread(target=run, args=("b.txt", file_b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    a, b = results["a.txt"], results["b.txt"]
    assert not isinstance(a, Exception), a
    assert not isinstance(b, Exception), b
    assert a.applied_count + b.applied_count == 30
    assert a.duplicate_count + b.duplicate_count == 10
    assert BankOperation.objects.count() == 30
    assert LedgerEntry.objects.filter(kind="payment").count() == 30
    total = sum((e.amount for e in LedgerEntry.objects.filter(kind="payment")), Decimal("0"))
    assert total == sum(Decimal(f"{10 + i}.00") for i in range(30))
