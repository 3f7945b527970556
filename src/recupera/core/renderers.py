"""The form renderer: Django's, with the common widgets written out in Python.

Django renders every widget through the template engine: a <select> is one template plus an
included template per option, each with its attributes' template (the case page's action form
spent a third of its rendering there). `WidgetRenderer` produces the same HTML (character for
character: tests/core/test_renderers.py compares it with Django's templates) for the select,
its options, the <input> family and the textarea, and hands every other template (forms,
fields, radios, custom widgets) to Django's renderer.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape

_W = "django/forms/widgets/"
_OPTION = _W + "select_option.html"
# the widgets whose template is `{% include "django/forms/widgets/input.html" %}`
_INPUTS = frozenset(_W + name for name in (
    "input.html", "text.html", "number.html", "email.html", "url.html", "password.html",
    "hidden.html", "date.html", "datetime.html", "time.html", "search.html", "tel.html",
    "color.html", "checkbox.html"))


def _attrs(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html"""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {conditional_escape(name)}")
        else:
            out.append(f' {conditional_escape(name)}="{conditional_escape(value)}"')
    return "".join(out)


def _input(widget: dict[str, Any]) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{conditional_escape(value)}"'
    return (f'<input type="{conditional_escape(widget["type"])}" '
            f'name="{conditional_escape(widget["name"])}"{shown}{_attrs(widget["attrs"])}>')


def _option(option: dict[str, Any]) -> str:
    return (f'<option value="{conditional_escape(option["value"])}"{_attrs(option["attrs"])}>'
            f'{conditional_escape(option["label"])}</option>\n')


def _textarea(widget: dict[str, Any]) -> str:
    value = widget["value"]
    return (f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n'
            f'{conditional_escape(value) if value else ""}</textarea>')


# Django's empty choice, and what a user reads instead (every select, one place).
DJANGO_EMPTY_LABEL = "---------"
EMPTY_LABEL = "— Elija —"


def _spanish_empty_choice(widget: dict[str, Any]) -> None:
    for _name, options, _index in widget.get("optgroups") or ():
        for option in options:
            if option.get("label") == DJANGO_EMPTY_LABEL and option.get("value") in ("", None):
                option["label"] = EMPTY_LABEL


class WidgetRenderer(DjangoTemplates):
    """settings.FORM_RENDERER. Also shows Django's empty choice («---------») as «— Elija —»."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None:
            if "optgroups" in widget:
                _spanish_empty_choice(widget)
            if template_name in _INPUTS:
                return _input(widget)
            if template_name == _W + "textarea.html":
                return _textarea(widget)
            if template_name == _W + "select.html" and all(
                    option.get("template_name") == _OPTION
                    for _name, options, _index in widget["optgroups"] for option in options):
                return self._select(widget)
        return super().render(template_name, context, request)

    @staticmethod
    def _select(widget: dict[str, Any]) -> str:
        """django/forms/widgets/select.html with its options inline (the template's layout:
        each option on its own line, indented two spaces; the output stripped, as Django's)."""
        parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in options:
                parts.append("\n  " + _option(option))
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return "".join(parts)
