"""How the legal clock reads on screen (case page, credit page, alerts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from recupera.core.templatetags.recupera import dmy

register = template.Library()

WARN_DAYS = 180  # the close's default window (COB_PRESCRIPTION_WINDOW_DAYS)


@register.simple_tag
def prescription_badge(day: dt.date | None, as_of: dt.date | None) -> SafeString:
    """«Ya prescribió» (red), «Faltan N días» (amber, within the window), nothing otherwise."""
    if day is None or as_of is None:
        return mark_safe("")
    left = (day - as_of).days
    if left < 0:
        return format_html('<span class="badge bad">{}</span>', _("Ya prescribió"))
    if left <= WARN_DAYS:
        return format_html('<span class="badge warn">{}</span>',
                           ngettext("Falta %(n)d día", "Faltan %(n)d días", left) % {"n": left})
    return mark_safe("")


def basis(clock: Any) -> str:
    """Why the date is what it is, in a collector's words."""
    if clock.in_lawsuit:
        return _("Detenida: el pagaré está en juicio.")
    if clock.first_unpaid_due is None:
        return _("Sin mensualidades pendientes.")
    parts = [_("mensualidad impaga más antigua: %(d)s") % {"d": dmy(clock.first_unpaid_due)}]
    if clock.accelerated_on and clock.accelerated_on < clock.first_unpaid_due:
        parts.append(_("vencimiento anticipado: %(d)s") % {"d": dmy(clock.accelerated_on)})
    ack = clock.last_acknowledgment
    if ack:
        parts.append(_("último pago o reconocimiento del adeudo: %(d)s") % {"d": dmy(ack)})
    return _("Cuenta desde %(parts)s.") % {"parts": "; ".join(parts)}


@register.simple_tag
def prescription_summary(clocks: Sequence[Any], as_of: dt.date | None) -> SafeString:
    """The credit's date (the earliest of its pagarés in force), its badge and its basis."""
    dated = [c for c in clocks if c.date]
    if not dated:
        if any(c.in_lawsuit for c in clocks):
            return format_html("{}", _("Detenida por juicio"))
        return mark_safe("—")
    first = min(dated, key=lambda c: c.date)
    return format_html('{} {}<br><small class="muted">{}</small>', dmy(first.date),
                       prescription_badge(first.date, as_of), basis(first))


@register.simple_tag
def note_prescription(clocks_by_note: dict[int, Any], note: Any) -> str:
    """The cell of one pagaré on the credit page: its date, «Detenida (en juicio)», or «—»."""
    clock = clocks_by_note.get(note.pk)
    if clock is None:
        return "—"
    if clock.in_lawsuit:
        return _("Detenida (en juicio)")
    return dmy(clock.date) or "—"
