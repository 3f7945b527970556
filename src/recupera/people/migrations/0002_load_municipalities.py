from django.db import migrations


def load(apps, schema_editor):
    from recupera.people.catalog import read_catalog

    Municipality = apps.get_model("people", "Municipality")
    for row in read_catalog():
        Municipality.objects.update_or_create(inegi_code=row["inegi_code"], defaults=row)


def unload(apps, schema_editor):
    apps.get_model("people", "Municipality").objects.filter(addresses__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
