"""`recupera demo` shows the archive: locations, items in every custody status and every
classification, a closed inventory, a restructure's pagaré waiting to be received."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from recupera.custody import selectors
from recupera.custody.demo import load_demo_custody
from recupera.custody.models import InventoryCampaign, Item, ItemStatus, Location, Movement
from recupera.ops.management.commands.demo import ensure_demo_users

AS_OF = dt.date(2026, 11, 26)


@pytest.mark.django_db
def test_demo_archive_has_every_status_and_classification(product_ce):
    call_command("demo_data", credits=60, seed=11, as_of=AS_OF, stdout=io.StringIO())
    ensure_demo_users()
    summary = load_demo_custody(as_of=AS_OF)
    assert summary == {"items": Item.objects.count()}
    assert set(Item.objects.values_list("status", flat=True)) == set(ItemStatus.values)
    counts = selectors.classification_counts()
    assert {k for k, n in counts.items() if n} == {"vigente", "vencido", "pago_anticipado", "reestructurado",
                                                   "finiquitado", None}
    assert Location.objects.filter(kind="cajon").count() == 6
    assert selectors.overdue_loans(AS_OF).count() == 1
    assert selectors.to_return().exists() and selectors.replaced_in_custody().exists()
    assert len(selectors.unregistered_notes()) == 1  # the restructure's pagaré
    campaign = InventoryCampaign.objects.get()
    assert campaign.status == "cerrada" and campaign.result["missing"] == 1 and campaign.result["misplaced"] == 1
    # every item's history starts with its entry; nothing moved without a movement
    assert Movement.objects.filter(kind="alta").count() == Item.objects.count()
    assert load_demo_custody(as_of=AS_OF) is None  # idempotent
