from decimal import Decimal

from django.db import migrations

LIMITS = [  # level, late interest %, ordinary interest %, principal %, min down payment %, max installments
    (1, "50", "0", "0", "20", 6),
    (2, "100", "25", "0", "10", 12),
    (3, "100", "100", "20", "5", 24),
    (4, "100", "100", "50", "0", 36),
]


def seed(apps, schema_editor):
    Policy = apps.get_model("agreements", "NegotiationPolicy")
    Limit = apps.get_model("agreements", "AuthorityLimit")
    policy = Policy.objects.create(name="Política general", priority=1000)
    for level, late, interest, principal, down, n in LIMITS:
        Limit.objects.create(policy=policy, level=level, max_late_interest_pct=Decimal(late),
                             max_interest_pct=Decimal(interest), max_principal_pct=Decimal(principal),
                             min_down_payment_pct=Decimal(down), max_installments=n)


class Migration(migrations.Migration):
    dependencies = [("agreements", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
