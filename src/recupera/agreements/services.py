"""Every write of negotiation: offers, approvals, plans, restructures, settlements, waivers
and write-offs.

The figures come from the engine (recupera.engine.agreements over the credit's replay); money
moves only as ledger entries posted through credits.services.entry_post.

Write-off (castigo): once the Dirección / Comité authorizes it, one "write_off" ledger entry
dated the agreement date takes everything owed at that date off the books (the engine writes
off each component of each installment, recupera.engine.write_off); the credit shows nothing
owed and the status «castigado»; its case is closed; its pagarés stay in force (the debt is
still legally owed). Money received afterwards through any channel is accepted as usual and
the engine allocates it as a recovery of the written-off amounts (recuperación de cartera
castigada: "recovered_*" allocations, oldest installment first); beyond what was written off
it is credit balance. `write_off_recovered` reports it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from recupera import engine
from recupera.agreements.models import (
    Agreement,
    AgreementInstallment,
    Approval,
    AuthorityLimit,
    Campaign,
    CampaignCredit,
    Level,
    NegotiationPolicy,
    SupportingDocument,
)
from recupera.core.audit import audit_record, snapshot
from recupera.core.money import format_mxn
from recupera.core.predicates import authority_level
from recupera.credits import engine_io
from recupera.credits.models import Credit, LedgerEntry, PromissoryNote
from recupera.credits.services import entry_post, lock_credits
from recupera.engine import agreements as calc

ZERO = Decimal("0")
HUNDRED = Decimal("100")
COMPONENT_LABELS = {
    "late_interest": "intereses moratorios",
    "interest": "interés ordinario",
    "principal": "capital",
    "fees": "gastos de cobranza",
}


class AgreementError(Exception):
    """A request refused; the message is Spanish and shown to the user."""


# --- reads used by the services ---------------------------------------------------------------
def open_case(credit: Credit) -> Any:
    from recupera.collections.models import Case

    return Case.objects.filter(credit=credit, status=Case.Status.OPEN).first()


def campaign_includes(campaign: Campaign, credit: Credit, *, as_of: dt.date, debt: Decimal) -> bool:
    """Whether the credit is in the campaign at `as_of`: inside its window, and reached by it
    (it applied its waiver) or within its segment (days past due, status, debt)."""
    if not (campaign.starts_on <= as_of <= campaign.ends_on):
        return False
    if CampaignCredit.objects.filter(campaign=campaign, credit=credit).exists():
        return True
    if credit.status in SETTLED_STATUSES or credit.administrative_status in SETTLED_STATUSES:
        return False
    dpd = credit.days_past_due
    if dpd < campaign.dpd_min or (campaign.dpd_max is not None and dpd > campaign.dpd_max):
        return False
    if campaign.statuses and credit.status not in campaign.statuses:
        return False
    return debt >= campaign.balance_min and (campaign.balance_max is None or debt <= campaign.balance_max)


def policy_for(credit: Credit, *, as_of: dt.date, debt: Decimal, case: Any = None) -> NegotiationPolicy | None:
    """The policy that governs the credit today: the first active one (by priority) whose
    segment (days past due, debt, stage, campaign) contains it. A policy segmented by campaign
    applies only to the credits in that campaign, during its window (`campaign_includes`)."""
    dpd = credit.days_past_due
    policies = (NegotiationPolicy.objects.filter(active=True, dpd_min__lte=dpd, balance_min__lte=debt)
                .filter(Q(dpd_max__isnull=True) | Q(dpd_max__gte=dpd))
                .filter(Q(balance_max__isnull=True) | Q(balance_max__gte=debt))
                .filter(Q(campaign__isnull=True)
                        | Q(campaign__starts_on__lte=as_of, campaign__ends_on__gte=as_of))
                .select_related("campaign").prefetch_related("limits").order_by("priority", "id"))
    stage = getattr(case, "stage", "")
    for policy in policies:
        if policy.stage and policy.stage != stage:
            continue
        if policy.campaign is not None and not campaign_includes(policy.campaign, credit, as_of=as_of,
                                                                  debt=debt):
            continue
        return policy
    return None


def _levels(policy: NegotiationPolicy) -> list[tuple[int, calc.Limits]]:
    return [(lim.level, calc.Limits(lim.max_late_interest_pct, lim.max_interest_pct,
                                    lim.max_principal_pct, lim.min_down_payment_pct,
                                    lim.max_installments))
            for lim in policy.limits.all()]


def _inputs(credit: Credit) -> dict[str, Any]:
    return {"terms": engine_io.terms_for(credit),
            "disbursements": engine_io.disbursements_for(credit),
            "events": engine_io.events_for(credit),
            "calendar": engine_io.business_calendar()}


def _is_settled(credit: Credit, state: engine.CreditState) -> bool:
    return state.status in ("paid_off", "written_off") or credit.administrative_status in (
        Credit.Status.WRITTEN_OFF, Credit.Status.WAIVED)


def _refuse_closed(credit: Credit, state: engine.CreditState, what: str) -> None:
    if state.status == "paid_off":
        raise AgreementError(_("No se puede {what} un crédito liquidado ({folio}).").format(
            what=what, folio=credit.folio))
    if credit.administrative_status in (Credit.Status.WRITTEN_OFF, Credit.Status.WAIVED):
        raise AgreementError(_("No se puede {what} un crédito {status} ({folio}).").format(
            what=what, folio=credit.folio, status=credit.get_administrative_status_display().lower()))
    if state.status == "written_off":
        raise AgreementError(_("No se puede {what} un crédito castigado ({folio}).").format(
            what=what, folio=credit.folio))


# --- quotes -----------------------------------------------------------------------------------
def quote(credit: Credit, *, as_of: dt.date, percents: calc.DiscountPercents) -> calc.Quote:
    """What the debtor pays and what is forgiven with these percentages (the engine replays)."""
    inputs = _inputs(credit)
    state = engine.credit_state(as_of=as_of, **inputs)
    discounts = calc.discounts_for(calc.debt_breakdown(state), percents)
    return calc.quote_with_discounts(discounts=discounts, as_of=as_of, **inputs)


def _money(d: Decimal) -> str:
    return f"{d:.2f}"


# --- what an offer forgives and who may authorize it -------------------------------------------
# One function, `offer_assess`, answers both questions for every kind of agreement: the simulator
# shows its figures, `agreement_propose` stores them and `agreement_decide` re-runs it at the
# decision (the credit may have changed since the offer). The money comes from the engine
# (engine.agreements.assess: the credit replayed with the entries the agreement posts), so what
# a restructure waives, or the period interest a discount drops, counts like a discount does.
FIXED_LEVEL = {Agreement.Kind.WRITE_OFF: Level.COMMITTEE, Agreement.Kind.WAIVER: Level.PORTFOLIO_OFFICE}
OFF_BOOKS = (Agreement.Kind.WRITE_OFF, Agreement.Kind.WAIVER)
NO_PRIOR = calc.Discounts()


@dataclass(frozen=True)
class OfferFigures:
    """The engine's figures of one offer and the lowest authority level that covers them
    (None: no level of the policy does, the offer is outside policy)."""

    forgiveness: calc.Forgiveness
    level: int | None
    split: calc.PlanSplit | None = None
    down_pct: Decimal | None = None


def first_due_bounds(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """A plan's or a restructure's first payment: after the agreement date and at most one
    month later (a later date would give months without interest that no figure shows)."""
    return as_of + dt.timedelta(days=1), engine.add_months(as_of, 1)


def _check_first_due(first_due_date: dt.date | None, as_of: dt.date) -> None:
    if first_due_date is None:
        return
    low, high = first_due_bounds(as_of)
    if not (low <= first_due_date <= high):
        raise AgreementError(_("El primer pago ({d}) debe ser después de la fecha del acuerdo y a más "
                               "tardar el {h}.").format(d=first_due_date.strftime("%d/%m/%Y"),
                                                        h=high.strftime("%d/%m/%Y")))


def offer_assess(*, kind: str, inputs: dict[str, Any], as_of: dt.date, discounts: calc.Discounts,
                 policy: NegotiationPolicy | None, capitalize_interest: bool = False,
                 new_rate: Decimal | None = None, new_term_months: int | None = None,
                 first_due_date: dt.date | None = None, down_payment: Decimal | None = None,
                 down_payment_pct: Decimal | None = None, installments: int = 0,
                 settle_by: dt.date | None = None, prior: calc.Discounts = NO_PRIOR) -> OfferFigures:
    """What the offer forgives at `as_of` (per component, from the engine) and the authority it
    needs under `policy`. A plan's down payment is `down_payment` (money) or `down_payment_pct`
    of what the debtor pays (default: all of it). A settlement is also measured at `settle_by` (the last day it may be
    paid: the late interest accrued meanwhile is forgiven too) and needs the higher level.
    `prior` is what earlier agreements on the credit forgave (`prior_forgiven`): the limits hold
    the sum. Raises AgreementError for terms that cannot be offered."""
    if kind in OFF_BOOKS:
        state = engine.credit_state(as_of=as_of, **inputs)
        return OfferFigures(calc.off_books(calc.debt_breakdown(state), as_of), FIXED_LEVEL[kind])
    restructure = None
    if kind == Agreement.Kind.RESTRUCTURE:
        restructure = calc.RestructureTerms(capitalize_interest=capitalize_interest, new_rate=new_rate,
                                            new_term_months=new_term_months,
                                            new_first_due_date=first_due_date)
    f = calc.assess(discounts=discounts, as_of=as_of, restructure=restructure, prior=prior, **inputs)
    levels = _levels(policy) if policy is not None else []
    split = None
    down_pct: Decimal | None = None
    if kind == Agreement.Kind.PLAN:
        if installments < 1:
            raise AgreementError(_("Indique el número de pagos del convenio (al menos uno)."))
        if down_payment is not None:
            down = Decimal(down_payment)
        else:
            down = f.pays if down_payment_pct is None else calc.pct_of(f.pays, down_payment_pct)
        if down < ZERO or down > f.pays:
            raise AgreementError(_("El enganche debe estar entre 0 y {t}.").format(t=_money(f.pays)))
        down_pct = (down * HUNDRED / f.pays) if f.pays > 0 else HUNDRED
        split = calc.plan_split(total=f.pays, down_payment=down, installments=installments,
                                down_payment_date=as_of,
                                first_due_date=first_due_date or engine.add_months(as_of, 1))
    level = calc.required_level_for(levels, f, down_payment_pct=down_pct,
                                    installments=installments if split else None)
    if kind == Agreement.Kind.SETTLEMENT and settle_by is not None and settle_by > as_of and level:
        # None: at that date the agreed amount no longer settles the credit and settlement_pay
        # refuses it, so nothing more can be forgiven; settlement_pay re-checks the real date.
        late = calc.settlement_at(discounts=f.discounts, pays=f.pays, value_date=settle_by, prior=prior,
                                  **inputs)
        if late is not None:
            later = calc.required_level_for(levels, late)
            level = None if later is None else max(level, later)
    return OfferFigures(f, level, split, down_pct)


def prior_forgiven(credit: Credit, inputs: dict[str, Any], *, exclude: int | None = None) -> calc.Discounts:
    """What earlier agreements on the credit (`exclude`: the one being decided) forgave and is
    still in force since its last restructure (engine.agreements.prior_forgiveness): successive
    offers cannot add up beyond one level's limits. Campaign discounts are not agreements."""
    ids = {str(pk) for entries in Agreement.objects.filter(credit=credit).exclude(pk=exclude)
           .values_list("entries", flat=True) for pk in (entries or [])}
    return calc.prior_forgiveness(inputs["events"], ids) if ids else calc.Discounts()


