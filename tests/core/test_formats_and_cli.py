import datetime as dt
import subprocess
import sys
from decimal import Decimal

from django.conf import settings
from django.template import Context, Template
from django.utils import translation
from django.utils.formats import date_format, number_format


def test_locale_and_time_zone():
    assert settings.LANGUAGE_CODE == "es-mx"
    assert settings.TIME_ZONE == "America/Hermosillo"


def test_dates_display_as_dd_mm_yyyy():
    with translation.override("es-mx"):
        assert date_format(dt.date(2026, 11, 26)) == "26/11/2026"
        assert date_format(dt.date(2026, 11, 26), "SHORT_DATE_FORMAT") == "26/11/2026"
        assert number_format(Decimal("1234.5"), 2, force_grouping=True) == "1,234.50"


def test_money_filter_in_templates():
    html = Template("{% load recupera %}{{ x|money }} {{ x|in_words }}").render(Context({"x": Decimal("12000.5")}))
    assert html == "$12,000.50 DOCE MIL PESOS 50/100 M.N."


def test_python_dash_m_recupera_lists_the_project_commands():
    out = subprocess.run([sys.executable, "-m", "recupera", "help"], capture_output=True, text=True, check=True).stdout
    for command in ("demo", "demo_data", "worker", "migrate", "credit", "import"):
        assert command in out
