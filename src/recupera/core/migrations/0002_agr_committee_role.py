"""The «Dirección / Comité» role (authority level 4 of agreements), made the way 0001 made the
other roles: a Django group."""

from django.db import migrations

NAME = "Dirección / Comité"


def create_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=NAME)


def drop_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(create_role, drop_role)]
