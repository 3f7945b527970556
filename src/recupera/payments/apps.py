from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PaymentsConfig(AppConfig):
    name = "recupera.payments"
    label = "payments"
    verbose_name = "Pagos"

    def ready(self) -> None:
        from recupera.payments.setup import grant_it_admin_payment_perms

        post_migrate.connect(grant_it_admin_payment_perms, sender=self)