def _parts(discounts: calc.Discounts) -> dict[str, str]:
    return {c: _money(getattr(discounts, c)) for c in calc.DISCOUNT_ORDER if getattr(discounts, c) > 0}


def offers_simulate(*, credit: Credit, as_of: dt.date, actor: Any = None,
                    plan_installments: int | None = None) -> dict[str, Any]:
    """The options within policy for the credit at `as_of`: payoff with discount, payment plan,
    restructure; each at the most the policy allows, with what it forgives (the engine's figure,
    per component) and the level that must authorize it: the same `offer_assess` the proposal
    and the approval use. `plan_installments` asks for the plan in fewer payments than the
    policy's most (it is kept between 1 and that most); the result's `max_installments` is it."""
    from recupera.core.words import amount_in_words

    inputs = _inputs(credit)
    state = engine.credit_state(as_of=as_of, **inputs)
    debt = calc.debt_breakdown(state)
    result: dict[str, Any] = {
        "folio": credit.folio, "as_of": as_of.isoformat(), "debt": _money(debt.total),
        "debt_parts": {"principal": _money(debt.principal), "interest": _money(debt.interest),
                       "overdue_interest": _money(debt.overdue_interest),
                       "late_interest": _money(debt.late_interest), "fees": _money(debt.fees)},
        "actor_level": authority_level(actor) if actor is not None else None,
        "policy": None, "options": [], "refused": None,
    }
    if _is_settled(credit, state):
        result["refused"] = _("El crédito {folio} no tiene adeudo negociable.").format(folio=credit.folio)
        return result
    case = open_case(credit)
    policy = policy_for(credit, as_of=as_of, debt=debt.total, case=case)
    if policy is None:
        result["refused"] = _("Ninguna política de negociación aplica a este crédito.")
        return result
    result["policy"] = policy.name
    levels = _levels(policy)
    _top_level, top = max(levels, key=lambda item: item[0])
    plan_count = top.max_installments
    if plan_installments is not None:
        plan_count = min(max(int(plan_installments), 1), top.max_installments)
    result["max_installments"] = top.max_installments
    valid_until = as_of + dt.timedelta(days=policy.offer_valid_days)
    prior = prior_forgiven(credit, inputs)
    # Collection fees are waived with late interest, under its limit (calc.exceeds_money).
    for kind, percents in (
        (Agreement.Kind.SETTLEMENT, calc.DiscountPercents(top.late_interest, top.interest, top.principal,
                                                          fees=top.late_interest)),
        (Agreement.Kind.PLAN, calc.DiscountPercents(late_interest=top.late_interest, fees=top.late_interest)),
        (Agreement.Kind.RESTRUCTURE, calc.DiscountPercents()),
    ):
        figures = offer_assess(
            kind=kind, inputs=inputs, as_of=as_of, discounts=calc.discounts_for(debt, percents), policy=policy,
            capitalize_interest=policy.capitalize_interest,
            new_term_months=policy.max_term_months if kind == Agreement.Kind.RESTRUCTURE else None,
            installments=plan_count if kind == Agreement.Kind.PLAN else 0,
            down_payment_pct=top.min_down_payment, prior=prior,
            settle_by=valid_until if kind == Agreement.Kind.SETTLEMENT else None)
        f = figures.forgiveness
        option: dict[str, Any] = {
            "kind": kind.value, "label": str(kind.label),
            "pays": _money(f.pays), "pays_words": amount_in_words(f.pays),
            "forgiven": _money(f.total), "forgiven_words": amount_in_words(f.total),
            "discounts": {c: _money(a) for c, a in f.discounts.items()},
            "forgiven_parts": _parts(f.forgiven),
            "percents": {"late_interest": str(percents.late_interest),
                         "interest": str(percents.interest), "principal": str(percents.principal),
                         "fees": str(percents.fees)},
        }
        if figures.split is not None:
            option.update(down_payment=_money(figures.split.down_payment), installments=plan_count,
                          installment_amount=_money(figures.split.installment_amount),
                          down_payment_pct=str(top.min_down_payment))
        if kind == Agreement.Kind.RESTRUCTURE:
            option.update(new_term_months=policy.max_term_months,
                          capitalize_interest=policy.capitalize_interest,
                          new_principal=_money(f.new_principal or ZERO))
        option["required_level"] = figures.level
        option["required_level_label"] = (str(Level(figures.level).label) if figures.level else
                                          _("Ningún nivel: fuera de la política «{p}»").format(p=policy.name))
        result["options"].append(option)
    return result


# --- proposing and approving ------------------------------------------------------------------
def _pct(value: Any) -> Decimal:
    try:
        pct = Decimal(str(value if value not in (None, "") else "0"))
    except ArithmeticError as exc:
        raise AgreementError(_("Porcentaje no válido: «{v}».").format(v=value)) from exc
    if not (ZERO <= pct <= HUNDRED):
        raise AgreementError(_("Los porcentajes van de 0 a 100 (recibido {v}).").format(v=pct))
    return pct


def _rate(value: Any) -> Decimal | None:
    """The restructure's new annual rate as a fraction: 0 ≤ rate < 1 (0.06 = 6 %)."""
    if value in (None, ""):
        return None
    try:
        rate = Decimal(str(value)).quantize(Decimal("0.000001"))
    except ArithmeticError as exc:
        raise AgreementError(_("Nueva tasa anual no válida: «{v}».").format(v=value)) from exc
    if not (ZERO <= rate < 1):
        raise AgreementError(_("La nueva tasa anual debe ser de 0 % o más y menor que 100 % "
                               "(recibido {v} %).").format(v=f"{rate * HUNDRED:.2f}"))
    return rate


