"""The Crédito Educativo program and its product CE (docs/domain.md §2): 6 % base, 3 % punctual,
0 % excellence at an average of 90 or more, 9 % late, 6 months grace, 60 months term."""

from decimal import Decimal

from django.db import migrations


def create_ce(apps, schema_editor):
    Program = apps.get_model("credits", "Program")
    Product = apps.get_model("credits", "Product")
    program, _ = Program.objects.get_or_create(
        code="CE", defaults={"name": "Crédito Educativo", "kind": "credito", "active": True})
    Product.objects.get_or_create(code="CE", defaults={
        "name": "Crédito Educativo",
        "program": program,
        "base_rate": Decimal("0.06"),
        "punctual_rate": Decimal("0.03"),
        "excellence_rate": Decimal("0"),
        "excellence_threshold": Decimal("90"),
        "late_rate": Decimal("0.09"),
        "grace_months": 6,
        "default_term_months": 60,
        "interest_before_repayment": "none",
        "allocation_order": "fees,late_interest,interest,principal",
        "dpd_tolerance": Decimal("1.00"),
        "active": True,
    })


def remove_ce(apps, schema_editor):
    Product = apps.get_model("credits", "Product")
    Program = apps.get_model("credits", "Program")
    Product.objects.filter(code="CE", credits__isnull=True).delete()
    Program.objects.filter(code="CE", products__isnull=True, credits__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("credits", "0001_initial")]

    operations = [migrations.RunPython(create_ce, remove_ce)]
