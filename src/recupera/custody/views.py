"""Pages of the archive (Resguardo y Archivo). Thin: parse, authorize (core/predicates.py), call
a service or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from recupera.core.dataaccess import record_view
from recupera.core.services import business_date_of_request
from recupera.core.views import require_perm
from recupera.credits.pdf import pdf_response, pdf_view
from recupera.custody import classification, documents, exports, selectors, services
from recupera.custody.forms import (
    CampaignForm,
    CheckInForm,
    CheckOutForm,
    CopyForm,
    DossierForm,
    LabelsForm,
    LocationForm,
    LossForm,
    ReasonForm,
    RegisterNotesForm,
    ReturnForm,
    ScanForm,
    TransferForm,
)
from recupera.custody.models import (
    OUT_STATUSES,
    DigitalCopy,
    InventoryCampaign,
    InventoryScan,
    Item,
    ItemStatus,
    Location,
    Movement,
)
from recupera.legal import prescription

PAGE_SIZE = 50


def _apply_errors(form: Any, exc: ValidationError) -> None:
    for message in exc.messages:
        form.add_error(None, message)


def _item_or_404(code: str) -> Item:
    item = selectors.item_by_code(code)
    if item is None:
        raise Http404
    return item


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    require_perm(request, "custody.view")
    as_of = business_date_of_request(request)
    board = selectors.dashboard(as_of)
    return render(request, "custody/dashboard.html", {
        "board": board, "as_of": as_of, "can_manage": request.user.has_perm("custody.manage"),
        "register_form": RegisterNotesForm(), "labels": classification.label,
    })


@login_required
def item_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "custody.view")
    as_of = business_date_of_request(request)
    list_name = request.GET.get("lista", "")
    location = selectors.location_by_code(request.GET.get("ubicacion"))
    qs = selectors.to_do_list(list_name, as_of) if list_name in selectors.LISTS else None
    if qs is None:
        list_name = ""
        qs = selectors.items_filter(status=request.GET.get("estado", ""), klass=request.GET.get("clase", ""),
                                    kind=request.GET.get("tipo", ""), location=location,
                                    query=request.GET.get("q", "")[:60])
    if request.GET.get("formato") == "xlsx":
        rows = selectors.item_rows(qs[:exports.EXPORT_MAX])
        return exports.xlsx_response(exports.inventory_xlsx(rows, as_of=as_of),
                                     filename=f"inventario-archivo-{as_of:%Y%m%d}.xlsx")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("formato", None)
    return render(request, "custody/item_list.html", {
        "page_obj": page, "rows": selectors.item_rows(page.object_list),
        "statuses": ItemStatus.choices, "classes": [(c, classification.label(c)) for c in classification.ORDER],
        "kinds": Item.Kind.choices, "locations": Location.objects.order_by("code"),
        "f": request.GET, "querystring": params.urlencode(),
        "list_title": selectors.LISTS.get(list_name, ""),
    })


@login_required
def item_detail(request: HttpRequest, code: str) -> HttpResponse:
    require_perm(request, "custody.view")
    item = _item_or_404(code)
    klass = classification.of_item(item)
    prescribes_on = None
    if item.kind == Item.Kind.NOTE and item.note_id:
        clock = next((c for c in prescription.note_clocks([item.note.credit_id])
                      if c.note_id == item.note_id), None)
        prescribes_on = clock.date if clock else None
    return render(request, "custody/item_detail.html", {
        "item": item, "prescribes_on": prescribes_on, "classification": classification.label(klass), "klass": klass,
        "movements": selectors.movements_of(item), "path": selectors.location_path(item.location),
        "copies": list(item.copies.order_by("id")), "copy_form": CopyForm(),
        "can_manage": request.user.has_perm("custody.manage"),
        "can_see_copies": request.user.has_perm("custody.view_copy", item),
        "as_of": business_date_of_request(request),
        "actions": _actions_for(item, klass),
    })


def _actions_for(item: Item, klass: str | None) -> list[tuple[str, str]]:
    """The movement forms that apply to the item now (the services check again)."""
    K = Movement.Kind
    if item.status == ItemStatus.IN_CUSTODY:
        actions = [(K.CHECK_OUT, _("Prestar")), (K.TRANSFER, _("Trasladar"))]
        if item.kind == Item.Kind.NOTE and klass == classification.SETTLED:
            actions.append((K.RETURN_TO_DEBTOR, _("Devolver al acreditado")))
        if item.kind == Item.Kind.NOTE and (klass == classification.SETTLED or item.note.status == "sustituido"):
            actions.append((K.CANCEL, _("Cancelar pagaré")))
        actions.append((K.LOSS, _("Registrar extravío")))
        return actions
    if item.is_out:
        return [(K.CHECK_IN, _("Recibir de vuelta")), (K.LOSS, _("Registrar extravío"))]
    return []


MOVEMENT_FORMS = {
    Movement.Kind.CHECK_OUT: (CheckOutForm, _("Préstamo")),
    Movement.Kind.CHECK_IN: (CheckInForm, _("Devolución al archivo")),
    Movement.Kind.TRANSFER: (TransferForm, _("Traslado")),
    Movement.Kind.RETURN_TO_DEBTOR: (ReturnForm, _("Devolución al acreditado")),
    Movement.Kind.CANCEL: (ReasonForm, _("Cancelación del pagaré")),
    Movement.Kind.LOSS: (LossForm, _("Extravío")),
}


@login_required
def movement_create(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    require_perm(request, "custody.manage")
    if kind not in MOVEMENT_FORMS:
        raise Http404
    item = _item_or_404(code)
    form_class, title = MOVEMENT_FORMS[kind]
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        as_of = business_date_of_request(request)
        common = {"actor": request.user, "item": item, "as_of": as_of}
        try:
            if kind == Movement.Kind.CHECK_OUT:
                movement = services.item_check_out(**common, holder_kind=data["holder_kind"],
                                                   holder_user=data["holder_user"],
                                                   holder_name=data["holder_name"],
                                                   purpose=data["purpose"], due_back=data["due_back"])
            elif kind == Movement.Kind.CHECK_IN:
                movement = services.item_check_in(**common, location=data["location"], remark=data["remark"])
            elif kind == Movement.Kind.TRANSFER:
                movement = services.item_transfer(**common, location=data["location"], reason=data["reason"])
            elif kind == Movement.Kind.RETURN_TO_DEBTOR:
                movement = services.item_return_to_debtor(**common, received_by=data["received_by"],
                                                          remark=data["remark"])
            elif kind == Movement.Kind.CANCEL:
                movement = services.item_cancel(**common, reason=data["reason"])
            else:
                movement = services.item_report_lost(**common, reason=data["reason"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("{kind} registrado con el folio {folio}. Imprima el acuse para "
                                        "firma.").format(kind=movement.get_kind_display(), folio=movement.folio))
            return redirect(f"{reverse('custody:item', args=[item.code])}#historial")
    return render(request, "custody/movement_form.html", {
        "item": item, "form": form, "title": title, "kind": kind,
        "classification": classification.label(classification.of_item(item)),
    })


@login_required
@pdf_view
def movement_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "custody.view")
    movement = get_object_or_404(Movement.objects.select_related("from_location", "to_location"), pk=pk)
    pdf = documents.movement_pdf(movement)
    return pdf_response(pdf, filename=f"acuse-{movement.folio}.pdf")


@login_required
@require_POST
def copy_upload(request: HttpRequest, code: str) -> HttpResponse:
    require_perm(request, "custody.manage")
    item = _item_or_404(code)
    form = CopyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            copy = services.copy_attach(actor=request.user, item=item, upload=form.cleaned_data["file"],
                                        description=form.cleaned_data["description"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Copia digital «{name}» guardada.").format(name=copy.original_name))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect(f"{reverse('custody:item', args=[item.code])}#copias")


@login_required
def copy_view(request: HttpRequest, pk: int) -> HttpResponse:
    copy = get_object_or_404(DigitalCopy.objects.select_related("item", "item__person"), pk=pk)
    require_perm(request, "custody.view_copy", copy.item)
    try:
        data = services.copy_read(copy)
    except ValidationError as exc:
        return render(request, "credits/pdf_error.html", {"message": " ".join(exc.messages)}, status=503)
    record_view(user=request.user, person_ids=[copy.item.person_id], what="resguardo.copia",
                fields=f"{copy.item.code}: {copy.original_name}")
    response = HttpResponse(data, content_type=copy.content_type)
    response["Content-Disposition"] = f'inline; filename="{copy.item.code}{copy.extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def locations(request: HttpRequest) -> HttpResponse:
    require_perm(request, "custody.view")
    can_manage = request.user.has_perm("custody.manage")
    form = LocationForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        require_perm(request, "custody.manage")
        if form is not None and form.is_valid():
            data = form.cleaned_data
            try:
                location = services.location_create(actor=request.user, code=data["code"], name=data["name"],
                                                    kind=data["kind"], parent=data["parent"])
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Ubicación {code} creada.").format(code=location.code))
                return redirect("custody:locations")
    return render(request, "custody/locations.html", {
        "nodes": selectors.flatten(selectors.location_tree()), "form": form, "can_manage": can_manage,
    })


@login_required
def location_detail(request: HttpRequest, code: str) -> HttpResponse:
    require_perm(request, "custody.view")
    location = selectors.location_by_code(code)
    if location is None:
        raise Http404
    node = next(n for n in selectors.flatten(selectors.location_tree()) if n.location.pk == location.pk)
    qs = selectors.items().filter(location=location).order_by("code")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "custody/location_detail.html", {
        "location": location, "node": node, "path": selectors.location_path(location),
        "page_obj": page, "rows": selectors.item_rows(page.object_list),
    })


@login_required
@pdf_view
def labels(request: HttpRequest) -> HttpResponse:
    require_perm(request, "custody.view")
    form = LabelsForm(request.GET or None)
    if request.GET and form.is_valid():
        data = form.cleaned_data
        qs = selectors.items_filter(location=data["location"]).filter(
            status__in=[ItemStatus.IN_CUSTODY, *OUT_STATUSES])
        count = qs.count()
        if count == 0:
            form.add_error(None, _("No hay documentos en resguardo en esa ubicación."))
        elif count > documents.LABELS_MAX:
            form.add_error("location", _("Son {n} etiquetas; imprima a lo más {m} a la vez: elija una "
                                         "ubicación más pequeña.").format(n=count, m=documents.LABELS_MAX))
        else:
            pdf = documents.labels_pdf(list(qs), sheet=data["sheet"], skip=data["skip"] or 0)
            place = data["location"].code if data["location"] else "archivo"
            return pdf_response(pdf, filename=f"etiquetas-{place}.pdf")
    return render(request, "custody/labels.html", {"form": form})


@login_required
def campaigns(request: HttpRequest) -> HttpResponse:
    require_perm(request, "custody.view")
    form = CampaignForm(request.POST or None)
    if request.method == "POST":
        require_perm(request, "custody.manage")
        if form.is_valid():
            try:
                campaign = services.campaign_open(actor=request.user, location=form.cleaned_data["location"],
                                                  as_of=business_date_of_request(request))
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                return redirect("custody:campaign", campaign.pk)
    rows = InventoryCampaign.objects.select_related("location", "opened_by").order_by("-opened_on", "-id")[:100]
    return render(request, "custody/campaigns.html", {
        "form": form, "rows": rows, "can_manage": request.user.has_perm("custody.manage")})


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The scan page while the campaign is open (a barcode scanner types the code and Enter in
    the focused field), and its report."""
    require_perm(request, "custody.view")
    campaign = get_object_or_404(InventoryCampaign.objects.select_related("location"), pk=pk)
    scope = selectors.subtree_ids(campaign.location)
    shelves = Location.objects.filter(pk__in=scope, kind__in=Location.HOLDS_ITEMS).order_by("code")
    can_scan = campaign.status == InventoryCampaign.Status.OPEN and request.user.has_perm("custody.manage")
    outcome = None
    shelf_id = request.POST.get("found_at") or request.GET.get("en")
    initial_shelf = shelves.filter(pk=shelf_id).first() if shelf_id and shelf_id.isdigit() else shelves.first()
    form = ScanForm(request.POST or None, initial={"found_at": initial_shelf})
    form.fields["found_at"].queryset = shelves
    if request.method == "POST":
        require_perm(request, "custody.manage")
        if form.is_valid():
            try:
                outcome = services.campaign_scan(actor=request.user, campaign=campaign,
                                                 code=form.cleaned_data["code"],
                                                 found_at=form.cleaned_data["found_at"])
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                # A fresh field for the next code, the same drawer kept.
                form = ScanForm(initial={"found_at": form.cleaned_data["found_at"]})
                form.fields["found_at"].queryset = shelves
    report = selectors.campaign_report(campaign) if campaign.status == InventoryCampaign.Status.OPEN else None
    return render(request, "custody/campaign.html", {
        "campaign": campaign, "form": form, "can_scan": can_scan, "outcome": outcome,
        "report": report, "result": campaign.result,
        "last_scans": list(InventoryScan.objects.filter(campaign=campaign)
                           .select_related("found_at", "item__location").order_by("-id")[:10]),
    })


