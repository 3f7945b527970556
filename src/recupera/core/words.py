"""Amounts in words for documents: "DOCE MIL PESOS 50/100 M.N."

num2words reads the integer part; cents are written as NN/100 as Mexican documents do.
"""

from __future__ import annotations

import re
from decimal import Decimal

from num2words import num2words

from recupera.core.money import to_money


def amount_in_words(amount: Decimal) -> str:
    value = to_money(amount)
    if value < 0:
        raise ValueError("amount in words needs a non-negative amount")
    pesos = int(value)
    centavos = int((value - pesos) * 100)
    words = num2words(pesos, lang="es").upper()
    # Apocope before a noun ("MIL", "MILLONES", "PESOS"): VEINTIUNO -> VEINTIÚN, UNO -> UN.
    words = re.sub(r"\bVEINTIUNO\b(?= MIL| MILLONES|$)", "VEINTIÚN", words)
    words = re.sub(r"\bUNO\b(?= MIL| MILLONES|$)", "UN", words)
    if words.endswith(("MILLÓN", "MILLONES")):
        words += " DE"
    unit = "PESO" if pesos == 1 else "PESOS"
    return f"{words} {unit} {centavos:02d}/100 M.N."


def amount_in_figures_and_words(amount: Decimal) -> str:
    from recupera.core.money import format_mxn

    return f"{format_mxn(amount)} ({amount_in_words(amount)})"
