"""Collection letters respect the ARCO rights: no letter to a borrower who objected to letters
(opposition) or whose data is blocked (cancellation), neither one by one nor in a batch."""

from __future__ import annotations

import pytest
from django.urls import reverse

from recupera.collections import letters
from recupera.credits.pdf import PdfError
from recupera.people.models import Person
from recupera.privacy.models import ContactOpposition

pytestmark = pytest.mark.django_db


def _oppose_letters(person, officer):
    ContactOpposition.objects.create(person=person, channel="carta", since=person.created_at.date(),
                                     created_by=officer)


def test_a_borrower_who_objected_to_letters_gets_none(make_case, collector, officer, client_for):
    case = make_case(collector=collector)
    _oppose_letters(case.credit.borrower, officer)
    with pytest.raises(PdfError, match="derecho de oposición al contacto por cartas"):
        letters.case_letter_pdf(actor=collector, case=case, as_of=case.credit.state_as_of)
    response = client_for(collector).get(reverse("collections:case_letter", args=[case.pk]))
    assert response.status_code == 503
    assert "derecho de oposición al contacto por cartas" in response.content.decode()


def test_a_blocked_borrower_gets_no_letter(make_case, collector):
    case = make_case(collector=collector)
    Person.objects.filter(pk=case.credit.borrower_id).update(data_blocked=True)
    case.refresh_from_db()
    with pytest.raises(PdfError, match="datos del acreditado están bloqueados"):
        letters.case_letter_pdf(actor=collector, case=case, as_of=case.credit.state_as_of)


def test_a_batch_leaves_out_opposed_and_blocked_borrowers(make_case, collector, officer):
    kept = make_case(collector=collector)
    opposed = make_case(collector=collector)
    blocked = make_case(collector=collector)
    _oppose_letters(opposed.credit.borrower, officer)
    ContactOpposition.objects.create(person=kept.credit.borrower, channel="llamada_saliente",
                                     since=kept.credit.borrower.created_at.date(), created_by=officer)
    Person.objects.filter(pk=blocked.credit.borrower_id).update(data_blocked=True)
    ids = set(letters.letter_cases({}).values_list("pk", flat=True))
    assert kept.pk in ids  # an opposition to calls does not stop letters
    assert opposed.pk not in ids
    assert blocked.pk not in ids
