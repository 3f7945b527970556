from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "recupera.agreements"
    label = "agreements"
    verbose_name = "Convenios y negociación"
