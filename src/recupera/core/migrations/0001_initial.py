import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

ROLES = [
    "Gestor de Cobranza",
    "Jefe de Departamento de Gestión de Cobranza",
    "Subdirección de Cartera",
    "Resguardo y Archivo",
    "Caja",
    "Auditoría (solo lectura)",
    "Administración TI",
]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def drop_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    initial = True
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditEntry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="fecha y hora")),
                ("action", models.CharField(db_index=True, max_length=80, verbose_name="acción")),
                ("object_type", models.CharField(db_index=True, max_length=80, verbose_name="tipo de objeto")),
                ("object_id", models.CharField(db_index=True, max_length=64, verbose_name="id del objeto")),
                ("object_repr", models.CharField(max_length=200, verbose_name="objeto")),
                ("before", models.JSONField(blank=True, null=True, verbose_name="antes")),
                ("after", models.JSONField(blank=True, null=True, verbose_name="después")),
                ("actor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="usuario")),
            ],
            options={"verbose_name": "registro de auditoría", "verbose_name_plural": "bitácora de auditoría", "ordering": ["-at", "-id"],
                     "indexes": [models.Index(fields=["object_type", "object_id", "-at"], name="audit_object_idx")]},
        ),
        migrations.CreateModel(
            name="OperatingDate",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, editable=False, primary_key=True, serialize=False)),
                ("business_date", models.DateField(verbose_name="fecha de operación")),
            ],
            options={"verbose_name": "fecha de operación", "verbose_name_plural": "fecha de operación"},
        ),
        migrations.CreateModel(
            name="BankClosureDay",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("date", models.DateField(unique=True, verbose_name="fecha")),
                ("description", models.CharField(max_length=120, verbose_name="motivo")),
            ],
            options={"verbose_name": "día inhábil bancario", "verbose_name_plural": "días inhábiles bancarios", "ordering": ["date"]},
        ),
        migrations.RunPython(create_roles, drop_roles),
    ]