@transaction.atomic
def agreement_propose(
    *,
    actor: Any,
    credit: Credit,
    kind: str,
    as_of: dt.date,
    late_interest_pct: Any = 0,
    interest_pct: Any = 0,
    principal_pct: Any = 0,
    down_payment: Decimal | None = None,
    installments: int = 0,
    first_due_date: dt.date | None = None,
    new_rate: Decimal | None = None,
    new_term_months: int | None = None,
    reason: str = "",
) -> Agreement:
    """Record an offer. The level that must authorize it comes from the money it forgives
    (`offer_assess`). Within the actor's authority it is authorized (and applied) at once;
    beyond it, it waits for the level that may authorize it; outside policy it is refused."""
    if kind not in Agreement.Kind.values:
        raise AgreementError(_("Tipo de convenio desconocido: «{k}».").format(k=kind))
    new_rate = _rate(new_rate)
    credit = lock_credits([credit.pk])[credit.pk]
    inputs = _inputs(credit)
    state = engine.credit_state(as_of=as_of, **inputs)
    what = {Agreement.Kind.RESTRUCTURE: _("reestructurar"), Agreement.Kind.PLAN: _("convenir"),
            Agreement.Kind.SETTLEMENT: _("liquidar con descuento")}.get(kind, _("condonar o castigar"))
    _refuse_closed(credit, state, what)
    if Agreement.objects.filter(credit=credit, status__in=[
            Agreement.Status.PENDING, Agreement.Status.AUTHORIZED, Agreement.Status.IN_FORCE]).exists():
        raise AgreementError(_("El crédito {folio} ya tiene un convenio vigente o por autorizar.").format(
            folio=credit.folio))
    debt = calc.debt_breakdown(state)
    case = open_case(credit)
    policy: NegotiationPolicy | None = None
    discounts = calc.Discounts()
    if kind in OFF_BOOKS:
        if not reason.strip():
            raise AgreementError(_("Indique el motivo y la documentación que lo sustenta."))
    else:
        late = _pct(late_interest_pct)  # «condonación de moratorios y gastos»: fees follow it
        percents = calc.DiscountPercents(late, _pct(interest_pct), _pct(principal_pct), fees=late)
        policy = policy_for(credit, as_of=as_of, debt=debt.total, case=case)
        if policy is None:
            raise AgreementError(_("Ninguna política de negociación aplica a este crédito: no se "
                                   "puede ofrecer."))
        discounts = calc.discounts_for(debt, percents)
        if kind in (Agreement.Kind.PLAN, Agreement.Kind.RESTRUCTURE):
            _check_first_due(first_due_date, as_of)
        if kind == Agreement.Kind.RESTRUCTURE and new_term_months is not None \
                and new_term_months > policy.max_term_months:
            raise AgreementError(_("El plazo de {n} meses excede el máximo de la política ({m}).").format(
                n=new_term_months, m=policy.max_term_months))
    valid_until = as_of + dt.timedelta(days=policy.offer_valid_days) if policy else None
    capitalize = bool(policy and policy.capitalize_interest)
    figures = offer_assess(kind=kind, inputs=inputs, as_of=as_of, discounts=discounts, policy=policy,
                           capitalize_interest=capitalize, new_rate=new_rate, new_term_months=new_term_months,
                           first_due_date=first_due_date, down_payment=down_payment,
                           installments=installments, settle_by=valid_until,
                           prior=prior_forgiven(credit, inputs) if policy else calc.Discounts())
    if figures.level is None:
        raise AgreementError(_("La oferta está fuera de la política «{p}»: condona {m} y excede lo que "
                               "cualquier nivel puede autorizar.").format(
                                   p=policy.name if policy else "", m=format_mxn(figures.forgiveness.total)))
    f, split, level = figures.forgiveness, figures.split, figures.level
    agreement = Agreement.objects.create(
        credit=credit, case=case, kind=kind, policy=policy, as_of=as_of, valid_until=valid_until,
        debt=debt.total,
        debt_parts={k: _money(getattr(debt, k)) for k in ("principal", "interest", "overdue_interest",
                                                          "late_interest", "fees")},
        discounts=_parts(f.forgiven) if kind in OFF_BOOKS else {c: _money(a) for c, a in f.discounts.items()},
        interest_adjustment=f.interest_adjustment, forgiven=f.total, pays=f.pays,
        down_payment=split.down_payment if split else ZERO,
        installments_count=installments if split else 0,
        new_rate=new_rate, new_term_months=new_term_months, new_first_due_date=first_due_date,
        capitalize_interest=capitalize, required_level=level, proposed_by=actor, reason=reason)
    if split:
        AgreementInstallment.objects.bulk_create(
            AgreementInstallment(agreement=agreement, number=i.number, due_date=i.due_date, amount=i.amount)
            for i in split.installments)
    audit_record(actor=actor, action="convenio.proponer", obj=agreement,
                 after={**snapshot(agreement), "forgiven_parts": _parts(f.forgiven),
                        "future_interest_given_up": _money(f.rate_cut)})
    if authority_level(actor) >= level and kind not in OFF_BOOKS:
        Approval.objects.create(agreement=agreement, level=authority_level(actor), decided_by=actor,
                                decision=Approval.Decision.APPROVED,
                                comment=_("Dentro de las facultades de quien la propone."))
        _activate(actor=actor, agreement=agreement, as_of=as_of, figures=figures)
    else:
        _notify_approvers(agreement)
    return agreement


def _notify_approvers(agreement: Agreement) -> None:
    """The approvers see it in «Autorizaciones pendientes»; also e-mailed after commit."""
    from django.contrib.auth import get_user_model
    from django.core.mail import send_mail

    from recupera.core.roles import Role

    roles = {2: [Role.SUPERVISOR], 3: [Role.PORTFOLIO_OFFICE], 4: [Role.COMMITTEE]}.get(
        agreement.required_level, [])
    users = get_user_model().objects.filter(groups__name__in=[r.value for r in roles], is_active=True)
    emails = [u.email for u in users if u.email]
    if emails:
        subject = _("Oferta por autorizar: crédito {folio}").format(folio=agreement.credit.folio)
        transaction.on_commit(lambda: send_mail(subject, subject, None, emails, fail_silently=True))


def _stored_discounts(agreement: Agreement) -> calc.Discounts:
    return calc.Discounts(**{c: Decimal(a) for c, a in agreement.discounts.items() if c in calc.DISCOUNT_ORDER})


def agreement_reassess(agreement: Agreement, *, as_of: dt.date) -> OfferFigures:
    """The offer's figures and required level again, at the decision: with the credit's ledger
    as it is now, at the agreement date (what will be posted) and at the business date `as_of`
    (the state may have changed since the offer: payments, reversals, fees). The level needed is
    the higher of the two. Refused (AgreementError, Spanish) when the offer expired, the credit
    is settled, or the figures the debtor was offered no longer hold."""
    credit = agreement.credit
    inputs = _inputs(credit)
    now = engine.credit_state(as_of=as_of, **inputs)
    _refuse_closed(credit, now, _("autorizar un convenio sobre"))
    if agreement.valid_until and as_of > agreement.valid_until:
        raise AgreementError(_("La oferta venció el {d}: rechácela y simule una nueva.").format(
            d=agreement.valid_until.strftime("%d/%m/%Y")))
    if agreement.new_first_due_date and as_of >= agreement.new_first_due_date:
        raise AgreementError(_("La fecha del primer pago ({d}) ya llegó: rechácela y simule una nueva.").format(
            d=agreement.new_first_due_date.strftime("%d/%m/%Y")))
    kwargs: dict[str, Any] = {
        "kind": agreement.kind, "inputs": inputs, "discounts": _stored_discounts(agreement),
        "policy": agreement.policy, "capitalize_interest": agreement.capitalize_interest,
        "new_rate": agreement.new_rate, "new_term_months": agreement.new_term_months,
        "first_due_date": agreement.new_first_due_date,
        "down_payment": agreement.down_payment if agreement.kind == Agreement.Kind.PLAN else None,
        "installments": agreement.installments_count,
        "prior": prior_forgiven(credit, inputs, exclude=agreement.pk)}
    if agreement.kind in OFF_BOOKS:
        return offer_assess(as_of=agreement.as_of, **kwargs)
    at_offer = offer_assess(as_of=agreement.as_of, settle_by=agreement.valid_until, **kwargs)
    f = at_offer.forgiveness
    if f.unapplied > 0 or f.pays != agreement.pays or f.total != agreement.forgiven:
        raise AgreementError(_(
            "El adeudo del crédito {folio} al {d} cambió desde la oferta (hoy: paga {p}, se condona {c}; "
            "ofrecido: paga {op}, se condona {oc}): rechácela y simule una nueva.").format(
                folio=credit.folio, d=agreement.as_of.strftime("%d/%m/%Y"), p=format_mxn(f.pays),
                c=format_mxn(f.total), op=format_mxn(agreement.pays), oc=format_mxn(agreement.forgiven)))
    today = at_offer
    if as_of > agreement.as_of:
        today = offer_assess(as_of=as_of, **kwargs)
        if today.forgiveness.unapplied > 0:
            raise AgreementError(_("Al {d} el crédito {folio} ya no debe lo que la oferta condona: rechácela "
                                   "y simule una nueva.").format(d=as_of.strftime("%d/%m/%Y"), folio=credit.folio))
    levels = [lvl for lvl in (at_offer.level, today.level)]
    if None in levels:
        raise AgreementError(_("Con el adeudo al {d} la oferta condona {m} y queda fuera de la política: "
                               "rechácela y simule una nueva.").format(
                                   d=as_of.strftime("%d/%m/%Y"), m=format_mxn(today.forgiveness.total)))
    return OfferFigures(f, max(lvl for lvl in levels if lvl is not None), at_offer.split, at_offer.down_pct)


