from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "recupera.portal"
    verbose_name = "Portal de deudores"
