from decimal import Decimal

import pytest

from recupera.core.money import format_mxn, money_json, to_money
from recupera.core.words import amount_in_figures_and_words, amount_in_words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("12000.50", "DOCE MIL PESOS 50/100 M.N."),
        ("1000", "MIL PESOS 00/100 M.N."),
        ("1", "UN PESO 00/100 M.N."),
        ("21", "VEINTIÚN PESOS 00/100 M.N."),
        ("21000", "VEINTIÚN MIL PESOS 00/100 M.N."),
        ("31001.01", "TREINTA Y UN MIL UN PESOS 01/100 M.N."),
        ("101000", "CIENTO UN MIL PESOS 00/100 M.N."),
        ("1000000", "UN MILLÓN DE PESOS 00/100 M.N."),
        ("2500000.99", "DOS MILLONES QUINIENTOS MIL PESOS 99/100 M.N."),
        ("0.5", "CERO PESOS 50/100 M.N."),
    ],
)
def test_amount_in_words_writes_mil_not_un_mil_and_cents_over_100(amount, words):
    assert amount_in_words(Decimal(amount)) == words


def test_figures_and_words_as_documents_print_them():
    assert amount_in_figures_and_words(Decimal("12000.50")) == "$12,000.50 (DOCE MIL PESOS 50/100 M.N.)"


def test_money_rounds_half_up_to_cents():
    assert to_money("2.675") == Decimal("2.68")
    assert to_money("2.665") == Decimal("2.67")
    assert to_money(Decimal("-0.005")) == Decimal("-0.01")


def test_money_refuses_floats():
    with pytest.raises(TypeError):
        to_money(1.5)


def test_es_mx_display_and_json():
    assert format_mxn(Decimal("1234.5")) == "$1,234.50"
    assert format_mxn(Decimal("-1234567.891")) == "-$1,234,567.89"
    assert money_json(Decimal("1234.5")) == "1234.50"
