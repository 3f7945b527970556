from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("credits", "0005_agr_write_off_waiver_kinds"),
    ]

    operations = [
        migrations.AddField(
            model_name="scheduleversion",
            name="fingerprint",
            field=models.CharField(blank=True, default="", editable=False, max_length=32,
                                   verbose_name="huella"),
        ),
    ]
