"""A deterministic synthetic portfolio of product CE (for the demo, benchmarks and tests).

`plan_portfolio` is pure (a seed, a count and a business date in; plans out): each credit gets a
*profile* (en estudios, gracia, pagador puntual, pagador tardío, pagos parciales, vencido in
every bucket, abandonado, liquidado, liquidación anticipada, pago anticipado a capital, pago
reversado, cheque devuelto, convenio/jurídico/castigado) and dates chosen backwards from the
business date so that the engine puts it where the profile says. Payment amounts come from the
engine's own schedule (the punctual amount is principal + interest − rebate), never from a
second formula of the schedule.

`demo_portfolio_create` stores the plans with bulk inserts and replays every credit once with
`credits_bulk_refresh`. Folios and natural keys derive from the seed, so running it again with
the same seed on the same database skips what exists.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from recupera import engine
from recupera.engine import add_months, cents
from recupera.engine.late_interest import late_interest
from recupera.engine.schedule import punctual_rebate, rebate_factor

ONE_DAY = dt.timedelta(days=1)

# profile -> weight (per 100 credits). Every profile appears at least once for count >= 19.
PROFILES: dict[str, int] = {
    "studying": 12, "grace": 7, "punctual": 18, "late_payer": 7, "partial": 5,
    "overdue_1_30": 5, "overdue_31_60": 4, "overdue_61_90": 3, "overdue_91_180": 4,
    "overdue_181_365": 4, "abandoned": 6, "paid_off": 4, "payoff_early": 4, "prepayment": 3,
    "reversed": 3, "bounced": 2, "convenio": 2, "juridico": 2, "castigado": 1,
}
# Overdue profiles: days past due wanted at the business date (low, high), inside one bucket
# with room for a due date moved up to 4 days by weekends and holidays.
OVERDUE_DAYS: dict[str, tuple[int, int]] = {
    "overdue_1_30": (6, 27), "overdue_31_60": (36, 57), "overdue_61_90": (66, 87),
    "overdue_91_180": (96, 177), "overdue_181_365": (186, 362), "abandoned": (370, 1800),
    "convenio": (96, 400), "juridico": (400, 2000), "castigado": (800, 3000),
}
ADMINISTRATIVE = {"convenio": "convenio", "juridico": "juridico", "castigado": "castigado"}

SCHOOLS = (
    "Universidad de Sonora", "Instituto Tecnológico de Sonora", "Instituto Tecnológico de Hermosillo",
    "Universidad Estatal de Sonora", "Universidad Tecnológica de Hermosillo",
    "Instituto Tecnológico de Nogales", "Universidad de la Sierra", "El Colegio de Sonora",
    "Universidad Kino", "Instituto Tecnológico de Huatabampo", "Universidad del Valle de México",
    "Instituto Tecnológico Superior de Cajeme",
)
CAREERS = (
    "Medicina", "Derecho", "Ingeniería Civil", "Ingeniería Industrial", "Enfermería",
    "Contaduría Pública", "Arquitectura", "Psicología", "Administración de Empresas",
    "Ingeniería en Sistemas Computacionales", "Licenciatura en Educación Primaria", "Agronomía",
    "Odontología", "Nutrición", "Ingeniería en Minas", "Químico Biólogo Clínico",
)
CHANNELS = ("banco", "banco", "banco", "banco", "caja", "caja", "spei", "spei", "nomina")


@dataclass
class PlannedEvent:
    key: str
    kind: str
    value_date: dt.date
    amount: Decimal
    channel: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    reverses: str | None = None  # key of the reversed event
    reason: str = ""


@dataclass
class CreditPlan:
    folio: str
    profile: str
    borrower: int  # index into the generated people
    guarantors: list[int]
    references: list[int]
    school: str
    career: str
    end_of_studies: dt.date
    academic_average: Decimal
    administrative_status: str
    disbursements: list[tuple[int, dt.date, Decimal, str]]  # number, date, amount, destination
    events: list[PlannedEvent] = field(default_factory=list)


def folio_for(seed: int, index: int) -> str:
    return f"CE-{seed % 1_000_000}-{index:05d}"


def _profiles(count: int, rng: random.Random) -> list[str]:
    """One of each profile first (so small portfolios have every state), then by weight."""
    names = list(PROFILES)
    chosen = names[:count]
    total = sum(PROFILES.values())
    rest = count - len(chosen)
    if rest > 0:
        quotas = {n: rest * w / total for n, w in PROFILES.items()}
        counts = {n: int(q) for n, q in quotas.items()}
        by_remainder = sorted(names, key=lambda n: (-(quotas[n] - counts[n]), names.index(n)))
        for n in by_remainder[: rest - sum(counts.values())]:
            counts[n] += 1
        for n in names:
            chosen += [n] * counts[n]
    rng.shuffle(chosen)
    return chosen


def _clip_day(d: dt.date) -> dt.date:
    """Days 29–31 move to the 28th, so month arithmetic keeps due dates on one day."""
    return d.replace(day=28) if d.day > 28 else d


def _disbursements(rng: random.Random, end_of_studies: dt.date, as_of: dt.date,
                   ) -> list[tuple[int, dt.date, Decimal, str]]:
    n = rng.choice((1, 2, 2, 3, 4, 4, 5, 6, 6, 7, 8, 8, 9, 10))
    step = rng.choice((6, 6, 6, 6, 4, 4, 2))  # semester, cuatrimestre, bimester
    last = add_months(end_of_studies, -rng.randint(1, 3)).replace(day=rng.randint(1, 28))
    base = rng.randrange(60, 461) * 50  # 3,000 – 23,000
    rows = []
    for number in range(1, n + 1):
        date = add_months(last, -step * (n - number))
        amount = Decimal(min(max(base + rng.randrange(-20, 41) * 50, 3000), 25000))
        destination = "escuela" if rng.random() < 0.3 else "alumno"
        rows.append((number, date, amount.quantize(Decimal("0.01")), destination))
    made = [r for r in rows if r[1] <= as_of]
    if not made:  # studying and nothing disbursed yet: the first period was just paid out
        first = as_of - ONE_DAY * rng.randint(5, 150)
        made = [(1, first, rows[0][2], rows[0][3])]
    return [(i, d, a, dest) for i, (_n, d, a, dest) in enumerate(made, start=1)]


class _Builder:
    """Plans one credit's events from the engine's schedule."""

    def __init__(self, plan: CreditPlan, terms: engine.Terms, calendar: engine.BusinessCalendar,
                 rng: random.Random, as_of: dt.date) -> None:
        self.plan, self.terms, self.calendar, self.rng, self.as_of = plan, terms, calendar, rng, as_of
        disbursed = [engine.Disbursement(n, d, a) for n, d, a, _dest in plan.disbursements]
        self.disbursed = disbursed
        self.schedule = engine.build_schedule(terms, disbursed, calendar)
        factor = engine_rebate_factor(terms)
        self.rebates = [punctual_rebate(i.interest, factor) for i in self.schedule.installments]
        self.seq = 0

    def key(self) -> str:
        self.seq += 1
        return f"demo:{self.plan.folio}:{self.seq:03d}"

    def add(self, kind: str, value_date: dt.date, amount: Decimal, **extra: Any) -> PlannedEvent:
        event = PlannedEvent(self.key(), kind, value_date, amount,
                             extra.pop("channel", self.rng.choice(CHANNELS)), **extra)
        self.plan.events.append(event)
        return event

    def punctual_amount(self, k: int) -> Decimal:
        inst = self.schedule.installments[k]
        return inst.principal + inst.interest - self.rebates[k]

    def late_amount(self, k: int, paid_on: dt.date) -> Decimal:
        inst = self.schedule.installments[k]
        days = (paid_on - inst.effective_due_date).days
        late = cents(late_interest(inst.principal, self.terms.late_rate, days))
        return inst.principal + inst.interest + late + Decimal("0.01")

    def due_by(self, d: dt.date) -> list[int]:
        return [k for k, i in enumerate(self.schedule.installments) if i.due_date <= d]

    def pay_punctually(self, ks: list[int]) -> PlannedEvent | None:
        last = None
        for k in ks:
            inst = self.schedule.installments[k]
            paid_on = min(inst.due_date - ONE_DAY * self.rng.randint(0, 3), self.as_of)
            last = self.add("payment", paid_on, self.punctual_amount(k))
        return last

    def pay_late(self, ks: list[int]) -> None:
        for k in ks:
            inst = self.schedule.installments[k]
            if self.rng.random() < 0.35:
                paid_on = inst.due_date - ONE_DAY * self.rng.randint(0, 2)
                amount = self.punctual_amount(k)
            else:
                paid_on = inst.effective_due_date + ONE_DAY * self.rng.randint(3, 20)
                amount = self.late_amount(k, paid_on)
            if paid_on > self.as_of:
                return
            self.add("payment", paid_on, amount)

    def pay_partially(self, ks: list[int]) -> None:
        for k in ks:
            inst = self.schedule.installments[k]
            share = Decimal(self.rng.randint(35, 80)) / 100
            amount = cents(self.punctual_amount(k) * share)
            self.add("payment", min(inst.due_date, self.as_of), amount)

    def quote_payoff(self, d: dt.date) -> Decimal:
        events = [engine.Event(id=e.key, kind=e.kind, value_date=e.value_date, seq=i,  # type: ignore[arg-type]
                               amount=e.amount) for i, e in enumerate(self.plan.events, 1)]
        state = engine.credit_state(terms=self.terms, disbursements=self.disbursed, events=events,
                                    calendar=self.calendar, as_of=d)
        return state.payoff_amount


def engine_rebate_factor(terms: engine.Terms) -> Decimal:
    return rebate_factor(terms.base_rate, engine.tier_rate(terms))


def _dates_for(profile: str, rng: random.Random, as_of: dt.date) -> tuple[dt.date, int]:
    """(end of studies, index of the first unpaid installment or -1) for a profile."""
    if profile == "studying":
        return _clip_day(as_of + ONE_DAY * rng.randint(30, 1000)), -1
    if profile == "grace":
        return _clip_day(as_of - ONE_DAY * rng.randint(5, 170)), -1
    if profile in OVERDUE_DAYS:
        low, high = OVERDUE_DAYS[profile]
        cutoff = _clip_day(as_of - ONE_DAY * rng.randint(low, high))
        k = rng.randint(1, 12) if profile in ("abandoned", "castigado") else rng.randint(1, 40)
        first_due = add_months(cutoff, -(k - 1))
        return add_months(first_due, -6), k - 1
    if profile == "paid_off":
        first_due = _clip_day(add_months(as_of, -(60 + rng.randint(1, 30))))
        return add_months(first_due, -6), 60
    # repaying and up to date: the latest due date a few days before the business date
    last_due = _clip_day(as_of - ONE_DAY * rng.randint(4, 27))
    k = rng.randint(8, 50) if profile in ("payoff_early", "reversed", "prepayment") else rng.randint(1, 55)
    first_due = add_months(last_due, -(k - 1))
    return add_months(first_due, -6), k


def plan_portfolio(*, count: int, seed: int, as_of: dt.date, product: Any,
                   calendar: engine.BusinessCalendar) -> list[CreditPlan]:
    """`count` credit plans, the same for the same (seed, as_of, product terms)."""
    from recupera.credits.engine_io import terms_for
    from recupera.credits.models import Credit

    rng = random.Random(seed)
    plans: list[CreditPlan] = []
    person = 0
    for index, profile in enumerate(_profiles(count, rng), start=1):
        end_of_studies, cut = _dates_for(profile, rng, as_of)
        borrower = person
        person += 1
        guarantors = []
        if rng.random() < 0.92:
            guarantors.append(person)
            person += 1
        references = []
        if rng.random() < 0.2:
            for _ in range(rng.randint(1, 2)):
                references.append(person)
                person += 1
        plan = CreditPlan(
            folio=folio_for(seed, index), profile=profile, borrower=borrower,
            guarantors=guarantors, references=references, school=rng.choice(SCHOOLS),
            career=rng.choice(CAREERS), end_of_studies=end_of_studies,
            academic_average=Decimal(rng.randint(700, 985)) / 10,
            administrative_status=ADMINISTRATIVE.get(profile, ""),
            disbursements=_disbursements(rng, end_of_studies, as_of),
        )
        terms = terms_for(Credit(product=product, end_of_studies=end_of_studies,
                                 academic_average=plan.academic_average))
        _plan_events(_Builder(plan, terms, calendar, rng, as_of), profile, cut)
        plans.append(plan)
    return plans


def _plan_events(b: _Builder, profile: str, cut: int) -> None:
    rng, as_of = b.rng, b.as_of
    due = b.due_by(as_of)
    if profile in ("studying", "grace"):
        return
    if profile in OVERDUE_DAYS:
        paid = list(range(cut))
        if rng.random() < 0.3:
            b.pay_late(paid)
        else:
            b.pay_punctually(paid)
        if profile == "castigado":
            # Written off by the committee six months ago: a ledger entry that took the debt off
            # the books (recupera.engine.write_off). No draw from rng: the rest of the portfolio
            # stays the same for the same seed.
            on = as_of - ONE_DAY * 180
            b.add("write_off", on, b.quote_payoff(on), channel="", reason="Castigo autorizado por el comité")
        return
    if profile == "paid_off":
        b.pay_punctually(list(range(len(b.schedule.installments))))
        return
    if profile == "late_payer":
        b.pay_late(due)
        return
    if profile == "partial":
        b.pay_partially(due)
        return
    if profile == "payoff_early":
        j = rng.randint(3, len(due) - 1)
        b.pay_punctually(list(range(j)))
        settle_on = b.schedule.installments[j - 1].due_date + ONE_DAY * rng.randint(3, 20)
        b.add("payoff", settle_on, b.quote_payoff(settle_on), reason="Liquidación anticipada")
        return
    last = b.pay_punctually(due)
    if profile == "prepayment" and last is not None:
        k = len(due)
        outstanding = b.schedule.principal - sum(
            (i.principal for i in b.schedule.installments[:k]), Decimal("0"))
        share = Decimal(rng.randint(10, 30)) / 100
        amount = max((outstanding * share / 100).quantize(Decimal("1")) * 100, Decimal("500"))
        if amount < outstanding:
            b.add("prepayment", min(last.value_date + ONE_DAY * rng.randint(0, 2), as_of),
                  amount.quantize(Decimal("0.01")),
                  params={"mode": rng.choice(("keep_installment", "keep_term"))},
                  reason="Pago anticipado a capital")
    elif profile == "reversed":
        k = rng.randint(1, len(due) - 2)
        when = b.schedule.installments[k].due_date + ONE_DAY * rng.randint(3, 10)
        wrong = b.add("payment", when, Decimal(rng.randrange(10, 61) * 50).quantize(Decimal("0.01")))
        b.add("reversal", when + ONE_DAY * rng.randint(1, 8), wrong.amount, channel=wrong.channel,
              reverses=wrong.key, reason="Pago aplicado por error: corresponde a otro crédito")
    elif profile == "bounced" and last is not None:
        b.add("reversal", min(last.value_date + ONE_DAY * rng.randint(2, 10), as_of), last.amount,
              channel=last.channel, reverses=last.key, reason="Pago rechazado por el banco")


# --- storing -------------------------------------------------------------------------------------
def _people(*, actor: Any, count: int, seed: int) -> list[Any]:
    """`count` persons from the people app's generator (existing CURPs are reused)."""
    from recupera.people.models import Person
    from recupera.people.services import person_bulk_create
    from recupera.people.synthetic import make_people

    rows = list(make_people(count=count, seed=seed))
    curps = [_curp_of(r) for r in rows]
    existing = {}
    for start in range(0, len(curps), 500):
        for p in Person.objects.filter(curp__in=curps[start:start + 500]):
            existing[p.curp] = p
    missing = [r for r, c in zip(rows, curps, strict=True) if c not in existing]
    if missing:
        created = person_bulk_create(actor=actor, rows=missing)
        for p in _persons_of(created):
            existing[p.curp] = p
        if len(existing) < len(set(curps)):
            for start in range(0, len(curps), 500):
                for p in Person.objects.filter(curp__in=curps[start:start + 500]):
                    existing[p.curp] = p
    return [existing[c] for c in curps]