@login_required
@require_POST
def campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "custody.manage")
    campaign = get_object_or_404(InventoryCampaign, pk=pk)
    try:
        services.campaign_close(actor=request.user, campaign=campaign, as_of=business_date_of_request(request))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Inventario {c} cerrado.").format(c=campaign))
    return redirect("custody:campaign", campaign.pk)


@login_required
@require_POST
def notes_register(request: HttpRequest) -> HttpResponse:
    require_perm(request, "custody.manage")
    from recupera.credits.models import PromissoryNote

    form = RegisterNotesForm(request.POST)
    ids = [int(v) for v in request.POST.getlist("note") if v.isdigit()][:selectors.LIST_LIMIT]
    notes = list(PromissoryNote.objects.filter(pk__in=ids, custody_item__isnull=True).select_related("credit"))
    if not form.is_valid() or not notes:
        messages.error(request, _("Marque los pagarés recibidos y elija el cajón o la caja donde se guardan."))
        return redirect("custody:dashboard")
    try:
        created = services.notes_register(actor=request.user, notes=notes, location=form.cleaned_data["location"],
                                          as_of=business_date_of_request(request))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("{n} pagaré(s) ingresados al archivo: {codes}. Imprima sus etiquetas.").format(
            n=len(created), codes=", ".join(i.code for i in created)))
    return redirect("custody:dashboard")


