from django.apps import AppConfig


class CreditsConfig(AppConfig):
    name = "recupera.credits"
    label = "credits"
    verbose_name = "Créditos"

    def ready(self) -> None:
        from recupera.core import extensions
        from recupera.credits.extensions import search_credits
        from recupera.credits.views import person_credits_context
        from recupera.people.panels import PersonPanel, register_person_panel

        register_person_panel(PersonPanel(
            key="credits", template="credits/_person_credits.html", context=person_credits_context,
            order=10, perm="credits.view_credit",
        ))
        extensions.search_credits.register(search_credits)
