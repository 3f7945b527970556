"""`recupera import <kind> …`: batch imports. Kinds come from the import registry
(recupera.credits.importing.registry); `portfolio` is the credits app's, `payments` the
payments app's."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from recupera.credits.importing.registry import import_commands


class Command(BaseCommand):
    help = "Importa archivos: `portfolio` (cartera heredada) y los que registren otras aplicaciones."

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="kind", metavar="TIPO", required=True)
        for command in import_commands().values():
            sub = subparsers.add_parser(command.name, help=command.help, description=command.help)
            command.add_arguments(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        commands = import_commands()
        kind = options.get("kind")
        if kind not in commands:
            raise CommandError(f"Tipo de importación desconocido: {kind}. Use uno de: {', '.join(commands)}.")
        code = commands[kind].handle(options, self.stdout)
        if code:
            sys.exit(code)
