"""CI's benchmark gates (`.ci/run`: the short modes) are same-run ratios only: an absolute time
or rate fails on a slow host alone. Absolute figures are the 1 M goals of the full runs."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_short_mode_bound_is_a_ratio():
    bounds = json.loads((ROOT / "bench" / "bounds.json").read_text())
    short = {f"{bench}.{key}": value for bench, keys in bounds.items() for key, value in keys.items()
             if key.startswith("short_")}
    assert set(short) >= {"cob.short_ratio_max", "search.short_ratio_max", "web.short_ratio_max",
                          "engine.short_max_ratio_to_floor", "payments.short_ratio_max"}
    assert [key for key in short if "ratio" not in key] == []

