"""`recupera worker`: the background task worker (django-tasks database backend)."""

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand


class Command(DatabaseWorkerCommand):
    help = "Ejecuta las tareas en segundo plano (importaciones, cierre diario, documentos masivos)."
