"""Reads of the custody app, each in a known number of queries (tests pin the pages' counts)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from recupera.custody import classification
from recupera.custody.models import (
    OUT_STATUSES,
    InventoryCampaign,
    InventoryScan,
    Item,
    ItemStatus,
    Location,
    Movement,
)
from recupera.legal import prescription

LIST_LIMIT = 200
SHOWN = 8  # rows of each to-do list on the dashboard
PRESCRIPTION_WINDOW_DAYS = 180

_NOTHING_OWED = Q(credit__state_as_of__isnull=False, credit__principal_disbursed__gt=0,
                  credit__payoff_amount=0)
SETTLED_Q = (Q(credit_state__in=["liquidado", "condonado"])
             | Q(note__status__in=["por_devolver", "devuelto"]) | _NOTHING_OWED)


def subtree_ids(location: Location) -> set[int]:
    """The location and everything inside it (one query: locations are few)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Location.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    ids, stack = set(), [location.pk]
    while stack:
        pk = stack.pop()
        ids.add(pk)
        stack.extend(children.get(pk, []))
    return ids



def items() -> QuerySet[Item]:
    """Items with what a row shows (credit, pagaré, person, place) and `has_prepayment`."""
    return classification.with_prepayment(
        Item.objects.select_related("credit", "note", "person", "location"))


def item_rows(qs: Any) -> list[tuple[Item, str | None, str]]:
    """(item, classification code, its label) for each item of `qs`."""
    rows = []
    for item in qs:
        klass = classification.of_item(item)
        rows.append((item, klass, classification.label(klass)))
    return rows


def text_param(value: str | None, limit: int = 60) -> str:
    """A text typed in a URL or a query string, safe to look up: stripped, bounded, and without
    NUL characters (which PostgreSQL text refuses)."""
    return (value or "").replace("\x00", "").strip()[:limit]


def item_by_code(code: str) -> Item | None:
    code = text_param(code, 40).upper()
    return items().filter(code=code).first() if code else None


def location_by_code(code: str | None) -> Location | None:
    code = text_param(code, 30).upper()
    return Location.objects.filter(code=code).first() if code else None


def movements_of(item: Item) -> list[Movement]:
    return list(Movement.objects.filter(item=item).select_related("from_location", "to_location")
                .order_by("id"))


def items_filter(*, status: str = "", klass: str = "", kind: str = "", location: Location | None = None,
                 query: str = "") -> QuerySet[Item]:
    qs = items()
    if status in ItemStatus.values:
        qs = qs.filter(status=status)
    if kind in Item.Kind.values:
        qs = qs.filter(kind=kind)
    if location is not None:
        qs = qs.filter(location_id__in=subtree_ids(location))
    text = text_param(query)
    if text:
        qs = qs.filter(Q(code__iexact=text) | Q(credit__folio__iexact=text) | Q(note__number__iexact=text)
                       | Q(person__search_name__icontains=text.upper()))
    if klass in classification.LABELS:
        qs = qs.filter(classification_q(klass))
    return qs.order_by("code")


def classification_q(code: str) -> Q:
    """The rows of one classification, as a filter (the same rules as classification.classify)."""
    settled = SETTLED_Q
    restructured = (Q(note__status="sustituido") | Q(credit_state="reestructurado")) & ~settled
    overdue = Q(credit_state__in=["vencido", "juridico", "castigado"]) & ~settled & ~restructured
    prepaid = Q(has_prepayment=True) & ~settled & ~restructured & ~overdue
    current = Q(credit__isnull=False) & ~settled & ~restructured & ~overdue & ~prepaid
    return {classification.SETTLED: settled, classification.RESTRUCTURED: restructured,
            classification.OVERDUE: overdue, classification.PREPAID: prepaid,
            classification.CURRENT: current}[code]


@dataclass
class Dashboard:
    by_status: list[tuple[str, str, int]]
    by_classification: list[tuple[str, str, int]]
    total: int
    overdue: list[tuple[Item, int]]
    to_return: list[Item]
    replaced: list[Item]
    legal: list[Item]
    unregistered: list[Any]
    near_prescription: list[tuple[Item, dt.date]]
    counts: dict[str, int]
    last_campaign: InventoryCampaign | None
    open_campaigns: list[InventoryCampaign]


def status_counts() -> dict[str, int]:
    return dict(Item.objects.values_list("status").annotate(n=Count("id")).order_by())


def classification_counts() -> dict[str | None, int]:
    """Items by classification: one grouped query over what the classification reads."""
    from recupera.credits.models import LedgerEntry

    rows = (Item.objects.annotate(
        has_prepayment=Exists(LedgerEntry.objects.filter(credit_id=OuterRef("credit_id"),
                                                         kind=LedgerEntry.Kind.PREPAYMENT)),
        nothing_owed=ExpressionWrapper(_NOTHING_OWED, output_field=BooleanField()),
        credit_state=classification.credit_status_expression())
        .values("credit_state", "note__status", "has_prepayment", "nothing_owed")
        .annotate(n=Count("id")).order_by())
    counts: dict[str | None, int] = {}
    for row in rows:
        code = classification.classify(credit_status=row["credit_state"], note_status=row["note__status"],
                                       has_prepayment=bool(row["has_prepayment"]),
                                       nothing_owed=bool(row["nothing_owed"]))
        counts[code] = counts.get(code, 0) + row["n"]
    return counts


