"""The engine's results are pinned to the cent: full `CreditState`s of a few hundred random
credits are compared with golden values saved before the engine was optimized.

tests/engine/data/golden_states.json holds, per credit, the SHA-256 of the canonical JSON of
its complete state (every field of every installment, posting, allocation and schedule;
Decimals as `str`, so even their exponent is pinned) and a few headline figures that make a
mismatch readable. The credits are generated from fixed seeds by `_credit` below: half look
like the benchmark (long terms, monthly payments, some late, partial or missing), half mix
every event kind (fees, discounts, prepayments, payoffs, reversals, restructures, invalid
amounts) with varied terms, calendars and as-of dates.

Regenerate ONLY when a change of results is intended (and reviewed):
    .venv/bin/python tests/engine/test_golden_states.py --write
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from dataclasses import fields, is_dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from recupera.engine import (
    BusinessCalendar,
    Component,
    CreditState,
    Disbursement,
    Event,
    Terms,
    add_months,
    credit_state,
)

D = Decimal
GOLDEN = Path(__file__).parent / "data" / "golden_states.json"
BENCH_LIKE = 200
MIXED = 200
HOLIDAYS = BusinessCalendar(
    frozenset(
        date(y, m, d)
        for y in range(2023, 2033)
        for (m, d) in ((1, 1), (2, 5), (3, 18), (5, 1), (9, 16), (11, 18), (12, 25))
    )
)
WEEKENDS = BusinessCalendar()
COMPONENTS: tuple[Component, ...] = ("fees", "late_interest", "interest", "principal")
HEADLINE = (
    "status",
    "days_past_due",
    "principal_outstanding",
    "total_overdue",
    "late_interest",
    "payoff_amount",
    "credit_balance",
)


# Fields the contract gained after the golden values were saved: pinned only when they are
# not at their default (none of the golden credits is written off).
LATER_FIELDS = frozenset({"written_off", "written_off_on"})


def _plain(value: Any) -> Any:
    """Canonical JSON-able form: dataclasses as {field: value}, Decimals and dates as str."""
    if is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in fields(value)
            if not (f.name in LATER_FIELDS and getattr(value, f.name) == f.default)
        }
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal | date):
        return str(value)
    return value


def digest(state: CreditState) -> str:
    text = json.dumps(_plain(state), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def headline(state: CreditState) -> dict[str, Any]:
    figures = {name: _plain(getattr(state, name)) for name in HEADLINE}
    figures["postings"] = len(state.postings)
    return figures


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return D(rng.randrange(low, high)) / 100


def _terms(rng: random.Random, term: int, first_due: date) -> Terms:
    order = list(COMPONENTS)
    if rng.random() < 0.2:
        rng.shuffle(order)
    explicit = rng.random() < 0.7
    return Terms(
        base_rate=rng.choice([D("0.06"), D("0.06"), D("0.12"), D("0")]),
        punctual_rate=D("0.03"),
        late_rate=rng.choice([D("0.09"), D("0.09"), D("0.18"), D("0")]),
        term_months=term,
        grace_months=rng.choice([0, 6]),
        end_of_studies=None if explicit else first_due,
        first_due_date=first_due if explicit else None,
        excellence_rate=rng.choice([None, D("0")]),
        excellence_threshold=D("90"),
        academic_average=rng.choice([None, D("85"), D("95")]),
        interest_before_repayment="capitalize" if rng.random() < 0.2 else "none",
        allocation_order=tuple(order),
    )


def _disbursements(rng: random.Random, before: date) -> list[Disbursement]:
    return [
        Disbursement(
            k + 1, before - timedelta(days=rng.randrange(30, 900)), _money(rng, 50_000, 900_000)
        )
        for k in range(rng.choice([1, 1, 1, 2, 4]))
    ]


def _bench_like(rng: random.Random) -> tuple[Terms, list[Disbursement], list[Event], date]:
    """Monthly payments around each due date, like bench/engine.py, on varied terms."""
    term = rng.choice([12, 24, 36, 48, 60, 60])
    first_due = add_months(date(2025, 1, 1), rng.randrange(12), rng.choice((1, 5, 15, 28, 29, 31)))
    terms = _terms(rng, term, first_due)
    disbursements = _disbursements(rng, first_due)
    level = sum((d.amount for d in disbursements), D(0)) / term
    events = []
    due = first_due
    for k in range(term):
        due = date(
            first_due.year + (first_due.month - 1 + k) // 12, (first_due.month - 1 + k) % 12 + 1, 1
        )
        value = due + timedelta(days=min(first_due.day, 28) - 1 + rng.randrange(-5, 8))
        if rng.random() < 0.15:
            value += timedelta(days=rng.randrange(1, 60))
        if rng.random() < 0.05:
            continue  # a missed month
        amount = (level * D(rng.choice(["0.5", "1", "1", "1", "1.2", "1.05"]))).quantize(D("0.01"))
        amount += _money(rng, -500, 3000)
        if amount <= 0:
            amount = D("1.00")
        events.append(Event(id=f"p{k}", kind="payment", value_date=value, seq=k, amount=amount))
    as_of = first_due + timedelta(days=rng.choice([-40, 200, 700, 31 * term, 31 * term + 400]))
    return terms, disbursements, events, as_of


def _mixed(rng: random.Random) -> tuple[Terms, list[Disbursement], list[Event], date]:
    """Every event kind, including ones that are rejected, on short to medium terms."""
    term = rng.randrange(1, 25)
    first_due = add_months(date(2025, 1, 1), rng.randrange(12), rng.choice((1, 15, 28, 29, 30, 31)))
    terms = _terms(rng, term, first_due)
    disbursements = _disbursements(rng, first_due)
    start = first_due - timedelta(days=60)
    events: list[Event] = []
    for n in range(rng.randrange(0, 30)):
        kind = rng.choice(
            ["payment"] * 8 + ["fee", "discount", "prepayment", "payoff", "reversal", "restructure"]
        )
        value = start + timedelta(days=rng.randrange(0, 31 * term + 200))
        amount = _money(rng, 1, 600_000)
        if rng.random() < 0.03:
            amount = rng.choice([D("0"), D("-5.00"), D("10.005")])
        extra: dict[str, Any] = {}
        if kind == "discount":
            extra["component"] = rng.choice([*COMPONENTS, None])
        elif kind == "prepayment":
            extra["mode"] = rng.choice(["keep_installment", "keep_term", None])
        elif kind == "reversal":
            extra["reverses"] = f"e{rng.randrange(0, n + 2)}"
            value += timedelta(days=rng.randrange(0, 20))
        elif kind == "restructure":
            extra["new_rate"] = rng.choice([None, D("0.03"), D("0.06")])
            extra["new_term_months"] = rng.choice([None, 6, 18])
            extra["new_first_due_date"] = rng.choice([None, value + timedelta(days=45)])
            extra["new_principal"] = rng.choice([None, None, _money(rng, 10_000, 500_000)])
            extra["capitalize_interest"] = rng.random() < 0.5
        events.append(
            Event(
                id=f"e{n}",
                kind=kind,  # type: ignore[arg-type]
                value_date=value,
                seq=rng.randrange(0, 5),
                amount=amount,
                channel=rng.choice(["", "caja", "banco"]),
                **extra,
            )
        )
    as_of = start + timedelta(days=rng.randrange(0, 31 * term + 500))
    return terms, disbursements, events, as_of


def _credit(index: int) -> tuple[Terms, list[Disbursement], list[Event], date, BusinessCalendar]:
    rng = random.Random(f"golden-{index}")
    make = _bench_like if index < BENCH_LIKE else _mixed
    terms, disbursements, events, as_of = make(rng)
    calendar = HOLIDAYS if rng.random() < 0.6 else WEEKENDS
    return terms, disbursements, events, as_of, calendar


def _state(index: int) -> CreditState:
    terms, disbursements, events, as_of, calendar = _credit(index)
    return credit_state(
        terms=terms, disbursements=disbursements, events=events, calendar=calendar, as_of=as_of
    )


def _record(index: int) -> dict[str, Any]:
    state = _state(index)
    return {"credit": index, "sha256": digest(state), **headline(state)}


def test_states_match_the_golden_values_to_the_cent() -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert len(golden) == BENCH_LIKE + MIXED
    mismatches = []
    for expected in golden:
        actual = _record(expected["credit"])
        if actual != expected:
            mismatches.append((expected, actual))
    assert mismatches == [], f"{len(mismatches)} credits differ; first: {mismatches[0]}"


def test_golden_credits_cover_every_event_kind_and_status() -> None:
    kinds = {e.kind for i in range(BENCH_LIKE + MIXED) for e in _credit(i)[2]}
    assert kinds >= {
        "payment",
        "fee",
        "discount",
        "prepayment",
        "payoff",
        "reversal",
        "restructure",
    }
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert {g["status"] for g in golden} >= {"grace", "current", "overdue", "paid_off"}


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        raise SystemExit(__doc__)
    GOLDEN.parent.mkdir(exist_ok=True)
    records = [_record(i) for i in range(BENCH_LIKE + MIXED)]
    GOLDEN.write_text(json.dumps(records, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {len(records)} golden states to {GOLDEN}")
