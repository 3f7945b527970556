"""Benchmark of the daily close: `python bench/cob.py [--short] [--date D]`.

PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/recupera_bench_cob). When
the database is empty it is created, migrated and loaded (untimed, figures printed):
    recupera demo-data --credits 1000000 --seed 3 --as-of 2026-11-26 --bulk   (full)
    recupera demo-data --credits 20000 --seed 3 --as-of 2026-11-26 --bulk     (--short)
and, when nothing was closed yet, the first close (state date + 1) runs untimed too.
Then marks 1 % of the credits as having new events, runs the close of the next unclosed date, and
compares it with a bare SQL UPDATE touching the same number of rows in the same run (the floor).
With --vacuum the tables the close rewrites are vacuumed first (untimed; the server here runs with
autovacuum off, so without it every close of a series starts with the previous ones' dead rows).
Prints the figures, writes bench/results/cob.json (cob-short.json with --short), exits 1 if the
ratio is worse than bench/bounds.json says.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/recupera_bench_cob"
AS_OF = dt.date(2026, 11, 26)
# what a close rewrites every day (cached columns, aging facts, the cases' priorities and stages)
VACUUMED = ("credits_credit", "cob_creditaging", "collections_case")
# the statuses of credits that pay (the day's payments go to these)
PAYING = ("amortizacion", "vencido", "convenio", "juridico")


def machine() -> dict:
    return {"python": platform.python_version(), "machine": platform.machine(),
            "cpus": os.cpu_count(), "system": platform.platform(),
            "load_average": [round(x, 2) for x in os.getloadavg()]}


def load(credits: int) -> dict:
    """Migrate, load the portfolio when there are no credits, run the first close when none ran."""
    from django.core.management import call_command

    from recupera.cob.models import CloseRun
    from recupera.cob.services import close_run
    from recupera.credits.models import Credit

    timings: dict = {}
    call_command("migrate", verbosity=0)
    if not Credit.objects.exists():
        print(f"cargando cartera sintética ({credits} créditos, --bulk)…", flush=True)
        t0 = time.perf_counter()
        call_command("demo_data", credits=credits, seed=3, as_of=AS_OF, bulk=True, verbosity=0)
        timings["load_seconds"] = round(time.perf_counter() - t0, 1)
    if not CloseRun.objects.exists():
        first = (Credit.objects.order_by("-state_as_of").values_list("state_as_of", flat=True).first()
                 + dt.timedelta(days=1))
        print(f"primer cierre ({first})…", flush=True)
        t0 = time.perf_counter()
        close_run(actor=None, business_date=first)
        timings["first_close_seconds"] = round(time.perf_counter() - t0, 1)
    print(timings, flush=True)
    return timings


def post_payments(business_date: dt.date, count: int) -> dict:
    """The day's payments, as the bank leaves them: a BBVA CIE file paying `count` credits that
    owe (value date = the day being closed), imported with `replay="skip"` (the intake posts the
    entries and marks the credits; their replay is the close's). Not timed with the close."""
    import random

    from payments import build_file

    from recupera.credits.models import Credit
    from recupera.payments.models import FileLayout
    from recupera.payments.references import references_backfill
    from recupera.payments.services import payment_file_import

    owing = list(Credit.objects.filter(status__in=PAYING, has_new_events=False)
                 .values_list("pk", flat=True))
    chosen = random.Random(business_date.toordinal()).sample(owing, min(count, len(owing)))
    # the references of every credit (the import's own backfill, which a bulk load leaves to the
    # first import: 2 M rows at 1 M credits, once), then the day's file
    t0 = time.perf_counter()
    references_backfill()
    references = round(time.perf_counter() - t0, 1)
    t0 = time.perf_counter()
    content, rows = build_file(len(chosen), chosen, business_date.toordinal(), value_date=business_date)
    imp = payment_file_import(actor=None, layout=FileLayout.objects.get(name="bbva-cie"),
                              name=f"bench-cob-{business_date}.txt", content=content,
                              business_date=business_date, replay="skip")
    seconds = round(time.perf_counter() - t0, 1)
    credits = Credit.objects.filter(pk__in=chosen, has_new_events=True).count()
    print(f"pagos del día: {imp.applied_count:,} de {len(chosen):,} aplicados en {seconds} s "
          f"(sin medir; referencias {references} s), {credits:,} créditos por recalcular", flush=True)
    return {"lines": len(chosen), "applied": imp.applied_count, "credits_marked": credits,
            "total": str(sum(r[3] for r in rows)), "import_id": imp.pk, "intake_seconds": seconds, "references_seconds": references,
            "credit_ids": chosen}


def check_payments(payments: dict, replayed: int) -> list[str]:
    """After the close: every payment allocated exactly once, every marked credit replayed and
    none left marked. Returns what is wrong (empty when all is right)."""
    from django.db.models import Sum

    from recupera.credits.models import Allocation, Credit
    from recupera.payments.models import BankOperation

    problems = []
    chosen = payments.pop("credit_ids")
    entries = list(BankOperation.objects.filter(payment_import_id=payments["import_id"])
                   .values_list("ledger_entry_id", flat=True))
    allocated = (Allocation.objects.filter(credit_id__in=chosen, entry_id__in=entries,
                                           posting_kind="payment")
                 .aggregate(s=Sum("amount"))["s"] or Decimal("0"))
    if payments["applied"] != payments["lines"]:
        problems.append(f"aplicados {payments['applied']} de {payments['lines']} renglones")
    if allocated != Decimal(payments["total"]):
        problems.append(f"aplicado {allocated} contra {payments['total']} del archivo")
    if replayed < payments["credits_marked"]:
        problems.append(f"recalculados {replayed} de {payments['credits_marked']} créditos")
    left = Credit.objects.filter(has_new_events=True).count()
    if left:
        problems.append(f"{left} créditos siguen marcados")
    payments["allocated"] = str(allocated)
    return problems


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--short", action="store_true")
    parser.add_argument("--date", default=None)
    parser.add_argument("--credits", type=int, default=None,
                        help="portfolio to load when empty (default 1,000,000; --short 20,000)")
    parser.add_argument("--vacuum", action="store_true",
                        help="VACUUM (ANALYZE) the tables the close rewrites before it, untimed: "
                             "what autovacuum does between two closes where it is on (here it is off)")
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recupera.settings")
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        print("bench/cob.py necesita PostgreSQL (DATABASE_URL)")
        return 2
    from search import ensure_database

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.db import connection, transaction

    from recupera.cob.models import CloseRun
    from recupera.cob.services import close_run
    from recupera.credits.models import Credit

    timings = load(args.credits or (20_000 if args.short else 1_000_000))
    total = Credit.objects.count()
    last = CloseRun.objects.order_by("-business_date").first()
    if args.date:
        d = dt.date.fromisoformat(args.date)
    elif last:
        d = last.business_date + dt.timedelta(days=1)
    else:
        d = (Credit.objects.order_by("-state_as_of").values_list("state_as_of", flat=True).first()
             + dt.timedelta(days=1))
    if args.vacuum:
        t0 = time.perf_counter()
        with connection.cursor() as cur:
            for table in VACUUMED:
                cur.execute(f"VACUUM (ANALYZE) {table}")
        timings["vacuum_seconds"] = round(time.perf_counter() - t0, 1)
        print(f"VACUUM (ANALYZE) {', '.join(VACUUMED)}: {timings['vacuum_seconds']} s (sin medir)", flush=True)
    payments = post_payments(d, max(total // 100, 1))
    timings["payments_intake_seconds"] = payments.pop("intake_seconds")
    marked = payments["credits_marked"]
    started, cpu = time.perf_counter(), time.process_time()
    run = close_run(actor=None, business_date=d)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    steps = {s.name: {"seconds": round(s.seconds or 0, 3), "rows": s.rows} for s in run.steps.order_by("position")}
    problems = check_payments(payments, steps["recalculo_motor"]["rows"])
    touched = steps["recalculo_motor"]["rows"] + steps["antiguedad"]["rows"]
    with connection.cursor() as cur:
        cur.execute("SELECT id FROM credits_credit ORDER BY id OFFSET %s LIMIT 1", [max(touched - 1, 0)])
        row = cur.fetchone()
        limit_id = row[0] if row else 2**62
    # the floor writes a new value to an indexed column of as many rows (as the close does: an
    # update that changes nothing indexed would be a cheap HOT update), then rolls back
    with transaction.atomic(), connection.cursor() as cur:
        t0 = time.perf_counter()
        cur.execute("UPDATE credits_credit SET days_past_due = days_past_due + 1 WHERE id <= %s", [limit_id])
        bare = time.perf_counter() - t0
        transaction.set_rollback(True)
    ratio = seconds / bare if bare else float("inf")
    result = {"name": "cob", "short": args.short, "credits": total, "business_date": d.isoformat(),
              "marked_new_events": marked, "payments": payments, "seconds": round(seconds, 3),
              "python_cpu_seconds": round(cpu, 3), **timings,
              "credits_per_second": round(total / seconds, 1), "rows_touched": touched,
              "bare_update_seconds": round(bare, 3), "ratio_to_bare_update": round(ratio, 2),
              "steps": steps, "machine": machine()}
    print(json.dumps(result, indent=2, ensure_ascii=False))
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / ("cob-short.json" if args.short else "cob.json")).write_text(json.dumps(result, indent=2, ensure_ascii=False))
    if problems:
        print("FALLA: " + "; ".join(problems))
        return 1
    bounds = json.loads((HERE / "bounds.json").read_text())["cob"]
    limit = bounds["short_ratio_max" if args.short else "ratio_max"]
    if ratio > limit:
        print(f"FALLA: cociente {ratio:.1f} > {limit}")
        return 1
    if not args.short and seconds > bounds["goal_seconds_1m"] and total >= 1_000_000:
        print(f"FALLA: {seconds:.1f} s > {bounds['goal_seconds_1m']} s")
        return 1
    print(f"cierre {seconds:.2f} s, {total / seconds:,.0f} créditos/s, cociente {ratio:.2f} (cota {limit})")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent / "src"))
    sys.path.insert(0, str(HERE))
    raise SystemExit(main())
