from django.apps import AppConfig


def _ids(object_ids: list[str]) -> list[int]:
    return [int(i) for i in object_ids if i.isdigit()]


def blocked_person_ids(object_ids: list[str]) -> set[str]:
    from recupera.people.models import Person

    return {str(pk) for pk in Person.objects.filter(pk__in=_ids(object_ids), data_blocked=True)
            .values_list("pk", flat=True)}


def blocked_contact_point_ids(object_ids: list[str]) -> set[str]:
    from recupera.people.models import ContactPoint

    return {str(pk) for pk in ContactPoint.objects.filter(
        pk__in=_ids(object_ids), person__data_blocked=True).values_list("pk", flat=True)}


def blocked_address_ids(object_ids: list[str]) -> set[str]:
    from recupera.people.models import Address

    return {str(pk) for pk in Address.objects.filter(
        pk__in=_ids(object_ids), person__data_blocked=True).values_list("pk", flat=True)}


class PeopleConfig(AppConfig):
    name = "recupera.people"
    label = "people"
    verbose_name = "Personas"

    def ready(self) -> None:
        from recupera.core import extensions
        from recupera.core.personal import register_audit_subject
        from recupera.people.extensions import search_people, write_view_logs

        extensions.search_people.register(search_people)
        extensions.write_view_logs.register(write_view_logs)
        # The audit rows about a blocked person, their phones, e-mails and addresses.
        register_audit_subject("people.person", blocked_person_ids)
        register_audit_subject("people.contactpoint", blocked_contact_point_ids)
        register_audit_subject("people.address", blocked_address_ids)
