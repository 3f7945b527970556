"""The one money type: Decimal in MXN, cents with ROUND_HALF_UP, es-MX display."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


def to_money(value: object) -> Decimal:
    """Parse a str/int/Decimal amount into cents. Floats are refused (never money)."""
    if isinstance(value, float):
        raise TypeError("money is never a float")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def format_mxn(amount: Decimal | None, *, sign: bool = True) -> str:
    """$1,234.50 (es-MX). Negative amounts as -$1,234.50."""
    if amount is None:
        return ""
    q = to_money(amount)
    text = f"{abs(q):,.2f}"
    prefix = "$" if sign else ""
    return f"-{prefix}{text}" if q < 0 else f"{prefix}{text}"


def money_json(amount: Decimal) -> str:
    """Money in JSON: a string with two decimals, "1234.50"."""
    return f"{to_money(amount):.2f}"
