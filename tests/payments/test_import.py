"""Bank files: money once, nothing dropped, matching by reference / folio / CURP."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.payments.conftest import TODAY, cie_file, cie_line, csv_file

pytestmark = pytest.mark.django_db


def _paid(credit) -> Decimal:
    from recupera.credits.models import LedgerEntry

    return sum((e.amount for e in LedgerEntry.objects.filter(credit=credit, kind="payment")),
               Decimal("0"))


def test_cie_file_applies_each_payment_through_the_engine(make_credit, ref, run_import):
    from recupera.credits.models import Allocation
    from recupera.payments.models import BankOperation

    a, b = make_credit(), make_credit()
    before = a.total_overdue
    content = cie_file([
        cie_line(date=dt.date(2025, 3, 10), reference=ref(a), amount="500.00", guide="1000001"),
        cie_line(date=dt.date(2025, 3, 11), reference=ref(b), amount="1340.25", guide="1000002"),
    ])
    imp = run_import(content)
    assert imp.status == "terminada", imp.problems
    assert (imp.applied_count, imp.duplicate_count, imp.unidentified_count, imp.error_count) == (2, 0, 0, 0)
    assert imp.applied_amount == Decimal("1840.25")
    assert _paid(a) == Decimal("500.00") and _paid(b) == Decimal("1340.25")
    a.refresh_from_db()
    assert a.total_overdue < before  # the engine replayed it
    op = BankOperation.objects.get(credit=b)
    assert op.match == "referencia" and op.ledger_entry.natural_key == f"banco:{op.pk}"
    assert Allocation.objects.filter(entry=op.ledger_entry).exists()
    assert len(imp.sha256) == 64 and imp.file.read() == content


def test_same_file_twice_applies_the_money_once(make_credit, ref, run_import):
    credit = make_credit()
    content = cie_file([cie_line(date=dt.date(2025, 3, 10), reference=ref(credit), amount="231.99")])
    first = run_import(content)
    second = run_import(content, name="pagos-otra-vez.txt")
    assert first.applied_count == 1
    assert second.applied_count == 0 and second.duplicate_count == 1
    assert second.same_file_as_id == first.pk
    assert "duplicada" in second.problems[0]["message"]
    assert _paid(credit) == Decimal("231.99")


def test_same_operation_in_two_different_files_applies_once(make_credit, ref, run_import):
    a, b = make_credit(), make_credit()
    shared = cie_line(date=dt.date(2025, 3, 10), reference=ref(a), amount="100.00", guide="7000001")
    run_import(cie_file([shared]))
    imp = run_import(cie_file([
        cie_line(date=dt.date(2025, 3, 12), reference=ref(b), amount="50.00", guide="7000002"),
        shared,
    ]))
    assert (imp.applied_count, imp.duplicate_count) == (1, 1)
    assert _paid(a) == Decimal("100.00") and _paid(b) == Decimal("50.00")


def test_duplicated_line_inside_a_file_is_applied_once_and_reported(make_credit, ref, run_import):
    credit = make_credit()
    line = cie_line(date=dt.date(2025, 3, 10), reference=ref(credit), amount="80.00")
    imp = run_import(cie_file([line, line]))
    assert imp.applied_count == 1
    assert _paid(credit) == Decimal("80.00")
    dup = [p for p in imp.problems if p["severity"] == "duplicado"]
    assert dup and dup[0]["row"] == 2 and "renglón 1" in dup[0]["message"]


def test_unknown_reference_goes_to_the_unidentified_queue(make_credit, run_import):
    from recupera.payments.models import BankOperation
    from recupera.payments.references import make_reference

    make_credit()
    unknown = make_reference(999999, "luhn")
    imp = run_import(cie_file([cie_line(date=dt.date(2025, 3, 10), reference=unknown, amount="75.00")]))
    assert imp.status == "terminada"
    assert imp.unidentified_count == 1 and imp.unidentified_amount == Decimal("75.00")
    op = BankOperation.objects.get()
    assert op.status == "no_identificado" and op.credit is None and op.ledger_entry is None
    assert "no corresponde a ningún crédito" in op.unidentified_reason
    assert any("bandeja de pagos no identificados" in p["message"] for p in imp.problems)


def test_bad_check_digit_is_reported_and_kept_unidentified(make_credit, ref, run_import):
    from recupera.payments.models import BankOperation

    credit = make_credit()
    good = ref(credit)
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    imp = run_import(cie_file([cie_line(date=dt.date(2025, 3, 10), reference=bad, amount="75.00")]))
    assert imp.unidentified_count == 1 and imp.applied_count == 0
    assert "dígito verificador incorrecto" in BankOperation.objects.get().unidentified_reason
    assert _paid(credit) == 0


def test_folio_in_the_concept_identifies_the_credit(make_credit, run_import):
    from recupera.payments.models import BankOperation

    credit = make_credit(folio="CE-2019-0042")
    imp = run_import(cie_file([cie_line(date=dt.date(2025, 3, 10), reference="",
                                        concept="ABONO CE-2019-0042", amount="60.00")]))
    assert imp.applied_count == 1
    assert BankOperation.objects.get().match == "folio"
    assert _paid(credit) == Decimal("60.00")


def test_curp_in_the_concept_identifies_the_credit(make_credit, make_person, run_import):
    from recupera.payments.models import BankOperation

    person = make_person(curp="LOAA000101MSRPNNA1")
    credit = make_credit(borrower=person)
    imp = run_import(cie_file([cie_line(date=dt.date(2025, 3, 10), reference="12345",
                                        concept="PAGO LOAA000101MSRPNNA1", amount="61.00")]))
    assert imp.applied_count == 1, imp.problems
    assert BankOperation.objects.get().match == "curp"
    assert _paid(credit) == Decimal("61.00")


def test_unidentified_payment_is_assigned_posted_and_audited(make_credit, run_import, make_user):
    from recupera.core.models import AuditEntry
    from recupera.core.roles import Role
    from recupera.payments.models import BankOperation
    from recupera.payments.services import unidentified_assign

    credit = make_credit()
    run_import(cie_file([cie_line(date=dt.date(2025, 3, 10), reference="", amount="90.00")]))
    op = BankOperation.objects.get()
    user = make_user(Role.PORTFOLIO_OFFICE)
    unidentified_assign(actor=user, operation=op, credit=credit, note="ficha enviada por correo",
                        business_date=TODAY)
    op.refresh_from_db()
    assert op.status == "aplicado" and op.match == "manual" and op.credit == credit
    assert op.ledger_entry.value_date == dt.date(2025, 3, 10)  # the bank's date, not today's
    assert _paid(credit) == Decimal("90.00")
    audit = AuditEntry.objects.get(action="pagos.no_identificado.asignar")
    assert audit.actor == user and audit.after["note"] == "ficha enviada por correo"
    from django.core.exceptions import ValidationError
    with pytest.raises(ValidationError):
        unidentified_assign(actor=user, operation=op, credit=credit, note="otra vez",
                            business_date=TODAY)
    assert _paid(credit) == Decimal("90.00")


def test_generic_csv_and_pipe_statement(make_credit, ref, run_import):
    a, b = make_credit(), make_credit()
    imp = run_import(csv_file([("2025-03-10", ref(a), "150.50", "OP-1", "BBVA")]), "generic-csv",
                     name="pagos.csv")
    assert imp.applied_count == 1, imp.problems
    pipe = f"11/03/2025|9001|{ref(b, 'mod97')}|DEPOSITO|99.90\n".encode()
    imp2 = run_import(pipe, "estado-cuenta-pipe")
    assert imp2.applied_count == 1, imp2.problems
    assert _paid(a) == Decimal("150.50") and _paid(b) == Decimal("99.90")


def test_deferred_replay_gives_the_same_credits_as_replay_per_chunk(make_credit, ref, run_import):
    from recupera.credits.models import Allocation

    def import_for(credits, replay):
        lines = [cie_line(date=dt.date(2025, 3, 1 + i), reference=ref(c), amount=f"{100 + i}.00",
                          guide=f"{replay[:1]}{i:06d}") for i, c in enumerate(credits * 2)]
        return run_import(cie_file(lines), chunk_size=3, replay=replay)

    now, deferred = [make_credit() for _ in range(4)], [make_credit() for _ in range(4)]
    imp_now, imp_deferred = import_for(now, "now"), import_for(deferred, "deferred")
    assert imp_now.applied_count == imp_deferred.applied_count == 8
    assert imp_deferred.processed_lines == 8
    for a, b in zip(now, deferred, strict=True):
        a.refresh_from_db()
        b.refresh_from_db()
        assert not b.has_new_events
        assert (a.total_overdue, a.payoff_amount, a.status, a.state_as_of) == (
            b.total_overdue, b.payoff_amount, b.status, b.state_as_of)
        assert _paid(a) == _paid(b)
        assert (sorted(Allocation.objects.filter(credit=a).values_list("component", "amount"))
                == sorted(Allocation.objects.filter(credit=b).values_list("component", "amount")))
