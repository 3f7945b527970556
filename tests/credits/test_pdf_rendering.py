"""PDFs are rendered outside database write transactions and with a time limit (issue 20 #13,
first half): a document that takes too long is stopped with a Spanish message."""

from __future__ import annotations

import time

import pytest
from django.db import transaction

from recupera.credits import pdf

HTML = "<html><body><p>Recibo de prueba</p></body></html>"


def test_a_document_renders_in_the_child_process():
    assert pdf.html_to_pdf(HTML)[:4] == b"%PDF"


def test_rendering_inside_a_write_transaction_is_refused(db):
    with transaction.atomic(), pytest.raises(RuntimeError, match="outside database write transactions"):
        pdf.html_to_pdf(HTML)


def test_a_document_that_takes_too_long_is_stopped_with_a_spanish_message(settings, monkeypatch):
    import weasyprint

    settings.PDF_TIMEOUT_SECONDS = 1
    monkeypatch.setattr(weasyprint.HTML, "render", lambda self, **kw: time.sleep(30))  # the child inherits it
    started = time.monotonic()
    with pytest.raises(pdf.PdfError) as stopped:
        pdf.html_to_pdf(HTML)
    assert time.monotonic() - started < 5
    assert str(stopped.value).startswith("El documento tardó más de 1 segundos en generarse y se detuvo.")
    assert "{% debug %}" in str(stopped.value)


def test_the_clock_restarts_per_document_of_a_batch(settings, monkeypatch):
    import weasyprint

    settings.PDF_TIMEOUT_SECONDS = 2
    real = weasyprint.HTML.render

    def slowish(self, **kw):
        time.sleep(0.8)
        return real(self, **kw)

    monkeypatch.setattr(weasyprint.HTML, "render", slowish)
    done = []
    out = pdf.html_documents_to_pdf([HTML] * 4, progress=done.append)  # 3.2 s in all, 0.8 s each
    assert out[:4] == b"%PDF" and done == [1, 2, 3, 4]


def test_an_enormous_document_is_refused_before_rendering(settings):
    settings.PDF_MAX_HTML_BYTES = 2**20
    with pytest.raises(pdf.PdfError, match="El documento es demasiado grande para convertirlo en PDF"):
        pdf.html_to_pdf("<p>" + "x" * (2 * 2**20) + "</p>")


def test_a_child_that_fails_gives_a_spanish_error(monkeypatch):
    import weasyprint

    def broken(self, **kw):
        raise ValueError("bad css")

    monkeypatch.setattr(weasyprint.HTML, "render", broken)
    with pytest.raises(pdf.PdfError, match=r"No se pudo generar el documento \(ValueError: bad css\)"):
        pdf.html_to_pdf(HTML)