@transaction.atomic
def agreement_decide(*, actor: Any, agreement: Agreement, approve: bool, comment: str,
                     as_of: dt.date) -> Agreement:
    """Authorize or reject a pending offer. An authorization re-checks the offer at the business
    date `as_of` (`agreement_reassess`): the approver's level must reach the level the money
    forgiven needs now, not only the one stored with the offer."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.status != Agreement.Status.PENDING:
        raise AgreementError(_("El convenio ya fue resuelto ({s}).").format(s=agreement.get_status_display()))
    if agreement.proposed_by_id == actor.pk:
        raise AgreementError(_("Nadie puede autorizar su propia oferta."))
    level = authority_level(actor)
    if level < agreement.required_level:
        raise AgreementError(_("Esta oferta requiere autorización de {lvl}.").format(
            lvl=Level(agreement.required_level).label))
    if not approve and not comment.strip():
        raise AgreementError(_("Indique el motivo del rechazo."))
    figures = None
    if approve:
        if agreement.kind in OFF_BOOKS and not agreement.documents.exists():
            raise AgreementError(_("Adjunte la documentación que sustenta la solicitud antes de autorizar."))
        credit = lock_credits([agreement.credit_id])[agreement.credit_id]
        agreement.credit = credit
        figures = agreement_reassess(agreement, as_of=as_of)
        if level < (figures.level or 0):
            raise AgreementError(_(
                "Con el adeudo al {d} esta oferta condona {m} y requiere autorización de {lvl}.").format(
                    d=as_of.strftime("%d/%m/%Y"), m=format_mxn(figures.forgiveness.total),
                    lvl=Level(figures.level).label))
    Approval.objects.create(agreement=agreement, level=level, decided_by=actor, comment=comment,
                            decision=Approval.Decision.APPROVED if approve else Approval.Decision.REJECTED)
    audit_record(actor=actor, action="convenio.autorizar" if approve else "convenio.rechazar",
                 obj=agreement, after={"comment": comment, "level": level,
                                       "required_level": figures.level if figures else agreement.required_level})
    if approve:
        _activate(actor=actor, agreement=agreement, as_of=as_of, figures=figures)
    else:
        agreement.status, agreement.closed_on = Agreement.Status.REJECTED, as_of
        agreement.save(update_fields=["status", "closed_on"])
    return agreement


@transaction.atomic
def special_request(*, actor: Any, credit: Credit, kind: str, as_of: dt.date, reason: str,
                    file: Any = None, description: str = "") -> Agreement:
    """A write-off (castigo) or a death/disability waiver (condonación) request with its first
    supporting document, in one transaction: it waits for the level that may authorize it."""
    if kind not in (Agreement.Kind.WRITE_OFF, Agreement.Kind.WAIVER):
        raise AgreementError(_("Solo el castigo y la condonación se solicitan aquí."))
    agreement = agreement_propose(actor=actor, credit=credit, kind=kind, as_of=as_of, reason=reason)
    if file is not None:
        document_attach(actor=actor, agreement=agreement, file=file, description=description)
    return agreement


def document_attach(*, actor: Any, agreement: Agreement, file: Any, description: str) -> SupportingDocument:
    if not description.strip():
        raise AgreementError(_("Describa el documento (p. ej., acta de defunción)."))
    doc = SupportingDocument.objects.create(agreement=agreement, file=file, description=description,
                                            uploaded_by=actor)
    audit_record(actor=actor, action="convenio.documento", obj=agreement,
                 after={"document": doc.file.name, "description": description})
    return doc


# --- applying ---------------------------------------------------------------------------------
def _post_discounts(*, actor: Any, agreement: Agreement, discounts: dict[str, str], value_date: dt.date,
                    as_of: dt.date, tag: str) -> list[int]:
    ids = []
    for component in calc.DISCOUNT_ORDER:
        amount = Decimal(discounts.get(component, "0"))
        if amount <= 0:
            continue
        entry, _created = entry_post(
            actor=actor, credit=agreement.credit, kind=LedgerEntry.Kind.DISCOUNT, value_date=value_date,
            amount=amount, natural_key=f"convenio:{agreement.pk}:{tag}:{component}",
            params={"component": component}, as_of=as_of,
            reason=_("{kind} {pk}: {what}").format(kind=agreement.get_kind_display(), pk=agreement.pk,
                                                   what=COMPONENT_LABELS[component]))
        ids.append(entry.pk)
    return ids


def _set_admin_status(credit: Credit, status: str) -> None:
    Credit.objects.filter(pk=credit.pk).update(administrative_status=status)
    credit.administrative_status = status


def _activate(*, actor: Any, agreement: Agreement, as_of: dt.date, figures: OfferFigures) -> None:
    """Apply an authorized offer with the figures `offer_assess` just computed for it."""
    credit = agreement.credit
    kind = agreement.kind
    if kind == Agreement.Kind.SETTLEMENT:
        agreement.status = Agreement.Status.AUTHORIZED
    elif kind == Agreement.Kind.PLAN:
        agreement.entries = _post_discounts(actor=actor, agreement=agreement, discounts=agreement.discounts,
                                            value_date=agreement.as_of, as_of=as_of, tag="quita")
        agreement.status = Agreement.Status.IN_FORCE
        _set_admin_status(credit, Credit.Status.PLAN)
    elif kind == Agreement.Kind.RESTRUCTURE:
        _restructure_apply(actor=actor, agreement=agreement, as_of=as_of, figures=figures)
    elif kind == Agreement.Kind.WAIVER:
        # One waiver entry forgives exactly the debt at the agreement date (engine.write_off).
        agreement.entries = [_off_books_post(actor=actor, agreement=agreement, as_of=as_of)]
        agreement.status, agreement.closed_on = Agreement.Status.APPLIED, as_of
        _set_admin_status(credit, Credit.Status.WAIVED)
        _close_case(actor=actor, agreement=agreement, as_of=as_of, reason="condonado")
    elif kind == Agreement.Kind.WRITE_OFF:
        # Off the books as a ledger entry; the debt stays legally owed (see the module docstring).
        agreement.entries = [_off_books_post(actor=actor, agreement=agreement, as_of=as_of)]
        agreement.status, agreement.closed_on = Agreement.Status.APPLIED, as_of
        _set_admin_status(credit, Credit.Status.WRITTEN_OFF)
        _close_case(actor=actor, agreement=agreement, as_of=as_of, reason="castigado")
    agreement.save()
    audit_record(actor=actor, action="convenio.aplicar", obj=agreement,
                 after={"status": agreement.status, "entries": agreement.entries})


def _off_books_post(*, actor: Any, agreement: Agreement, as_of: dt.date) -> int:
    """Post the write-off or waiver entry at the agreement date. What the engine took off the
    books (the payoff amount at that date, per component) becomes the agreement's figures:
    the debtor pays nothing, `forgiven` is the whole debt."""
    credit = agreement.credit
    write_off = agreement.kind == Agreement.Kind.WRITE_OFF
    debt = engine_io.credit_state(credit, as_of=agreement.as_of).payoff_amount
    if debt <= 0:
        raise AgreementError((_("El crédito {folio} no tiene adeudo que castigar.") if write_off else
                              _("El crédito {folio} no tiene adeudo que condonar.")).format(folio=credit.folio))
    entry, _created = entry_post(
        actor=actor, credit=credit, kind=LedgerEntry.Kind.WRITE_OFF if write_off else LedgerEntry.Kind.WAIVER,
        value_date=agreement.as_of, amount=debt, as_of=as_of,
        natural_key=f"convenio:{agreement.pk}:{'castigo' if write_off else 'condonacion'}",
        reason=_("{kind} {pk}").format(kind=agreement.get_kind_display(), pk=agreement.pk)[:200])
    state = engine_io.credit_state(credit, as_of=agreement.as_of)
    posting = next(p for p in state.postings if p.event_id == str(entry.pk))
    if posting.rejected_reason:  # pragma: no cover - checked above on the same replay
        raise AgreementError(posting.rejected_reason)
    agreement.pays, agreement.forgiven, agreement.interest_adjustment = ZERO, posting.amount, ZERO
    agreement.discounts = _off_books_split(posting)
    return entry.pk


def _off_books_split(posting: engine.Posting) -> dict[str, str]:
    """What a write-off or waiver posting took off the books, per component."""
    parts = {c: ZERO for c in calc.DISCOUNT_ORDER}
    for a in posting.allocations:
        for prefix in ("writeoff_", "waived_"):
            if a.component.startswith(prefix):
                parts[a.component.removeprefix(prefix)] += a.amount
    return {c: _money(a) for c, a in parts.items() if a > 0}


def write_off_recovered(credit: Credit) -> Decimal:
    """What was recovered after the credit's write-off (the engine's "recovered_*" allocations,
    as the projection holds them; reversed payments are not there)."""
    from django.db.models import Sum

    from recupera.credits.models import Allocation

    total = Allocation.objects.filter(credit=credit, component__startswith="recovered_").aggregate(
        total=Sum("amount"))["total"]
    return total or ZERO


def _restructure_apply(*, actor: Any, agreement: Agreement, as_of: dt.date, figures: OfferFigures) -> None:
    """Post the discounts and the restructure entry as `offer_assess` measured them: a
    capitalizing restructure carries its exact new principal (everything owed after the
    discounts), so the restructure itself waives nothing; otherwise the engine waives the
    interest, late interest and fees, which the required level already counted."""
    credit = agreement.credit
    f = figures.forgiveness
    ids = _post_discounts(actor=actor, agreement=agreement, discounts=agreement.discounts,
                          value_date=agreement.as_of, as_of=as_of, tag="quita")
    params: dict[str, Any] = {"capitalize_interest": agreement.capitalize_interest}
    if agreement.capitalize_interest and f.new_principal is not None:
        params["new_principal"] = f.new_principal
    if agreement.new_rate is not None:
        params["new_rate"] = agreement.new_rate
    if agreement.new_term_months:
        params["new_term_months"] = agreement.new_term_months
    if agreement.new_first_due_date:
        params["new_first_due_date"] = agreement.new_first_due_date
    entry, _created = entry_post(actor=actor, credit=credit, kind=LedgerEntry.Kind.RESTRUCTURE,
                                 value_date=agreement.as_of, amount=ZERO, params=params,
                                 natural_key=f"convenio:{agreement.pk}:reestructura", as_of=as_of,
                                 reason=_("Reestructura {pk}").format(pk=agreement.pk))
    ids.append(entry.pk)
    state = engine_io.credit_state(credit, as_of=agreement.as_of)
    if state.payoff_amount != f.pays:  # pragma: no cover - offer_assess replayed the same entries
        raise AgreementError(_("La reestructura no dio el adeudo calculado ({a} en lugar de {b}); "
                               "revise el convenio.").format(a=format_mxn(state.payoff_amount),
                                                             b=format_mxn(f.pays)))
    schedule = state.schedules[-1]
    first_due = schedule.installments[0].due_date if schedule.installments else None
    last_due = schedule.installments[-1].due_date if schedule.installments else None
    replaced = list(PromissoryNote.objects.filter(credit=credit, status=PromissoryNote.Status.IN_FORCE))
    PromissoryNote.objects.filter(pk__in=[n.pk for n in replaced]).update(
        status=PromissoryNote.Status.SUBSTITUTED)
    number = f"R{agreement.pk}-{credit.folio}"
    note = PromissoryNote.objects.create(credit=credit, number=number, amount=schedule.principal,
                                         signed_on=agreement.as_of, due_date=last_due)
    audit_record(actor=actor, action="pagare.sustituir", obj=note,
                 after={"replaces": [n.number for n in replaced], "amount": schedule.principal,
                        "first_due_date": first_due})
    agreement.note = note
    agreement.entries = ids
    agreement.pays, agreement.forgiven = f.pays, f.total
    agreement.interest_adjustment = f.interest_adjustment
    agreement.status, agreement.closed_on = Agreement.Status.APPLIED, as_of
    _set_admin_status(credit, Credit.Status.RESTRUCTURED)


def _close_case(*, actor: Any, agreement: Agreement, as_of: dt.date, reason: str) -> None:
    case = open_case(agreement.credit)
    if case is None:
        return
    from recupera.collections.services import case_close

    case_close(actor=actor, case=case, as_of=as_of, reason=reason)


def _notes_to_return(*, actor: Any, credit: Credit) -> None:
    notes = PromissoryNote.objects.filter(credit=credit, status__in=[
        PromissoryNote.Status.IN_FORCE, PromissoryNote.Status.SUBSTITUTED, PromissoryNote.Status.PAID])
    numbers = list(notes.values_list("number", flat=True))
    notes.update(status=PromissoryNote.Status.TO_RETURN)
    audit_record(actor=actor, action="pagare.por_devolver", obj=credit, after={"notes": numbers})


@transaction.atomic
def settlement_pay(*, actor: Any, agreement: Agreement, value_date: dt.date, channel: str,
                   natural_key: str, as_of: dt.date) -> Agreement:
    """The agreed amount is received: the discounts are posted, the payoff settles the credit,
    the notes are flagged for return and the case is closed."""
    agreement = Agreement.objects.select_for_update(of=("self",)).select_related("credit").get(pk=agreement.pk)
    if agreement.kind != Agreement.Kind.SETTLEMENT or agreement.status != Agreement.Status.AUTHORIZED:
        raise AgreementError(_("Solo una liquidación autorizada y en espera de pago puede pagarse."))
    if agreement.valid_until and value_date > agreement.valid_until:
        raise AgreementError(_("La oferta venció el {d}: simule una nueva.").format(
            d=agreement.valid_until.strftime("%d/%m/%Y")))
    if value_date < agreement.as_of or value_date > as_of:
        raise AgreementError(_("La fecha del pago ({d}) debe estar entre la fecha del acuerdo ({a}) y la fecha "
                               "de operación ({o}).").format(d=value_date.strftime("%d/%m/%Y"),
                                                            a=agreement.as_of.strftime("%d/%m/%Y"),
                                                            o=as_of.strftime("%d/%m/%Y")))
    credit = lock_credits([agreement.credit_id])[agreement.credit_id]
    agreement.credit = credit
    # The agreed amount is fixed until the offer's validity: late interest accrued since the
    # agreement date is forgiven too. That money counts: the level the whole forgiveness needs
    # at the payment date must be within the authority that approved the settlement.
    inputs = _inputs(credit)
    f = calc.settlement_at(discounts=_stored_discounts(agreement), pays=agreement.pays, value_date=value_date,
                           prior=prior_forgiven(credit, inputs, exclude=agreement.pk), **inputs)
    if f is None or f.unapplied > 0:
        raise AgreementError(_("El adeudo cambió desde el acuerdo: simule una nueva oferta."))
    approved = max((a.level for a in agreement.approvals.all() if a.decision == Approval.Decision.APPROVED),
                   default=0)
    needed = calc.required_level_for(_levels(agreement.policy), f) if agreement.policy else None
    if needed is None or needed > approved:
        raise AgreementError(_(
            "Pagada el {d}, la liquidación condonaría {m}, más de lo que autorizó {lvl}: simule una nueva "
            "oferta.").format(d=value_date.strftime("%d/%m/%Y"), m=format_mxn(f.total),
                              lvl=Level(approved).label if approved in Level.values else _("nadie")))
    discounts = {c: a for c, a in f.discounts.items()}
    ids = _post_discounts(actor=actor, agreement=agreement, value_date=value_date, as_of=as_of, tag="quita",
                          discounts={c: _money(a) for c, a in discounts.items()})
    entry, _created = entry_post(actor=actor, credit=credit, kind=LedgerEntry.Kind.PAYOFF,
                                 value_date=value_date, amount=agreement.pays, channel=channel,
                                 natural_key=natural_key, as_of=as_of,
                                 reason=_("Liquidación con descuento {pk}").format(pk=agreement.pk))
    state = engine_io.credit_state(credit, as_of=value_date)
    if state.payoff_amount > 0:  # pragma: no cover - the engine quoted this amount
        raise AgreementError(_("El pago no liquidó el crédito; revise el convenio."))
    agreement.entries = [*ids, entry.pk]
    agreement.discounts = {c: _money(a) for c, a in discounts.items() if a > 0}
    agreement.status, agreement.closed_on = Agreement.Status.FULFILLED, value_date
    agreement.save(update_fields=["entries", "discounts", "status", "closed_on"])
    _set_admin_status(credit, "")
    _notes_to_return(actor=actor, credit=credit)
    _close_case(actor=actor, agreement=agreement, as_of=as_of, reason="liquidado")
    audit_record(actor=actor, action="convenio.liquidar", obj=agreement,
                 after={"entries": agreement.entries, "pays": agreement.pays})
    return agreement


def paid_since(agreement: Agreement, *, as_of: dt.date) -> Decimal:
    """Money received on the credit from the agreement date to `as_of` (reversed entries out)."""
    entries = LedgerEntry.objects.filter(
        credit=agreement.credit, kind__in=[LedgerEntry.Kind.PAYMENT, LedgerEntry.Kind.PAYOFF],
        value_date__gte=agreement.as_of, value_date__lte=as_of, reversed_by__isnull=True)
    return sum((e.amount for e in entries), ZERO)


def plan_split_of(agreement: Agreement) -> calc.PlanSplit:
    rows = tuple(calc.PlanInstallment(i.number, i.due_date, i.amount) for i in agreement.installments.all())
    return calc.PlanSplit(agreement.pays, agreement.down_payment, rows)


@transaction.atomic
def plan_evaluate(*, actor: Any, agreement: Agreement, as_of: dt.date) -> str:
    """Fulfilled when the agreed total is received (what accrued meanwhile is forgiven);
    broken after the policy's missed installments (the waiver is reversed: the engine replays
    the credit as if it never existed, less what was paid). Returns the plan's status."""
    agreement = Agreement.objects.select_for_update(of=("self",)).select_related("credit", "policy").get(pk=agreement.pk)
    if agreement.kind != Agreement.Kind.PLAN or agreement.status != Agreement.Status.IN_FORCE:
        return agreement.status
    credit = agreement.credit
    paid = paid_since(agreement, as_of=as_of)
    policy = agreement.policy
    if paid >= agreement.pays:
        # What accrued meanwhile (late interest, the period's interest) is forgiven by one waiver
        # entry: exactly the payoff amount left, so no unearned future interest is "forgiven".
        residual = engine_io.credit_state(credit, as_of=as_of).payoff_amount
        if residual > 0:
            entry, _created = entry_post(
                actor=actor, credit=credit, kind=LedgerEntry.Kind.WAIVER, value_date=as_of, amount=residual,
                natural_key=f"convenio:{agreement.pk}:cumplimiento", as_of=as_of,
                reason=_("Convenio {pk} cumplido: se condona lo generado durante su vigencia").format(
                    pk=agreement.pk))
            agreement.entries = [*agreement.entries, entry.pk]
        agreement.status, agreement.closed_on = Agreement.Status.FULFILLED, as_of
        agreement.save(update_fields=["entries", "status", "closed_on"])
        _set_admin_status(credit, "")
        if engine_io.credit_state(credit, as_of=as_of).payoff_amount == 0:
            _notes_to_return(actor=actor, credit=credit)
            _close_case(actor=actor, agreement=agreement, as_of=as_of, reason="liquidado")
        audit_record(actor=actor, action="convenio.cumplido", obj=agreement,
                     after={"paid": paid, "residual": _money(residual)})
        return agreement.status
    missed, behind = calc.plan_progress(plan_split_of(agreement), paid, as_of,
                                        policy.tolerance_days if policy else 0)
    if missed >= (policy.break_after_missed if policy else 2):
        plan_break(actor=actor, agreement=agreement, as_of=as_of,
                   reason=_("{n} pagos omitidos; atraso de {b}").format(n=missed, b=_money(behind)))
        agreement.refresh_from_db()
    return agreement.status


