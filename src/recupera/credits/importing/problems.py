"""What an import tells its user: problems located by file, row and column, and counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

# Entities counted by the portfolio import, in the order the report shows them.
ENTITIES = ("personas", "creditos", "ministraciones", "pagos")
OUTCOMES = ("creados", "ya_existian", "con_error")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the input. `row` is 1-based as in a spreadsheet (header = row 1);
    None for a problem of the whole file. `column` is the layout's column name or ""."""

    file: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(_("fila %(row)s") % {"row": self.row})
        if self.column:
            where.append(_("columna %(column)s") % {"column": self.column})
        return f"{', '.join(where)}: {self.message}"

    def as_json(self) -> dict[str, Any]:
        return {"file": self.file, "row": self.row, "column": self.column, "message": self.message}


def lower_first(text: str) -> str:
    """Messages borrowed from validators start a sentence; in a report they follow a colon."""
    return text[:1].lower() + text[1:] if text else text


@dataclass
class Counts:
    """created / already existed / with error, per entity."""

    table: dict[str, dict[str, int]] = field(
        default_factory=lambda: {e: dict.fromkeys(OUTCOMES, 0) for e in ENTITIES})

    def add(self, entity: str, outcome: str, n: int = 1) -> None:
        self.table[entity][outcome] += n

    def get(self, entity: str, outcome: str) -> int:
        return self.table[entity][outcome]

    def as_json(self) -> dict[str, dict[str, int]]:
        return {e: dict(v) for e, v in self.table.items()}

    @property
    def created_total(self) -> int:
        return sum(v["creados"] for v in self.table.values())
