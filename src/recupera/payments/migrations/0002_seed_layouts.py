"""The known layouts and agreements (IT edits them in the admin; bank documents decide)."""

from django.db import migrations

CIE_FIELDS = {
    "date": [0, 6], "agreement": [6, 14], "payment_type": [14, 17], "branch": [17, 21],
    "guide": [21, 28], "reference": [28, 48], "concept": [48, 78], "amount": [78, 89],
}


def seed(apps, schema_editor):
    BankAgreement = apps.get_model("payments", "BankAgreement")
    FileLayout = apps.get_model("payments", "FileLayout")
    bbva, _ = BankAgreement.objects.get_or_create(
        code="bbva-cie", defaults={"bank": "BBVA", "agreement_number": "00123456",
                                   "reference_algorithm": "luhn"})
    banamex, _ = BankAgreement.objects.get_or_create(
        code="banamex", defaults={"bank": "Banamex", "agreement_number": "",
                                  "reference_algorithm": "mod97"})
    FileLayout.objects.get_or_create(name="bbva-cie", defaults={
        "description": "BBVA CIE: depósitos, ancho fijo de 89 caracteres",
        "kind": "fixed", "encoding": "latin-1", "record_length": 89, "date_format": "%d%m%y",
        "amount_style": "implied_cents", "fields": CIE_FIELDS,
        "operation_key_fields": ["date", "branch", "guide", "reference", "amount"],
        "default_agreement": bbva, "channel": "banco"})
    FileLayout.objects.get_or_create(name="estado-cuenta-pipe", defaults={
        "description": "Estado de cuenta bancario separado por «|»: fecha|operacion|referencia|concepto|importe",
        "kind": "delimited", "delimiter": "|", "has_header": False, "encoding": "utf-8",
        "date_format": "%d/%m/%Y", "amount_style": "decimal",
        "fields": {"date": 0, "operation": 1, "reference": 2, "concept": 3, "amount": 4},
        "operation_key_fields": ["operation"], "default_agreement": banamex, "channel": "banco"})
    FileLayout.objects.get_or_create(name="generic-csv", defaults={
        "description": "CSV genérico UTF-8 con encabezado: fecha, referencia, importe, operacion, banco",
        "kind": "delimited", "delimiter": ",", "has_header": True, "encoding": "utf-8",
        "date_format": "%Y-%m-%d", "amount_style": "decimal",
        "fields": {"date": "fecha", "reference": "referencia", "amount": "importe",
                   "operation": "operacion", "bank": "banco"},
        "operation_key_fields": ["operation"], "default_agreement": bbva, "channel": "banco"})


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