def _curp_of(row: Any) -> str:
    return row["curp"] if isinstance(row, dict) else row.curp


def _persons_of(result: Any) -> list[Any]:
    from recupera.people.models import Person

    if isinstance(result, Person):
        return [result]
    if isinstance(result, dict):
        result = result.get("created", [])
    items = list(result or [])
    return [p for p in items if isinstance(p, Person)] or [
        p for sub in items if isinstance(sub, list | tuple) for p in sub if isinstance(p, Person)]


@transaction.atomic
def demo_portfolio_create(*, actor: Any, credits: int, seed: int, as_of: dt.date) -> dict[str, int]:
    """Store `credits` synthetic credits (skipping folios that exist) and replay them at `as_of`.
    Returns the number of credits per displayed status (of the credits of this seed)."""
    from recupera.core.audit import audit_record
    from recupera.credits import engine_io
    from recupera.credits.models import (
        Credit,
        CreditParty,
        Disbursement,
        LedgerEntry,
        Product,
        PromissoryNote,
    )
    from recupera.credits.services import credits_bulk_refresh, note_due_date

    product = Product.objects.select_related("program").get(code="CE")
    calendar = engine_io.business_calendar()
    plans = plan_portfolio(count=credits, seed=seed, as_of=as_of, product=product, calendar=calendar)
    folios = [p.folio for p in plans]
    existing = set()
    for start in range(0, len(folios), 500):
        existing.update(Credit.objects.filter(folio__in=folios[start:start + 500])
                        .values_list("folio", flat=True))
    todo = [p for p in plans if p.folio not in existing]
    if todo:
        needed = max(max([p.borrower, *p.guarantors, *p.references]) for p in plans) + 1
        people = _people(actor=actor, count=needed, seed=seed)
        rows = [Credit(
            folio=p.folio, product=product, program=product.program, borrower=people[p.borrower],
            school=p.school, career=p.career, end_of_studies=p.end_of_studies,
            academic_average=p.academic_average, administrative_status=p.administrative_status,
        ) for p in todo]
        stored = Credit.objects.bulk_create(rows, batch_size=500)
        by_folio = {c.folio: c for c in stored}
        for c in stored:
            c.product = product
        parties, disbursements, notes_for = [], [], []
        for p in todo:
            credit = by_folio[p.folio]
            parties.append(CreditParty(credit=credit, person=people[p.borrower],
                                       role=CreditParty.Role.BORROWER))
            parties += [CreditParty(credit=credit, person=people[i], role=CreditParty.Role.GUARANTOR)
                        for i in p.guarantors]
            parties += [CreditParty(credit=credit, person=people[i], role=CreditParty.Role.REFERENCE)
                        for i in p.references]
            note_due = note_due_date(credit)
            for number, date, amount, destination in p.disbursements:
                disbursements.append(Disbursement(credit=credit, number=number, date=date,
                                                  amount=amount, destination=destination))
                notes_for.append((credit, note_due))
        CreditParty.objects.bulk_create(parties, batch_size=1000)
        disbursements = Disbursement.objects.bulk_create(disbursements, batch_size=1000)
        PromissoryNote.objects.bulk_create([
            PromissoryNote(credit=credit, disbursement=d, number=f"{credit.folio}-{d.number:02d}",
                           amount=d.amount, signed_on=d.date, due_date=note_due)
            for d, (credit, note_due) in zip(disbursements, notes_for, strict=True)
        ], batch_size=1000)
        entries = []
        for p in todo:
            credit = by_folio[p.folio]
            entries += [LedgerEntry(credit=credit, kind=e.kind, value_date=e.value_date,
                                    amount=e.amount, channel=e.channel, natural_key=e.key,
                                    params=e.params, reason=e.reason)
                        for e in p.events if e.reverses is None]
        stored_entries = LedgerEntry.objects.bulk_create(entries, batch_size=1000)
        ids = {(e.credit_id, e.natural_key): e.pk for e in stored_entries}
        reversals = []
        for p in todo:
            credit = by_folio[p.folio]
            reversals += [LedgerEntry(credit=credit, kind=e.kind, value_date=e.value_date,
                                      amount=e.amount, channel=e.channel, natural_key=e.key,
                                      reverses_id=ids[(credit.pk, e.reverses)], reason=e.reason)
                          for e in p.events if e.reverses is not None]
        LedgerEntry.objects.bulk_create(reversals, batch_size=1000)
        credits_bulk_refresh(credits=stored, as_of=as_of, actor=actor, calendar=calendar)
        audit_record(actor=actor, action="cartera_demo.generar", obj=product, after={
            "seed": seed, "credits": len(todo), "skipped": len(existing), "as_of": as_of,
            "first_folio": todo[0].folio, "last_folio": todo[-1].folio,
        })
    prefix = folio_for(seed, 0)[:-5]
    counts = Counter(Credit.objects.filter(folio__startswith=prefix).values_list("status", flat=True))
    return dict(counts)
