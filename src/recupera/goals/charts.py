"""Server-rendered SVG charts (pygal; why pygal: docs/goals.md). Each function returns the SVG
text; `data_uri` makes it an <img> source for the pages (no inline style or script under the
Content-Security-Policy) and the PDFs (WeasyPrint draws SVG). Plot coordinates are floats: the
figures printed next to a chart come from the Decimal sums, never from the chart."""

from __future__ import annotations

import base64
import datetime as dt
import re
import sys
from collections.abc import Sequence
from decimal import Decimal

import pygal
from pygal.style import Style

# pygal appends to sys.meta_path a finder for its map plugins (unused here) that has no
# find_spec; code that asks every finder for find_spec (pytest loading a conftest) fails on it.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

from recupera.core.money import format_mxn  # noqa: E402

GOAL_COLOR, MONEY_COLOR, EXTRA = "#9aa5b1", "#1f6f43", ("#b7791f", "#2b6cb0", "#9b2c2c", "#553c9a")
STYLE = Style(
    background="white", plot_background="white", foreground="#1a202c", foreground_strong="#1a202c",
    foreground_subtle="#cbd5e0", opacity=".9", opacity_hover="1", transition="0s",
    colors=(GOAL_COLOR, MONEY_COLOR, *EXTRA), font_family="DejaVu Sans, Arial, sans-serif",
    label_font_size=11, major_label_font_size=11, legend_font_size=12, title_font_size=14,
    value_font_size=10, tooltip_font_size=11,
)
BASE = {"style": STYLE, "js": [], "disable_xml_declaration": False, "print_values": False,
        "legend_at_bottom": True, "legend_at_bottom_columns": 3, "show_minor_x_labels": True,
        "truncate_label": -1, "no_data_text": "Sin datos", "explicit_size": True}


def _f(value: Decimal | int | None) -> float:
    return float(value or 0)


def _money(value: float | None) -> str:
    return format_mxn(Decimal(str(round(value or 0, 2))))


def _short_money(value: float) -> str:
    if abs(value) >= 1_000_000:
        return f"${value / 1_000_000:,.1f} M"
    if abs(value) >= 1_000:
        return f"${value / 1_000:,.0f} mil"
    return f"${value:,.0f}"


_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)


def data_uri(svg: str | bytes) -> str:
    """The SVG as a `data:` URI, without pygal's (inert, unused) configuration script."""
    text = svg.decode("utf-8") if isinstance(svg, bytes) else svg
    raw = _SCRIPT.sub("", text).encode("utf-8")
    return "data:image/svg+xml;base64," + base64.b64encode(raw).decode("ascii")


def goal_vs_recovered(names: Sequence[str], goals: Sequence[Decimal], recovered: Sequence[Decimal],
                      *, width: int = 560, height: int = 320) -> str:
    """Bars: each collector's goal and recovered money."""
    chart = pygal.Bar(width=width, height=max(height, 200), x_label_rotation=-20 if len(names) > 5 else 0,
                      value_formatter=_money, y_labels_major_every=None, **BASE)
    chart.y_label_formatter = _short_money  # type: ignore[attr-defined]
    chart.x_labels = list(names)
    chart.add("Meta", [_f(g) for g in goals])
    chart.add("Recuperado", [_f(r) for r in recovered])
    return chart.render(is_unicode=True)


def cumulative(days: Sequence[dt.date], recovered_by_day: dict[dt.date, Decimal], goal: Decimal,
               business_days: Sequence[dt.date], *, through: dt.date | None = None,
               width: int = 560, height: int = 320) -> str:
    """Line: recovered money accumulated day by day (up to `through`) against the goal line,
    which grows evenly over the month's business days (the pace that meets the goal)."""
    chart = pygal.Line(width=width, height=height, value_formatter=_money, show_dots=False,
                       fill=False, **BASE)
    chart.y_label_formatter = _short_money  # type: ignore[attr-defined]
    chart.x_labels = [d.strftime("%d") for d in days]
    total_bd = len(business_days) or 1
    pace, done, running, actual = [], 0, Decimal("0"), []
    bd = set(business_days)
    for d in days:
        done += d in bd
        pace.append(_f(goal * done / total_bd))
        running += recovered_by_day.get(d, Decimal("0"))
        actual.append(_f(running) if through is None or d <= through else None)
    chart.add("Meta (ritmo)", pace)
    chart.add("Recuperado acumulado", actual)
    return chart.render(is_unicode=True)


def sparkline(values: Sequence[Decimal | int], *, width: int = 110, height: int = 26) -> str:
    chart = pygal.Line(width=width, height=height, show_dots=False, fill=True, style=STYLE, js=[],
                       explicit_size=True)
    chart.add("", [_f(v) for v in values])
    return chart.render_sparkline(is_unicode=True, width=width, height=height)


def breakdown(labels: Sequence[str], amounts: Sequence[Decimal], *, width: int = 400, height: int = 260) -> str:
    """Horizontal bars of recovered money by a category (stage, bucket, municipality)."""
    chart = pygal.HorizontalBar(width=width, height=max(height, 60 + 26 * len(labels)), value_formatter=_money,
                                show_legend=False, **{k: v for k, v in BASE.items() if k != "legend_at_bottom"})
    chart.y_label_formatter = _short_money  # type: ignore[attr-defined]
    chart.x_labels = list(labels)
    chart.add("Recuperado", [_f(a) for a in amounts])
    return chart.render(is_unicode=True)


def trend(months: Sequence[str], goals: Sequence[Decimal], recovered: Sequence[Decimal],
          *, width: int = 820, height: int = 320) -> str:
    """Twelve months: goal and recovered."""
    chart = pygal.Bar(width=width, height=height, value_formatter=_money, **BASE)
    chart.y_label_formatter = _short_money  # type: ignore[attr-defined]
    chart.x_labels = list(months)
    chart.add("Meta", [_f(g) for g in goals])
    chart.add("Recuperado", [_f(r) for r in recovered])
    return chart.render(is_unicode=True)
