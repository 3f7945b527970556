"""`credit_state(installments=False)` (what the projections use) is the full state with the
per-installment states left out: every other field equal, on the golden credits (every event
kind and status)."""

from __future__ import annotations

import dataclasses

from recupera.engine import credit_state
from tests.engine.test_golden_states import BENCH_LIKE, MIXED, _credit, digest


def test_every_field_but_the_installments_is_the_same_on_the_golden_credits() -> None:
    differing = []
    for index in range(0, BENCH_LIKE + MIXED, 3):
        terms, disbursements, events, as_of, calendar = _credit(index)
        full = credit_state(terms=terms, disbursements=disbursements, events=events,
                            calendar=calendar, as_of=as_of)
        light = credit_state(terms=terms, disbursements=disbursements, events=events,
                             calendar=calendar, as_of=as_of, installments=False)
        assert light.installments == ()
        assert full.installments, index
        if digest(light) != digest(dataclasses.replace(full, installments=())):
            differing.append(index)
    assert differing == []
