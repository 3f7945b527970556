"""core.renderers.WidgetRenderer writes the common widgets in Python: its HTML must be Django's,
character for character, for every widget it takes over (and it hands the rest to Django)."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from recupera.core.renderers import DJANGO_EMPTY_LABEL, EMPTY_LABEL, WidgetRenderer


class _DjangoWithSpanishEmptyChoice(DjangoTemplates):
    """Django's templates, with the one thing WidgetRenderer changes on purpose: the empty
    choice «---------» reads «— Elija —»."""

    def render(self, template_name, context, request=None):  # type: ignore[no-untyped-def]
        html = super().render(template_name, context, request)
        return html.replace(f">{DJANGO_EMPTY_LABEL}<", f">{EMPTY_LABEL}<")


DJANGO, OURS = _DjangoWithSpanishEmptyChoice(), WidgetRenderer()


def test_the_empty_choice_reads_in_spanish():
    html = forms.Select(choices=[("", DJANGO_EMPTY_LABEL), ("a", "Alfa")]).render("x", "", renderer=OURS)
    assert '<option value="" selected>— Elija —</option>' in html and DJANGO_EMPTY_LABEL not in html

CASES = [
    (forms.TextInput(), "q", None),
    (forms.TextInput(attrs={"placeholder": 'Folio, CURP o "nombre" & <más>', "autofocus": True,
                            "disabled": False, "maxlength": 30}), "q", "Ana & <José>"),
    (forms.TextInput(), "q", mark_safe("<b>seguro</b>")),
    (forms.NumberInput(attrs={"step": "0.01", "min": 0}), "amount", Decimal("1234.50")),
    (forms.NumberInput(), "n", 0),
    (forms.EmailInput(), "email", ""),
    (forms.HiddenInput(), "id", 17),
    (forms.PasswordInput(), "password", "secreto"),
    (forms.DateInput(attrs={"type": "date"}), "due_on", dt.date(2026, 11, 26)),
    (forms.DateInput(format="%d/%m/%Y"), "due_on", dt.date(2026, 11, 26)),
    (forms.CheckboxInput(), "flag", True),
    (forms.CheckboxInput(), "flag", False),
    (forms.CheckboxInput(attrs={"class": "x"}), "flag", "yes"),
    (forms.Textarea(), "notes", None),
    (forms.Textarea(attrs={"rows": 3}), "notes", "Llamó & dijo <que> pagará\nel lunes"),
    (forms.Textarea(), "notes", ""),
    (forms.Select(choices=[("", "---------"), ("a", "Alfa & Omega"), ("b", "<Beta>")]), "stage", "b"),
    (forms.Select(choices=[(1, "Uno"), (2, "Dos")]), "n", 2),
    (forms.Select(choices=[(1, "Uno"), (2, "Dos")]), "n", None),
    (forms.Select(choices=[("Grupo A", [("a1", "A uno"), ("a2", "A dos")]), ("b", "Be")],
                  attrs={"required": True, "class": "wide"}), "g", "a2"),
    (forms.Select(choices=[]), "empty", None),
    (forms.SelectMultiple(choices=[("a", "A"), ("b", "B"), ("c", "C")]), "many", ["a", "c"]),
    (forms.NullBooleanSelect(), "nb", True),
]


@pytest.mark.parametrize("widget,name,value", CASES, ids=[f"{type(w).__name__}-{i}" for i, (w, _n, _v) in
                                                        enumerate(CASES)])
def test_each_widget_renders_as_django_renders_it(widget, name, value):
    assert widget.render(name, value, renderer=OURS) == widget.render(name, value, renderer=DJANGO)


def test_widgets_it_does_not_write_go_to_django():
    widget = forms.RadioSelect(choices=[("a", "A"), ("b", "B")])
    assert widget.render("r", "a", renderer=OURS) == widget.render("r", "a", renderer=DJANGO)
    assert 'type="radio"' in widget.render("r", "a", renderer=OURS)


def _project_forms():
    import recupera

    for info in pkgutil.walk_packages(recupera.__path__, "recupera."):
        if not info.name.endswith(".forms"):
            continue
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


@pytest.mark.django_db
def test_every_field_of_the_project_forms_renders_as_with_django():
    compared = 0
    for cls in _project_forms():
        try:
            form = cls()
        except TypeError:  # needs arguments (a case, a credit): its widgets are of the kinds above
            continue
        for bound in form:
            widget, value = bound.field.widget, bound.value()
            ours = widget.render(bound.html_name, value, attrs=bound.build_widget_attrs({}), renderer=OURS)
            django = widget.render(bound.html_name, value, attrs=bound.build_widget_attrs({}), renderer=DJANGO)
            assert ours == django, f"{cls.__name__}.{bound.name}"
            compared += 1
    assert compared > 20


def test_the_common_widgets_do_not_go_through_templates(monkeypatch):
    monkeypatch.setattr(WidgetRenderer, "get_template", lambda self, name: pytest.fail(f"template {name}"))
    for widget, name, value in CASES:
        assert widget.render(name, value, renderer=OURS).startswith("<")
