"""GET /api/v1/goals/, GET /api/v1/productivity/ and `recupera goals report`: the same figures
as the pages, to the cent; a collector reads only their own."""

from __future__ import annotations

import io
import json
from decimal import Decimal as D

from django.core.management import call_command
from openpyxl import load_workbook


def test_goals_api_for_the_jefe(month_setup, api_client_for, supervisor):
    data = api_client_for(supervisor).get("/api/v1/goals/?month=2025-03").json()
    rows = {r["username"]: r for r in data["collectors"]}
    assert rows["gestor1"] == {"username": "gestor1", "name": "Lucía", "goal": "4000.00", "recovered": "1250.50",
                               "percent": "31.3", "payments": 4}
    assert rows["gestor2"]["recovered"] == "400.00"
    assert (data["unassigned"], data["total"], data["goal"]) == ("300.00", "1950.50", "10000.00")


def test_goals_api_collector_sees_only_their_row(month_setup, api_client_for, collector):
    data = api_client_for(collector).get("/api/v1/goals/?month=2025-03").json()
    assert [r["username"] for r in data["collectors"]] == ["gestor1"] and "total" not in data


def test_goals_api_bad_month_is_explained(month_setup, api_client_for, supervisor):
    response = api_client_for(supervisor).get("/api/v1/goals/?month=marzo")
    assert response.status_code == 400
    assert "AAAA-MM" in response.json()["month"][0]


def test_productivity_api(month_setup, api_client_for, supervisor, collector, collector_b):
    data = api_client_for(supervisor).get("/api/v1/productivity/?month=2025-03&collector=gestor1").json()
    assert data["collector"] == "gestor1"
    assert data["totals"]["recovered"] == "1250.50"
    assert sum(D(d["recovered"]) for d in data["days"]) == D("1250.50")
    # a collector may not read another's
    assert api_client_for(collector).get("/api/v1/productivity/?collector=gestor2").status_code == 404
    assert api_client_for(collector).get("/api/v1/productivity/?month=2025-03").json()["collector"] == "gestor1"


def test_api_refuses_roles_without_goals(month_setup, api_client_for, make_user):
    from recupera.core.roles import Role

    assert api_client_for(make_user(Role.CASHIER)).get("/api/v1/goals/").status_code == 403
    assert api_client_for(None).get("/api/v1/goals/").status_code in (401, 403)


def test_cli_report_json_and_xlsx(month_setup, tmp_path):
    out = io.StringIO()
    target = tmp_path / "metas.xlsx"
    call_command("goals", "report", "--month", "2025-03", "--json", "--xlsx", str(target), stdout=out)
    data = json.loads(out.getvalue())
    mine = next(r for r in data["collectors"] if r["username"] == "gestor1")
    assert (mine["goal"], mine["recovered"], mine["percent"]) == ("4000.00", "1250.50", "31.3")
    assert data["total"] == "1950.50"
    wb = load_workbook(target)
    assert sum(D(str(r[7])) for r in wb["Pagos atribuidos"].iter_rows(min_row=2, values_only=True)) == D("1950.50")


def test_cli_text_and_bad_month(month_setup):
    out = io.StringIO()
    call_command("goals", "report", "--month", "2025-03", stdout=out)
    assert "Metas de recuperación · marzo de 2025" in out.getvalue() and "$1,250.50" in out.getvalue()
    import pytest
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="AAAA-MM"):
        call_command("goals", "report", "--month", "13-2025", stdout=io.StringIO())
