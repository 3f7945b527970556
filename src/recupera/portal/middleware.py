"""Separate sessions for the portal and the staff intranet.

Under /portal/ the session cookie is `PORTAL_SESSION_COOKIE_NAME` (path /portal/) and the staff
cookie is ignored; everywhere else the staff cookie is used and the portal's ignored. So a staff
session is never valid in the portal and a portal session never in the intranet. Used in place
of Django's SessionMiddleware (settings.MIDDLEWARE)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse

PORTAL_PREFIX = "/portal/"


def is_portal_path(path: str) -> bool:
    return path == PORTAL_PREFIX[:-1] or path.startswith(PORTAL_PREFIX)


def portal_cookie_name() -> str:
    return getattr(settings, "PORTAL_SESSION_COOKIE_NAME", "recupera_portal")


class SplitSessionMiddleware(SessionMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        staff_name, portal_name = settings.SESSION_COOKIE_NAME, portal_cookie_name()
        cookies = {k: v for k, v in request.COOKIES.items() if k not in (staff_name, portal_name)}
        if is_portal_path(request.path_info):
            request.is_portal = True  # type: ignore[attr-defined]
            if portal_name in request.COOKIES:
                cookies[staff_name] = request.COOKIES[portal_name]
        else:
            request.is_portal = False  # type: ignore[attr-defined]
            if staff_name in request.COOKIES:
                cookies[staff_name] = request.COOKIES[staff_name]
        request.COOKIES = cookies
        super().process_request(request)

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        response = super().process_response(request, response)
        if not getattr(request, "is_portal", False):
            return response
        morsel: Any = response.cookies.pop(settings.SESSION_COOKIE_NAME, None)
        if morsel is None:
            return response
        name = portal_cookie_name()
        if str(morsel["max-age"]) == "0":
            response.delete_cookie(name, path=PORTAL_PREFIX, samesite="Lax")
        else:
            response.set_cookie(name, morsel.value, max_age=morsel["max-age"] or None,
                                expires=morsel["expires"] or None, path=PORTAL_PREFIX,
                                secure=settings.SESSION_COOKIE_SECURE or None, httponly=True,
                                samesite="Lax")
        return response
