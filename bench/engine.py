"""Engine benchmark: build a 60-month schedule and replay 60 monthly payments per credit.

Run:  python bench/engine.py [--short] [--credits N] [--repeat N]

The engine runs in this one process, on one core. Every pass replays all the credits; the
figures are the best of `--repeat` passes (default 5; `--short`: 1,000 credits, 3 passes,
well under 15 s). The headline is CPU time (`time.process_time`), since the machine may be
shared: credits/s (CPU, one core) = credits / CPU seconds of the best pass. Wall time of the
same pass is printed too, with the load average (a loaded machine inflates both, wall most).

Also a same-run floor: as many plain Decimal multiply-adds as the replay performs allocations
plus installments (a rough count of the money arithmetic), so the ratio engine/floor is a
figure that the load affects little. Writes bench/results/engine.json (with the machine's
details) and exits 1 when the CPU figure is below bench/bounds.json's "engine" bound.

Every credit has its own principal, so no schedule is ever reused; the engine caches only the
due dates of a (first due date, term, calendar), which the credits here share as a portfolio's
credits do (`schedule.due_calendar`). Both figures are reported: "warm" (the cache as it works,
the headline) and "cold" (the cache cleared before every credit: every credit computes its due
dates).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from recupera.engine import (  # noqa: E402
    BusinessCalendar,
    Disbursement,
    Event,
    Terms,
    build_schedule,
    credit_state,
)
from recupera.engine.schedule import due_calendar  # noqa: E402

MX_2025_2030 = frozenset(
    date(y, m, d) for y in range(2025, 2031) for (m, d) in ((1, 1), (5, 1), (9, 16), (12, 25))
)


def make_credit(
    rng: random.Random, calendar: BusinessCalendar
) -> tuple[Terms, Disbursement, list[Event]]:
    amount = Decimal(rng.randrange(800_000, 2_000_000)) / 100
    terms = Terms(
        base_rate=Decimal("0.06"),
        punctual_rate=Decimal("0.03"),
        late_rate=Decimal("0.09"),
        term_months=60,
        first_due_date=date(2025, rng.randrange(1, 13), rng.choice((5, 15, 28))),
    )
    disbursement = Disbursement(1, date(2024, 6, 1), amount)
    schedule = build_schedule(terms, [disbursement], calendar)
    events = []
    for k, inst in enumerate(schedule.installments):
        late = rng.random() < 0.15  # some payments arrive after the effective due date
        value_date = inst.effective_due_date
        if late:
            value_date = date.fromordinal(value_date.toordinal() + rng.randrange(1, 40))
        pay = inst.principal + inst.interest / 2 + Decimal(rng.randrange(-500, 3000)) / 100
        events.append(
            Event(
                id=f"p{k}",
                kind="payment",
                value_date=value_date,
                seq=k,
                amount=pay.quantize(Decimal("0.01")),
            )
        )
    return terms, disbursement, events


def _load() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:  # pragma: no cover - not on every platform
        return None


def _pass(
    inputs: list[tuple[Terms, Disbursement, list[Event]]],
    calendar: BusinessCalendar,
    as_of: date,
    *,
    cold: bool = False,
) -> tuple[float, float]:
    """One pass over every credit: (wall seconds, CPU seconds)."""
    due_calendar.cache_clear()  # a warm pass starts empty and fills the cache itself
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for terms, disbursement, events in inputs:
        if cold:
            due_calendar.cache_clear()
        credit_state(
            terms=terms,
            disbursements=(disbursement,),
            events=events,
            calendar=calendar,
            as_of=as_of,
        )
    cpu = time.process_time() - cpu0
    wall = time.perf_counter() - wall0
    return wall, cpu


def run(credits: int, seed: int, repeat: int = 5) -> dict[str, object]:
    rng = random.Random(seed)
    calendar = BusinessCalendar(MX_2025_2030)
    inputs = [make_credit(rng, calendar) for _ in range(credits)]
    as_of = date(2031, 1, 1)
    # The generated inputs are long-lived: move them out of the cyclic GC's way so it does not
    # rescan them during the run (a bench artefact, not engine work).
    gc.collect()
    gc.freeze()
    load_before = _load()
    passes = [_pass(inputs, calendar, as_of) for _ in range(repeat)]
    best = min(passes, key=lambda p: p[1])  # the pass with the least CPU time
    engine_wall, engine_cpu = best
    cold_wall, cold_cpu = _pass(inputs, calendar, as_of, cold=True)

    # Allocation lines of one replay of every credit (the same in every pass).
    allocations = 0
    for terms, disbursement, events in inputs:
        state = credit_state(
            terms=terms,
            disbursements=(disbursement,),
            events=events,
            calendar=calendar,
            as_of=as_of,
        )
        allocations += sum(len(p.allocations) for p in state.postings)

    # Floor: as many Decimal multiply-adds as the money arithmetic the replay must do at least
    # (one per allocation line plus one per scheduled installment), best of `repeat` too.
    ops = allocations + credits * 60
    a, b = Decimal("1234.56"), Decimal("0.005")
    floor_cpu = float("inf")
    floor_wall = 0.0
    for _ in range(repeat):
        acc = Decimal(0)
        wall0, cpu0 = time.perf_counter(), time.process_time()
        for _ in range(ops):
            acc += a * b
        cpu = time.process_time() - cpu0
        if cpu < floor_cpu:
            floor_cpu, floor_wall = cpu, time.perf_counter() - wall0
    load_after = _load()

    cpu_rate = credits / engine_cpu
    return {
        "benchmark": "engine: 60-month schedule + replay of 60 monthly payments",
        "credits": credits,
        "seed": seed,
        "best_of": repeat,
        "cpu_seconds": round(engine_cpu, 4),
        "wall_seconds": round(engine_wall, 4),
        "cpu_microseconds_per_credit": round(engine_cpu / credits * 1e6, 1),
        "wall_microseconds_per_credit": round(engine_wall / credits * 1e6, 1),
        "credits_per_second_cpu": round(cpu_rate, 1),
        "credits_per_second_wall": round(credits / engine_wall, 1),
        "all_passes_cpu_seconds": [round(p[1], 4) for p in passes],
        # Kept from the first version of this file (wall figures of the best pass):
        "engine_seconds": round(engine_wall, 4),
        "microseconds_per_credit": round(engine_wall / credits * 1e6, 1),
        "credits_per_second": round(credits / engine_wall, 1),
        "cold_due_date_cache": {
            "note": "due-date cache cleared before every credit (one pass)",
            "cpu_microseconds_per_credit": round(cold_cpu / credits * 1e6, 1),
            "wall_microseconds_per_credit": round(cold_wall / credits * 1e6, 1),
            "credits_per_second_cpu": round(credits / cold_cpu, 1),
        },
        "goal_credits_per_second": 2000,
        "floor": "plain Decimal multiply-adds, one per allocation line and installment",
        "floor_ops": ops,
        "floor_cpu_seconds": round(floor_cpu, 4),
        "floor_wall_seconds": round(floor_wall, 4),
        "ratio_engine_to_floor": round(engine_cpu / floor_cpu, 1),
        "load_average": {"before": load_before, "after": load_after},
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "python": sys.version.split()[0],
            "implementation": platform.python_implementation(),
            "cpu_count": os.cpu_count(),
            "cores_used": 1,
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="1,000 credits, best of 3")
    parser.add_argument("--credits", type=int, default=None, help="default 5,000 (short 1,000)")
    parser.add_argument("--repeat", type=int, default=None, help="passes, default 5 (short 3)")
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    credits = args.credits or (1000 if args.short else 5000)
    repeat = max(1, args.repeat or (3 if args.short else 5))
    result = run(credits, args.seed, repeat)
    result["short"] = args.short
    bounds = json.loads((HERE / "bounds.json").read_text(encoding="utf-8"))["engine"]
    # The short mode (CI) is bounded by engine/floor, which does not move with the host's speed
    # (16–23x on hosts whose credits/s differ by 2x); the full run by credits/s, the goal's unit.
    if args.short:
        bound = bounds["short_max_ratio_to_floor"]
        result["bound_max_ratio_to_floor"] = bound
    else:
        bound = bounds["min_credits_per_second_cpu"]
        result["bound_min_credits_per_second_cpu"] = bound
    cold = result["cold_due_date_cache"]
    load = result["load_average"]
    assert isinstance(cold, dict) and isinstance(load, dict)
    print(f"credits:             {result['credits']} (best of {result['best_of']} passes)")
    print(
        f"engine, CPU:         {result['cpu_microseconds_per_credit']} µs/credit, "
        f"{result['credits_per_second_cpu']} credits/s on one core "
        f"(goal {result['goal_credits_per_second']}" + ("" if args.short else f", bound {bound}") + ")"
    )
    print(
        f"engine, wall:        {result['wall_microseconds_per_credit']} µs/credit, "
        f"{result['credits_per_second_wall']} credits/s (same pass)"
    )
    print(
        f"engine, cold cache:  {cold['cpu_microseconds_per_credit']} µs/credit CPU, "
        f"{cold['credits_per_second_cpu']} credits/s (due-date cache cleared before every credit)"
    )
    print(
        f"floor (Decimal ops): {result['floor_ops']} multiply-adds in "
        f"{result['floor_cpu_seconds']} s CPU; engine/floor = {result['ratio_engine_to_floor']}x"
    )
    print(f"load average:        {load['before']} before, {load['after']} after (1, 5, 15 min)")
    name = "engine-short.json" if args.short else "engine.json"
    out = HERE / "results" / name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written:             {out.relative_to(HERE.parent)}")
    if args.short and result["ratio_engine_to_floor"] > bound:  # type: ignore[operator]
        print(f"FALLA: motor/piso {result['ratio_engine_to_floor']}x > {bound}x")
        return 1
    if not args.short and result["credits_per_second_cpu"] < bound:  # type: ignore[operator]
        print(f"FALLA: {result['credits_per_second_cpu']} créditos/s (CPU) < {bound}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
