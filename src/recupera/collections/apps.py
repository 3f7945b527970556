from django.apps import AppConfig


class CollectionsConfig(AppConfig):
    name = "recupera.collections"
    label = "collections"
    verbose_name = "Cobranza"
