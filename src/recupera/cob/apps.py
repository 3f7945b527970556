from django.apps import AppConfig


class CobConfig(AppConfig):
    name = "recupera.cob"
    label = "cob"
    verbose_name = "Cierre diario"
    default_auto_field = "django.db.models.BigAutoField"
