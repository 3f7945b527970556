"""Session and API-token lifetimes (docs/security.md: Production settings)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

LAST_ACTIVITY = "recupera_last_activity"
# The activity stamp is written at most this often (a session write is a query).
TOUCH_EVERY_SECONDS = 60


def stamp_activity(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """user_logged_in: the session starts active (no extra write on the first page)."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_ACTIVITY] = int(time.time())


class IdleSessionTimeoutMiddleware:
    """Ends a session left idle for RECUPERA_SESSION_IDLE_MINUTES: the next request signs the
    user out and shows the sign-in page with a Spanish notice."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.get("_auth_user_id"):
            now = int(time.time())
            last = session.get(LAST_ACTIVITY)
            if last is not None and now - int(last) > settings.RECUPERA_SESSION_IDLE_MINUTES * 60:
                logout(request)
                if request.path_info.startswith("/api/"):
                    return JsonResponse({"detail": "La sesión se cerró por inactividad; "
                                                   "inicie sesión de nuevo."}, status=403)
                messages.info(request, "Su sesión se cerró por inactividad. Inicie sesión de nuevo.")
                return redirect_to_login(request.get_full_path())
            if last is None or now - int(last) >= TOUCH_EVERY_SECONDS:
                session[LAST_ACTIVITY] = now
        return self.get_response(request)


class ForcedPasswordChangeMiddleware:
    """A session signed in with a password someone else set (core.accounts.
    mark_forced_password_change) reaches only the password-change page, sign-out and the second
    factor until the holder chooses a new password; API calls answer 403 in Spanish."""

    ALLOWED = ("/contrasena/", "/salir/", "/verificar/", "/static/")

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from recupera.core.accounts import MUST_CHANGE_PASSWORD

        session = getattr(request, "session", None)
        if (session is not None and session.get(MUST_CHANGE_PASSWORD)
                and not request.path_info.startswith(self.ALLOWED)):
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": "Su contraseña fue restablecida: escoja una nueva "
                                               "en /contrasena/ antes de continuar."}, status=403)
            return redirect("password_change")
        return self.get_response(request)


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF token authentication whose tokens stop working RECUPERA_API_TOKEN_DAYS after they
    were created (Administración TI issues a new one in the admin)."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user, token = super().authenticate_credentials(key)
        days = settings.RECUPERA_API_TOKEN_DAYS
        if token.created < timezone.now() - dt.timedelta(days=days):
            raise AuthenticationFailed(
                f"El token de la API venció (vale {days} días desde que se creó); pida uno nuevo "
                "a Administración TI.")
        return user, token
