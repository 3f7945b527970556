from django.apps import AppConfig


class CreditsConfig(AppConfig):
    name = "recupera.credits"
    label = "credits"
    verbose_name = "Créditos"
