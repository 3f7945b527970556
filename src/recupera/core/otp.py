"""The second factor (TOTP, django-otp) for staff, admin and the roles that approve or handle
money (settings.RECUPERA_OTP_ROLES).

Sign-in is two steps: the password (Django's LoginView, django-axes), then a six-digit code from
an authenticator app or a one-time recovery code (/verificar/). Until the session is verified,
OTPRequiredMiddleware lets such a user reach only the sign-in, sign-out, verification and
enrolment pages; the first time, /verificar/alta/ shows the QR code and the secret and hands out
the recovery codes.
"""

from __future__ import annotations

import base64
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from recupera.core.predicates import roles_of
from recupera.core.roles import Role

RECOVERY_DEVICE_NAME = "Códigos de recuperación"
TOTP_DEVICE_NAME = "Aplicación de autenticación"
RECOVERY_CODES = 10


def otp_roles() -> frozenset[str]:
    return frozenset(Role[name].value for name in settings.RECUPERA_OTP_ROLES)


def requires_otp(user: Any) -> bool:
    """Staff (the Django admin), superusers and the roles in RECUPERA_OTP_ROLES."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or user.is_superuser:
        return True
    return bool(roles_of(user) & otp_roles())


def has_confirmed_totp(user: Any) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_secret_text(device: Any) -> str:
    """The device's key as the base32 text authenticator apps accept, in groups of four."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def totp_qr_svg(device: Any) -> str:
    """The otpauth:// address of the device as an inline SVG QR code (no image request)."""
    import segno

    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#111", light="#fff")


def _exempt(path: str) -> bool:
    allowed = (reverse("login"), reverse("logout"), reverse("otp_verify"), reverse("otp_enrol"),
               settings.STATIC_URL, "/salud/")
    return path.startswith(allowed)


class OTPRequiredMiddleware:
    """After django_otp's OTPMiddleware: a signed-in user who needs a second factor and has not
    given one this session reaches nothing but the verification pages."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (user is not None and getattr(user, "is_authenticated", False)
                and not _exempt(request.path_info) and requires_otp(user)
                and not user.is_verified()):
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _refuse(request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": "Falta la verificación en dos pasos: inicie sesión "
                                           "en Recupera e ingrese su código."}, status=403)
        target = reverse("otp_verify") if has_confirmed_totp(request.user) else reverse("otp_enrol")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        response = redirect(target)
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
        return response
