"""Workbench pages. Thin: parse, authorize (core/predicates.py), call a selector or a service,
render. A case the user may not see answers 404, the same as a case that does not exist."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from recupera.collections import selectors, services
from recupera.collections.forms import (
    ActionForm,
    BulkReassignForm,
    InquiryForm,
    LetterBatchForm,
    MessageForm,
    OverrideForm,
    QueueFilterForm,
    ReassignForm,
)
from recupera.collections.models import Case, Channel, Inquiry, LetterBatch, Stage
from recupera.collections.templatetags.workbench_ui import QUEUE_ROW_FIELDS
from recupera.core import extensions
from recupera.core.context_processors import navigation
from recupera.core.dataaccess import record_view
from recupera.core.services import business_date_get, business_date_of_request
from recupera.core.views import require_object_perm, require_perm, safe_next_url
from recupera.credits.pdf import pdf_view

PAGE_SIZE = 50


def _querystring(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    base = params.urlencode()
    return f"{base}&" if base else ""


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Mi cartera de hoy: open cases in priority order, with the reasons."""
    require_perm(request, "collections.use_workbench")
    as_of = business_date_of_request(request)
    form = QueueFilterForm(request.GET or None)
    filters: dict[str, Any] = dict(form.cleaned_data) if form.is_valid() else {}
    sees_team = request.user.has_perm("collections.view_team")
    if sees_team:
        filters["collector"] = request.GET.get("gestor") or ""
    qs = selectors.case_queue(user=request.user, filters=filters, as_of=as_of).only(*QUEUE_ROW_FIELDS)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    # The rows' labels and links once per page, not one lookup per row in the template.
    stage_labels = {value: str(label) for value, label in Stage.choices}
    case_url = reverse("collections:case", args=[0]).removesuffix("0/")  # "/cobranza/caso/"
    page.object_list = list(page.object_list)
    for case in page.object_list:
        case.stage_label = stage_labels.get(case.stage, case.stage)
        case.url = f"{case_url}{case.pk}/"
    return render(request, "collections/queue.html", {
        "filter_form": form, "page_obj": page, "as_of": as_of, "sees_team": sees_team,
        "querystring_base": _querystring(request),
        "unread": navigation(request)["unread_messages"],  # the menu's count, one query
        "selected_collector": filters.get("collector", ""),
        # what debtors asked from the portal and waits for this user (recupera.portal), one query
        "portal_pending": extensions.portal_requests_pending(user=request.user),
    })


def _case_view_or_404(request: HttpRequest, pk: int) -> selectors.CaseView:
    view = selectors.case_view(case_id=pk, user=request.user)
    if view is None:
        raise Http404(_("No existe el caso o no está a su cargo."))
    require_object_perm(request, "collections.view_case", view.case)
    return view


def _case_context(request: HttpRequest, view: selectors.CaseView, **extra: Any) -> dict[str, Any]:
    user = request.user
    case = view.case
    context = {
        "view": view, "case": case, "credit": case.credit, "as_of": business_date_of_request(request),
        "can_work": user.has_perm("collections.work_case", case) and case.is_open,
        "can_override": user.has_perm("collections.override_conduct", case) and case.is_open,
        "can_assign": user.has_perm("collections.assign_case", case) and case.is_open,
        "can_see_credit": user.has_perm("credits.view_credit", case.credit),
    }
    if "form" not in context:
        channel = request.GET.get("canal")
        initial = {"person": view.case.credit.borrower_id}
        if channel in Channel.values:
            initial.update(channel=channel, party="acreditado")
        context["form"] = ActionForm(view=view, initial=initial)
    context.setdefault("override_form", OverrideForm())
    if context["can_assign"]:
        context.setdefault("reassign_form", ReassignForm())
    context.update(extra)
    return context


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    view = _case_view_or_404(request, pk)
    record_view(user=request.user, what="caso.ficha", fields="teléfonos, correos",
                person_ids=[view.case.credit.borrower_id, *(p.person.pk for p in view.parties)])
    return render(request, "collections/case_detail.html", _case_context(request, view))


