from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from recupera.core.forms import AuditFilterForm
from recupera.core.selectors import audit_entries


def require_perm(request: HttpRequest, perm: str, obj: object = None) -> None:
    """Raise PermissionDenied unless the user holds `perm` (core/predicates.py)."""
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """The global search box: folio, CURP, name or phone. One clear hit lands on its page."""
    require_perm(request, "core.use_search")
    from recupera.core.search import global_search
    from recupera.people.selectors import NAME_SORT_MAX

    query = (request.GET.get("q") or "").strip()
    context: dict[str, object] = {"search_query": query}
    if query:
        if len(query) < 3:
            context["too_short"] = True
        else:
            result = global_search(query, user=request.user)
            if result.landing_url:
                return redirect(result.landing_url)
            context.update(people=result.people, credits=result.credits,
                           people_truncated=result.people_truncated,
                           people_capped=result.people_capped, name_sort_max=NAME_SORT_MAX)
    return render(request, "core/search.html", context)


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "core.view_audit")
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(audit_entries(filters=filters), 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    base = params.urlencode()
    return render(request, "core/audit_list.html", {
        "filter_form": form, "page_obj": page, "querystring_base": f"{base}&" if base else "",
    })