def overdue_loans(as_of: dt.date, *, holder: Any = None) -> QuerySet[Item]:
    qs = items().filter(status__in=OUT_STATUSES, due_back__lt=as_of)
    if holder is not None:
        qs = qs.filter(holder_user=holder)
    return qs.order_by("due_back", "code")


def loans_of(user: Any) -> QuerySet[Item]:
    return items().filter(status__in=OUT_STATUSES, holder_user=user).order_by("due_back", "code")


def to_return() -> QuerySet[Item]:
    """Pagarés in the archive whose credit is settled: to hand back to the debtor."""
    return items().filter(SETTLED_Q, kind=Item.Kind.NOTE, status=ItemStatus.IN_CUSTODY).order_by("code")


def replaced_in_custody() -> QuerySet[Item]:
    """Pagarés a restructure replaced, still in the archive uncancelled."""
    return items().filter(kind=Item.Kind.NOTE, status=ItemStatus.IN_CUSTODY,
                          note__status="sustituido").order_by("code")


def legal_to_check_out() -> QuerySet[Item]:
    """Pagarés in the archive of credits in the legal stage (credit «jurídico» or an open case in
    the judicial stage): to check out to the lawyer."""
    from recupera.collections.models import Case

    judicial = Case.objects.filter(credit_id=OuterRef("credit_id"), status="abierto", stage="judicial")
    return (items().filter(kind=Item.Kind.NOTE, status=ItemStatus.IN_CUSTODY,
                           note__status__in=["vigente", "en_juicio"])
            .filter(Q(credit_state="juridico") | Exists(judicial)).order_by("code"))


def unregistered_notes(limit: int = LIST_LIMIT) -> list[Any]:
    """Pagarés in force that have no item yet (a restructure's new pagaré, a new disbursement)."""
    from recupera.credits.models import PromissoryNote

    return list(PromissoryNote.objects.filter(status__in=["vigente", "en_juicio"], custody_item__isnull=True)
                .select_related("credit", "credit__borrower").order_by("-signed_on", "number")[:limit])


def unregistered_count() -> int:
    from recupera.credits.models import PromissoryNote

    return PromissoryNote.objects.filter(status__in=["vigente", "en_juicio"], custody_item__isnull=True).count()


def near_prescription(as_of: dt.date, *, days: int = PRESCRIPTION_WINDOW_DAYS,
                      limit: int = LIST_LIMIT) -> list[tuple[Item, dt.date]]:
    """Pagarés in force that prescribe within `days` (or already did), with their item. The
    date is the legal clock of docs/legal.md (`recupera.legal.prescription`: the first unpaid
    installment, declarations, acknowledgments, lawsuits), the same one the close's alerts,
    the priority and the case page use."""
    horizon = as_of + dt.timedelta(days=days)
    dates = {clock.note_id: clock.date
             for clock in prescription.note_clocks(prescription.credits_that_may_prescribe(horizon))
             if clock.date is not None and clock.date <= horizon}
    qs = items().filter(kind=Item.Kind.NOTE, note_id__in=list(dates))
    rows = [(item, dates[item.note_id]) for item in qs]
    rows.sort(key=lambda r: (r[1], r[0].code))
    return rows[:limit]


def dashboard(as_of: dt.date) -> Dashboard:
    """What the archive's home shows: counts, and the first SHOWN rows of each to-do list
    (each list has its page: LISTS)."""
    statuses = status_counts()
    prescribing = near_prescription(as_of)
    klasses = classification_counts()
    campaigns = list(InventoryCampaign.objects.select_related("location").order_by("-opened_on", "-id")[:20])
    return Dashboard(
        by_status=[(value, str(label), statuses.get(value, 0)) for value, label in ItemStatus.choices],
        by_classification=[(code, classification.label(code), klasses.get(code, 0))
                           for code in (*classification.ORDER, None)],
        total=sum(statuses.values()),
        overdue=[(item, (as_of - item.due_back).days) for item in overdue_loans(as_of)[:LIST_LIMIT]],
        to_return=list(to_return()[:SHOWN]),
        replaced=list(replaced_in_custody()[:SHOWN]),
        legal=list(legal_to_check_out()[:SHOWN]),
        unregistered=unregistered_notes(SHOWN),
        near_prescription=prescribing[:SHOWN],
        counts={"to_return": to_return().count(), "replaced": replaced_in_custody().count(),
                "legal": legal_to_check_out().count(), "unregistered": unregistered_count(),
                "near_prescription": len(prescribing)},
        last_campaign=next((c for c in campaigns if c.status == InventoryCampaign.Status.CLOSED), None),
        open_campaigns=[c for c in campaigns if c.status == InventoryCampaign.Status.OPEN],
    )


