"""The payroll-deductions layout (`nomina`) and its agreement: data, edited in the admin."""

from django.db import migrations

NOMINA_FIELDS = {"period": "period", "employee_number": "employee_number", "folio": "folio",
                 "amount": "amount_deducted", "operation": "operation_id"}


def seed(apps, schema_editor):
    BankAgreement = apps.get_model("payments", "BankAgreement")
    FileLayout = apps.get_model("payments", "FileLayout")
    nomina, _ = BankAgreement.objects.get_or_create(
        code="nomina", defaults={"bank": "Nómina del Estado", "agreement_number": "",
                                 "reference_algorithm": "luhn"})
    FileLayout.objects.get_or_create(name="nomina", defaults={
        "description": ("Descuentos vía nómina aplicados por la dependencia: CSV UTF-8 con "
                        "encabezado period, employee_number, folio, amount_deducted, operation_id"),
        "kind": "delimited", "delimiter": ",", "has_header": True, "encoding": "utf-8",
        "date_format": "%Y-%m-%d", "amount_style": "decimal", "fields": NOMINA_FIELDS,
        "operation_key_fields": ["period", "operation"], "default_agreement": nomina,
        "channel": "nomina"})


def unseed(apps, schema_editor):
    FileLayout = apps.get_model("payments", "FileLayout")
    BankAgreement = apps.get_model("payments", "BankAgreement")
    layout = FileLayout.objects.filter(name="nomina", imports__isnull=True).first()
    if layout is not None:
        layout.delete()
    if not FileLayout.objects.filter(default_agreement__code="nomina").exists():
        BankAgreement.objects.filter(code="nomina", operations__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("payments", "0003_payroll_enrollment")]
    operations = [migrations.RunPython(seed, unseed)]
