"""Money helpers: Decimal only, ROUND_HALF_UP to cents (docs/domain.md §3 preamble).

Exact accumulation (late interest, capitalized interest, period interest) runs inside
`ENGINE_CONTEXT` (34 significant digits), and amounts are rounded with `cents` only when they are
posted or reported.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0")
ENGINE_CONTEXT = Context(prec=34, rounding=ROUND_HALF_EVEN)
# `round_cents(x, CENT)` is `x.quantize(CENT, rounding=ROUND_HALF_UP)` at the engine's precision,
# as a bound method of a context: a third cheaper than the method with a rounding argument,
# for the hot loops (schedule interest, rebates, late interest).
round_cents = Context(prec=34, rounding=ROUND_HALF_UP).quantize


def cents(x: Decimal | int | str) -> Decimal:
    """Round to cents with ROUND_HALF_UP. Floats are refused: money never touches a float."""
    if isinstance(x, float):
        raise TypeError("money must be Decimal, int or str, never float")
    if not isinstance(x, Decimal):
        x = Decimal(x)
    return x.quantize(CENT, rounding=ROUND_HALF_UP, context=ENGINE_CONTEXT)
