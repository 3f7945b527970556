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
database gives the same rows. The copied tables' secondary indexes, unique constraints and
foreign keys are dropped for the copy and rebuilt once after it (`_SecondaryIndexes`).
"""

from __future__ import annotations

import datetime as dt
import math
import time
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
    """Copies the template rows of one table `copies` times with computed ids."""

    def __init__(self, cur: Any, copies: int):
        self.cur, self.copies = cur, copies
        self.base: dict[str, int] = {}
        self.count: dict[str, int] = {}

    def new_id(self, table: str, rank_expr: str) -> str:
        return f"({self.base[table]} + (g.j - 1) * {self.count[table]} + {rank_expr} + 1)"

    def map(self, table: str, old_ids_sql: str, pk: str = "id") -> None:
        """Temp table m_<table>(old_id, r) of the template rows; base id = current max."""
        cur = self.cur
        cur.execute(f"DROP TABLE IF EXISTS m_{table}")
        cur.execute(f"CREATE TEMP TABLE m_{table} AS SELECT o AS old_id, (row_number() OVER (ORDER BY o) - 1) AS r "
                    f"FROM ({old_ids_sql}) s(o)")
        cur.execute(f"CREATE INDEX ON m_{table} (old_id)")
        cur.execute(f"SELECT COUNT(*) FROM m_{table}")
        self.count[table] = cur.fetchone()[0]
        cur.execute(f"SELECT COALESCE(MAX({pk}), 0) FROM {table}")
        self.base[table] = cur.fetchone()[0]

    def clone(self, model: Any, *, overrides: dict[str, str], fks: dict[str, str],
              pk: str = "id", alias_table: str | None = None) -> int:
        """INSERT the copies. `fks`: column -> mapped table; `overrides`: column -> SQL over t
        (the template row) and g.j (the copy number)."""
        table = model._meta.db_table
        key = alias_table or table
        cols = _columns(model)
        exprs, joins = [], []
        for col in cols:
            if col == pk and pk == "id":
                exprs.append(self.new_id(key, "m.r"))
            elif col in overrides:
                exprs.append(overrides[col])
            elif col in fks:
                ref = fks[col]
                a = f"f_{col}"
                joins.append(f"LEFT JOIN m_{ref} {a} ON {a}.old_id = t.{col}")
                exprs.append(f"CASE WHEN t.{col} IS NULL THEN NULL ELSE "
                             f"{self.new_id(ref, a + '.r')} END")
            else:
                exprs.append(f"t.{col}")
        sql = (f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(exprs)} "
               f"FROM {table} t JOIN m_{key} m ON m.old_id = t.{pk} {' '.join(joins)} "
               f"CROSS JOIN generate_series(1, {self.copies}) g(j)")
        self.cur.execute(sql)
        n = self.cur.rowcount
        if pk == "id":
            self.cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                             f"(SELECT MAX(id) FROM {table}))")
        return n


class _SecondaryIndexes:
    """Drops the secondary indexes, unique constraints and outgoing foreign keys of some tables
    and recreates them afterwards: building an index once over N rows is much faster than N
    inserts into it, and one `ADD CONSTRAINT … FOREIGN KEY` validates with a single join where a
    deferred FK checks every inserted row at commit. Same transaction, so a failure rolls back
    the drop too. The recreated objects are the same DDL PostgreSQL reports (pg_get_*def)."""

    def __init__(self, cur: Any, tables: list[str]):
        self.cur, self.tables = cur, tables
        self.constraints: list[tuple[str, str, str]] = []
        self.indexes: list[str] = []

    def drop(self) -> None:
        cur = self.cur
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending on these tables
        cur.execute("""SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
            FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('f', 'u')
            ORDER BY contype""", [self.tables])  # f before u: an FK depends on its unique
        self.constraints = list(cur.fetchall())
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
        for table, name, definition in reversed(self.constraints):  # uniques first, then FKs
            cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def bulk_portfolio_create(*, actor: Any, credits: int, seed: int, as_of: dt.date,
                          templates: int = TEMPLATES, progress: Any = None) -> dict[str, int]:
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
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL synchronous_commit = off")
        cur.execute("SET LOCAL maintenance_work_mem = '1GB'")
        secondary = _SecondaryIndexes(cur, [t[m] for m in (Person, Credit, CreditParty, Disbursement,
                                                          PromissoryNote, ScheduleVersion, Installment,
                                                          LedgerEntry, Allocation, CreditAging)])
        secondary.drop()
        cl = _Cloner(cur, copies)
        cl.map(t[Credit], f"SELECT id FROM {t[Credit]} WHERE id IN ({id_list})")
        cl.map(t[Person], f"SELECT DISTINCT person_id FROM {t[CreditParty]} WHERE credit_id IN ({id_list})")
        for model in (CreditParty, Disbursement, PromissoryNote, ScheduleVersion, LedgerEntry, Allocation):
            cl.map(t[model], f"SELECT id FROM {t[model]} WHERE credit_id IN ({id_list})")
        cl.map(t[Installment], f"SELECT i.id FROM {t[Installment]} i JOIN {t[ScheduleVersion]} s "
                               f"ON s.id = i.schedule_id WHERE s.credit_id IN ({id_list})")
        pid = cl.new_id(t[Person], "m.r")
        first, last = _sql_array(FIRST), _sql_array(LAST)
        fold = {"first": _sql_array(tuple(_fold(x) for x in FIRST)), "last": _sql_array(tuple(_fold(x) for x in LAST))}
        fi, li, si = (f"(1 + ({pid} * 7919) % {len(FIRST)})", f"(1 + ({pid} * 104729) % {len(LAST)})",
                      f"(1 + ({pid} * 1299709 / 7) % {len(LAST)})")
        say(f"personas… ({time.monotonic() - started:.0f} s)")
        counts["personas"] = cl.clone(Person, fks={}, overrides={
            "curp": f"'ZZ' || lpad(({pid})::text, 16, '0')",
            "first_name": f"({first})[{fi}]", "last_name": f"({last})[{li}]",
            "second_last_name": f"({last})[{si}]",
            "search_name": f"({fold['first']})[{fi}] || ' ' || ({fold['last']})[{li}] || ' ' || ({fold['last']})[{si}]",
            "created_at": "now()", "updated_at": "now()"})
        say(f"créditos… ({time.monotonic() - started:.0f} s)")
        cid = cl.new_id(t[Credit], "m.r")
        counts["creditos"] = cl.clone(Credit, fks={"borrower_id": t[Person]}, overrides={
            "folio": f"'CB{seed % 1000}-' || lpad(({cid})::text, 9, '0')", "created_at": "now()",
            # the copies' allocation rows carry other ids: their first replay rewrites them
            "allocations_digest": "''"})
        counts["personas_credito"] = cl.clone(CreditParty, fks={"credit_id": t[Credit], "person_id": t[Person]},
                                              overrides={})
        counts["ministraciones"] = cl.clone(Disbursement, fks={"credit_id": t[Credit]}, overrides={})
        counts["pagares"] = cl.clone(PromissoryNote, fks={"credit_id": t[Credit], "disbursement_id": t[Disbursement]},
                                     overrides={})
        say(f"tablas de amortización… ({time.monotonic() - started:.0f} s)")
        counts["tablas"] = cl.clone(ScheduleVersion, fks={"credit_id": t[Credit]}, overrides={})
        counts["mensualidades"] = cl.clone(Installment, fks={"schedule_id": t[ScheduleVersion]}, overrides={})
        say(f"movimientos… ({time.monotonic() - started:.0f} s)")
        counts["movimientos"] = cl.clone(LedgerEntry, fks={"credit_id": t[Credit], "reverses_id": t[LedgerEntry]},
                                         overrides={"created_by_id": "NULL", "created_at": "now()"})
        counts["aplicaciones"] = cl.clone(Allocation, fks={"credit_id": t[Credit], "entry_id": t[LedgerEntry]},
                                          overrides={})
        # aging facts: keyed by credit; the watermarks map like the ids they name
        le_id = cl.new_id(t[LedgerEntry], "fe.r")
        d_id = cl.new_id(t[Disbursement], "fd.r")
        cols = _columns(CreditAging)
        exprs = [{"credit_id": cid.replace("m.r", "m.r"),
                  "last_entry_id": f"CASE WHEN t.last_entry_id = 0 THEN 0 ELSE {le_id} END",
                  "last_disbursement_id": f"CASE WHEN t.last_disbursement_id = 0 THEN 0 ELSE {d_id} END"}.get(c, f"t.{c}")
                 for c in cols]
        cur.execute(f"INSERT INTO {t[CreditAging]} ({', '.join(cols)}) SELECT {', '.join(exprs)} "
                    f"FROM {t[CreditAging]} t JOIN m_{t[Credit]} m ON m.old_id = t.credit_id "
                    f"LEFT JOIN m_{t[LedgerEntry]} fe ON fe.old_id = t.last_entry_id "
                    f"LEFT JOIN m_{t[Disbursement]} fd ON fd.old_id = t.last_disbursement_id "
                    f"CROSS JOIN generate_series(1, {copies}) g(j)")
        counts["antiguedad"] = cur.rowcount
        say(f"índices y llaves… ({time.monotonic() - started:.0f} s)")
        secondary.recreate()
    # Every table copied into: autovacuum may be off (or late), and without statistics the
    # planner reads one credit's disbursements by a hash join over every pagaré.
    with connection.cursor() as cur:
        for model in (Credit, Person, CreditParty, Disbursement, PromissoryNote, ScheduleVersion,
                      LedgerEntry, Installment, Allocation, CreditAging):
            cur.execute(f"ANALYZE {model._meta.db_table}")
    return counts
