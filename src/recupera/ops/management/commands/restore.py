"""`recupera restore --from DIR [--replace] [--check-only]` (recupera/ops/backup.py)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = ("Restaura un respaldo de «recupera backup» y verifica renglones y sumas de "
            "verificación de cada tabla.")

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--from", dest="source", required=True, type=Path,
                            help="carpeta del respaldo")
        parser.add_argument("--replace", action="store_true",
                            help="aparta la base y los archivos actuales en lugar de negarse")
        parser.add_argument("--check-only", action="store_true",
                            help="solo compara la base configurada con el respaldo")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        from recupera.ops.backup import read_manifest, restore, restore_check
        from recupera.ops.dbroles import app_role, grant_app_role, owner_connection, owner_settings

        with owner_connection() as conn:
            if opts["check_only"]:
                manifest = read_manifest(opts["source"])
                problems = restore_check(manifest)
                for line in problems:
                    self.stderr.write(line)
                if not problems:
                    self.stdout.write(f"La base coincide con el respaldo: {len(manifest['tables'])} "
                                      f"tablas iguales.")
            else:
                problems = restore(source=opts["source"], replace=opts["replace"],
                                   log=self.stdout.write)
                if owner_settings() is not None and conn.vendor == "postgresql":
                    grant_app_role(role=app_role())
        if problems:
            raise CommandError(f"La verificación encontró {len(problems)} diferencias con el respaldo.")
