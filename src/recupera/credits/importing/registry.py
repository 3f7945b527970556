"""Sub-commands of `recupera import`: a registry other apps add to.

An app registers a handler from its `importing` module (found by autodiscovery, like
admin.py), e.g. in recupera/payments/importing.py::

    from recupera.credits.importing.registry import ImportCommand, register_import

    register_import(ImportCommand(name="payments", help="…", add_arguments=…, handle=…))

`handle(options, out)` writes its report to `out` and returns the exit code (0 = stored).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

_REGISTRY: dict[str, ImportCommand] = {}


@dataclass(frozen=True)
class ImportCommand:
    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    handle: Callable[[dict[str, Any], TextIO], int]


def register_import(command: ImportCommand) -> None:
    """Add (or replace, when re-imported) the handler for `recupera import <name>`."""
    _REGISTRY[command.name] = command


def import_commands() -> dict[str, ImportCommand]:
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("importing")
    return dict(sorted(_REGISTRY.items()))
