"""The work queues' indexes end with id, the queues' tie-breaker (ORDER BY -priority, id): a page
of 50 is read in index order and the scan stops, instead of joining and sorting every case of
the top priority group."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("collections", "0002_seed_catalogs"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="case", name="case_queue"),
        migrations.RemoveIndex(model_name="case", name="case_team_queue"),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["collector", "status", "-priority", "id"], name="case_queue"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["status", "-priority", "id"], name="case_team_queue"),
        ),
    ]
