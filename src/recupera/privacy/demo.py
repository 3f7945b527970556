"""Demo data of the privacy app for `recupera demo`: the notice in force and one pending ARCO
access request from the public form (idempotent: nothing is added when a notice exists)."""

from __future__ import annotations

import datetime as dt

DEMO_NOTICE = (
    "Aviso de privacidad integral del Instituto de Becas y Crédito Educativo del Estado de Sonora "
    "(IBCEES).\n\nEl IBCEES es responsable del tratamiento de los datos personales de las personas "
    "acreditadas, avales y referencias de los créditos educativos. Sus datos se usan para otorgar, "
    "administrar y recuperar los créditos, y no se transfieren salvo a las autoridades que la ley "
    "faculta.\n\nPuede ejercer sus derechos de acceso, rectificación, cancelación y oposición "
    "(ARCO) en la Unidad de Protección de Datos Personales del Instituto o en el formulario "
    "público /portal/arco/."
)


def load_demo_privacy(*, as_of: dt.date) -> str | None:
    """Create the demo notice and one pending access request; returns the request's folio."""
    from recupera.people.models import Person
    from recupera.privacy import services
    from recupera.privacy.models import ArcoRequest, PrivacyNotice

    if PrivacyNotice.objects.exists():
        return None
    notice = PrivacyNotice.objects.create(version="2026-1", text=DEMO_NOTICE,
                                          effective_date=as_of.replace(month=1, day=1))
    person = Person.objects.filter(data_blocked=False).order_by("id").first()
    if person is None:
        return None
    arco = services.arco_register(
        actor=None, channel=ArcoRequest.Channel.PORTAL, as_of=as_of, right="acceso",
        first_name=person.first_name, last_name=person.last_name,
        second_last_name=person.second_last_name, curp=person.curp, email="titular@example.com",
        description="Solicito conocer todos los datos personales que el Instituto tiene sobre mí.",
        notice=notice)
    return arco.folio
