"""The legal screens."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from recupera.core.services import business_date_of_request
from recupera.core.views import require_perm
from recupera.legal import selectors

PAGE_SIZE = 50


@login_required
def prescription_alerts(request: HttpRequest) -> HttpResponse:
    """Pagarés por prescribir: what the daily close flagged, for the collector of each case and
    for the Jefe (the whole team)."""
    require_perm(request, "collections.use_workbench")
    page = Paginator(selectors.prescription_alerts(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page"))
    rows = list(page.object_list)
    collectors = {u.pk: u for u in get_user_model().objects.filter(
        pk__in={r.collector_id for r in rows if r.collector_id})}
    for row in rows:
        row.collector = collectors.get(row.collector_id)
    page.object_list = rows
    return render(request, "legal/prescription_alerts.html", {
        "page_obj": page, "as_of": business_date_of_request(request),
        "sees_team": request.user.has_perm("collections.view_team")})
