"""Fixtures of the payments tests: credits with a known schedule, bank-file builders."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest

# Credits of 12,000.00 at 6 %, 60 months, first due date 15/01/2025 (installment 231.99).
FIRST_DUE = dt.date(2025, 1, 15)
TODAY = dt.date(2025, 3, 31)
CIE_AGREEMENT = "00123456"


def cie_line(*, date: dt.date, reference: str, amount: str, guide: str = "0000001",
             branch: str = "0101", concept: str = "PAGO CREDITO", ptype: str = "EFE",
             agreement: str = CIE_AGREEMENT) -> str:
    """One BBVA CIE record: 89 characters exactly (docs/domain.md §4)."""
    cents = int(Decimal(amount) * 100)
    line = (f"{date:%d%m%y}{agreement:<8.8}{ptype:<3.3}{branch:<4.4}{guide:<7.7}"
            f"{reference:<20.20}{concept:<30.30}{cents:011d}")
    assert len(line) == 89, len(line)
    return line


def cie_file(lines: list[str]) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("latin-1")


def csv_file(rows: list[tuple[str, str, str, str, str]],
             header: str = "fecha,referencia,importe,operacion,banco") -> bytes:
    return ("\n".join([header, *[",".join(r) for r in rows]]) + "\n").encode("utf-8")


@pytest.fixture
def product_ce(db):
    from recupera.credits.models import Product

    return Product.objects.get(code="CE")


@pytest.fixture
def make_credit(db, product_ce, make_person):
    """make_credit(folio=…, amount="12000.00", first_due_date=FIRST_DUE) -> a disbursed credit
    replayed at TODAY."""
    counter = itertools.count(1)

    def _make(*, folio: str | None = None, amount: str = "12000.00",
              first_due_date: dt.date = FIRST_DUE, borrower=None, as_of: dt.date = TODAY):
        from recupera.credits.services import credit_create, credit_refresh, disbursement_add

        n = next(counter)
        credit = credit_create(actor=None, folio=folio or f"P-{n:05d}", product=product_ce,
                               borrower=borrower or make_person(), first_due_date=first_due_date,
                               term_months=60)
        disbursement_add(actor=None, credit=credit, number=1, date=dt.date(2020, 1, 15),
                         amount=Decimal(amount))
        credit_refresh(credit=credit, as_of=as_of)
        return credit

    return _make


@pytest.fixture
def layouts(db):
    from recupera.payments.models import FileLayout

    return {layout.name: layout for layout in FileLayout.objects.all()}


@pytest.fixture
def run_import(db, layouts):
    """run_import(content, layout="bbva-cie", mode=…, actor=None, name=…) -> PaymentImport."""

    def _run(content: bytes, layout: str = "bbva-cie", *, mode: str = "solo_validos",
             actor=None, name: str = "pagos.txt", business_date: dt.date = TODAY, chunk_size=1000, replay=None):
        from recupera.payments.services import payment_file_import

        return payment_file_import(actor=actor, layout=layouts[layout], name=name, content=content,
                                   business_date=business_date, mode=mode, chunk_size=chunk_size,
                                   replay=replay)

    return _run


@pytest.fixture
def ref(db):
    """ref(credit, "luhn") -> the credit's payment reference."""
    from recupera.payments.references import payment_reference_for

    def _ref(credit, algorithm: str = "luhn") -> str:
        return payment_reference_for(credit, algorithm)

    return _ref


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
