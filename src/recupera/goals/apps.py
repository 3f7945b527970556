from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "recupera.goals"
    label = "goals"
    verbose_name = "Metas y productividad"
    default_auto_field = "django.db.models.BigAutoField"
