"""Demo data at scale on PostgreSQL: a few hundred *template* credits go through the normal
path (recupera.credits.synthetic: planned, stored, replayed by the engine), then set-based
`INSERT … SELECT … CROSS JOIN generate_series` statements copy them, with their people, parties,
disbursements, pagarés, schedules, installments, ledger entries, allocations and the close's
aging facts, until the portfolio has N credits.

Every copy has the same terms, dates and entries as its template, so the engine's answer for a
copy is its template's answer: the copied projections and cached columns are the engine's
(tests/credits/test_bulk_demo.py replays every copy of a small portfolio and compares cached
columns, schedule, allocations and close facts to the cent). Copies get their own folios, CURPs
and names (names drawn from lists, so the name search has variety). Ids are computed (base +
copy × count + rank), so foreign keys map with arithmetic, not lookups; the same seed on an empty
database gives the same rows. The copied tables' indexes and keys (secondary indexes, unique
constraints, primary keys, the foreign keys from and to them) are dropped for the copy and
rebuilt once after it, on two connections when the copy ran on two (`_SecondaryIndexes`).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import queue
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import connection, transaction

TEMPLATES = 400
FIRST = ("María", "José", "Juan", "Ana", "Luis", "Guadalupe", "Carlos", "Rosa", "Jesús", "Patricia",
         "Francisco", "Alejandra", "Miguel", "Fernanda", "Jorge", "Daniela", "Ricardo", "Sofía",
         "Héctor", "Valeria", "Ramón", "Lucía", "Manuel", "Andrea", "Sergio", "Paola")
LAST = ("García", "Hernández", "López", "Martínez", "González", "Rodríguez", "Pérez", "Sánchez",
        "Ramírez", "Flores", "Valenzuela", "Romero", "Encinas", "Duarte", "Moreno", "Quiroz",
        "Acosta", "Ibarra", "Félix", "Castro", "Durazo", "Leyva", "Galaz", "Ruiz", "Bojórquez",
        "Corral", "Lizárraga", "Urías", "Soto", "Navarro", "Molina", "Esquer")


def _fold(text: str) -> str:
    from recupera.people.names import fold

    return fold(text)


def _columns(model: Any) -> list[str]:
    return [f.column for f in model._meta.concrete_fields]


def _sql_array(values: tuple[str, ...]) -> str:
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


class _Cloner:
    """Writes the statements that copy the template rows of each table with computed ids.

    The maps (`bulk_m_<table>`: template id -> rank) are ordinary tables, so that copy workers
    on other connections can read them once they are committed; they are dropped at the end."""

    def __init__(self, cur: Any):
        self.cur = cur
        self.base: dict[str, int] = {}
        self.count: dict[str, int] = {}

    def new_id(self, table: str, rank_expr: str) -> str:
        return f"({self.base[table]} + (g.j - 1) * {self.count[table]} + {rank_expr} + 1)"

    def map(self, table: str, old_ids_sql: str, pk: str = "id") -> None:
        """Map table bulk_m_<table>(old_id, r) of the template rows; base id = current max."""
        cur = self.cur
        cur.execute(f"DROP TABLE IF EXISTS bulk_m_{table}")
        cur.execute(f"CREATE UNLOGGED TABLE bulk_m_{table} AS SELECT o AS old_id, "
                    f"(row_number() OVER (ORDER BY o) - 1) AS r FROM ({old_ids_sql}) s(o)")
        cur.execute(f"CREATE INDEX ON bulk_m_{table} (old_id)")
        cur.execute(f"SELECT COUNT(*) FROM bulk_m_{table}")
        self.count[table] = cur.fetchone()[0]
        cur.execute(f"SELECT COALESCE(MAX({pk}), 0) FROM {table}")
        self.base[table] = cur.fetchone()[0]

    def clone(self, model: Any, *, overrides: dict[str, str], fks: dict[str, str]) -> str:
        """The INSERT of the copies g.j in {J} (a placeholder for the copy range). `fks`:
        column -> mapped table; `overrides`: column -> SQL over t (the template row) and g.j."""
        table = model._meta.db_table
        cols = _columns(model)
        exprs, joins = [], []
        for col in cols:
            if col == "id":
                exprs.append(self.new_id(table, "m.r"))
            elif col in overrides:
                exprs.append(overrides[col])
            elif col in fks:
                ref = fks[col]
                a = f"f_{col}"
                joins.append(f"LEFT JOIN bulk_m_{ref} {a} ON {a}.old_id = t.{col}")
                exprs.append(f"CASE WHEN t.{col} IS NULL THEN NULL ELSE "
                             f"{self.new_id(ref, a + '.r')} END")
            else:
                exprs.append(f"t.{col}")
        return (f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(exprs)} "
                f"FROM {table} t JOIN bulk_m_{table} m ON m.old_id = t.id {' '.join(joins)} "
                f"CROSS JOIN generate_series({{J}}) g(j)")

    def set_sequences(self) -> None:
        for table in self.base:
            self.cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                             f"(SELECT MAX(id) FROM {table}))")

    def drop_maps(self) -> None:
        for table in self.base:
            self.cur.execute(f"DROP TABLE IF EXISTS bulk_m_{table}")
        self.cur.execute(f"DROP TABLE IF EXISTS {TEMPLATE_ALLOCATIONS}")


class _SecondaryIndexes:
    """Drops the indexes and keys of some tables (secondary indexes, unique constraints, primary
    keys, their outgoing foreign keys and the foreign keys of any table that point at them) and
    recreates them afterwards: building an index once over N rows is much faster than N inserts
    into it (for the primary key alone, half of an `INSERT … SELECT` of 6 M installments), and one
    `ADD CONSTRAINT … FOREIGN KEY` validates with a single join where a deferred FK checks every
    inserted row at commit. The recreated objects are the same DDL PostgreSQL reports
    (pg_get_*def).

    `recreate()` runs in the caller's transaction (a failure rolls back the drop too);
    `recreate_on(workers)`, outside any transaction, spreads the work over several connections:
    the index builds (keys' indexes too), then one transaction attaches the keys to their indexes
    and adds the foreign keys NOT VALID, then the validations, one table per connection at a
    time (a validation locks its table against another one, not the table it points at)."""

    def __init__(self, cur: Any, tables: list[str]):
        self.cur, self.tables = cur, tables
        self.constraints: list[tuple[str, str, str]] = []
        self.indexes: list[str] = []
        self.key_indexes: dict[str, str] = {}  # key constraint -> the DDL of its index

    def drop(self) -> None:
        cur = self.cur
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending on these tables
        # foreign keys first: one depends on the primary key or unique constraint it points at
        cur.execute("""SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
            FROM pg_constraint WHERE (conrelid = ANY(%(t)s::regclass[]) AND contype IN ('f', 'u', 'p'))
                OR (contype = 'f' AND confrelid = ANY(%(t)s::regclass[]))
            ORDER BY contype <> 'f', conrelid::regclass::text, conname""", {"t": self.tables})
        self.constraints = list(cur.fetchall())
        cur.execute("""SELECT conname, pg_get_indexdef(conindid) FROM pg_constraint
            WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('u', 'p')""", [self.tables])
        self.key_indexes = dict(cur.fetchall())
        for table, name, _definition in self.constraints:
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        cur.execute("""SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
            AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""", [self.tables])
        found = list(cur.fetchall())
        self.indexes = [definition for _name, definition in found]
        for name, _definition in found:
            cur.execute(f"DROP INDEX {name}")

    def recreate(self) -> None:
        cur = self.cur
        for definition in self.indexes:
            cur.execute(definition)
        for table, name, definition in reversed(self.constraints):  # keys first, then FKs
            cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')

    def recreate_on(self, workers: int) -> None:
        sizes = self._sizes()
        builds = [(_index_table(d), [d]) for d in self.indexes]
        builds += [(_index_table(d), [d]) for d in self.key_indexes.values()]
        _on_connections(_largest_first(builds, sizes), workers)
        self._attach()
        by_table: dict[str, list[str]] = {}
        for table, name, definition in self.constraints:
            if definition.startswith("FOREIGN KEY"):
                by_table.setdefault(table, []).append(f'ALTER TABLE {table} VALIDATE CONSTRAINT "{name}"')
        _on_connections(_largest_first(list(by_table.items()), sizes), workers)

    def _attach(self) -> None:
        """The keys onto the indexes just built, the foreign keys NOT VALID: catalog changes only."""
        with transaction.atomic(), connection.cursor() as cur:
            for table, name, definition in reversed(self.constraints):
                if definition.startswith("FOREIGN KEY"):
                    cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition} NOT VALID')
                else:
                    kind = "PRIMARY KEY" if definition.startswith("PRIMARY KEY") else "UNIQUE"
                    tail = definition[definition.index(")") + 1:]  # DEFERRABLE …, if any
                    cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {kind} USING INDEX "{name}"{tail}')

    def _sizes(self) -> dict[str, int]:
        with connection.cursor() as cur:
            cur.execute("SELECT relname, pg_relation_size(oid) FROM pg_class WHERE oid = ANY(%s::regclass[])",
                        [self.tables])
            return dict(cur.fetchall())


def _index_table(definition: str) -> str:
    """The table of a `CREATE [UNIQUE] INDEX name ON [ONLY] schema.table USING …` (pg_get_indexdef)."""
    table = definition.split(" ON ", 1)[1].removeprefix("ONLY ").split(" ", 1)[0]
    return table.rsplit(".", 1)[-1]


def _largest_first(jobs: list[tuple[str, list[str]]], sizes: dict[str, int]) -> list[list[str]]:
    return [statements for _t, statements in sorted(jobs, key=lambda j: -sizes.get(j[0], 0))]


def _on_connections(jobs: list[list[str]], workers: int) -> None:
    """Runs the jobs (each a list of statements, in order, each committing) on `workers` threads,
    each with its own connection, taking them in the order given; after a failure no new job is
    started, and the first failure is raised."""
    pending: queue.SimpleQueue[list[str]] = queue.SimpleQueue()
    for job in jobs:
        pending.put(job)
    failures: list[BaseException] = []

    def run() -> None:
        try:
            with connection.cursor() as cur:
                cur.execute("SET maintenance_work_mem = '1GB'")
                while not failures:
                    try:
                        job = pending.get_nowait()
                    except queue.Empty:
                        return
                    for sql in job:
                        cur.execute(sql)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if failures:
        raise failures[0]


def bulk_portfolio_create(*, actor: Any, credits: int, seed: int, as_of: dt.date,
                          templates: int = TEMPLATES, progress: Any = None,
                          workers: int | None = None) -> dict[str, int]:
    """At least `credits` credits of seed `seed`: `templates` through the engine, the rest as
    copies. PostgreSQL only. Returns rows inserted per table."""
    from recupera.cob.aging import facts_for
    from recupera.cob.models import CreditAging
    from recupera.credits import engine_io
    from recupera.credits.models import (
        Allocation,
        Credit,
        CreditParty,
        Disbursement,
        Installment,
        LedgerEntry,
        PromissoryNote,
        ScheduleVersion,
    )
    from recupera.credits.synthetic import demo_portfolio_create, folio_for
    from recupera.people.models import Person

    if connection.vendor != "postgresql":
        raise RuntimeError("bulk_portfolio_create needs PostgreSQL")
    say = progress or (lambda _m: None)
    started = time.monotonic()
    with connection.cursor() as cur:
        if _recover_pending(cur):
            say("Se deshizo una carga masiva anterior que no terminó.")
    templates = min(templates, credits)
    demo_portfolio_create(actor=actor, credits=templates, seed=seed, as_of=as_of)
    # the templates: this seed's credits (their folios are CE-<seed>-<n>, not always n < templates)
    template_qs = Credit.objects.filter(folio__startswith=folio_for(seed, 0)[:-5])
    ids = list(template_qs.values_list("pk", flat=True))
    # the close's facts for the templates (the engine's answer), copied with them
    calendar = engine_io.business_calendar()
    aging = []
    for c in template_qs.select_related("product").prefetch_related("disbursements", "ledger_entries"):
        state = engine_io.credit_state(c, as_of=c.state_as_of or as_of, calendar=calendar)
        f = facts_for(state, tolerance=c.product.dpd_tolerance, end_of_studies=c.end_of_studies)
        aging.append(CreditAging(
            credit_id=c.pk, oldest_unpaid_eff=f.oldest_unpaid_eff, first_open_due=f.first_open_due,
            first_due_date=f.first_due_date, schedule_version=f.schedule_version, fixed_status=f.fixed_status,
            volatile=f.volatile, source_as_of=state.as_of,
            last_entry_id=max((e.pk for e in c.ledger_entries.all()), default=0),
            last_disbursement_id=max((d.pk for d in c.disbursements.all()), default=0)))
    CreditAging.objects.filter(credit_id__in=ids).delete()
    CreditAging.objects.bulk_create(aging)
    copies = math.ceil((credits - len(ids)) / max(len(ids), 1))
    counts: dict[str, int] = {}
    if copies <= 0:
        return counts
    id_list = ",".join(str(i) for i in ids) or "0"
    t = {m: m._meta.db_table for m in (Person, Credit, CreditParty, Disbursement, PromissoryNote,
                                        ScheduleVersion, Installment, LedgerEntry, Allocation, CreditAging)}
    tables = [t[m] for m in (Person, Credit, CreditParty, Disbursement, PromissoryNote, ScheduleVersion,
                             Installment, LedgerEntry, Allocation, CreditAging)]
    workers = max(1, min(workers if workers is not None else _default_workers(), copies))
    parallel = workers > 1 and not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL synchronous_commit = off")
        cur.execute("SET LOCAL maintenance_work_mem = '1GB'")
        # the maps first: each table's base id is its MAX(id), read while the primary key is there
        cl = _Cloner(cur)
        statements = _copy_statements(cl, t, ids=id_list, seed=seed)
        secondary = _SecondaryIndexes(cur, tables)
        secondary.drop()
        if parallel:
            # the copies run on other connections, each in its own transaction: what they need
            # (no secondary indexes, the maps) is committed first, with what undoes it if this
            # process dies before the end (_recover_pending, run by the next bulk load)
            _pending_write(cur, secondary, cl, credit_table=t[Credit], person_table=t[Person],
                           aging_table=t[CreditAging])
        else:
            say(f"copias… ({time.monotonic() - started:.0f} s)")
            for key, sql in statements:
                cur.execute(sql.replace("{J}", f"1, {copies}"))
                counts[key] = cur.rowcount
            say(f"índices y llaves… ({time.monotonic() - started:.0f} s)")
            secondary.recreate()
            cl.set_sequences()  # MAX(id) by the primary key
            cl.drop_maps()
    if parallel:
        try:
            say(f"copias en {workers} conexiones… ({time.monotonic() - started:.0f} s)")
            bounds = [(1 + copies * k // workers, copies * (k + 1) // workers) for k in range(workers)]
            with ThreadPoolExecutor(max_workers=workers) as pool:
                parts = list(pool.map(lambda b: _copy_range(statements, *b), bounds))
            for part in parts:
                for key, n in part.items():
                    counts[key] = counts.get(key, 0) + n
            say(f"índices y llaves en {workers} conexiones… ({time.monotonic() - started:.0f} s)")
            secondary.recreate_on(workers)
            with transaction.atomic(), connection.cursor() as cur:
                cl.cur = secondary.cur = cur
                cl.set_sequences()
                cl.drop_maps()
                cur.execute(f"DROP TABLE {PENDING}")
        except BaseException:
            with connection.cursor() as cur:
                _recover_pending(cur)
            raise
    # Every table copied into: autovacuum may be off (or late), and without statistics the
    # planner reads one credit's disbursements by a hash join over every pagaré.
    with connection.cursor() as cur:
        for table in tables:
            cur.execute(f"ANALYZE {table}")
    return counts


PENDING = "bulk_demo_pending"
TEMPLATE_ALLOCATIONS = "bulk_m_template_allocations"


def _default_workers() -> int:
    return min(2, os.cpu_count() or 1)


def _copy_statements(cl: _Cloner, t: dict[Any, str], *, ids: str, seed: int) -> list[tuple[str, str]]:
    """Maps the template rows of every copied table and returns (count key, INSERT) in FK order;
    each INSERT has {J} where the copy range goes ("1, 2500")."""
    from recupera.cob.models import CreditAging
    from recupera.credits.models import (
        Allocation,
        Credit,
        CreditParty,
        Disbursement,
        Installment,
        LedgerEntry,
        PromissoryNote,
        ScheduleVersion,
    )
    from recupera.people.models import Person

    cl.map(t[Credit], f"SELECT id FROM {t[Credit]} WHERE id IN ({ids})")
    cl.map(t[Person], f"SELECT DISTINCT person_id FROM {t[CreditParty]} WHERE credit_id IN ({ids})")
    for model in (CreditParty, Disbursement, PromissoryNote, ScheduleVersion, LedgerEntry, Allocation):
        cl.map(t[model], f"SELECT id FROM {t[model]} WHERE credit_id IN ({ids})")
    cl.map(t[Installment], f"SELECT i.id FROM {t[Installment]} i JOIN {t[ScheduleVersion]} s "
                           f"ON s.id = i.schedule_id WHERE s.credit_id IN ({ids})")
    pid = cl.new_id(t[Person], "m.r")
    first, last = _sql_array(FIRST), _sql_array(LAST)
    fold = {"first": _sql_array(tuple(_fold(x) for x in FIRST)), "last": _sql_array(tuple(_fold(x) for x in LAST))}
    fi, li, si = (f"(1 + ({pid} * 7919) % {len(FIRST)})", f"(1 + ({pid} * 104729) % {len(LAST)})",
                  f"(1 + ({pid} * 1299709 / 7) % {len(LAST)})")
    cid = cl.new_id(t[Credit], "m.r")
    # the copies' allocation digest (credits.services.allocation_lines: the COPY text of their
    # rows in order, with the copy's own credit and entry ids), from the templates' rows, so a
    # copy's first replay appends instead of reading its rows back. What every copy's line shares
    # (the rank of its entry, the text after the entry id) is made once per template row; a copy
    # only prepends its ids.
    cur = cl.cur
    tab = "E'\\t'"
    cur.execute(f"DROP TABLE IF EXISTS {TEMPLATE_ALLOCATIONS}")
    cur.execute(f"CREATE UNLOGGED TABLE {TEMPLATE_ALLOCATIONS} AS SELECT a.id, a.credit_id, fe.r AS erank, "
                f"{tab} || a.posting_kind || {tab} || to_char(a.value_date, 'YYYY-MM-DD') || {tab} "
                f"|| COALESCE(a.installment::text, '\\N') || {tab} || a.schedule_version::text || {tab} "
                f"|| a.component || {tab} || a.amount::text || E'\\n' AS tail "
                f"FROM {t[Allocation]} a LEFT JOIN bulk_m_{t[LedgerEntry]} fe ON fe.old_id = a.entry_id "
                f"WHERE a.credit_id IN ({ids})")
    cur.execute(f"CREATE INDEX ON {TEMPLATE_ALLOCATIONS} (credit_id, id)")
    cur.execute(f"ANALYZE {TEMPLATE_ALLOCATIONS}")
    entry = f"CASE WHEN a.erank IS NULL THEN '\\N' ELSE ({cl.new_id(t[LedgerEntry], 'a.erank')})::text END"
    line = f"({cid})::text || {tab} || {entry} || a.tail"
    digest = (f"COALESCE((SELECT md5(string_agg({line}, '' ORDER BY a.id)) FROM {TEMPLATE_ALLOCATIONS} a "
              f"WHERE a.credit_id = t.id), md5(''))")
    out = [
        ("personas", cl.clone(Person, fks={}, overrides={
            "curp": f"'ZZ' || lpad(({pid})::text, 16, '0')",
            "first_name": f"({first})[{fi}]", "last_name": f"({last})[{li}]",
            "second_last_name": f"({last})[{si}]",
            "search_name": f"({fold['first']})[{fi}] || ' ' || ({fold['last']})[{li}] || ' ' || ({fold['last']})[{si}]",
            "created_at": "now()", "updated_at": "now()"})),
        ("creditos", cl.clone(Credit, fks={"borrower_id": t[Person]}, overrides={
            "folio": f"'CB{seed % 1000}-' || lpad(({cid})::text, 9, '0')", "created_at": "now()",
            "allocations_digest": digest})),
        ("personas_credito", cl.clone(CreditParty, fks={"credit_id": t[Credit], "person_id": t[Person]},
                                      overrides={})),
        ("ministraciones", cl.clone(Disbursement, fks={"credit_id": t[Credit]}, overrides={})),
        ("pagares", cl.clone(PromissoryNote, fks={"credit_id": t[Credit], "disbursement_id": t[Disbursement]},
                             overrides={})),
        ("tablas", cl.clone(ScheduleVersion, fks={"credit_id": t[Credit]}, overrides={})),
        ("mensualidades", cl.clone(Installment, fks={"schedule_id": t[ScheduleVersion]}, overrides={})),
        ("movimientos", cl.clone(LedgerEntry, fks={"credit_id": t[Credit], "reverses_id": t[LedgerEntry]},
                                 overrides={"created_by_id": "NULL", "created_at": "now()"})),
        ("aplicaciones", cl.clone(Allocation, fks={"credit_id": t[Credit], "entry_id": t[LedgerEntry]},
                                  overrides={})),
    ]
    # aging facts: keyed by credit; the watermarks map like the ids they name
    le_id = cl.new_id(t[LedgerEntry], "fe.r")
    d_id = cl.new_id(t[Disbursement], "fd.r")
    cols = _columns(CreditAging)
    exprs = [{"credit_id": cid,
              "last_entry_id": f"CASE WHEN t.last_entry_id = 0 THEN 0 ELSE {le_id} END",
              "last_disbursement_id": f"CASE WHEN t.last_disbursement_id = 0 THEN 0 ELSE {d_id} END"}.get(c, f"t.{c}")
             for c in cols]
    out.append(("antiguedad", f"INSERT INTO {t[CreditAging]} ({', '.join(cols)}) SELECT {', '.join(exprs)} "
                f"FROM {t[CreditAging]} t JOIN bulk_m_{t[Credit]} m ON m.old_id = t.credit_id "
                f"LEFT JOIN bulk_m_{t[LedgerEntry]} fe ON fe.old_id = t.last_entry_id "
                f"LEFT JOIN bulk_m_{t[Disbursement]} fd ON fd.old_id = t.last_disbursement_id "
                f"CROSS JOIN generate_series({{J}}) g(j)"))
    return out


def _copy_range(statements: list[tuple[str, str]], first: int, last: int) -> dict[str, int]:
    """One copy worker (a thread with its own connection): copies first..last, one transaction."""
    try:
        counts: dict[str, int] = {}
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SET LOCAL synchronous_commit = off")
            for key, sql in statements:
                cur.execute(sql.replace("{J}", f"{first}, {last}"))
                counts[key] = cur.rowcount
        return counts
    finally:
        connection.close()


def _pending_write(cur: Any, secondary: _SecondaryIndexes, cl: _Cloner, *, credit_table: str,
                   person_table: str, aging_table: str) -> None:
    """What a parallel load must undo if it does not finish: the rows above each base id, the
    dropped indexes and constraints, the maps. Committed with the drop."""
    # in an order the rows can be deleted in while foreign keys exist: children first (the maps
    # were made parents first, credits and people at the head)
    children = [table for table in reversed(cl.base) if table not in (credit_table, person_table)]
    bases = {aging_table: ["credit_id", cl.base[credit_table]],
             **{table: ["id", cl.base[table]] for table in children},
             credit_table: ["id", cl.base[credit_table]], person_table: ["id", cl.base[person_table]]}
    undo = {"bases": bases, "indexes": secondary.indexes, "constraints": secondary.constraints}
    cur.execute(f"CREATE TABLE {PENDING} (undo jsonb NOT NULL)")
    cur.execute(f"INSERT INTO {PENDING} VALUES (%s::jsonb)", [json.dumps(undo)])


def _recover_pending(cur: Any) -> bool:
    """Undoes a parallel bulk load that did not finish (killed, or a copy worker failed): deletes
    the copied rows, recreates the secondary indexes and constraints that are missing, drops the
    maps. True when there was one. Idempotent: a crash inside it leaves the record for next time."""
    cur.execute("SELECT to_regclass(%s)", [PENDING])
    if cur.fetchone()[0] is None:
        return False
    cur.execute(f"SELECT undo FROM {PENDING}")
    row = cur.fetchone()
    undo = row[0] if row else {"bases": {}, "indexes": [], "constraints": []}
    if isinstance(undo, str):
        undo = json.loads(undo)
    with transaction.atomic():
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # the load's foreign keys off while its rows go (some may be back already, NOT VALID but
        # checked on every delete, and the undo record, jsonb, does not keep the tables' order)
        for table, name, definition in undo["constraints"]:
            if definition.startswith("FOREIGN KEY"):
                cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT IF EXISTS "{name}"')
        for table, (pk, base) in undo["bases"].items():
            guarded = table == "credits_ledgerentry"  # append-only trigger (credits/0003): these
            if guarded:                               # entries are the unfinished load's own copies
                cur.execute(f"ALTER TABLE {table} DISABLE TRIGGER credits_ledgerentry_append_only")
            cur.execute(f"DELETE FROM {table} WHERE {pk} > %s", [base])
            if guarded:
                cur.execute(f"ALTER TABLE {table} ENABLE TRIGGER credits_ledgerentry_append_only")
        for definition in undo["indexes"]:
            cur.execute(definition.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1)
                        .replace("CREATE UNIQUE INDEX ", "CREATE UNIQUE INDEX IF NOT EXISTS ", 1))
        for table, name, definition in reversed(undo["constraints"]):
            cur.execute("SELECT 1 FROM pg_constraint WHERE conrelid = %s::regclass AND conname = %s",
                        [table, name])
            if cur.fetchone() is None:
                if not definition.startswith("FOREIGN KEY"):  # its index may be built, not attached
                    cur.execute(f'DROP INDEX IF EXISTS "{name}"')
                cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for table in undo["bases"]:
            cur.execute(f"DROP TABLE IF EXISTS bulk_m_{table}")
        cur.execute(f"DROP TABLE IF EXISTS {TEMPLATE_ALLOCATIONS}")
        cur.execute(f"DROP TABLE {PENDING}")
    return True
