"""A letter template that takes too long to render (issue 20 #13: `{% debug %}` locked the
database for ten minutes) is stopped with a Spanish message on screen, holding no lock."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def debug_template(db):
    from recupera.collections.models import LetterTemplate

    # {% debug %} itself renders nothing while DEBUG is off (as in tests); a template that writes
    # thousands of pages stands in for it: WeasyPrint needs far longer than the limit.
    LetterTemplate.objects.update(
        body='{% for _ in "x"|rjust:"30000" %}<p>Estimado(a) {{ borrower_name }}</p>{% endfor %}')
    return LetterTemplate.objects.get()


def test_a_slow_letter_template_is_stopped_and_the_user_sees_why(make_case, client_for, collector,
                                                                 debug_template, settings):
    from recupera.core.models import AuditEntry

    settings.PDF_TIMEOUT_SECONDS = 2
    case = make_case()
    started = time.monotonic()
    response = client_for(collector).get(reverse("collections:case_letter", args=[case.pk]))
    assert time.monotonic() - started < 15
    assert response.status_code == 503
    html = response.content.decode()
    assert "No se pudo generar el documento" in html
    assert "El documento tardó más de 2 segundos en generarse y se detuvo." in html
    assert not AuditEntry.objects.filter(action="carta.generar").exists()  # nothing was produced


def test_the_letter_is_rendered_before_its_audit_row_is_written(make_case, collector, monkeypatch):
    from recupera.collections import letters
    from recupera.core.models import AuditEntry
    from recupera.credits import pdf

    seen = {}
    real = pdf.html_documents_to_pdf

    def spy(htmls, **kw):
        seen["in_transaction"] = pdf.in_write_transaction()
        return real(htmls, **kw)

    monkeypatch.setattr(pdf, "html_documents_to_pdf", spy)
    case = make_case()
    out = letters.case_letter_pdf(actor=collector, case=case, as_of=case.credit.state_as_of)
    assert out[:4] == b"%PDF"
    assert seen == {"in_transaction": False}
    assert AuditEntry.objects.filter(action="carta.generar", object_id=str(case.pk)).count() == 1


def test_a_slow_batch_fails_with_the_spanish_message(make_case, supervisor, debug_template, settings):
    from recupera.collections import letters
    from recupera.collections.models import LetterBatch

    settings.PDF_TIMEOUT_SECONDS = 2
    case = make_case()
    batch = LetterBatch.objects.create(template=debug_template, case_ids=[case.pk], total=1, created_by=supervisor)
    with pytest.raises(Exception, match="tardó más de 2 segundos"):
        letters.letter_batch_generate(batch_id=batch.pk, as_of=case.credit.state_as_of)
    batch.refresh_from_db()
    assert batch.status == LetterBatch.Status.FAILED
    assert batch.error.startswith("El documento tardó más de 2 segundos")
