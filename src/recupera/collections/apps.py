from django.apps import AppConfig


def blocked_message_ids(object_ids: list[str]) -> set[str]:
    """Recados about a case whose borrower's data are blocked (the caller is that person)."""
    from recupera.collections.models import Message

    ids = [int(i) for i in object_ids if i.isdigit()]
    return {str(pk) for pk in Message.objects.filter(
        pk__in=ids, case__credit__borrower__data_blocked=True).values_list("pk", flat=True)}


class CollectionsConfig(AppConfig):
    name = "recupera.collections"
    label = "collections"
    verbose_name = "Cobranza"

    def ready(self) -> None:
        from recupera.collections import selectors
        from recupera.core import extensions
        from recupera.core.personal import register_audit_subject

        # A collector's reach is their open cases: core's rules and lists ask here.
        extensions.works_credit.register(selectors.works_credit)
        extensions.works_person.register(selectors.works_person)
        extensions.restrict_credits.register(selectors.restrict_credits)
        extensions.restrict_people.register(selectors.restrict_people)
        extensions.unread_messages.register(selectors.unread_messages_count)
        # Recados about a blocked person are hidden on the audit log page (core/personal.py).
        register_audit_subject("collections.message", blocked_message_ids)
