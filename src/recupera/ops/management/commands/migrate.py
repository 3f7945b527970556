"""`recupera migrate`: Django's migrate, connected as the owner role when DATABASE_OWNER_URL is
set (PostgreSQL); afterwards the application role's grants are applied again
(recupera/ops/dbroles.py), so tables a migration adds get them. Without DATABASE_OWNER_URL it
is Django's migrate unchanged (SQLite, the demo, the tests)."""

from __future__ import annotations

from django.core.management.commands.migrate import Command as MigrateCommand


class Command(MigrateCommand):
    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        from recupera.ops.dbroles import app_role, grant_app_role, owner_connection, owner_settings

        alias = options["database"]
        with owner_connection(alias) as conn:
            super().handle(*args, **options)
            if owner_settings() is not None and conn.vendor == "postgresql":
                role = app_role(alias)
                grant_app_role(role=role, alias=alias)
                if options["verbosity"] >= 1:
                    self.stdout.write(f"Permisos del rol de la aplicación ({role}) aplicados.")