@login_required
@require_POST
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    view = _case_view_or_404(request, pk)
    require_object_perm(request, "collections.work_case", view.case, visible="collections.view_case")
    form = ActionForm(request.POST, view=view)
    violations: list[Any] = []
    error = ""
    if form.is_valid():
        try:
            services.action_log(actor=request.user, case=view.case, now=timezone.now(),
                                business_date=business_date_get(), **form.service_kwargs())
        except services.ConductRefused as exc:
            violations = exc.violations
        except services.WorkbenchError as exc:
            error = str(exc)
        else:
            messages.success(request, _("Gestión registrada."))
            url = safe_next_url(request, f"/cobranza/caso/{pk}/")
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    context = _case_context(request, view, form=form, violations=violations, action_error=error,
                            override_form=OverrideForm(initial={"rules": [v.code for v in violations]}))
    status = 422 if (violations or error or form.errors) else 200
    template = "collections/_action_panel.html" if request.htmx else "collections/case_detail.html"
    return render(request, template, context, status=status)


@login_required
@require_POST
def conduct_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Before dialing: which conduct rules this contact would break now (nothing is saved)."""
    view = _case_view_or_404(request, pk)
    require_object_perm(request, "collections.work_case", view.case, visible="collections.view_case")
    form = ActionForm(request.POST, view=view)
    form.is_valid()
    data = form.cleaned_data
    violations: list[Any] = []
    error = ""
    if data.get("channel") and data.get("party"):
        kwargs = form.service_kwargs() if data.get("outcome") in form.outcomes else {
            "channel": data["channel"], "party": data["party"],
            "person": form.persons.get(data.get("person")), "contact_point": form.points.get(data.get("contact_point")),
            "outcome": None, "debtor_requested": bool(data.get("debtor_requested"))}
        try:
            violations = services.conduct_check(
                case=view.case, now=timezone.now(), channel=kwargs["channel"], party=kwargs["party"],
                outcome=kwargs["outcome"], person=kwargs["person"], contact_point=kwargs["contact_point"],
                debtor_requested=kwargs["debtor_requested"])
        except services.WorkbenchError as exc:
            error = str(exc)
    return render(request, "collections/_conduct_preview.html", {"violations": violations, "error": error})


@login_required
@require_POST
def override_create(request: HttpRequest, pk: int) -> HttpResponse:
    view = _case_view_or_404(request, pk)
    require_object_perm(request, "collections.override_conduct", view.case, visible="collections.view_case")
    form = OverrideForm(request.POST)
    if form.is_valid():
        try:
            services.conduct_override_grant(actor=request.user, case=view.case,
                                            rules=form.cleaned_data["rules"],
                                            reason=form.cleaned_data["reason"],
                                            valid_on=business_date_get())
        except services.WorkbenchError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Excepción autorizada para hoy; quedó en la bitácora."))
    else:
        messages.error(request, _("Elija las reglas y escriba la justificación (mínimo 10 caracteres)."))
    return redirect("collections:case", pk=pk)


@login_required
@require_POST
def case_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    view = _case_view_or_404(request, pk)
    require_object_perm(request, "collections.assign_case", view.case, visible="collections.view_case")
    form = ReassignForm(request.POST)
    if form.is_valid():
        try:
            services.cases_reassign(actor=request.user, cases=[view.case],
                                    collector=form.cleaned_data["collector"],
                                    reason=form.cleaned_data["reason"], as_of=business_date_get())
        except services.WorkbenchError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Caso reasignado."))
    else:
        messages.error(request, _("Elija el gestor y escriba el motivo."))
    return redirect("collections:case", pk=pk)


@login_required
@require_POST
def case_open(request: HttpRequest) -> HttpResponse:
    """Open a preventive case by hand (folio)."""
    require_perm(request, "collections.open_case")
    from recupera.credits.models import Credit

    folio = (request.POST.get("folio") or "").strip()
    credit = Credit.objects.filter(folio=folio).first()
    if credit is None:
        messages.error(request, _("No existe el crédito con folio «{folio}».").format(folio=folio))
        return redirect("collections:team")
    try:
        case = services.case_open(actor=request.user, credit=credit, as_of=business_date_get())
    except services.WorkbenchError as exc:
        messages.error(request, str(exc))
        return redirect("collections:team")
    messages.success(request, _("Caso abierto para el crédito {folio}.").format(folio=folio))
    return redirect("collections:case", pk=case.pk)


@login_required
@require_POST
def case_stage(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a case to a stage by decision (judicial) or back to the days rule."""
    view = _case_view_or_404(request, pk)
    require_object_perm(request, "collections.assign_case", view.case, visible="collections.view_case")
    stage = request.POST.get("stage", "")
    if stage and stage not in Stage.values:
        raise Http404
    try:
        services.case_stage_set(actor=request.user, case=view.case, stage=stage,
                                reason=request.POST.get("reason", ""))
    except services.WorkbenchError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Etapa actualizada."))
    return redirect("collections:case", pk=pk)


