"""Partial indexes on the pagarés in force by due date and by interruption: the daily close's
prescription step reads a range of them instead of every pagaré."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('credits', '0011_credit_fillfactor'),
    ]

    operations = [
        migrations.AddIndex(
            model_name="promissorynote",
            index=models.Index(condition=models.Q(("status", "vigente"), ("status", "en_juicio"), _connector="OR"),
                               fields=["due_date"], name="note_in_force_due"),
        ),
        migrations.AddIndex(
            model_name="promissorynote",
            index=models.Index(condition=models.Q(("status", "vigente"), ("status", "en_juicio"), _connector="OR"),
                               fields=["interrupted_on"], name="note_in_force_interrupted"),
        ),
    ]
