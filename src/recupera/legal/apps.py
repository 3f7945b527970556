from django.apps import AppConfig


class LegalConfig(AppConfig):
    name = "recupera.legal"
    label = "legal"
    verbose_name = "Jurídico"
