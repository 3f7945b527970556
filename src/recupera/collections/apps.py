from django.apps import AppConfig


class CollectionsConfig(AppConfig):
    name = "recupera.collections"
    label = "collections"
    verbose_name = "Cobranza"

    def ready(self) -> None:
        from recupera.collections import selectors
        from recupera.core import extensions

        # A collector's reach is their open cases: core's rules and lists ask here.
        extensions.works_credit.register(selectors.works_credit)
        extensions.works_person.register(selectors.works_person)
        extensions.restrict_credits.register(selectors.restrict_credits)
        extensions.restrict_people.register(selectors.restrict_people)
        extensions.unread_messages.register(selectors.unread_messages_count)
