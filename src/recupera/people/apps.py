from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "recupera.people"
    label = "people"
    verbose_name = "Personas"
