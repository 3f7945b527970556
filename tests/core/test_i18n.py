"""The gettext memo (core.i18n): the same answers as Django's lookup, kept per translation."""

from django.utils import translation
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import gettext, trans_real

from recupera.core import i18n


def _memo_of(language: str) -> dict:
    return trans_real.translation(language).__dict__.get("_recupera_gettext_memo", {})


def test_the_memo_answers_what_the_catalogs_answer():
    original = trans_real.DjangoTranslation.gettext.__wrapped__
    es = trans_real.translation("es-mx")
    for message in ("This field is required.", "Enter a valid date.", "Monto para liquidar", ""):
        assert es.gettext(message) == original(es, message)
    assert gettext("This field is required.") == "Este campo es requerido."  # Django's catalog
    assert gettext("Mi cartera de hoy") == "Mi cartera de hoy"  # a Spanish source: a miss
    assert "Mi cartera de hoy" in _memo_of("es-mx")
    assert isinstance(gettext(mark_safe("Mi <b>cartera</b>")), SafeData)
    with translation.override("en"):
        assert gettext("This field is required.") == "This field is required."
    assert "This field is required." in _memo_of("en")


def test_a_reload_of_the_translations_starts_an_empty_memo(settings):
    gettext("Mi cartera de hoy")
    assert _memo_of("es-mx")
    settings.LOCALE_PATHS = [*settings.LOCALE_PATHS]  # setting_changed: Django drops its translations
    assert _memo_of("es-mx") == {}
    assert gettext("This field is required.") == "Este campo es requerido."


def test_the_memo_is_bounded(monkeypatch):
    monkeypatch.setattr(i18n, "MEMO_SIZE", 3)
    es = trans_real.translation("es-mx")
    es.__dict__["_recupera_gettext_memo"] = {}
    for n in range(10):
        assert es.gettext(f"texto {n}") == f"texto {n}"
    assert len(es.__dict__["_recupera_gettext_memo"]) == 3


def test_installing_twice_wraps_once():
    i18n.install_gettext_memo()
    wrapped = trans_real.DjangoTranslation.gettext
    assert wrapped.memoized and not getattr(wrapped.__wrapped__, "memoized", False)
