"""Background tasks of the payments app (django-tasks; `recupera worker` runs them)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_payment_import(import_id: int, actor_id: int | None = None) -> str:
    """Run a payments import stored by the upload screen or the API."""
    from django.contrib.auth import get_user_model

    from recupera.payments.models import PaymentImport
    from recupera.payments.services import payment_import_run

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    imp = payment_import_run(actor=actor, payment_import=PaymentImport.objects.get(pk=import_id))
    return imp.status


def enqueue_import(imp, actor) -> None:  # type: ignore[no-untyped-def]
    """Enqueue the import after the transaction that stored it commits."""
    from django.db import transaction

    actor_id = getattr(actor, "pk", None)
    transaction.on_commit(lambda: run_payment_import.enqueue(import_id=imp.pk, actor_id=actor_id))
