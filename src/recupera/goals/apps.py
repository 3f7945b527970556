from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "recupera.goals"
    label = "goals"
    verbose_name = "Metas y productividad"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from recupera.core.home import HomePanel, register
        from recupera.goals.views import my_day

        register(HomePanel("mi_dia", "goals/_my_day.html", "goals.view_own", my_day, order=10,
                           stylesheet="goals/goals.css"))
