"""`recupera worker`: the background task worker (django-tasks database backend), supervised.

By default this process is a supervisor (recupera/ops/worker.py): it runs the worker loop in a
child process, starts it again with backoff when it dies, and the child writes a heartbeat that
`/salud/` reports. `--no-supervise` runs the loop in this process (what the supervisor's child
does); `--reload` (development) runs it unsupervised under Django's autoreloader.
"""

from __future__ import annotations

from django.core.management.base import CommandError
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand


class Command(DatabaseWorkerCommand):
    help = ("Ejecuta las tareas en segundo plano (importaciones, cierre diario, documentos "
            "masivos); lo reinicia si termina de forma anormal.")

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        super().add_arguments(parser)
        parser.add_argument("--no-supervise", action="store_true",
                            help="ejecuta el ciclo en este proceso, sin supervisor ni reinicios")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        from recupera.ops.worker import Heartbeat, HeartbeatWorker, child_command, supervise

        if options["reload"] and not options["no_supervise"]:
            return super().handle(*args, **{k: v for k, v in options.items() if k != "no_supervise"})
        if not options["no_supervise"]:
            status = supervise(child_command(options), log=lambda m: self.stderr.write(m))
            if status:
                raise CommandError("El trabajador se detuvo tras demasiados reinicios.")
            return None
        self.configure_logging(options["verbosity"])
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues solo se usa con --queue-name=*")
        heartbeat = Heartbeat()
        worker = HeartbeatWorker(
            heartbeat=heartbeat, queue_names=queue_names, interval=options["interval"],
            batch=options["batch"], backend_name=options["backend_name"],
            startup_delay=options["startup_delay"], max_tasks=options["max_tasks"],
            worker_id=options["worker_id"], excluded_queue_names=excluded)
        heartbeat.start()
        try:
            worker.configure_signals()
            worker.run()
        finally:
            heartbeat.stop()
        return None
