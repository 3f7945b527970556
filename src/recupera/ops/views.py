from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from recupera.ops.health import health


@never_cache
@require_safe
def salud(request: HttpRequest) -> JsonResponse:
    """Health for monitoring: JSON, no login, no personal data; 200 healthy, 503 otherwise."""
    report = health()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503,
                        json_dumps_params={"ensure_ascii": False})
