"""What the user sees (issue 20 #5, #10): the Cierre diario page refuses a date ten years ahead
with the reason on screen, and an interrupted portfolio import says so and resumes."""

from __future__ import annotations

import datetime as dt
import socket
import subprocess

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

FRIDAY = dt.date(2026, 11, 27)


def test_close_of_a_far_date_is_refused_on_screen(live_server, login, browser_page, make_user, screenshot):
    from recupera.cob.models import CloseRun
    from recupera.core.roles import Role
    from recupera.core.services import business_date_set

    business_date_set(actor=None, business_date=FRIDAY)
    page = login(make_user(Role.PORTFOLIO_OFFICE, username="subdir-e2e"))
    page.goto(f"{live_server.url}/cierre/")
    page.fill("#id_business_date", "2036-12-07")
    page.click("text=Ejecutar cierre")
    page.wait_for_load_state()
    alert = page.locator("form [role=alert]")
    assert alert.is_visible()
    text = alert.inner_text()
    assert "La fecha 07/12/2036 está más de un día hábil después de la fecha de operación actual" in text
    assert "27/11/2026" in text and "30/11/2026" in text
    assert page.get_by_label("Autorizo cerrar una fecha más de un día hábil", exact=False).is_visible()
    screenshot(page, "cierre-fecha-rechazada")
    assert not CloseRun.objects.exists()


def test_an_interrupted_import_says_so_and_resumes(live_server, login, browser_page, make_user, tmp_path,
                                                   settings, screenshot):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from recupera.core.roles import Role
    from recupera.credits.importing.jobs import import_job_create
    from recupera.credits.models_import import ImportJob
    from tests.credits.import_helpers import FILES, copy_portfolio

    settings.MEDIA_ROOT = tmp_path / "media"
    folder = copy_portfolio(tmp_path)
    officer = make_user(Role.PORTFOLIO_OFFICE, username="subdir-e2e2")
    job = import_job_create(actor=officer, mode="parcial", as_of=dt.date(2024, 12, 31), uploads={
        n: SimpleUploadedFile(f"{n}.csv", (folder / f"{n}.csv").read_bytes(), "text/csv") for n in FILES})
    dead = subprocess.Popen(["true"])
    dead.wait()
    ImportJob.objects.filter(pk=job.pk).update(status="en_proceso", phase="Guardando créditos",
                                               runner=f"{socket.gethostname()}:{dead.pid}")
    page = login(officer)
    page.goto(f"{live_server.url}/creditos/importar/{job.pk}/")
    notice = page.locator("#import-progress [role=alert]")
    assert "La importación se interrumpió: el proceso que la corría ya no existe" in notice.inner_text()
    screenshot(page, "importacion-interrumpida")
    page.click("text=Reanudar la importación")
    page.wait_for_load_state()
    assert f"La importación núm. {job.pk} se reanudó" in page.locator(".messages").inner_text()
    assert ImportJob.objects.get(pk=job.pk).attempts == 2
