"""Benchmark of the global search box: `python bench/search.py [--short] [--people N]`.

PostgreSQL only (the trigram indexes are PostgreSQL's). Uses DATABASE_URL, by default
postgres://postgres@127.0.0.1:5432/recupera_bench_search; creates, migrates and loads it when
empty:
  1. a portfolio for the folio queries and bench/web.py: `demo-data --credits 20000 --seed 3
     --as-of 2026-11-26 --bulk` (its copied people have no phones: one synthetic mobile each is
     added by SQL, so every person can be found by phone);
  2. synthetic people (recupera.people.synthetic.make_people, seed 11, with their phones) by COPY
     until the table holds N people (default 1,000,000; --short 20,000).
Then times `core.search.global_search(query, user=<a supervisor>)` over a fixed mix of queries
(name tokens, partial surname, CURP prefix, 10-digit phone, last 7 phone digits, folio), drawn
with a fixed seed from the rows present, against the same-run baseline: a person by pk.
Prints the figures, writes bench/results/search.json (search-short.json with --short), exits 1
when the ratio p95(search) / p95(pk lookup) is worse than bench/bounds.json says.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/recupera_bench_search"
KINDS = ("nombre", "apellido_parcial", "curp_prefijo", "telefono_10", "telefono_7", "folio")
PORTFOLIO_CREDITS = 20_000
PEOPLE_SEED = 11


def machine() -> dict:
    return {"python": platform.python_version(), "machine": platform.machine(),
            "cpus": os.cpu_count(), "system": platform.platform()}


def percentiles(ms: list[float]) -> dict[str, float]:
    xs = sorted(ms)

    def p(q: float) -> float:
        return round(xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))], 3)

    return {"n": len(xs), "p50_ms": p(0.50), "p95_ms": p(0.95), "p99_ms": p(0.99),
            "mean_ms": round(statistics.fmean(xs), 3), "max_ms": round(xs[-1], 3)}


def ensure_database(url: str) -> None:
    """CREATE DATABASE when it does not exist (connecting to the server's `postgres` db)."""
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    conninfo = {"host": cfg["HOST"] or "127.0.0.1", "port": cfg["PORT"] or 5432,
                "user": cfg["USER"] or "postgres", "dbname": "postgres"}
    if cfg.get("PASSWORD"):
        conninfo["password"] = cfg["PASSWORD"]
    with psycopg.connect(**conninfo, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]]).fetchone():
            conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
            print(f"base {cfg['NAME']} creada")


def _copy(cur, table: str, columns: list[str], rows: list[tuple]) -> None:
    """COPY rows (tab-separated text) into table."""
    buf = io.StringIO()
    for row in rows:
        buf.write("\t".join("\\N" if v is None else str(v).replace("\\", "\\\\").replace("\t", " ")
                            for v in row) + "\n")
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        copy.write(buf.getvalue())