@login_required
def team(request: HttpRequest) -> HttpResponse:
    """The supervisor's view: workload per collector and bulk reassignment."""
    require_perm(request, "collections.view_team")
    as_of = business_date_get()
    can_assign = request.user.has_perm("collections.assign_case")
    form = BulkReassignForm(request.POST or None) if can_assign else None
    if request.method == "POST":
        require_perm(request, "collections.assign_case")
        assert form is not None
        if form.is_valid():
            d = form.cleaned_data
            cases = Case.objects.filter(status=Case.Status.OPEN, collector=d["from_collector"])
            if d.get("stage"):
                cases = cases.filter(stage=d["stage"])
            try:
                n = services.cases_reassign(actor=request.user, cases=list(cases),
                                            collector=d["collector"], reason=d["reason"], as_of=as_of)
            except services.WorkbenchError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("{n} casos reasignados.").format(n=n))
                return redirect("collections:team")
    return render(request, "collections/team.html", {
        "rows": selectors.team_workload(as_of=as_of), "form": form, "as_of": as_of,
        "can_assign": can_assign, "can_run": can_assign,
        "can_open": request.user.has_perm("collections.open_case"),
    })


@login_required
@require_POST
def assignment_run(request: HttpRequest) -> HttpResponse:
    require_perm(request, "collections.assign_case")
    counts = services.assignment_run(actor=request.user, as_of=business_date_get())
    messages.success(request, _("Asignación por reglas: {a} casos asignados, {u} sin regla que los tome.")
                     .format(a=counts.get("assigned", 0), u=counts.get("unmatched", 0)))
    return redirect("collections:team")


# ------------------------------------------------------------------ calls, messages, inquiries

@login_required
def inbound_call(request: HttpRequest) -> HttpResponse:
    """Llamada entrante: one box (phone, CURP, folio or name) → the debtor at a glance."""
    require_perm(request, "collections.take_calls")
    query = (request.GET.get("q") or "").strip()
    results: list[Case] = []
    if len(query) >= 3:
        results = selectors.call_search(query=query)
    rows = [{"case": c, "visible": request.user.has_perm("collections.view_case", c),
             "workable": request.user.has_perm("collections.work_case", c)} for c in results]
    # The answer ties the phone, CURP or name typed to these debtors.
    record_view(user=request.user, what="llamada.busqueda", fields="teléfono o CURP buscados",
                person_ids=[c.credit.borrower_id for c in results])
    return render(request, "collections/inbound_call.html", {
        "query": query, "rows": rows, "message_form": MessageForm(), "as_of": business_date_get(),
    })


@login_required
def message_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "collections.take_calls")
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        case = None
        if request.POST.get("case"):
            case = selectors.visible_cases(user=request.user).filter(pk=request.POST["case"]).first()
            if case is None:  # a colleague's case: linked only when the message is for its collector
                case = Case.objects.filter(pk=request.POST["case"], status=Case.Status.OPEN,
                                           collector=d["for_user"]).first()
        try:
            services.message_take(actor=request.user, for_user=d["for_user"], now=timezone.now(),
                                  caller=d["caller"], phone=d["phone"], text=d["text"], case=case)
        except services.WorkbenchError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Recado guardado para {name}.").format(
                name=d["for_user"].get_full_name() or d["for_user"].username))
            return redirect("collections:messages")
    page = Paginator(selectors.messages_for(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "collections/messages.html", {
        "page_obj": page, "form": form, "querystring_base": _querystring(request),
        "unread": navigation(request)["unread_messages"],  # the menu's count, one query
    })


@login_required
@require_POST
def message_ack(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(selectors.messages_for(user=request.user), pk=pk)
    require_perm(request, "collections.view_message", message)
    try:
        services.message_acknowledge(actor=request.user, message=message, now=timezone.now())
    except services.WorkbenchError as exc:
        messages.error(request, str(exc))
    return redirect("collections:messages")


@login_required
def inquiry_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "collections.take_calls")
    form = InquiryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.inquiry_log(actor=request.user, now=timezone.now(), **form.cleaned_data)
        messages.success(request, _("Atención registrada."))
        return redirect("collections:inquiries")
    qs = Inquiry.objects.select_related("taken_by").order_by("-at", "-pk")
    if not request.user.has_perm("collections.view_team"):
        qs = qs.filter(taken_by=request.user)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "collections/inquiries.html", {
        "page_obj": page, "form": form, "querystring_base": _querystring(request)})


