"""PostgreSQL array literals built in Python, for the set-based writers (INSERT/UPDATE … FROM
unnest(%s::type[], …)).

psycopg adapts a Python list element by element in Python (about 2.4 µs an element); a batch
writer sends a dozen arrays of a thousand values per statement, so that was a tenth of a bulk
replay's own CPU. `array_literal` writes the array's text form directly (str() of each value,
text quoted and escaped), which the server parses with the type's input function, exactly as it
parses a literal: the values arrive unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

_ISO: dict[dt.date, str] = {}


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _element(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, dt.datetime):
        return _quoted(value.isoformat())
    if isinstance(value, dt.date):
        text = _ISO.get(value)
        if text is None:
            if len(_ISO) > 100_000:
                _ISO.clear()
            text = _ISO[value] = value.isoformat()
        return text
    if isinstance(value, float):
        raise TypeError("money is never a float")
    return _quoted(str(value))


def array_literal(values: Iterable[Any]) -> str:
    """The text form of a one-dimensional PostgreSQL array of `values` (None = NULL; str,
    int, Decimal, bool, date and datetime values): pass it as the parameter of
    `%s::<type>[]`."""
    return "{" + ",".join([_element(v) for v in values]) + "}"
