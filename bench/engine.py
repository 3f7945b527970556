"""Engine benchmark: build a 60-month schedule and replay 60 monthly payments per credit.

Run:  python bench/engine.py [--credits N] [--repeats R] [--short]

Prints microseconds per credit and credits per second on one core, and a same-run floor: the
same number of plain Decimal multiply-adds as the replay performs allocations (a rough count of
the money arithmetic), so the ratio engine/floor is the figure to improve. Writes
bench/results/engine.json.

"On one core" is measured as the process's CPU time (`time.process_time`, one thread), the best
of R repeats: on a shared machine wall time also counts the time other processes held the
core. Wall time is printed beside it. The run exits 1 when the CPU figure is below the bound
in bench/bounds.json ("engine"), which sits below the goal with room for a noisy machine.

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


def run(credits: int, seed: int, repeats: int = 3) -> dict[str, object]:
    rng = random.Random(seed)
    calendar = BusinessCalendar(MX_2025_2030)
    inputs = [make_credit(rng, calendar) for _ in range(credits)]
    as_of = date(2031, 1, 1)
    # The generated inputs are long-lived: move them out of the cyclic GC's way so it does not
    # rescan them during the run (a bench artefact, not engine work).
    gc.collect()
    gc.freeze()
    allocations = 0
    for terms, disbursement, events in inputs[:1]:
        state = credit_state(terms=terms, disbursements=(disbursement,), events=events,
                             calendar=calendar, as_of=as_of)
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(repeats):
        due_calendar.cache_clear()  # each warm run starts empty and fills it itself
        allocations = 0
        start, start_cpu = time.perf_counter(), time.process_time()
        for terms, disbursement, events in inputs:
            state = credit_state(
                terms=terms,
                disbursements=(disbursement,),
                events=events,
                calendar=calendar,
                as_of=as_of,
            )
            allocations += len(state.postings)
        cpus.append(time.process_time() - start_cpu)
        walls.append(time.perf_counter() - start)
    # The allocation count for the floor, outside the timed loops.
    allocations = sum(
        len(p.allocations)
        for terms, disbursement, events in inputs
        for p in credit_state(terms=terms, disbursements=(disbursement,), events=events,
                              calendar=calendar, as_of=as_of).postings
    )
    engine_s = min(cpus)
    wall_s = min(walls)

    start = time.process_time()
    for terms, disbursement, events in inputs:
        due_calendar.cache_clear()
        credit_state(
            terms=terms,
            disbursements=(disbursement,),
            events=events,
            calendar=calendar,
            as_of=as_of,
        )
    cold_s = time.process_time() - start

    # Floor: as many Decimal multiply-adds as the money arithmetic the replay must do at least
    # (one per allocation line plus one per scheduled installment).
    ops = allocations + credits * 60
    a, b, acc = Decimal("1234.56"), Decimal("0.005"), Decimal(0)
    start = time.process_time()
    for _ in range(ops):
        acc += a * b
    floor_s = time.process_time() - start

    us_per_credit = engine_s / credits * 1e6
    return {
        "benchmark": "engine: 60-month schedule + replay of 60 monthly payments",
        "credits": credits,
        "seed": seed,
        "repeats": repeats,
        "clock": "process CPU time, best of the repeats (one thread: one core)",
        "engine_seconds": round(engine_s, 4),
        "microseconds_per_credit": round(us_per_credit, 1),
        "credits_per_second": round(credits / engine_s, 1),
        "wall": {
            "engine_seconds": round(wall_s, 4),
            "microseconds_per_credit": round(wall_s / credits * 1e6, 1),
            "credits_per_second": round(credits / wall_s, 1),
        },
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cold_due_date_cache": {
            "note": "due-date cache cleared before every credit (CPU time, one run)",
            "engine_seconds": round(cold_s, 4),
            "microseconds_per_credit": round(cold_s / credits * 1e6, 1),
            "credits_per_second": round(credits / cold_s, 1),
        },
        "goal_credits_per_second": 2000,
        "floor": "plain Decimal multiply-adds, one per allocation line and installment",
        "floor_ops": ops,
        "floor_seconds": round(floor_s, 4),
        "ratio_engine_to_floor": round(engine_s / floor_s, 1),
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "python": sys.version.split()[0],
            "implementation": platform.python_implementation(),
            "cpu_count": os.cpu_count(),
            "cores_used": 1,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--credits", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--short", action="store_true", help="1,000 credits, 3 repeats (CI)")
    args = parser.parse_args()
    credits = 1000 if args.short else args.credits
    result = run(credits, args.seed, args.repeats)
    bound = json.loads((HERE / "bounds.json").read_text(encoding="utf-8"))["engine"]
    floor_cps = bound["short_min_credits_per_second" if args.short else "min_credits_per_second"]
    result["bound_min_credits_per_second"] = floor_cps
    print(f"credits:            {result['credits']} (best of {result['repeats']} runs)")
    cold = result["cold_due_date_cache"]
    assert isinstance(cold, dict)
    print(
        f"engine:             {result['microseconds_per_credit']} µs/credit, "
        f"{result['credits_per_second']} credits/s on one core "
        f"(CPU time; goal {result['goal_credits_per_second']}; warm due-date cache)"
    )
    wall = result["wall"]
    assert isinstance(wall, dict)
    print(
        f"engine, wall clock: {wall['microseconds_per_credit']} µs/credit, "
        f"{wall['credits_per_second']} credits/s (load average {result['load_average']})"
    )
    print(
        f"engine, cold cache: {cold['microseconds_per_credit']} µs/credit, "
        f"{cold['credits_per_second']} credits/s (due-date cache cleared before every credit)"
    )
    print(
        f"floor (Decimal ops): {result['floor_ops']} multiply-adds in "
        f"{result['floor_seconds']} s; engine/floor = {result['ratio_engine_to_floor']}x"
    )
    out = HERE / "results" / "engine.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written:            {out.relative_to(HERE.parent)}")
    cps = result["credits_per_second"]
    assert isinstance(cps, float)
    if cps < floor_cps:
        print(f"FAIL: {cps} credits/s is below the bound {floor_cps} (bench/bounds.json)")
        sys.exit(1)


if __name__ == "__main__":
    main()