# ------------------------------------------------------------------ letters

@login_required
@pdf_view
def case_letter(request: HttpRequest, pk: int) -> HttpResponse:
    view = _case_view_or_404(request, pk)
    require_object_perm(request, "collections.work_case", view.case, visible="collections.view_case")
    from recupera.collections import letters
    from recupera.credits.pdf import pdf_response

    pdf = letters.case_letter_pdf(actor=request.user, case=view.case, as_of=business_date_get())
    record_view(user=request.user, what="cartas.pdf", fields="domicilio",
                person_ids=[view.case.credit.borrower_id])
    return pdf_response(pdf, filename=f"carta-{view.case.credit.folio}.pdf")


@login_required
def letter_batches(request: HttpRequest) -> HttpResponse:
    require_perm(request, "collections.generate_letters")
    from recupera.collections import letters

    form = LetterBatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        batch = letters.letter_batch_start(actor=request.user, filters=form.cleaned_data)
        messages.success(request, _("Se generan {n} cartas en segundo plano.").format(n=batch.total))
        return redirect("collections:letter_batch", pk=batch.pk)
    batches = LetterBatch.objects.select_related("template", "created_by")[:20]
    return render(request, "collections/letter_batches.html", {"form": form, "batches": batches})


@login_required
def letter_batch(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "collections.generate_letters")
    batch = get_object_or_404(LetterBatch.objects.select_related("template"), pk=pk)
    template = "collections/_letter_progress.html" if request.htmx else "collections/letter_batch.html"
    return render(request, template, {"batch": batch})


@login_required
def letter_batch_file(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "collections.generate_letters")
    from recupera.collections import letters
    from recupera.credits.pdf import pdf_response

    batch = get_object_or_404(LetterBatch, pk=pk, status=LetterBatch.Status.DONE)
    record_view(user=request.user, what="cartas.pdf", fields="domicilio", person_ids=Case.objects.filter(
        pk__in=batch.case_ids).values_list("credit__borrower_id", flat=True))
    return pdf_response(letters.batch_pdf_bytes(batch), filename=f"cartas-{batch.pk}.pdf", inline=False)


RULE_ACTIONS = ("regla", "regla_baja", "regla_alta", "resultado", "resultado_baja", "resultado_alta")


def _form_refused(form: Any, exc: services.WorkbenchError) -> None:
    """Put the service's Spanish refusal on the field it names (or on the whole form)."""
    field = getattr(exc, "field", None)
    form.add_error(field if field in form.fields else None, str(exc))


