"""`recupera backup --to DIR` (recupera/ops/backup.py; docs/operations.md, «Backups»)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Respalda la base de datos y los archivos guardados (var/media) en una carpeta nueva."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--to", required=True, type=Path, help="carpeta nueva o vacía")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        from recupera.ops.backup import backup
        from recupera.ops.dbroles import owner_connection

        with owner_connection():
            backup(to=opts["to"], log=self.stdout.write)
