"""The fast date filter used in long tables prints what |date:"d/m/Y" prints."""

import datetime as dt

from django.template import Context, Template
from django.utils import timezone


def test_dmy_matches_the_date_filter_for_dates_datetimes_and_empty_values():
    template = Template('{% load recupera %}{{ v|dmy }}|{{ v|date:"d/m/Y" }}')
    aware = timezone.make_aware(dt.datetime(2026, 11, 27, 1, 30), dt.UTC)  # 26/11 in Hermosillo
    for value in (dt.date(2026, 1, 5), dt.date(999, 12, 31), aware, None, ""):
        mine, django_s = template.render(Context({"v": value})).split("|")
        assert mine == django_s, value
    assert Template("{% load recupera %}{{ v|dmy }}").render(Context({"v": aware})) == "26/11/2026"