@login_required
def dossier_create(request: HttpRequest) -> HttpResponse:
    require_perm(request, "custody.manage")
    from recupera.credits.models import Credit
    from recupera.people.models import Person

    form = DossierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        credit = person = None
        if data["program"] == Item.Program.CREDIT:
            credit = Credit.objects.select_related("borrower").filter(folio=data["folio"].strip()).first()
            if credit is None:
                form.add_error("folio", _("No hay un crédito con el folio «{f}».").format(f=data["folio"].strip()))
        else:
            person = Person.objects.filter(curp=data["curp"].strip().upper()).first()
            if person is None:
                form.add_error("curp", _("No hay una persona con la CURP «{c}».").format(c=data["curp"].strip()))
        if form.is_valid():
            try:
                item = services.item_register(actor=request.user, kind=Item.Kind.DOSSIER, program=data["program"],
                                              credit=credit, person=person, location=data["location"],
                                              description=data["description"],
                                              as_of=business_date_of_request(request))
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Expediente {code} ingresado al archivo.").format(code=item.code))
                return redirect("custody:item", item.code)
    return render(request, "custody/dossier_form.html", {"form": form})


@login_required
def my_loans(request: HttpRequest) -> HttpResponse:
    require_perm(request, "custody.view_own_loans")
    as_of = business_date_of_request(request)
    return render(request, "custody/my_loans.html", {
        "rows": list(selectors.loans_of(request.user)[:selectors.LIST_LIMIT]), "as_of": as_of})

