"""Seed the outcome catalog, the deadlines per stage, the settings rows and a courteous letter."""

from django.db import migrations

# code, name, conversation, debt discussed, requires promise
OUTCOMES = [
    ("contacto_efectivo", "Contacto efectivo", True, True, False),
    ("promesa_pago", "Promesa de pago", True, True, True),
    ("no_contesta", "No contesta", False, False, False),
    ("buzon", "Buzón de voz", False, False, False),
    ("numero_equivocado", "Número equivocado", False, False, False),
    ("negativa", "Negativa de pago", True, True, False),
    ("ya_pago", "Dice que ya pagó", True, True, False),
    ("defuncion", "Defunción del acreditado", True, False, False),
    ("cambio_domicilio", "Cambio de domicilio", True, False, False),
    ("ilocalizable", "Ilocalizable", False, False, False),
    ("localizacion", "Referencia ayuda a localizar", True, False, False),
    ("recado_tercero", "Recado con un tercero (sin mencionar adeudo)", True, False, False),
    ("solicita_convenio", "Solicita convenio o reestructura", True, True, False),
    ("carta_enviada", "Carta enviada", False, False, False),
    ("visita_no_encontrado", "Visita: no se encontró a la persona", False, False, False),
]

# stage, first contact (business days), an action at least every N days
DEADLINES = [
    ("preventiva", 5, 30),
    ("temprana", 3, 7),
    ("tardia", 3, 10),
    ("extrajudicial", 5, 15),
    ("judicial", 10, 30),
]

LETTER = """<p>{{ city }}, Sonora, a {{ today_long }}.</p>
<p><strong>{{ borrower_name }}</strong><br>{{ address_lines|linebreaksbr }}</p>
<p>Estimado(a) {{ borrower_name }}:</p>
<p>Le saludamos cordialmente del Instituto de Becas y Crédito Educativo del Estado de Sonora. Le
escribimos respecto de su crédito educativo con folio <strong>{{ folio }}</strong>. De acuerdo con
nuestros registros al {{ as_of_long }}, presenta un saldo vencido de <strong>{{ total_overdue }}
({{ total_overdue_words }})</strong>.</p>
<p>Sabemos que pueden presentarse situaciones que dificulten el pago. Le invitamos a comunicarse
con nosotros para conocer las opciones de pago disponibles. Los pagos que usted realiza permiten
que otros estudiantes sonorenses reciban apoyo para continuar sus estudios.</p>
<p>Puede pagar con su referencia bancaria <strong>{{ payment_reference }}</strong> o acudir a
nuestras oficinas. Si ya realizó su pago, le agradecemos y le pedimos no considerar esta carta.</p>
<p>Para cualquier aclaración, su gestor(a) {{ collector_name }} le atenderá de lunes a viernes de
8:00 a 15:00 horas.</p>
<p>Atentamente,<br>Departamento de Gestión de Cobranza</p>"""


def seed(apps, schema_editor):
    Outcome = apps.get_model("collections", "Outcome")
    for order, (code, name, conversation, debt, promise) in enumerate(OUTCOMES, start=1):
        Outcome.objects.update_or_create(code=code, defaults={
            "name": name, "is_conversation": conversation, "discusses_debt": debt,
            "requires_promise": promise, "order": order * 10})
    DeadlineRule = apps.get_model("collections", "DeadlineRule")
    for stage, first, every in DEADLINES:
        DeadlineRule.objects.update_or_create(stage=stage, defaults={
            "first_contact_business_days": first, "action_every_days": every})
    apps.get_model("collections", "CollectionSettings").objects.get_or_create(pk=1)
    apps.get_model("collections", "ConductSettings").objects.get_or_create(pk=1)
    LetterTemplate = apps.get_model("collections", "LetterTemplate")
    if not LetterTemplate.objects.exists():
        LetterTemplate.objects.create(name="Invitación cordial de pago", body=LETTER)


def unseed(apps, schema_editor):
    apps.get_model("collections", "Outcome").objects.filter(code__in=[o[0] for o in OUTCOMES]).delete()


class Migration(migrations.Migration):
    dependencies = [("collections", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
