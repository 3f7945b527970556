from __future__ import annotations

import pytest

from recupera.payments.references import (
    ALGORITHMS,
    luhn_check_digit,
    make_reference,
    mod97_check_digits,
)


def test_luhn_matches_the_textbook_example():
    assert luhn_check_digit("7992739871") == "3"
    assert ALGORITHMS["luhn"].valid("79927398713")


def test_mod97_reference_is_one_modulo_97():
    ref = make_reference(1234, "mod97")
    assert len(ref) == 12 and int(ref) % 97 == 1
    assert mod97_check_digits("0000001234") == ref[-2:]


@pytest.mark.parametrize("name", ["luhn", "mod97"])
def test_every_single_digit_error_is_detected(name):
    algorithm = ALGORITHMS[name]
    ref = make_reference(987654, name)
    assert algorithm.valid(ref)
    for i, ch in enumerate(ref):
        for d in "0123456789":
            if d != ch:
                assert not algorithm.valid(ref[:i] + d + ref[i + 1:]), (ref, i, d)


@pytest.mark.parametrize("name", ["luhn", "mod97"])
def test_adjacent_transpositions_are_mostly_detected(name):
    algorithm = ALGORITHMS[name]
    ref = make_reference(1357924, name)
    swapped = [ref[:i] + ref[i + 1] + ref[i] + ref[i + 2:] for i in range(len(ref) - 1)
               if ref[i] != ref[i + 1]]
    missed = [s for s in swapped if algorithm.valid(s)]
    assert len(missed) <= (1 if name == "luhn" else 0)  # Luhn misses 09<->90 only


def test_non_digits_and_short_references_are_invalid():
    assert not ALGORITHMS["luhn"].valid("ABC")
    assert not ALGORITHMS["luhn"].valid("7")
    assert not ALGORITHMS["mod97"].valid("12")


def test_credit_reference_is_kept_and_stable(make_credit, ref):
    from recupera.payments.models import PaymentReference
    from recupera.payments.references import payment_references_for, references_ensure

    credit = make_credit()
    first = ref(credit)
    assert first == ref(credit) == make_reference(credit.pk, "luhn")
    assert ALGORITHMS["luhn"].valid(first)
    assert references_ensure([credit.pk], ["luhn"]) == 1  # the index matching reads
    assert references_ensure([credit.pk], ["luhn"]) == 0
    assert PaymentReference.objects.filter(credit=credit).count() >= 1
    shown = payment_references_for(credit)
    assert {r["bank"] for r in shown} == {"BBVA", "Banamex"}
    assert all(ALGORITHMS["luhn"].valid(r["reference"]) or ALGORITHMS["mod97"].valid(r["reference"])
               for r in shown)


def test_backfill_creates_each_missing_reference_once_in_chunks(make_credit):
    """references_ensure (COPY into a temporary table on PostgreSQL, bulk_create elsewhere):
    every credit gets the reference make_reference gives, one already there is kept, small
    chunks and a second call inside the same transaction add nothing twice."""
    from django.db import connection, transaction

    from recupera.payments import references
    from recupera.payments.models import PaymentReference

    credits = [make_credit() for _ in range(5)]
    ids = [c.pk for c in credits]
    PaymentReference.objects.filter(credit_id__in=ids).delete()
    PaymentReference.objects.create(credit_id=ids[2], algorithm="mod97",
                                    reference=make_reference(ids[2], "mod97"))
    with transaction.atomic():
        if connection.vendor == "postgresql":
            assert references._references_copy(ids, "mod97", chunk=2) == 4
            assert references._references_copy(ids, "mod97", chunk=2) == 0
        assert references.references_ensure(ids, ["luhn", "mod97"]) == 5 + (
            0 if connection.vendor == "postgresql" else 4)
        assert references.references_ensure(ids, ["luhn", "mod97"]) == 0
    stored = set(PaymentReference.objects.filter(credit_id__in=ids)
                 .values_list("credit_id", "algorithm", "reference"))
    assert stored == {(i, name, make_reference(i, name)) for i in ids for name in ("luhn", "mod97")}
