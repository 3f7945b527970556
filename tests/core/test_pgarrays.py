"""array_literal: the values reach PostgreSQL unchanged (quotes, backslashes, NULLs, accents,
dates, money to the cent)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from recupera.core.pgarrays import array_literal


def test_literal_text():
    assert array_literal([1, None, True, False]) == "{1,NULL,t,f}"
    assert array_literal([Decimal("12.50"), dt.date(2026, 11, 26)]) == "{12.50,2026-11-26}"
    assert array_literal(['a"b', "c\\d", "", "NULL"]) == '{"a\\"b","c\\\\d","","NULL"}'
    with pytest.raises(TypeError):
        array_literal([1.5])


@pytest.mark.django_db
def test_values_arrive_unchanged_in_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("array literals are PostgreSQL's")
    texts = ['PAGO "CRÉDITO" 12\\34', "", "NULL", "a,b{c}", None, "ñandú  "]
    money = [Decimal("0.01"), Decimal("1234567.89"), None, Decimal("100")]
    days = [dt.date(2025, 3, 1), None]
    with connection.cursor() as cur:
        cur.execute("SELECT %s::text[], %s::numeric[], %s::date[], %s::bigint[], %s::bool[]",
                    [array_literal(texts), array_literal(money), array_literal(days),
                     array_literal([9_007_199_254_740_993, None]), array_literal([True, None])])
        got = cur.fetchone()
    assert got == (texts, money, days, [9_007_199_254_740_993, None], [True, None])
