"""The import upload screen: permission, upload -> task -> report, same files twice."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from tests.credits.import_helpers import (
    FILES,
    copy_portfolio,
    portfolio_xlsx,
    replace_in,
    stored_counts,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("immediate_tasks", "business_date", "media_root"),
]


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def immediate_tasks():
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}):
        yield


@pytest.fixture
def business_date(db):
    import datetime as dt

    from recupera.core.models import OperatingDate

    OperatingDate.objects.update_or_create(pk=1, defaults={"business_date": dt.date(2024, 12, 31)})


@pytest.fixture
def cartera(tmp_path):
    return copy_portfolio(tmp_path)


def _csv_upload(folder, mode="todo_o_nada"):
    data = {name: SimpleUploadedFile(f"{name}.csv", (folder / f"{name}.csv").read_bytes(), "text/csv")
            for name in FILES}
    return {**data, "mode": mode}


def _job():
    from recupera.credits.models_import import ImportJob

    return ImportJob.objects.order_by("-id").first()


def test_collector_may_not_open_or_post_the_import_screen(client_for, collector, cartera):
    client = client_for(collector)
    assert client.get(reverse("credits:import")).status_code == 403
    assert client.post(reverse("credits:import"), _csv_upload(cartera)).status_code == 403
    assert stored_counts()["Credit"] == 0


def test_upload_runs_the_import_and_shows_the_report(client_for, portfolio_officer, cartera):
    client = client_for(portfolio_officer)
    page = client.get(reverse("credits:import"))
    assert page.status_code == 200
    assert "Todo o nada" in page.content.decode()

    response = client.post(reverse("credits:import"), _csv_upload(cartera))
    job = _job()
    assert response.status_code == 302
    assert response["Location"] == reverse("credits:import_status", args=[job.pk])
    assert job.status == "terminada"
    assert job.created_by == portfolio_officer
    assert job.counts["creditos"] == {"creados": 3, "ya_existian": 0, "con_error": 0}
    assert {f.role: f.sha256 for f in job.files.all()}.keys() == set(FILES)
    assert stored_counts()["Credit"] == 3

    status = client.get(response["Location"]).content.decode()
    assert "<progress" in status
    assert "Terminada" in status
    assert 'hx-trigger="every 1s"' not in status  # done: no more polling
    fragment = client.get(reverse("credits:import_progress", args=[job.pk]))
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()


def test_a_job_in_progress_polls_every_second(client_for, portfolio_officer, cartera):
    import datetime as dt

    from recupera.credits.importing.jobs import import_job_create

    uploads = {k: v for k, v in _csv_upload(cartera).items() if k != "mode"}
    job = import_job_create(actor=portfolio_officer, mode="todo_o_nada", as_of=dt.date(2024, 12, 31),
                            uploads=uploads)  # not enqueued: waits
    html = client_for(portfolio_officer).get(reverse("credits:import_status", args=[job.pk])).content.decode()
    assert f'hx-get="{reverse("credits:import_progress", args=[job.pk])}"' in html
    assert 'hx-trigger="every 1s"' in html
    assert "<progress" in html


def test_uploading_the_same_files_again_changes_nothing(client_for, portfolio_officer, cartera):
    client = client_for(portfolio_officer)
    client.post(reverse("credits:import"), _csv_upload(cartera))
    first = _job()
    counts = stored_counts()
    response = client.post(reverse("credits:import"), _csv_upload(cartera))
    second = _job()
    assert second.pk != first.pk
    assert second.status == "duplicada" and second.duplicate_of == first
    assert second.sha256 == first.sha256
    assert second.counts["creditos"] == {"creados": 0, "ya_existian": 3, "con_error": 0}
    assert stored_counts() == counts
    assert "ya se habían importado" in client.get(response["Location"]).content.decode()


def test_upload_with_errors_stores_nothing_and_lists_the_problems(client_for, portfolio_officer, cartera):
    replace_in(cartera, "creditos", "CE-0001,CE,GOMC900101HSRNRR01", "CE-0001,CE,GOMC900101HSRNRR09")
    client = client_for(portfolio_officer)
    response = client.post(reverse("credits:import"), _csv_upload(cartera))
    job = _job()
    assert job.status == "rechazada"
    assert stored_counts()["Credit"] == 0
    html = client.get(response["Location"]).content.decode()
    assert "curp_acreditado" in html
    assert "la CURP GOMC900101HSRNRR09 tiene un dígito verificador incorrecto." in html
    assert {"file": "creditos.csv", "row": 2, "column": "curp_acreditado",
            "message": "la CURP GOMC900101HSRNRR09 tiene un dígito verificador incorrecto."} in job.report


def test_partial_upload_stores_the_valid_credits(client_for, portfolio_officer, cartera):
    replace_in(cartera, "creditos", ",,92,", ",,192,")
    client_for(portfolio_officer).post(reverse("credits:import"), _csv_upload(cartera, mode="parcial"))
    job = _job()
    assert job.status == "con_errores"
    assert job.counts["creditos"]["creados"] == 2
    assert stored_counts()["Credit"] == 2


def test_xlsx_upload(client_for, portfolio_officer, cartera, tmp_path):
    book = portfolio_xlsx(cartera, tmp_path / "cartera.xlsx")
    upload = SimpleUploadedFile("cartera.xlsx", book.read_bytes(),
                                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    client_for(portfolio_officer).post(reverse("credits:import"), {"xlsx": upload, "mode": "todo_o_nada"})
    job = _job()
    assert job.status == "terminada", job.report
    assert stored_counts()["Credit"] == 3


def test_missing_files_are_refused_by_the_form(client_for, portfolio_officer, cartera):
    data = _csv_upload(cartera)
    del data["pagos"]
    response = client_for(portfolio_officer).post(reverse("credits:import"), data)
    assert response.status_code == 200
    assert "Faltan archivos: pagos.csv" in response.content.decode()
    assert _job() is None
