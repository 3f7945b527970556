from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: worker supervision and heartbeat, /salud/, backups, database roles."""

    name = "recupera.ops"
    label = "ops"
    verbose_name = "Operación"