def load(target_people: int) -> dict:
    """Portfolio + phones + synthetic people up to `target_people`; idempotent. Returns timings."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from recupera.credits.models import Credit
    from recupera.people.models import Person
    from recupera.people.names import search_name
    from recupera.people.synthetic import make_people

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    timings["migrate_s"] = round(time.perf_counter() - t0, 1)
    if not Credit.objects.exists():
        t0 = time.perf_counter()
        print(f"cargando cartera sintética ({PORTFOLIO_CREDITS} créditos, --bulk)…", flush=True)
        call_command("demo_data", credits=PORTFOLIO_CREDITS, seed=3, as_of=dt.date(2026, 11, 26), bulk=True,
                     verbosity=0)
        timings["portfolio_s"] = round(time.perf_counter() - t0, 1)
    with connection.cursor() as cur:
        # the bulk copies carry no contact points: one synthetic mobile per person without any
        cur.execute("""
            INSERT INTO people_contactpoint (person_id, kind, value, digits, label, is_primary, active,
                                             source, created_at)
            SELECT p.id, 'phone', '+52' || d.digits, d.digits, 'celular', true, true, 'bench', now()
            FROM people_person p
            CROSS JOIN LATERAL (SELECT '66' || lpad(((p.id * 7919 + 13) % 100000000)::text, 8, '0')
                                AS digits) d
            WHERE NOT EXISTS (SELECT 1 FROM people_contactpoint c WHERE c.person_id = p.id)""")
        if cur.rowcount:
            print(f"{cur.rowcount} teléfonos sintéticos para personas sin medios de contacto", flush=True)
    have = Person.objects.count()
    missing = target_people - have
    if missing > 0:
        t0 = time.perf_counter()
        print(f"{have} personas; COPY de {missing} personas sintéticas (make_people, semilla {PEOPLE_SEED})…",
              flush=True)
        taken = set(Person.objects.values_list("curp", flat=True))
        with connection.cursor() as cur:
            cur.execute("SELECT COALESCE(MAX(id), 0) FROM people_person")
            next_id = cur.fetchone()[0] + 1
        start = have  # make_people's person i depends only on (seed, i)
        batch = 50_000
        done = 0
        now = time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime())
        while done < missing:
            n = min(batch, missing - done)
            people = make_people(count=n, seed=PEOPLE_SEED, start=start + done, taken=taken)
            prow, crow = [], []
            for p in people:
                pid = next_id
                next_id += 1
                prow.append((pid, p["curp"], p["rfc"], p["first_name"], p["last_name"], p["second_last_name"],
                             p["birth_date"].isoformat(), p["curp"][10],
                             search_name(p["first_name"], p["last_name"], p["second_last_name"]),
                             "f", now, now))
                for i, ph in enumerate(p["phones"]):
                    crow.append((pid, "phone", ph["value"], ph["value"][-10:], ph["label"],
                                 "t" if i == 0 else "f", "t", "bench", now))
                for e in p["emails"]:
                    crow.append((pid, "email", e["value"], "", e["label"], "f", "t", "bench", now))
            with transaction.atomic(), connection.cursor() as cur:
                _copy(cur.cursor, "people_person",
                      ["id", "curp", "rfc", "first_name", "last_name", "second_last_name", "birth_date",
                       "sex", "search_name", "data_blocked", "created_at", "updated_at"], prow)
                _copy(cur.cursor, "people_contactpoint",
                      ["person_id", "kind", "value", "digits", "label", "is_primary", "active", "source",
                       "created_at"], crow)
            done += n
            print(f"  {have + done} personas", flush=True)
        with connection.cursor() as cur:
            cur.execute("SELECT setval(pg_get_serial_sequence('people_person', 'id'), "
                        "(SELECT MAX(id) FROM people_person))")
            cur.execute("ANALYZE people_person")
            cur.execute("ANALYZE people_contactpoint")
        timings["people_copy_s"] = round(time.perf_counter() - t0, 1)
    return timings


def supervisor():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from recupera.core.roles import Role

    user, _ = get_user_model().objects.get_or_create(username="bench_jefe", defaults={"first_name": "Bench"})
    user.groups.add(Group.objects.get(name=Role.SUPERVISOR.value))
    return get_user_model().objects.get(pk=user.pk)


def query_mix(count: int, seed: int) -> list[tuple[str, str]]:
    """`count` (kind, query) pairs, the six kinds in equal parts, from rows drawn with `seed`."""
    from django.db import connection

    rng = random.Random(seed)
    per = -(-count // len(KINDS))
    with connection.cursor() as cur:
        cur.execute("SELECT MIN(id), MAX(id) FROM people_person")
        lo, hi = cur.fetchone()
        ids = [rng.randint(lo, hi) for _ in range(per * 3)]
        cur.execute("SELECT first_name, last_name, search_name, curp FROM people_person "
                    "WHERE id = ANY(%s) ORDER BY id", [ids])
        people = cur.fetchall()
        # the bulk demo's copies carry placeholder CURPs ('ZZ' + digits): draw CURPs from real ones
        cur.execute("SELECT curp FROM people_person WHERE curp !~ '^ZZ' AND id >= %s ORDER BY id LIMIT %s",
                    [rng.randint(lo, hi), per])
        curps = [r[0] for r in cur.fetchall()]
        if len(curps) < per:
            cur.execute("SELECT curp FROM people_person WHERE curp !~ '^ZZ' ORDER BY id LIMIT %s", [per])
            curps = [r[0] for r in cur.fetchall()]
        cur.execute("SELECT MIN(id), MAX(id) FROM people_contactpoint")
        clo, chi = cur.fetchone()
        cur.execute("SELECT digits FROM people_contactpoint WHERE kind = 'phone' AND id = ANY(%s) ORDER BY id",
                    [[rng.randint(clo, chi) for _ in range(per * 3)]])
        phones = [r[0] for r in cur.fetchall()]
        cur.execute("SELECT MIN(id), MAX(id) FROM credits_credit")
        flo, fhi = cur.fetchone()
        cur.execute("SELECT folio FROM credits_credit WHERE id = ANY(%s) ORDER BY id",
                    [[rng.randint(flo, fhi) for _ in range(per * 3)]])
        folios = [r[0] for r in cur.fetchall()]
    rng.shuffle(people)
    from recupera.people.names import fold

    mix: list[tuple[str, str]] = []
    for i in range(per):
        first, last, sname, curp = people[i % len(people)]
        tokens = sname.split()
        # what a user types: first name and first surname, in the case they type them
        mix.append(("nombre", f"{first.split()[0]} {last}" if i % 2 else " ".join(tokens)))
        surname = fold(people[(i + per) % len(people)][1]).split()[0]
        mix.append(("apellido_parcial", surname[:5].lower()))
        mix.append(("curp_prefijo", curps[i % len(curps)][:10]))
        phone = phones[i % len(phones)]
        mix.append(("telefono_10", f"{phone[:3]} {phone[3:6]} {phone[6:]}" if i % 2 else phone))
        mix.append(("telefono_7", phones[(i + per) % len(phones)][-7:]))
        mix.append(("folio", folios[i % len(folios)]))
    rng.shuffle(mix)
    return mix[:count]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--short", action="store_true", help="20,000 people, only the bound")
    parser.add_argument("--people", type=int, default=None, help="people to load (default 1,000,000)")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    target = args.people or (20_000 if args.short else 1_000_000)
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recupera.settings")
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        print("bench/search.py necesita PostgreSQL (DATABASE_URL)")
        return 2
    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.db import connection, reset_queries

    from recupera.core.search import global_search
    from recupera.credits.models import Credit
    from recupera.people.models import ContactPoint, Person

    timings = load(target)
    user = supervisor()
    people = Person.objects.count()
    mix = query_mix(args.queries, args.seed)
    rng = random.Random(args.seed + 1)
    with connection.cursor() as cur:
        cur.execute("SELECT MIN(id), MAX(id) FROM people_person")
        lo, hi = cur.fetchone()
    pks = [rng.randint(lo, hi) for _ in range(len(mix))]

    def baseline(pk: int) -> None:
        Person.objects.filter(pk=pk).first()

    # warm-up: the first 30 queries of the mix and 30 lookups, not timed
    for _kind, q in mix[:30]:
        global_search(q, user=user)
    for pk in pks[:30]:
        baseline(pk)
    by_kind: dict[str, list[float]] = {k: [] for k in KINDS}
    found: dict[str, int] = {k: 0 for k in KINDS}
    search_ms: list[float] = []
    base_ms: list[float] = []
    for (kind, q), pk in zip(mix, pks, strict=True):  # interleaved: same load for both
        t0 = time.perf_counter()
        res = global_search(q, user=user)
        ms = (time.perf_counter() - t0) * 1000
        search_ms.append(ms)
        by_kind[kind].append(ms)
        found[kind] += bool(res.people or res.credits)
        t0 = time.perf_counter()
        baseline(pk)
        base_ms.append((time.perf_counter() - t0) * 1000)
    reset_queries()
    s, b = percentiles(search_ms), percentiles(base_ms)
    ratio = s["p95_ms"] / b["p95_ms"] if b["p95_ms"] else float("inf")
    result = {
        "name": "search", "short": args.short, "people": people,
        "contact_points": ContactPoint.objects.count(), "credits": Credit.objects.count(),
        "queries": len(mix), "query_seed": args.seed, "warmup_queries": 30,
        "global_search": s,
        "per_kind": {k: {**percentiles(v), "found": found[k]} for k, v in by_kind.items() if v},
        "baseline_person_by_pk": b, "ratio_p95_to_pk_lookup": round(ratio, 1),
        "goal_p95_ms_at_1m": 100, "load": timings,
        "postgres": connection.cursor().connection.info.server_version, "machine": machine(),
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    (HERE / "results").mkdir(exist_ok=True)
    name = "search-short" if args.short else "search"
    (HERE / "results" / f"{name}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    bounds = json.loads((HERE / "bounds.json").read_text())["search"]
    limit = bounds["short_ratio_max" if args.short else "ratio_max"]
    print(f"global_search p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms, p99 {s['p99_ms']} ms over {people} "
          f"personas; persona por pk p95 {b['p95_ms']} ms; cociente {ratio:.1f} (límite {limit})")
    failed = ratio > limit
    if not args.short and people >= 1_000_000 and s["p95_ms"] > bounds["goal_p95_ms_1m"]:
        print(f"FALLA: p95 {s['p95_ms']} ms > {bounds['goal_p95_ms_1m']} ms con {people} personas")
        failed = True
    if ratio > limit:
        print(f"FALLA: cociente {ratio:.1f} > {limit}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent / "src"))
    raise SystemExit(main())
