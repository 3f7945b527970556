from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("credits", "0004_import_jobs"),
    ]

    operations = [
        migrations.AddField(
            model_name="scheduleversion",
            name="fingerprint",
            field=models.CharField(blank=True, default="", editable=False, max_length=32,
                                   verbose_name="huella"),
        ),
    ]
