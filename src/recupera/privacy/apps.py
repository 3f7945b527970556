from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "recupera.privacy"
    label = "privacy"
    verbose_name = "Protección de datos personales"
