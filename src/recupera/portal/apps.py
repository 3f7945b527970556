from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "recupera.portal"
    verbose_name = "Portal de deudores"

    def ready(self) -> None:
        from recupera.core import extensions
        from recupera.portal import selectors

        # «Mi cartera de hoy» (collections) shows how many portal requests wait for the user.
        extensions.portal_requests_pending.register(
            lambda *, user: selectors.requests_to_attend(user=user).count())
