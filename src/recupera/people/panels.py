"""Sections other apps add to the person page (e.g. the credits developer's "Créditos").

    # recupera/credits/apps.py
    def ready(self):
        from recupera.people.panels import PersonPanel, register_person_panel
        register_person_panel(PersonPanel(
            key="credits", template="credits/_person_credits.html", order=10,
            context=lambda request, person: {"credits": credits_of_person(person=person)},
            perm="credits.view_credit"))

The template is rendered (with the request, `person` and whatever `context` returned; return
None to hide the panel) inside `{% block person_credits %}` of people/person_detail.html. Keep the
context's queries few and fixed: the page's query count is pinned by a test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string


@dataclass(frozen=True)
class PersonPanel:
    key: str
    template: str
    context: Callable[[HttpRequest, Any], dict[str, Any] | None]
    order: int = 100
    perm: str | None = None


_PANELS: dict[str, PersonPanel] = {}


def register_person_panel(panel: PersonPanel) -> None:
    """Add (or replace, by key) a section of the person page."""
    _PANELS[panel.key] = panel


def unregister_person_panel(key: str) -> None:
    _PANELS.pop(key, None)


def person_panels(request: HttpRequest, person: Any) -> list[str]:
    """The panels this user may see, rendered to HTML, in order."""
    shown = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.key)):
        if panel.perm and not request.user.has_perm(panel.perm):
            continue
        context = panel.context(request, person)
        if context is not None:
            shown.append(render_to_string(panel.template, {**context, "person": person},
                                          request=request))
    return shown
