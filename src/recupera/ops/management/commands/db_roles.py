"""`recupera db-roles`: apply (as the owner role) the application role's grants, or `--check`
them (as the application role). PostgreSQL only; see docs/operations.md, «Database roles»."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connections


class Command(BaseCommand):
    help = "Aplica o revisa los permisos del rol de la aplicación en PostgreSQL."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--check", action="store_true",
                            help="revisa, conectado como la aplicación, que no pueda quitar las "
                                 "protecciones; sale con error si puede")
        parser.add_argument("--app-role", help="rol de la aplicación (default: el usuario de DATABASE_URL)")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        from recupera.ops.dbroles import app_role, check_app_role, grant_app_role, owner_connection

        if connections["default"].vendor != "postgresql":
            raise CommandError("Los roles de base de datos son de PostgreSQL; con SQLite no aplica.")
        if opts["check"]:
            problems = check_app_role()
            for line in problems:
                self.stderr.write(line)
            if problems:
                raise CommandError(f"El rol de la aplicación tiene {len(problems)} problemas.")
            self.stdout.write("El rol de la aplicación no puede borrar, vaciar ni desproteger el "
                              "libro de movimientos, las operaciones bancarias ni la bitácora.")
            return
        role = opts["app_role"] or app_role()
        with owner_connection():
            grant_app_role(role=role)
        self.stdout.write(f"Permisos del rol {role} aplicados.")