def plan_break(*, actor: Any, agreement: Agreement, as_of: dt.date, reason: str) -> Agreement:
    """Mark the plan broken, revoke its waiver as the policy says (reversal entries) and put the
    case back in the queue."""
    credit = agreement.credit
    revoked = []
    if agreement.policy is None or agreement.policy.revoke_on_break:
        for entry in LedgerEntry.objects.filter(pk__in=agreement.entries, kind=LedgerEntry.Kind.DISCOUNT,
                                                reversed_by__isnull=True):
            reversal, _created = entry_post(
                actor=actor, credit=credit, kind=LedgerEntry.Kind.REVERSAL, value_date=as_of,
                amount=entry.amount, reverses=entry, natural_key=f"reversa:{entry.pk}", as_of=as_of,
                reason=_("Convenio {pk} incumplido: se revoca la condonación").format(pk=agreement.pk))
            revoked.append(reversal.pk)
    agreement.entries = [*agreement.entries, *revoked]
    agreement.status, agreement.closed_on = Agreement.Status.BROKEN, as_of
    agreement.save(update_fields=["entries", "status", "closed_on"])
    _set_admin_status(credit, "")
    _requeue(actor=actor, agreement=agreement, as_of=as_of)
    audit_record(actor=actor, action="convenio.incumplido", obj=agreement,
                 after={"reason": reason, "reversals": revoked})
    return agreement


