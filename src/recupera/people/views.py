"""Staff pages for persons. Thin: parse, authorize, call a service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from recupera.core.dataaccess import record_view
from recupera.core.predicates import scope_people, sees_person_data
from recupera.core.services import business_date_of_request
from recupera.core.views import require_object_perm, require_perm
from recupera.people import selectors, services
from recupera.people.forms import (
    AddressForm,
    ContactPointForm,
    PersonCreateForm,
    PersonEditForm,
    apply_contact_errors,
    apply_service_errors,
)
from recupera.people.models import ContactPoint, Person
from recupera.people.panels import person_panels
from recupera.privacy import selectors as privacy_selectors
from recupera.privacy import services as privacy_services

PAGE_SIZE = 50


def _person_or_404(pk: int) -> Person:
    try:
        return selectors.person_detail(pk=pk)
    except Person.DoesNotExist as exc:
        raise Http404(_("No existe esa persona.")) from exc


def _warn(request: HttpRequest, warnings: list[str]) -> None:
    for warning in warnings:
        messages.warning(request, warning)


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "people.view_person")
    query = (request.GET.get("q") or "").strip()
    people = scope_people(request.user, selectors.person_list(filters={"q": query}))
    page = Paginator(people, PAGE_SIZE).get_page(
        request.GET.get("page"))
    record_view(user=request.user, what="persona.lista", fields="CURP",
                person_ids=[p.pk for p in page.object_list])
    params = request.GET.copy()
    params.pop("page", None)
    base = params.urlencode()
    return render(request, "people/person_list.html", {
        "page_obj": page, "q": query, "querystring_base": f"{base}&" if base else "",
        "can_add": request.user.has_perm("people.add_person"),
    })


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "people.view_person")
    person = _person_or_404(pk)
    require_object_perm(request, "people.view_person", person)  # a collector: their cases' people
    if not sees_person_data(request.user, person):  # blocked (ARCO cancellation): nothing shown
        return render(request, "people/person_blocked.html", {"person_id": person.pk})
    services.person_view_log(actor=request.user, person=person)
    return render(request, "people/person_detail.html", {
        "person": person,
        "contact_points": person.contact_points.all(),
        "addresses": person.addresses.all(),
        "can_change": request.user.has_perm("people.change_person", person),
        "panels": person_panels(request, person),
    })


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    require_perm(request, "people.add_person")
    as_of = business_date_of_request(request)
    notice = privacy_selectors.notice_in_force(as_of)
    form = PersonCreateForm(request.POST or None, notice=notice)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person, warnings = privacy_services.person_create_with_notice(
                actor=request.user, notice=notice, as_of=as_of,
                curp=data["curp"], first_name=data["first_name"],
                last_name=data["last_name"], second_last_name=data["second_last_name"],
                rfc=data["rfc"], birth_date=data["birth_date"],
                phones=[data["phone"]] if data["phone"] else [],
                emails=[data["email"]] if data["email"] else [],
                address=form.address_data())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Se registró a %(name)s.") % {"name": person.full_name})
            _warn(request, warnings)
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/person_form.html", {
        "form": form, "title": _("Registrar persona"), "submit": _("Registrar"),
        "cancel_url": "people:list", "notice": notice, "notice_missing": notice is None})


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "people.change_person")
    person = get_object_or_404(Person, pk=pk)
    require_object_perm(request, "people.change_person", person, visible="people.view_person")
    initial = {name: getattr(person, name) for name in PersonEditForm.base_fields}
    form = PersonEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        if "birth_date" in changed and changed["birth_date"] is None:
            changed.pop("birth_date")  # an emptied date is derived from the CURP again
        try:
            _person, warnings = services.person_update(actor=request.user, person=person, **changed)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Se guardaron los cambios."))
            _warn(request, warnings)
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/person_form.html", {
        "form": form, "person": person, "title": _("Modificar datos de %(name)s")
        % {"name": person.full_name}, "submit": _("Guardar"), "cancel_url": "people:detail"})


@login_required
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "people.change_person")
    person = get_object_or_404(Person, pk=pk)
    require_object_perm(request, "people.change_person", person, visible="people.view_person")
    form = ContactPointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.contact_point_add(actor=request.user, person=person, kind=data["kind"],
                                       value=data["value"], label=data["label"],
                                       is_primary=data["is_primary"])
        except ValidationError as exc:
            apply_contact_errors(form, exc)
        else:
            messages.success(request, _("Se agregó el medio de contacto."))
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/contact_form.html", {"form": form, "person": person})


@login_required
@require_POST
def contact_deactivate(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    require_perm(request, "people.change_person")
    contact_point = get_object_or_404(ContactPoint.objects.select_related("person"), pk=contact_pk,
                                      person_id=pk)
    require_object_perm(request, "people.change_person", contact_point.person,
                        visible="people.view_person")
    services.contact_point_deactivate(actor=request.user, contact_point=contact_point,
                                      reason=(request.POST.get("reason") or "")[:200])
    messages.success(request, _("El medio de contacto %(value)s quedó dado de baja.")
                     % {"value": contact_point.value})
    return redirect("people:detail", pk=pk)


@login_required
def address_set(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "people.change_person")
    person = get_object_or_404(Person, pk=pk)
    require_object_perm(request, "people.change_person", person, visible="people.view_person")
    form = AddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.address_data() or {}
        try:
            services.address_set(actor=request.user, person=person, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Se registró el nuevo domicilio; el anterior queda en el "
                                        "historial."))
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/person_form.html", {
        "form": form, "person": person, "title": _("Nuevo domicilio de %(name)s")
        % {"name": person.full_name}, "submit": _("Guardar domicilio"),
        "cancel_url": "people:detail"})