def to_do_list(name: str, as_of: dt.date) -> QuerySet[Item] | None:
    """The items of one of the dashboard's lists (the «ver todos» pages), or None."""
    if name == "por_devolver":
        return to_return()
    if name == "juridico":
        return legal_to_check_out()
    if name == "sustituidos":
        return replaced_in_custody()
    if name == "prestamos_vencidos":
        return overdue_loans(as_of)
    if name == "prescripcion":
        pks = [item.pk for item, _date in near_prescription(as_of, limit=LIST_LIMIT)]
        return items().filter(pk__in=pks).order_by("note__due_date", "code")
    return None


LISTS = {"por_devolver": _("Pagarés por devolver al acreditado"),
         "juridico": _("Pagarés para entregar a jurídico"),
         "sustituidos": _("Pagarés sustituidos por una reestructura"),
         "prestamos_vencidos": _("Préstamos vencidos"),
         "prescripcion": _("Pagarés próximos a prescribir (180 días)")}


# --- locations --------------------------------------------------------------------------------
@dataclass
class LocationNode:
    location: Location
    depth: int
    items_here: int
    items_total: int = 0
    children: list[LocationNode] = field(default_factory=list)


def location_tree() -> list[LocationNode]:
    """Every location with the items in custody in it and below it (two queries)."""
    locations = list(Location.objects.order_by("code"))
    here = dict(Item.objects.filter(status=ItemStatus.IN_CUSTODY).values_list("location_id")
                .annotate(n=Count("id")).order_by())
    nodes = {loc.pk: LocationNode(location=loc, depth=0, items_here=here.get(loc.pk, 0)) for loc in locations}
    roots = []
    for loc in locations:
        node = nodes[loc.pk]
        (nodes[loc.parent_id].children if loc.parent_id in nodes else roots).append(node)

    def total(node: LocationNode, depth: int) -> int:
        node.depth = depth
        node.items_total = node.items_here + sum(total(c, depth + 1) for c in node.children)
        return node.items_total

    for root in roots:
        total(root, 0)
    return roots


def flatten(nodes: list[LocationNode]) -> list[LocationNode]:
    out: list[LocationNode] = []
    for node in nodes:
        out.append(node)
        out.extend(flatten(node.children))
    return out


def location_path(location: Location) -> list[Location]:
    """From the archive down to `location` (one query: locations are few)."""
    by_pk = {loc.pk: loc for loc in Location.objects.all()}
    path, current = [], by_pk.get(location.pk)
    while current is not None:
        path.append(current)
        current = by_pk.get(current.parent_id) if current.parent_id else None
    return list(reversed(path))


def shelves() -> QuerySet[Location]:
    return Location.objects.filter(kind__in=Location.HOLDS_ITEMS, active=True).order_by("code")


# --- inventory --------------------------------------------------------------------------------
@dataclass
class CampaignReport:
    expected: int
    found: list[InventoryScan]
    misplaced: list[InventoryScan]
    unexpected: list[InventoryScan]
    unknown: list[InventoryScan]
    missing: list[Item]

    def counts(self) -> dict[str, int]:
        return {"expected": self.expected, "found": len(self.found), "misplaced": len(self.misplaced),
                "unexpected": len(self.unexpected), "unknown": len(self.unknown),
                "missing": len(self.missing)}

    def as_json(self) -> dict[str, Any]:
        def scans(rows: list[InventoryScan]) -> list[dict[str, str]]:
            return [{"code": s.code, "found_at": s.found_at.code,
                     "place": s.item.location.code if s.item else ""} for s in rows]

        return {**self.counts(), "lists": {
            "found": scans(self.found), "misplaced": scans(self.misplaced),
            "unexpected": scans(self.unexpected), "unknown": scans(self.unknown),
            "missing": [{"code": i.code, "place": i.location.code} for i in self.missing]}}


def campaign_report(campaign: InventoryCampaign) -> CampaignReport:
    """Found in place, misplaced (found in another drawer than its own), unexpected (the system
    says it is not in the archive: lent, returned, lost…), unknown codes, and missing (in custody
    in the campaign's location, not scanned)."""
    scope = subtree_ids(campaign.location)
    scans = list(InventoryScan.objects.filter(campaign=campaign)
                 .select_related("found_at", "item", "item__location").order_by("id"))
    seen = {s.item_id for s in scans if s.item_id}
    expected = list(Item.objects.filter(status=ItemStatus.IN_CUSTODY, location_id__in=scope)
                    .select_related("location").order_by("location__code", "code"))
    R = InventoryScan.Result
    return CampaignReport(
        expected=len(expected),
        found=[s for s in scans if s.result == R.FOUND],
        misplaced=[s for s in scans if s.result == R.MISPLACED],
        unexpected=[s for s in scans if s.result == R.UNEXPECTED],
        unknown=[s for s in scans if s.result == R.UNKNOWN],
        missing=[i for i in expected if i.pk not in seen],
    )