def _requeue(*, actor: Any, agreement: Agreement, as_of: dt.date) -> None:
    """Back to the work queue: open a case if none is open (collections' service), and refresh
    the queue order so the broken plan shows first."""
    from recupera.collections import services as workbench

    case = open_case(agreement.credit)
    if case is None:
        try:
            workbench.case_open(actor=actor, credit=agreement.credit, as_of=as_of)
        except workbench.WorkbenchError:
            return
    else:
        workbench.case_priorities_refresh(as_of=as_of, case_ids=[case.pk])


def plans_evaluate(*, actor: Any, as_of: dt.date) -> dict[str, int]:
    """All plans in force (the daily close or the task calls this)."""
    counts: dict[str, int] = {}
    for agreement in Agreement.objects.filter(kind=Agreement.Kind.PLAN, status=Agreement.Status.IN_FORCE):
        status = plan_evaluate(actor=actor, agreement=agreement, as_of=as_of)
        counts[status] = counts.get(status, 0) + 1
    return counts


# --- regularization campaigns -----------------------------------------------------------------
SETTLED_STATUSES = (Credit.Status.PAID_OFF, Credit.Status.WRITTEN_OFF, Credit.Status.WAIVED)
OPEN_AGREEMENT = (Agreement.Status.PENDING, Agreement.Status.AUTHORIZED, Agreement.Status.IN_FORCE)


@transaction.atomic
def campaign_create(*, actor: Any, name: str, starts_on: dt.date, ends_on: dt.date, dpd_min: int = 1,
                    dpd_max: int | None = None, balance_min: Decimal = ZERO,
                    balance_max: Decimal | None = None, statuses: list[str] | None = None,
                    late_interest_pct: Any = 0, interest_pct: Any = 0, fees_pct: Any = 0) -> Campaign:
    if not name.strip():
        raise AgreementError(_("Indique el nombre de la campaña."))
    if ends_on < starts_on:
        raise AgreementError(_("La campaña termina antes de iniciar."))
    if dpd_max is not None and dpd_max < dpd_min:
        raise AgreementError(_("El rango de días de atraso está invertido."))
    if balance_max is not None and balance_max < balance_min:
        raise AgreementError(_("El rango de adeudo está invertido."))
    unknown = set(statuses or []) - set(Credit.Status.values)
    if unknown:
        raise AgreementError(_("Estado de crédito desconocido: {s}.").format(s=", ".join(sorted(unknown))))
    late, interest, fees = _pct(late_interest_pct), _pct(interest_pct), _pct(fees_pct)
    if late == 0 and interest == 0 and fees == 0:
        raise AgreementError(_("La campaña debe condonar algo: indique un porcentaje."))
    _campaign_within_authority(actor, late=late, interest=interest, fees=fees)
    campaign = Campaign.objects.create(
        name=name.strip(), starts_on=starts_on, ends_on=ends_on, dpd_min=dpd_min, dpd_max=dpd_max,
        balance_min=balance_min, balance_max=balance_max, statuses=sorted(statuses or []),
        late_interest_pct=late, interest_pct=interest, fees_pct=fees, created_by=actor)
    audit_record(actor=actor, action="campana.crear", obj=campaign, after=snapshot(campaign))
    return campaign


