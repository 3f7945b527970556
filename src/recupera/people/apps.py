from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "recupera.people"
    label = "people"
    verbose_name = "Personas"

    def ready(self) -> None:
        from recupera.core import extensions
        from recupera.people.extensions import search_people, write_view_logs

        extensions.search_people.register(search_people)
        extensions.write_view_logs.register(write_view_logs)
