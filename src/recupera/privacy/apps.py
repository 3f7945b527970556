from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "recupera.privacy"
    label = "privacy"
    verbose_name = "Protección de datos personales"

    def ready(self) -> None:
        from recupera.core.personal import register_audit_restricted

        # An ARCO request names its titular (name, CURP, contact): its audit rows are read by
        # those who read the requests (the officer and the auditors), like the requests.
        register_audit_restricted("privacy.arcorequest", "privacy.view_requests")