def _campaign_within_authority(actor: Any, *, late: Decimal, interest: Decimal, fees: Decimal) -> None:
    """A campaign forgives, credit by credit, a percentage of late interest, overdue interest and
    fees with no offer to authorize: its creator's level must be allowed those percentages in
    every active policy that is not itself a campaign's (fees follow the late-interest limit)."""
    level = authority_level(actor)
    for policy in NegotiationPolicy.objects.filter(active=True, campaign__isnull=True).prefetch_related("limits"):
        limit = next((lim for lim in policy.limits.all() if lim.level == level), None)
        if limit is None or late > limit.max_late_interest_pct or fees > limit.max_late_interest_pct \
                or interest > limit.max_interest_pct:
            raise AgreementError(_(
                "La campaña condona más de lo que su nivel ({lvl}) puede autorizar en la política «{p}»: "
                "moratorios y gastos hasta {a} %, interés ordinario hasta {b} %.").format(
                    lvl=Level(level).label if level in Level.values else _("sin nivel"), p=policy.name,
                    a=f"{limit.max_late_interest_pct:.2f}" if limit else "0",
                    b=f"{limit.max_interest_pct:.2f}" if limit else "0"))


def campaign_candidates(campaign: Campaign) -> Any:
    """Credits in the campaign's segment by their days past due and status (the close keeps
    them); settled credits and those with an agreement open are left out. The debt range is
    checked on the engine's figure when applying."""
    qs = (Credit.objects.filter(days_past_due__gte=campaign.dpd_min)
          .exclude(status__in=SETTLED_STATUSES).exclude(administrative_status__in=SETTLED_STATUSES)
          .exclude(agreements__status__in=OPEN_AGREEMENT))
    if campaign.dpd_max is not None:
        qs = qs.filter(days_past_due__lte=campaign.dpd_max)
    if campaign.statuses:
        qs = qs.filter(status__in=campaign.statuses)
    return qs.order_by("pk").distinct()


def _refuse_outside_window(campaign: Campaign, as_of: dt.date) -> None:
    if not (campaign.starts_on <= as_of <= campaign.ends_on):
        raise AgreementError(_("La campaña «{c}» solo se aplica del {a} al {b}.").format(
            c=campaign.name, a=campaign.starts_on.strftime("%d/%m/%Y"), b=campaign.ends_on.strftime("%d/%m/%Y")))


@transaction.atomic
def campaign_credit_apply(*, actor: Any, campaign: Campaign, credit: Credit,
                          as_of: dt.date) -> CampaignCredit | None:
    """Post the campaign's discounts on one credit (the engine quotes them; natural keys
    `campana:<id>:<component>` make it idempotent). None when the credit is outside the
    campaign (settled, debt out of range, nothing to forgive)."""
    _refuse_outside_window(campaign, as_of)
    credit = lock_credits([credit.pk])[credit.pk]
    done = CampaignCredit.objects.filter(campaign=campaign, credit=credit).first()
    if done is not None:
        return done
    inputs = _inputs(credit)
    state = engine.credit_state(as_of=as_of, **inputs)
    if _is_settled(credit, state):
        return None
    debt = calc.debt_breakdown(state)
    if debt.total < campaign.balance_min or (campaign.balance_max is not None
                                             and debt.total > campaign.balance_max):
        return None
    percents = calc.DiscountPercents(late_interest=campaign.late_interest_pct, interest=campaign.interest_pct,
                                     fees=campaign.fees_pct)
    q = calc.quote_with_discounts(discounts=calc.discounts_for(debt, percents), as_of=as_of, **inputs)
    if not q.discounts.items():
        return None
    ids = []
    for component, amount in q.discounts.items():
        entry, _created = entry_post(
            actor=actor, credit=credit, kind=LedgerEntry.Kind.DISCOUNT, value_date=as_of, amount=amount,
            natural_key=f"campana:{campaign.pk}:{component}", params={"component": component}, as_of=as_of,
            reason=_("Campaña {name}: {what}").format(name=campaign.name[:80], what=COMPONENT_LABELS[component]))
        ids.append(entry.pk)
    row = CampaignCredit.objects.create(
        campaign=campaign, credit=credit, applied_on=as_of, days_past_due=state.days_past_due,
        debt=debt.total, discounts={c: _money(a) for c, a in q.discounts.items()},
        forgiven=q.discounts.total, entries=ids)
    audit_record(actor=actor, action="campana.aplicar_credito", obj=credit,
                 after={"campaign": campaign.pk, "discounts": row.discounts, "entries": ids})
    return row


@transaction.atomic
def campaign_enqueue(*, actor: Any, campaign: Campaign, as_of: dt.date) -> Campaign:
    """Queue the campaign's application (the task runs `campaign_apply` after the commit)."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _refuse_outside_window(campaign, as_of)
    if campaign.run_status in (Campaign.RunStatus.QUEUED, Campaign.RunStatus.RUNNING):
        raise AgreementError(_("La campaña ya se está aplicando."))
    campaign.run_status, campaign.run_as_of, campaign.run_note = Campaign.RunStatus.QUEUED, as_of, ""
    campaign.run_done = campaign.run_total = 0
    campaign.save(update_fields=["run_status", "run_as_of", "run_note", "run_done", "run_total"])
    audit_record(actor=actor, action="campana.encolar", obj=campaign, after={"as_of": as_of})
    from recupera.agreements.tasks import run_campaign

    actor_id = getattr(actor, "pk", None)
    transaction.on_commit(lambda: run_campaign.enqueue(campaign.pk, as_of.isoformat(), actor_id))
    return campaign


def _run_update(campaign: Campaign, **fields: Any) -> None:
    Campaign.objects.filter(pk=campaign.pk).update(**fields)
    for name, value in fields.items():
        setattr(campaign, name, value)


def campaign_apply(*, actor: Any, campaign: Campaign, as_of: dt.date) -> dict[str, int]:
    """Apply the campaign to every eligible credit: one transaction per credit (so the page
    shows the progress and a crash keeps what was done); running it again skips the credits
    already reached. Returns the counts."""
    _refuse_outside_window(campaign, as_of)
    ids = list(campaign_candidates(campaign).values_list("pk", flat=True))
    _run_update(campaign, run_status=Campaign.RunStatus.RUNNING, run_as_of=as_of, run_total=len(ids),
                run_done=0, run_note="")
    counts = {"applied": 0, "skipped": 0}
    try:
        for n, credit in enumerate(Credit.objects.filter(pk__in=ids).order_by("pk").iterator(), start=1):
            row = campaign_credit_apply(actor=actor, campaign=campaign, credit=credit, as_of=as_of)
            counts["applied" if row is not None else "skipped"] += 1
            _run_update(campaign, run_done=n)
    except Exception as exc:
        _run_update(campaign, run_status=Campaign.RunStatus.FAILED, run_note=str(exc)[:300])
        raise
    _run_update(campaign, run_status=Campaign.RunStatus.DONE)
    with transaction.atomic():
        audit_record(actor=actor, action="campana.aplicar", obj=campaign,
                     after={"as_of": as_of, **counts})
    return counts


def campaign_report(campaign: Campaign, *, as_of: dt.date) -> dict[str, Any]:
    """Per credit reached: what the campaign forgave (its entries) and what was recovered
    (payments on the credit from the campaign start to `as_of`, reversed ones out)."""
    from django.db.models import Sum

    rows = list(CampaignCredit.objects.filter(campaign=campaign)
                .select_related("credit", "credit__borrower").order_by("credit__folio"))
    paid = dict(LedgerEntry.objects.filter(
        credit_id__in=[r.credit_id for r in rows], kind__in=[LedgerEntry.Kind.PAYMENT, LedgerEntry.Kind.PAYOFF],
        value_date__gte=campaign.starts_on, value_date__lte=as_of, reversed_by__isnull=True)
        .values("credit_id").annotate(total=Sum("amount")).values_list("credit_id", "total"))
    for row in rows:
        row.recovered = paid.get(row.credit_id) or ZERO
    totals = CampaignCredit.objects.filter(campaign=campaign).aggregate(forgiven=Sum("forgiven"))
    recovered = LedgerEntry.objects.filter(
        credit_id__in=[r.credit_id for r in rows], kind__in=[LedgerEntry.Kind.PAYMENT, LedgerEntry.Kind.PAYOFF],
        value_date__gte=campaign.starts_on, value_date__lte=as_of, reversed_by__isnull=True,
    ).aggregate(total=Sum("amount"))["total"]
    return {"rows": rows, "as_of": as_of, "credits": len(rows),
            "forgiven": totals["forgiven"] or ZERO, "recovered": recovered or ZERO}


# --- negotiation policies (set by the Subdirección) -------------------------------------------
LIMIT_PCT_FIELDS = ("max_late_interest_pct", "max_interest_pct", "max_principal_pct", "min_down_payment_pct")
LIMIT_FIELDS = (*LIMIT_PCT_FIELDS, "max_installments")
POLICY_FIELDS = ("name", "active", "priority", "dpd_min", "dpd_max", "balance_min", "balance_max", "stage",
                 "campaign", "max_term_months", "capitalize_interest", "break_after_missed", "tolerance_days",
                 "revoke_on_break", "offer_valid_days")


class PolicyError(AgreementError):
    """A policy refused; `field` names the offending field (the form shows it there)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _label(model: Any, field: str) -> str:
    return str(model._meta.get_field(field).verbose_name)


