"""The «Protección de Datos Personales» role (the data-protection officer), a Django group like
the other roles."""

from django.db import migrations

NAME = "Protección de Datos Personales"


def create_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=NAME)


def drop_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0003_lean_indexes")]

    operations = [migrations.RunPython(create_role, drop_role)]
