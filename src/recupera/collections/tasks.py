"""Background tasks of the workbench (django-tasks; `recupera worker` runs them)."""

from __future__ import annotations

from django_tasks import task


@task()
def generate_letters(batch_id: int) -> int:
    from recupera.collections.letters import letter_batch_generate
    from recupera.core.services import business_date_get

    return letter_batch_generate(batch_id=batch_id, as_of=business_date_get()).done
