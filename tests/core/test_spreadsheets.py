"""Every export cell that a spreadsheet would run as a formula is neutralised."""

import io
from decimal import Decimal

import pytest

from recupera.core.spreadsheets import safe_cell, safe_csv_writer


@pytest.mark.parametrize("raw", [
    '=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\t=1+1",
    "\r=1+1",
])
def test_formula_starts_get_an_apostrophe(raw):
    assert safe_cell(raw) == "'" + raw


@pytest.mark.parametrize("value", ["Rodríguez", "", "-12.50", "+3", "1234.50", 12, Decimal("-5.00"),
                                   None])
def test_text_and_plain_numbers_stay_as_they_are(value):
    assert safe_cell(value) == value


def test_csv_writer_neutralises_every_row():
    out = io.StringIO()
    writer = safe_csv_writer(out, lineterminator="\n")
    writer.writerow(["=1+1", "Ana", "-10.00"])
    writer.writerows([["@x", "ok"]])
    assert out.getvalue() == "'=1+1,Ana,-10.00\n'@x,ok\n"


def test_every_export_goes_through_the_helper():
    """No module writes CSV or Excel rows but core/spreadsheets.py: CSV writers come from
    safe_csv_writer, and a module that builds a workbook appends its rows with xlsx_append."""
    import re
    from pathlib import Path

    import recupera

    root = Path(recupera.__file__).parent
    raw_csv, raw_xlsx = [], []
    for path in root.rglob("*.py"):
        if path.name == "spreadsheets.py" and path.parent.name == "core":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"csv\.(writer|DictWriter)\(", text):
            raw_csv.append(str(path.relative_to(root)))
        if "Workbook(" in text and ("xlsx_append" not in text
                                    or re.search(r"\b\w*(sheet|ws)\.append\(", text)):
            raw_xlsx.append(str(path.relative_to(root)))
    assert raw_csv == [] and raw_xlsx == []