def _pk(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _editing(request: HttpRequest, param: str, model: Any) -> tuple[bool, Any]:
    """(?regla=nueva | ?regla=<id>) -> (show the form, the row or None for a new one)."""
    value = request.GET.get(param, "")
    if value in ("nueva", "nuevo"):
        return True, None
    if _pk(value) is not None:
        return True, get_object_or_404(model, pk=int(value))
    return False, None


def _rules_render(request: HttpRequest, *, status: int = 200, **forms: Any) -> HttpResponse:
    from recupera.collections.forms import (
        AssignmentRuleForm,
        CollectionSettingsForm,
        ConductSettingsForm,
        DeadlineFormSet,
        OutcomeForm,
    )
    from recupera.collections.models import (
        AssignmentRule,
        CollectionSettings,
        ConductSettings,
        DeadlineRule,
        Outcome,
    )

    cfg, conduct_cfg = CollectionSettings.load(), ConductSettings.load()
    if "rule_form" not in forms:
        show, rule = _editing(request, "regla", AssignmentRule)
        forms["rule_form"] = AssignmentRuleForm(rule=rule, prefix="regla") if show else None
    if "outcome_form" not in forms:
        show, outcome = _editing(request, "resultado", Outcome)
        forms["outcome_form"] = OutcomeForm(outcome=outcome, prefix="resultado") if show else None
    if forms.get("settings_form") is None:
        forms["settings_form"] = CollectionSettingsForm(instance=cfg, prefix="casos")
        forms["conduct_form"] = ConductSettingsForm(instance=conduct_cfg, prefix="conducta")
        forms["deadline_forms"] = DeadlineFormSet(queryset=DeadlineRule.objects.all(), prefix="plazos")
    return render(request, "collections/rules.html", {
        "settings_form": forms["settings_form"], "conduct_form": forms["conduct_form"],
        "deadline_forms": forms["deadline_forms"],
        "rule_form": forms["rule_form"], "outcome_form": forms["outcome_form"],
        "settings": cfg, "conduct": conduct_cfg,
        "deadlines": DeadlineRule.objects.all(),
        "assignment_rules": AssignmentRule.objects.select_related("municipality").prefetch_related("collectors"),
        "outcomes": Outcome.objects.all(),
    }, status=status)


def _rules_catalog_post(request: HttpRequest, action: str) -> HttpResponse:
    """The assignment rules and the outcome catalog: create, edit, deactivate, reactivate."""
    from recupera.collections.forms import AssignmentRuleForm, OutcomeForm
    from recupera.collections.models import AssignmentRule, Outcome

    is_rule = action.startswith("regla")
    model = AssignmentRule if is_rule else Outcome
    anchor = "asignacion" if is_rule else "resultados"
    pk = _pk(request.POST.get("id"))
    row = get_object_or_404(model, pk=pk) if pk is not None else None
    done = redirect(f"{reverse('collections:rules')}#{anchor}")
    if action in ("regla", "resultado"):
        if is_rule:
            form: Any = AssignmentRuleForm(request.POST, rule=row, prefix="regla")
        else:
            form = OutcomeForm(request.POST, outcome=row, prefix="resultado")
        if form.is_valid():
            try:
                if is_rule and row is None:
                    services.assignment_rule_create(actor=request.user, **form.service_kwargs())
                elif is_rule:
                    services.assignment_rule_update(actor=request.user, rule=row, **form.service_kwargs())
                elif row is None:
                    services.outcome_create(actor=request.user, **form.service_kwargs())
                else:
                    services.outcome_update(actor=request.user, outcome=row, **form.service_kwargs())
            except services.WorkbenchError as exc:
                _form_refused(form, exc)
            else:
                messages.success(request, _("Guardado; el cambio quedó en la bitácora."))
                return done
        messages.error(request, _("Revise los campos marcados."))
        return _rules_render(request, status=422, **{"rule_form" if is_rule else "outcome_form": form})
    if row is None:
        raise Http404
    try:
        if action == "regla_baja":
            services.assignment_rule_deactivate(actor=request.user, rule=row)
        elif action == "regla_alta":
            services.assignment_rule_update(actor=request.user, rule=row, active=True)
        elif action == "resultado_baja":
            services.outcome_deactivate(actor=request.user, outcome=row)
        else:
            services.outcome_update(actor=request.user, outcome=row, active=True)
    except services.WorkbenchError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("«{name}» ya no está vigente.").format(name=row.name)
                         if action.endswith("baja") else
                         _("«{name}» vuelve a estar vigente.").format(name=row.name))
    return done


@login_required
def rules_page(request: HttpRequest) -> HttpResponse:
    """Reglas y plazos: the Subdirección edits the case, promise and conduct settings, the
    deadlines per stage, the assignment rules (?regla=nueva | <id>) and the outcome catalog
    (?resultado=nuevo | <id>) here (letters in the admin)."""
    require_perm(request, "collections.manage_rules")
    from recupera.collections.forms import (
        CollectionSettingsForm,
        ConductSettingsForm,
        DeadlineFormSet,
    )
    from recupera.collections.models import CollectionSettings, ConductSettings, DeadlineRule

    if request.method != "POST":
        return _rules_render(request)
    action = request.POST.get("seccion", "")
    if action in RULE_ACTIONS:
        return _rules_catalog_post(request, action)
    settings_form = CollectionSettingsForm(request.POST, instance=CollectionSettings.load(), prefix="casos")
    conduct_form = ConductSettingsForm(request.POST, instance=ConductSettings.load(), prefix="conducta")
    deadlines = DeadlineFormSet(request.POST, queryset=DeadlineRule.objects.all(), prefix="plazos")
    if settings_form.is_valid() and conduct_form.is_valid() and deadlines.is_valid():
        services.settings_update(actor=request.user, forms=[settings_form, conduct_form, *deadlines.forms])
        messages.success(request, _("Reglas y plazos guardados; el cambio quedó en la bitácora."))
        return redirect("collections:rules")
    messages.error(request, _("Revise los campos marcados."))
    return _rules_render(request, settings_form=settings_form, conduct_form=conduct_form,
                         deadline_forms=deadlines, rule_form=None, outcome_form=None)
