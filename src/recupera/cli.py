"""The `recupera` command: Django's management commands plus the project's own.

`recupera demo`, `recupera demo-data`, `recupera import …`, `recupera credit show …` are
management commands of the project's apps; everything else (`migrate`, `runserver`,
`createsuperuser`, …) is Django's.
"""

from __future__ import annotations

import os
import sys

# Sub-commands whose names are not valid Python identifiers map to the management command.
ALIASES = {"demo-data": "demo_data", "db-roles": "db_roles"}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recupera.settings")
    args = list(sys.argv if argv is None else argv)
    args[0] = "recupera"
    if len(args) > 1 and args[1] in ALIASES:
        args[1] = ALIASES[args[1]]
    if len(args) > 1 and args[1] == "demo":
        os.environ.setdefault("DEBUG", "1")  # the demo is the one place DEBUG is on
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
