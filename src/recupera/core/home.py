"""Blocks of the home page contributed by the apps (the collector's «Mi día», tasks…).

An app registers a `HomePanel` in its AppConfig.ready(); the home view shows, in `order`, the
panels whose permission the user holds, each rendered by its own template with the context its
function returns (core/templates/core/home.html includes them). Core imports no app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class HomePanel:
    name: str
    template: str
    perm: str
    context: Callable[[HttpRequest], dict[str, Any]]
    order: int = 100
    stylesheet: str = ""  # a static path the panel needs (linked in the page's head)


PANELS: dict[str, HomePanel] = {}


def register(panel: HomePanel) -> None:
    PANELS[panel.name] = panel


def panels_for(request: HttpRequest) -> list[dict[str, Any]]:
    out = []
    for panel in sorted(PANELS.values(), key=lambda p: (p.order, p.name)):
        if request.user.has_perm(panel.perm):
            out.append({"name": panel.name, "template": panel.template, "stylesheet": panel.stylesheet,
                        "data": panel.context(request)})
    return out
