"""The Sonora municipalities catalog shipped as data (people/data/sonora_municipios.csv).

Sources: INEGI Marco Geoestadístico (names, codes), Censo de Población y Vivienda 2020
(population), Plan Estatal de Desarrollo 2021-2027 (regions); coordinates of the municipal seat.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

CATALOG_PATH = Path(__file__).resolve().parent / "data" / "sonora_municipios.csv"


def read_catalog() -> list[dict[str, Any]]:
    with CATALOG_PATH.open(encoding="utf-8", newline="") as handle:
        return [
            {
                "inegi_code": row["inegi_code"],
                "name": row["name"],
                "latitude": Decimal(row["latitude"]),
                "longitude": Decimal(row["longitude"]),
                "population": int(row["population"]),
                "region": row["region"],
            }
            for row in csv.DictReader(handle)
        ]