def _policy_snapshot(policy: NegotiationPolicy) -> dict[str, Any]:
    data = snapshot(policy)
    data["limits"] = {str(lim.level): {f: str(getattr(lim, f)) for f in LIMIT_FIELDS}
                      for lim in AuthorityLimit.objects.filter(policy=policy).order_by("level")}
    return data


def _policy_clean(values: dict[str, Any]) -> dict[str, Any]:
    """Check the policy's segment and terms; Spanish refusals naming the field."""
    from recupera.collections.models import Stage

    values = dict(values)
    values["name"] = (values.get("name") or "").strip()
    if not values["name"]:
        raise PolicyError(_("Indique el nombre de la política."), "name")
    for field in ("priority", "dpd_min", "max_term_months", "break_after_missed", "tolerance_days",
                  "offer_valid_days", "dpd_max"):
        value = values.get(field)
        if value is not None and int(value) < 0:
            raise PolicyError(_("«{f}» no puede ser negativo.").format(f=_label(NegotiationPolicy, field)), field)
        if value is not None and int(value) > 32767:
            raise PolicyError(_("«{f}» no puede pasar de 32767.").format(f=_label(NegotiationPolicy, field)), field)
    for field in ("balance_min", "balance_max"):
        value = values.get(field)
        if value is not None and Decimal(value) < ZERO:
            raise PolicyError(_("«{f}» no puede ser negativo.").format(f=_label(NegotiationPolicy, field)), field)
    if values.get("dpd_max") is not None and values["dpd_max"] < values.get("dpd_min", 0):
        raise PolicyError(_("«{hi}» ({b}) no puede ser menor que «{lo}» ({a}).").format(
            hi=_label(NegotiationPolicy, "dpd_max"), lo=_label(NegotiationPolicy, "dpd_min"),
            a=values.get("dpd_min", 0), b=values["dpd_max"]), "dpd_max")
    if values.get("balance_max") is not None and Decimal(values["balance_max"]) < Decimal(
            values.get("balance_min") or 0):
        raise PolicyError(_("«{hi}» ({b}) no puede ser menor que «{lo}» ({a}).").format(
            hi=_label(NegotiationPolicy, "balance_max"), lo=_label(NegotiationPolicy, "balance_min"),
            a=values.get("balance_min") or 0, b=values["balance_max"]), "balance_max")
    if values.get("max_term_months") is not None and values["max_term_months"] < 1:
        raise PolicyError(_("«{f}» debe ser de al menos un mes.").format(
            f=_label(NegotiationPolicy, "max_term_months")), "max_term_months")
    values["stage"] = values.get("stage") or ""
    if values["stage"] and values["stage"] not in Stage.values:
        raise PolicyError(_("Etapa del caso desconocida: «{s}».").format(s=values["stage"]), "stage")
    return values


def _limits_clean(limits: Any) -> list[dict[str, Any]]:
    """The per-level limits: at least one level, each once, percentages 0–100."""
    rows = list(limits.values()) if isinstance(limits, dict) else list(limits or [])
    if not rows:
        raise PolicyError(_("Indique las facultades de al menos un nivel de autorización."), None)
    seen: set[int] = set()
    clean = []
    for row in rows:
        level = int(row.get("level") or 0)
        if level not in Level.values:
            raise PolicyError(_("Nivel de autorización desconocido: {n}.").format(n=level), None)
        if level in seen:
            raise PolicyError(_("El nivel «{lvl}» aparece dos veces.").format(lvl=Level(level).label), None)
        seen.add(level)
        item: dict[str, Any] = {"level": level}
        for field in LIMIT_PCT_FIELDS:
            raw = row.get(field)
            try:
                pct = Decimal(str(raw if raw not in (None, "") else "0"))
            except ArithmeticError as exc:
                raise PolicyError(_("«{f}» ({lvl}): porcentaje no válido «{v}».").format(
                    f=_label(AuthorityLimit, field), lvl=Level(level).label, v=raw), f"l{level}_{field}") from exc
            if not (ZERO <= pct <= HUNDRED):
                raise PolicyError(_("«{f}» ({lvl}) debe estar entre 0 y 100 (recibido {v}).").format(
                    f=_label(AuthorityLimit, field), lvl=Level(level).label, v=pct), f"l{level}_{field}")
            item[field] = pct
        count = row.get("max_installments")
        count = 12 if count in (None, "") else int(count)
        if not (1 <= count <= 32767):
            raise PolicyError(_("«{f}» ({lvl}) debe ser al menos 1.").format(
                f=_label(AuthorityLimit, "max_installments"), lvl=Level(level).label),
                f"l{level}_max_installments")
        item["max_installments"] = count
        clean.append(item)
    return sorted(clean, key=lambda r: r["level"])


def _limits_merged(policy: NegotiationPolicy, limits: Any) -> list[dict[str, Any]]:
    """A partial change of the per-level limits: each row sent changes only the fields it
    carries of its level (a level not yet set starts from the defaults); levels not sent stay."""
    rows = list(limits.values()) if isinstance(limits, dict) else list(limits or [])
    merged: dict[int, dict[str, Any]] = {
        lim.level: {"level": lim.level, **{f: getattr(lim, f) for f in LIMIT_FIELDS}}
        for lim in AuthorityLimit.objects.filter(policy=policy)}
    sent: set[int] = set()
    for row in rows:
        level = int(row.get("level") or 0)
        if level in sent:
            raise PolicyError(_("El nivel «{lvl}» aparece dos veces.").format(
                lvl=Level(level).label if level in Level.values else level), None)
        sent.add(level)
        merged[level] = {**merged.get(level, {"level": level}),
                         **{k: v for k, v in row.items() if k in LIMIT_FIELDS}, "level": level}
    return list(merged.values())


def _limits_save(policy: NegotiationPolicy, limits: list[dict[str, Any]]) -> None:
    levels = [row["level"] for row in limits]
    AuthorityLimit.objects.filter(policy=policy).exclude(level__in=levels).delete()
    for row in limits:
        AuthorityLimit.objects.update_or_create(
            policy=policy, level=row["level"], defaults={f: row[f] for f in LIMIT_FIELDS})


@transaction.atomic
def policy_create(*, actor: Any, limits: Any, **values: Any) -> NegotiationPolicy:
    """A new negotiation policy with its segment (days past due, debt, stage, campaign window)
    and what each authority level may grant under it. Audited."""
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise PolicyError(_("Campo desconocido: {f}.").format(f=", ".join(sorted(unknown))), None)
    values = _policy_clean(values)
    rows = _limits_clean(limits)
    policy = NegotiationPolicy.objects.create(**values)
    _limits_save(policy, rows)
    audit_record(actor=actor, action="politica.crear", obj=policy, after=_policy_snapshot(policy))
    return policy


@transaction.atomic
def policy_update(*, actor: Any, policy: NegotiationPolicy, limits: Any = None,
                  limits_partial: bool = False, **changes: Any) -> NegotiationPolicy:
    """Change a policy (only the fields given). `limits`, when given, replaces the per-level
    limits (the page sends the whole table); with `limits_partial` (the API's PATCH) each row
    changes only the fields it carries and the levels not sent are kept. Audited with before
    and after."""
    unknown = set(changes) - set(POLICY_FIELDS)
    if unknown:
        raise PolicyError(_("Campo desconocido: {f}.").format(f=", ".join(sorted(unknown))), None)
    policy = NegotiationPolicy.objects.select_for_update().get(pk=policy.pk)
    before = _policy_snapshot(policy)
    current = {f: getattr(policy, f) for f in POLICY_FIELDS}
    values = _policy_clean({**current, **changes})
    if limits is not None and limits_partial:
        limits = _limits_merged(policy, limits)
    rows = _limits_clean(limits) if limits is not None else None
    for field, value in values.items():
        setattr(policy, field, value)
    policy.save()
    if rows is not None:
        _limits_save(policy, rows)
    audit_record(actor=actor, action="politica.modificar", obj=policy, before=before,
                 after=_policy_snapshot(policy))
    return policy
